"""The recipe engine: one training run in four stages, ``setup``, ``train``, ``evaluate``, ``cleanup`` (the shape
of torchtune's recipes), with logging, checkpoints and periodic evaluation as callbacks.

``Recipe(config).run()`` is everything ``reasonkit train`` and every file in ``recipes/`` do. It works the same on
one CPU, one GPU or ``torchrun --nproc-per-node N`` (rank 0 builds the data set and writes; each rank reads its
share of every global batch). Every user error (a data set that does not fit the model, a batch size not
divisible by the number of processes, a checkpoint of another model, a run directory in use) is raised in
``setup``, before any training work.

The loader protocol (``reasonkit.data.PuzzleLoader``): iterating yields ``(set_name, batch, global_batch_size)``
for one pass; ``state_dict()`` describes the position after the last yielded batch and ``load_state_dict()`` makes
the next iteration continue from there.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import torch
import torch.distributed as dist

from ..builder import get_spec
from ..checkpoint import Checkpoint, check_weights, clean_partial, find_resume_checkpoint, load_checkpoint
from ..data.io import load_build_info
from ..data.schema import DatasetMeta
from ..data.validate import verify_dataset
from ..errors import CheckpointError, ConfigError, NonFiniteLossError
from ..eval.evaluate import check_data_fits_spec, evaluate, resolve_task
from ..eval.scaling import scaling_curve
from ..models.spec import ReasonerSpec
from ..registry import list_kinds
from ..runtime import configure_threads, resolve_precision
from .callbacks import Callback, Checkpointer, LogMetrics, PeriodicEval
from .config import TrainConfig, check_target
from .data import prepare_data
from .distributed import broadcast_parameters, init_distributed
from .lock import RunLock
from .logging import RunLogger, check_sinks
from .trainer import Trainer

__all__ = ["Recipe", "build_spec", "steps_per_epoch", "total_steps_for"]

LoaderFactory = Callable[..., Any]


def _default_loader(data_dir, split, *, global_batch_size, rank, world_size, seed):
    from ..data.loader import PuzzleLoader

    return PuzzleLoader(data_dir, split, global_batch_size, rank=rank, world_size=world_size, seed=seed)


def build_spec(
    config: TrainConfig, meta: Optional[DatasetMeta] = None, precision: str = "float32", task: Optional[str] = None
) -> ReasonerSpec:
    """The model spec: ``config.model`` with the data set's dimensions (and task) filled in, then the overrides."""
    fill: dict[str, Any] = {"forward_dtype": precision}
    if meta is not None:
        fill.update(
            vocab_size=meta.vocab_size, seq_len=meta.seq_len, num_puzzle_ids=max(1, meta.num_puzzle_identifiers)
        )
    if task is not None and get_spec(config.model).task is None:
        fill["task"] = task
    return get_spec(config.model, **{**fill, **config.model_overrides})


def steps_per_epoch(config: TrainConfig, groups: int, mean_examples: float) -> float:
    """Optimizer steps of one epoch: one puzzle per group, its examples, over the global batch (HRM's count)."""
    return groups * mean_examples / config.global_batch_size


def total_steps_for(config: TrainConfig, groups: int, mean_examples: float) -> int:
    """``total_steps``, or HRM's count: epochs * groups * mean examples per puzzle / global batch."""
    if config.total_steps is not None:
        return config.total_steps
    return max(1, int(config.epochs * steps_per_epoch(config, groups, mean_examples)))


def _check_resume(ckpt: Checkpoint, spec_json: str, config: TrainConfig) -> list[str]:
    """Raise if the checkpoint is of another model or cannot continue; messages about changed settings."""
    theirs, ours = json.loads(ckpt.spec_json), json.loads(spec_json)
    if theirs != ours:
        diff = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
        raise CheckpointError(
            f"checkpoint {ckpt.path} was written for another model (spec differs in: "
            f"{', '.join(diff)}); use another out_dir or resume=never"
        )
    missing = [k for k in ("step", "optimizers", "rng") if k not in (ckpt.trainer_state or {})]
    if missing:
        what = (
            "no trainer state (trainer.pt)"
            if ckpt.trainer_state is None
            else f"an incomplete trainer state (no {', '.join(missing)})"
        )
        raise CheckpointError(
            f"checkpoint {ckpt.path} has {what}, so training cannot continue from it; use "
            "resume=never (or another out_dir) to start a new run"
        )
    before = ckpt.meta.get("config") or {}
    now = config.model_dump(mode="json")
    changed = [k for k in now if k in before and before[k] != now[k] and k not in ("resume", "progress")]
    return (
        ["resuming with changed settings: " + ", ".join(f"{k} {before[k]!r} -> {now[k]!r}" for k in changed)]
        if changed
        else []
    )


