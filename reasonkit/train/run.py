"""A whole training run from a :class:`TrainConfig`: data checks, model, resume, loop, checkpoints, evaluation.

Works the same on one CPU, one GPU or ``torchrun --nproc-per-node N`` (each rank reads its share of every global
batch; only rank 0 writes). Every user error (missing data directory, a data set that does not fit the model, a
batch size not divisible by the number of processes, a checkpoint of another model or a newer format) is raised
before any training work starts.

The loader protocol (``reasonkit.data.PuzzleLoader``): iterating yields ``(set_name, batch, global_batch_size)``
for one pass (``epochs_per_iter`` epochs); ``state_dict()`` describes the position after the last yielded batch
and ``load_state_dict()`` makes the next iteration continue from there.
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any, Callable, Optional

import torch
import torch.distributed as dist

from .checkpoint import (CheckpointError, check_weights, clean_partial, latest_checkpoint, load_checkpoint,
                         save_checkpoint)
from .config import TrainConfig
from .distributed import World, broadcast_parameters, init_distributed
from .logging import RunLogger, check_sinks
from .trainer import NonFiniteLossError, Trainer

__all__ = ["train", "build_spec", "total_steps_for"]

LoaderFactory = Callable[..., Any]


def _default_loader(data_dir, split, *, global_batch_size, rank, world_size, seed):
    try:
        from ..data.loader import PuzzleLoader
    except ImportError as err:
        raise RuntimeError("reasonkit.data.PuzzleLoader is not available in this installation") from err
    return PuzzleLoader(data_dir, split, global_batch_size, rank=rank, world_size=world_size, seed=seed)


def build_spec(config: TrainConfig, meta=None, precision_dtype: str = "float32"):
    """The model spec: ``config.model`` with the data set's dimensions filled in, then ``model_overrides``."""
    from ..builder import get_spec

    fill: dict[str, Any] = {}
    if meta is not None:
        fill = {"vocab_size": meta.vocab_size, "seq_len": meta.seq_len, "num_puzzle_ids": max(1, meta.num_puzzle_identifiers)}
    fill["forward_dtype"] = precision_dtype
    return get_spec(config.model, **{**fill, **config.model_overrides})


def total_steps_for(config: TrainConfig, meta) -> int:
    """HRM's step count: epochs * groups * mean examples per puzzle / global batch (or ``total_steps``)."""
    if config.total_steps is not None:
        return config.total_steps
    return max(1, int(config.epochs * meta.total_groups * meta.mean_puzzle_examples / config.global_batch_size))


def _gather_rows(tensors: dict[str, torch.Tensor], world: World) -> dict[str, torch.Tensor]:
    """Concatenate each rank's per-slot tensors along the batch dimension (rank order)."""
    if not world.distributed:
        return tensors
    out = {}
    for key, value in tensors.items():
        send = value.to(torch.uint8) if value.dtype == torch.bool else value
        parts = [torch.empty_like(send) for _ in range(world.size)]
        dist.all_gather(parts, send.contiguous())
        out[key] = torch.cat(parts).to(value.dtype)
    return out


def _gather_rng(world: World) -> list[torch.Tensor]:
    state = torch.get_rng_state()
    if not world.distributed:
        return [state]
    parts = [torch.empty_like(state) for _ in range(world.size)]
    dist.all_gather(parts, state)
    return parts


def _check_resume(ckpt, spec_json: str) -> None:
    theirs, ours = json.loads(ckpt.spec_json), json.loads(spec_json)
    if theirs != ours:
        diff = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
        raise CheckpointError(f"checkpoint {ckpt.path} was written for another model (spec differs in: {', '.join(diff)}); "
                              "use another out_dir or resume=never")