class Recipe:
    """One training run from a :class:`TrainConfig`: ``run()`` = setup, train, evaluate, cleanup.

    ``callbacks`` are added after the built-in ones (logging, checkpoints, periodic evaluation);
    ``loader_factory(data_dir, split, *, global_batch_size, rank, world_size, seed)`` replaces the data loader.
    """

    def __init__(
        self, config: TrainConfig, *, callbacks: Sequence[Callback] = (), loader_factory: Optional[LoaderFactory] = None
    ) -> None:
        self.config = config
        self.extra_callbacks = list(callbacks)
        self.loader_factory = loader_factory or _default_loader
        self.lock: Optional[RunLock] = None
        self.logger: Optional[RunLogger] = None
        self.callbacks: list[Callback] = []
        self.results: dict[str, Any] = {}

    # -- setup -----------------------------------------------------------------------------------------------------
    def setup(self) -> None:
        """Check every input, prepare the data, build the model, resume, and start logging."""
        config = self.config
        size = int(os.environ.get("WORLD_SIZE", "1"))  # checked before joining the process group
        if config.global_batch_size % size:
            raise ConfigError(f"global_batch_size {config.global_batch_size} is not divisible by the {size} processes")
        check_sinks(tensorboard=config.tensorboard, wandb=config.wandb)  # a missing package fails before any work
        self.threads = configure_threads(config.threads, processes=int(os.environ.get("LOCAL_WORLD_SIZE", size)))
        self.world, self.device = init_distributed(config.device)
        self.data_dir = config.resolved_data_dir
        self.run_dir = Path(config.resolved_out_dir)
        if self.world.is_main:
            # Build bars only in a terminal: in a log file they are thousands of carriage returns.
            built = prepare_data(self.data_dir, config.task, progress=config.progress and sys.stderr.isatty())
            if built is not None:
                self.results["data"] = {"built": self.data_dir, "stats": built.get("stats", {})}
        if self.world.distributed:
            dist.barrier()  # the data set is built by rank 0
        self.has_test = (Path(self.data_dir) / "test" / "dataset.json").is_file()
        if not self.has_test and (config.eval_every or config.eval_every_epochs or config.eval_limit or config.scaling):
            keys = [k for k in ("eval_every", "eval_every_epochs", "eval_limit", "scaling") if getattr(config, k)]
            raise ConfigError(
                f"{', '.join(keys)} set but the data set {self.data_dir} has no test split (no "
                f"test/dataset.json); build one with a test split or unset {', '.join(keys)}"
            )
        meta = verify_dataset(self.data_dir, "train")
        precision = resolve_precision(config.precision, self.device)
        builder = (load_build_info(self.data_dir) or {}).get("builder")
        task_name = builder if builder in list_kinds("task") else None
        self.spec = build_spec(config, meta, precision, task_name)
        self.task = resolve_task(None, self.data_dir, self.spec.task)
        check_target(config.target, self.task)
        per_epoch = steps_per_epoch(config, meta.total_groups, meta.mean_puzzle_examples)
        self.total_steps = total_steps_for(config, meta.total_groups, meta.mean_puzzle_examples)
        self.eval_every = config.eval_every or (
            max(1, int(config.eval_every_epochs * per_epoch)) if config.eval_every_epochs else None
        )
        check_data_fits_spec(self.spec, meta, self.data_dir)
        if self.has_test:
            check_data_fits_spec(self.spec, verify_dataset(self.data_dir, "test"), self.data_dir)
        if self.world.is_main:  # from here on the run directory is this run's
            self.lock = RunLock(self.run_dir).acquire()
        ckpt, notes = self._find_checkpoint()

        torch.manual_seed(config.seed)
        random.seed(config.seed)
        self.model = self.spec.build().to(self.device)
        broadcast_parameters(self.model, self.world)
        self.trainer = Trainer(
            self.model,
            total_steps=self.total_steps,
            optimizer=config.optimizer,
            lr=config.lr,
            betas=config.betas,
            weight_decay=config.weight_decay,
            puzzle_lr=config.puzzle_lr,
            puzzle_weight_decay=config.puzzle_weight_decay,
            warmup_steps=config.lr_warmup_steps,
            lr_min_ratio=config.lr_min_ratio,
            grad_clip=config.grad_clip,
            ema=config.ema,
            relabel=self.task.least_loss_labels if config.target == "least_loss" else None,
            world=self.world,
            device=self.device,
            compile=config.compile,
        )
        self.loader = self.loader_factory(
            self.data_dir,
            "train",
            global_batch_size=config.global_batch_size,
            rank=self.world.rank,
            world_size=self.world.size,
            seed=config.seed,
        )
        torch.manual_seed(config.seed + 1 + self.world.rank)  # training randomness (exploration) differs per rank
        if ckpt is not None:
            notes += _check_resume(ckpt, self.spec.model_dump_json(), config)
            self._restore(ckpt)
        self.logger = RunLogger(
            self.run_dir,
            self.total_steps,
            enabled=self.world.is_main,
            progress=config.progress,
            tensorboard=config.tensorboard,
            wandb=config.wandb,
            wandb_project=config.wandb_project,
            config=config.model_dump(mode="json"),
            initial_step=self.trainer.step,
        )
        if self.lock is not None and self.lock.stale is not None:
            self.logger.message(f"replaced a stale lock of a run that no longer exists ({self.lock.stale})")
        for note in notes:
            self.logger.message(note)
        if ckpt is not None:
            self.logger.message(f"resumed from {ckpt.path} at step {self.trainer.step}")
        self.checkpointer = Checkpointer(config.checkpoint_every, config.keep_last, ckpt.path if ckpt else None)
        self.callbacks = [LogMetrics(config.log_every), self.checkpointer]
        if self.eval_every and self.has_test:
            self.callbacks.append(PeriodicEval(self.eval_every, config.eval_limit))
        self.callbacks += self.extra_callbacks

    def _find_checkpoint(self) -> tuple[Optional[Checkpoint], list[str]]:
        resume = self.config.resume
        if resume == "never":
            return None, []
        if resume != "auto":
            return load_checkpoint(resume), []
        if self.world.is_main:
            clean_partial(self.run_dir)
        if self.world.distributed:
            dist.barrier()
        return find_resume_checkpoint(self.run_dir)

    def _restore(self, ckpt: Checkpoint) -> None:
        check_weights(self.model, ckpt.model_state, ckpt.path)
        self.model.load_state_dict(ckpt.model_state)
        state = ckpt.trainer_state
        local = self.config.global_batch_size // self.world.size
        if state.get("carry") is not None:
            rank = self.world.rank
            state["carry"] = {k: v[rank * local : (rank + 1) * local] for k, v in state["carry"].items()}
        rngs = state["rng"].pop("torch_per_rank")
        state["rng"]["torch"] = rngs[self.world.rank] if len(rngs) == self.world.size else rngs[0]
        self.trainer.load_state_dict(state, ckpt.ema_state)
        if state.get("loader") is not None:
            self.loader.load_state_dict(state["loader"])

    # -- train -----------------------------------------------------------------------------------------------------
    def train(self) -> dict[str, float]:
        """Run optimizer steps until ``total_steps``; returns the last step's metrics."""
        trainer, metrics = self.trainer, {}
        trainer.check_batches = False  # the data set was checked against the model in setup
        for cb in self.callbacks:
            cb.on_train_start(self)
        empty_passes = 0
        try:
            while trainer.step < self.total_steps:
                produced = False
                for _set_name, batch, global_batch in self.loader:
                    produced = True
                    metrics = trainer.train_step(batch, global_batch)
                    for cb in self.callbacks:
                        cb.on_step_end(self, trainer.step, metrics)
                    if trainer.step >= self.total_steps:
                        break
                empty_passes = 0 if produced else empty_passes + 1
                if empty_passes > 1:
                    raise ConfigError(
                        f"the training loader of {self.data_dir} yields no batches (fewer examples "
                        f"than global_batch_size={self.config.global_batch_size}?); lower it"
                    )
            for cb in self.callbacks:
                cb.on_train_end(self)
        except NonFiniteLossError as err:
            last = self.checkpointer.last_path
            where = f"the last good checkpoint is {last}" if last else "no checkpoint was written yet"
            self.logger.message(f"{err}; {where}")
            raise NonFiniteLossError(f"{err}; {where}") from None
        self.results.update(
            train=metrics,
            step=trainer.step,
            checkpoint=str(self.checkpointer.last_path) if self.checkpointer.last_path else None,
        )
        return metrics

    # -- evaluate --------------------------------------------------------------------------------------------------
    @property
    def eval_batch_size(self) -> int:
        """Sequences per evaluation batch: ``eval_batch_size``, else the training batch of one process."""
        return self.config.eval_batch_size or max(1, self.config.global_batch_size // self.world.size)

    def evaluate_split(
        self,
        *,
        limit: Optional[int] = None,
        max_steps: Optional[int] = None,
        early_exit: bool = False,
        log: bool = False,
        kind: str = "eval",
    ) -> Optional[dict[str, Any]]:
        """Evaluate the weights to evaluate (EMA if kept) on the test split on rank 0; None on other ranks."""
        result = None
        if self.world.is_main and self.has_test:
            result, _, _ = evaluate(
                self.trainer.eval_model(),
                self.data_dir,
                "test",
                limit=limit,
                max_steps=max_steps,
                early_exit=early_exit,
                batch_size=self.eval_batch_size,
                device=self.device,
                task=self.task,
            )
            if log:
                self.logger.log(self.trainer.step, result, kind=kind)
                self.logger.message(
                    f"step {self.trainer.step}: {kind} exact_accuracy {result['exact_accuracy']:.4f}, "
                    f"token_accuracy {result['token_accuracy']:.4f}"
                )
        if self.world.distributed:
            dist.barrier()
        return result

    def evaluate(self) -> dict[str, Any]:
        """The final evaluation: every segment run, then (``early_exit``) with the policy stopping each sequence,
        and (``scaling``) at each segment limit; written to ``final_eval.json`` in the run directory."""
        config, out = self.config, {}
        if not (config.final_eval and self.has_test):
            return out
        limit = config.eval_limit
        out["full"] = self.evaluate_split(limit=limit, log=True, kind="final")
        if config.early_exit:
            out["early_exit"] = self.evaluate_split(limit=limit, early_exit=True, log=True, kind="final_early_exit")
        if config.scaling and self.world.is_main:
            out["scaling"] = scaling_curve(
                self.trainer.eval_model(),
                self.data_dir,
                config.scaling,
                limit=limit,
                batch_size=self.eval_batch_size,
                device=self.device,
                task=self.task,
            )
        if config.scaling and self.world.distributed:
            dist.barrier()  # the other ranks wait for rank 0's curve, as evaluate_split does
        if self.world.is_main:
            (self.run_dir / "final_eval.json").write_text(json.dumps(out, indent=2, default=str) + "\n")
            if config.plots:
                from ..viz.curves import save_run_plots

                trained = self.trainer.model.halting.max_steps
                out["plots"] = [str(p) for p in save_run_plots(self.run_dir, trained)]
        self.results["eval"] = out
        return out

    # -- cleanup ---------------------------------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Close the logger and release the run directory (also after an error)."""
        if self.logger is not None:
            self.logger.close()
        if self.lock is not None:
            self.lock.release()

    def run(self) -> dict[str, Any]:
        """setup, train, evaluate, cleanup; returns the last training metrics, the final evaluation and the last
        checkpoint's path."""
        try:
            self.setup()
            self.train()
            self.evaluate()
        finally:
            self.cleanup()
        return self.results