def train(config: TrainConfig, *, loader_factory: Optional[LoaderFactory] = None) -> dict[str, Any]:
    """Run (or continue) training as configured; returns the last metrics and the last checkpoint's path."""
    from ..data.format import load_metadata
    from ..eval.evaluate import check_data_fits_model

    size = int(os.environ.get("WORLD_SIZE", "1"))  # checked before joining the process group
    if config.global_batch_size % size:
        raise ValueError(f"global_batch_size {config.global_batch_size} is not divisible by the {size} processes")
    if config.data_dir is None or not Path(config.data_dir).is_dir():
        raise FileNotFoundError(f"data directory {config.data_dir} does not exist (set data_dir=...)")
    has_test = (Path(config.data_dir) / "test" / "dataset.json").is_file()
    if not has_test and (config.eval_every is not None or config.eval_limit is not None):
        keys = " and ".join(k for k in ("eval_every", "eval_limit") if getattr(config, k) is not None)
        raise ValueError(f"{keys} set but the data set {config.data_dir} has no test split (no test/dataset.json); "
                         f"build one with a test split or unset {keys}")
    check_sinks(tensorboard=config.tensorboard, wandb=config.wandb)  # a missing package fails before any work
    world, device = init_distributed(config.device)
    meta = load_metadata(config.data_dir, "train")
    precision = config.precision
    if precision == "auto":
        precision = "bfloat16" if device.type == "cuda" else "float32"
    spec = build_spec(config, meta, precision)
    check_data_fits_model(spec, meta, config.data_dir)
    spec_json = spec.model_dump_json()
    if has_test:
        check_data_fits_model(spec, load_metadata(config.data_dir, "test"), config.data_dir)
    total = total_steps_for(config, meta)

    run_dir = Path(config.out_dir)
    ckpt = None
    if config.resume == "auto":
        if world.is_main:
            clean_partial(run_dir)
        found = latest_checkpoint(run_dir)
        ckpt = load_checkpoint(found) if found is not None else None
    elif config.resume != "never":
        ckpt = load_checkpoint(config.resume)
    if ckpt is not None:
        _check_resume(ckpt, spec_json)
        missing = [k for k in ("step", "optimizers", "rng") if k not in (ckpt.trainer_state or {})]
        if missing:
            what = "no trainer state (trainer.pt)" if ckpt.trainer_state is None else \
                f"an incomplete trainer state (no {', '.join(missing)})"
            raise CheckpointError(f"checkpoint {ckpt.path} has {what}, so training cannot continue from it; "
                                  "use resume=never (or another out_dir) to start a new run, or resume from a "
                                  "checkpoint written by reasonkit train")

    torch.manual_seed(config.seed)
    random.seed(config.seed)
    model = spec.build().to(device)
    broadcast_parameters(model, world)
    trainer = Trainer(model, total_steps=total, optimizer=config.optimizer, lr=config.lr, betas=config.betas,
                      weight_decay=config.weight_decay, puzzle_lr=config.puzzle_lr,
                      puzzle_weight_decay=config.puzzle_weight_decay, warmup_steps=config.lr_warmup_steps,
                      lr_min_ratio=config.lr_min_ratio, grad_clip=config.grad_clip, ema=config.ema,
                      world=world, device=device, compile=config.compile)
    factory = loader_factory or _default_loader
    loader = factory(config.data_dir, "train", global_batch_size=config.global_batch_size, rank=world.rank,
                     world_size=world.size, seed=config.seed)
    torch.manual_seed(config.seed + 1 + world.rank)  # training randomness (exploration) differs per rank
    if ckpt is not None:
        check_weights(model, ckpt.model_state, ckpt.path)
        model.load_state_dict(ckpt.model_state)
        state = ckpt.trainer_state
        local = config.global_batch_size // world.size
        if state.get("carry") is not None:
            state["carry"] = {k: v[world.rank * local:(world.rank + 1) * local] for k, v in state["carry"].items()}
        rngs = state["rng"].pop("torch_per_rank")
        state["rng"]["torch"] = rngs[world.rank] if len(rngs) == world.size else rngs[0]
        trainer.load_state_dict(state, ckpt.ema_state)
        if state.get("loader") is not None:
            loader.load_state_dict(state["loader"])

    logger = RunLogger(run_dir, total, enabled=world.is_main, progress=config.progress, tensorboard=config.tensorboard,
                       wandb=config.wandb, wandb_project=config.wandb_project, config=config.model_dump(),
                       initial_step=trainer.step)
    last_path = ckpt.path if ckpt is not None else None
    if ckpt is not None:
        logger.message(f"resumed from {ckpt.path} at step {trainer.step}")

    def checkpoint() -> None:
        nonlocal last_path
        state = trainer.state_dict(loader.state_dict() if hasattr(loader, "state_dict") else None)
        state["carry"] = _gather_rows(state["carry"], world) if state["carry"] is not None else None
        rngs = _gather_rng(world)
        state["rng"]["torch_per_rank"] = rngs
        del state["rng"]["torch"]
        if world.is_main:
            ema = trainer.ema.module.state_dict() if trainer.ema is not None else None
            last_path = save_checkpoint(run_dir, trainer.step, spec_json=spec_json, model_state=model.state_dict(),
                                        trainer_state=state, ema_state=ema, keep_last=config.keep_last,
                                        meta={"config": config.model_dump(), "world_size": world.size,
                                              "total_steps": total})
        if world.distributed:
            dist.barrier()

    def run_eval() -> Optional[dict]:
        result = None
        if world.is_main and has_test:
            from ..eval.evaluate import evaluate

            result, _, _ = evaluate(trainer.eval_model(), config.data_dir, "test", limit=config.eval_limit,
                                    batch_size=max(1, config.global_batch_size // world.size), device=device)
            logger.log(trainer.step, result, kind="eval")
            logger.message(f"step {trainer.step}: eval exact_accuracy {result['exact_accuracy']:.4f}, "
                           f"token_accuracy {result['token_accuracy']:.4f}")
        if world.distributed:
            dist.barrier()
        return result

    metrics: dict[str, float] = {}
    eval_metrics = None
    empty_passes = 0
    try:
        while trainer.step < total:
            produced = False
            for _set_name, batch, global_batch in loader:
                produced = True
                metrics = trainer.train_step(batch, global_batch)
                step = trainer.step
                if step % config.log_every == 0 or step == total:
                    logger.log(step, {**metrics, "steps_per_second": logger.steps_per_second(step)})
                if config.checkpoint_every and step % config.checkpoint_every == 0 and step < total:
                    checkpoint()
                if config.eval_every and step % config.eval_every == 0 and step < total:
                    eval_metrics = run_eval()
                if step >= total:
                    break
            empty_passes = 0 if produced else empty_passes + 1
            if empty_passes > 1:
                raise ValueError(f"the training loader of {config.data_dir} yields no batches "
                                 f"(fewer examples than global_batch_size={config.global_batch_size}?)")
        if last_path is None or not last_path.name.endswith(f"{trainer.step:09d}"):
            checkpoint()
        if config.eval_every or has_test:
            eval_metrics = run_eval()
    except NonFiniteLossError as err:
        where = f"the last good checkpoint is {last_path}" if last_path else "no checkpoint was written yet"
        logger.message(f"{err}; {where}")
        raise NonFiniteLossError(f"{err}; {where}") from None
    finally:
        logger.close()
    return {"train": metrics, "eval": eval_metrics, "checkpoint": str(last_path) if last_path else None,
            "step": trainer.step}
