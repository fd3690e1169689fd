"""Sudoku-Extreme with HRM (arXiv 2506.21734): build the data, train, evaluate. One file, a typed config on top.

    python recipes/sudoku_extreme.py --demo                 # 4x4 Sudoku generated locally, hrm-tiny, ~1-2 min on a CPU
    python recipes/sudoku_extreme.py source=data/sudoku-extreme/train.csv source_test=data/sudoku-extreme/test.csv
    python recipes/sudoku_extreme.py --demo total_steps=50 model.halting.max_steps=2   # key=value overrides
    torchrun --nproc-per-node 8 recipes/sudoku_extreme.py source=...                    # the paper's run, 8 GPUs

Defaults are the paper's Sudoku-Extreme-1k run: 1,000 training puzzles x 1,000 augmentations, hrm-27m, global
batch 768, 20,000 epochs, Adam-atan2 lr 1e-4 betas (0.9, 0.95) weight decay 1.0, puzzle-embedding sign-SGD lr 1e-4
weight decay 1.0, 2,000 warmup steps then constant, evaluation every 2,000 epochs. Keys of ``Recipe`` and of
``reasonkit.train.TrainConfig`` can be overridden as ``key=value``; ``model.<path>=value`` overrides the model spec.
The run resumes automatically from its newest checkpoint (``resume=auto``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from reasonkit.train import TrainConfig
from reasonkit.train.config import recipe_from_overrides, reuse_data


class Recipe(BaseModel):
    """What to build; the training settings are a TrainConfig (paper values by default)."""

    model_config = ConfigDict(extra="forbid")

    data_dir: str = "data/sudoku-extreme-1k-aug-1000"
    source: Optional[str] = Field(None, description="Sudoku-Extreme train.csv; None = generate puzzles locally")
    source_test: Optional[str] = Field(None, description="Sudoku-Extreme test.csv")
    size: int = Field(9, description="grid size when generating (4, 6 or 9)")
    train_size: int = 1000
    test_size: Optional[int] = None
    aug: int = 1000
    data_seed: int = 0
    eval_halt: bool = Field(True, description="also evaluate with early exit (--halt) at the end")
    eval_every_epochs: Optional[int] = Field(2000, description="evaluate every N epochs (unless train.eval_every is set)")
    train: TrainConfig = Field(default_factory=lambda: TrainConfig(
        model="hrm-27m", out_dir="runs/sudoku-extreme-1k", global_batch_size=768, epochs=20000, lr=1e-4,
        lr_min_ratio=1.0, lr_warmup_steps=2000, weight_decay=1.0, puzzle_lr=1e-4, puzzle_weight_decay=1.0))


#: The small default the README calls: 4x4 puzzles, hrm-tiny, 1,500 steps (~1-2 min on 2 idle CPU cores).
#: Softmax loss and learned positions are used because they learned faster than stablemax and rotary in a
#: 400-step sweep on this demo (an observation, not a benchmark); the full run keeps the paper's choices.
DEMO = dict(data_dir="data/sudoku-4x4-demo", size=4, train_size=400, test_size=200, aug=8, eval_every_epochs=None,
            train=dict(model="hrm-tiny", out_dir="runs/sudoku-4x4-demo", global_batch_size=64, total_steps=1500,
                       lr=1e-3, lr_warmup_steps=30, lr_min_ratio=0.1, weight_decay=0.1, puzzle_lr=1e-4,
                       puzzle_weight_decay=0.1, checkpoint_every=500, eval_every=500, eval_limit=200,
                       model_overrides={"halting.max_steps": 4, "loss": "softmax", "embedding.positions": "learned"}))


def make_recipe(argv: list[str]) -> Recipe:
    items = [a for a in argv if a != "--demo"]
    defaults = DEMO if "--demo" in argv else json.loads(Recipe().model_dump_json())
    return recipe_from_overrides(Recipe, defaults, items)


def build_data(recipe: Recipe) -> None:
    """Build the data set, or reuse the one in ``data_dir`` if it was built with the same settings (else an error)."""
    requested = {"source": ("source", recipe.source), "source_test": ("source_test", recipe.source_test),
                 "train_size": ("train_size", recipe.train_size), "test_size": ("test_size", recipe.test_size),
                 "aug": ("aug", recipe.aug), "data_seed": ("seed", recipe.data_seed)}
    if not recipe.source:  # with a CSV the grid size comes from the file
        requested["size"] = ("size", recipe.size)
    if reuse_data(recipe.data_dir, "sudoku", requested):
        return
    from reasonkit.data.sudoku import build_sudoku

    print(f"building {recipe.data_dir} ...", flush=True)
    build_sudoku(recipe.data_dir, source=recipe.source, source_test=recipe.source_test, size=recipe.size,
                 train_size=recipe.train_size, test_size=recipe.test_size, aug=recipe.aug, seed=recipe.data_seed,
                 progress=False)


def main(argv: list[str]) -> dict:
    import os

    from reasonkit.train.checkpoint import load_model
    from reasonkit.train.distributed import resolve_device
    from reasonkit.train.run import train

    recipe = make_recipe(argv)
    if int(os.environ.get("RANK", "0")) == 0:
        build_data(recipe)
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        import torch.distributed as dist

        from reasonkit.train.distributed import init_distributed

        init_distributed(recipe.train.device)
        dist.barrier()  # the data set is built by rank 0
    cfg = recipe.train.model_copy(update={"data_dir": recipe.data_dir})
    has_test = (Path(recipe.data_dir) / "test" / "dataset.json").is_file()
    if cfg.eval_every is None and recipe.eval_every_epochs and has_test:
        from reasonkit.data.format import load_metadata

        meta = load_metadata(recipe.data_dir, "train")
        steps_per_epoch = meta.total_groups * meta.mean_puzzle_examples / cfg.global_batch_size
        cfg = cfg.model_copy(update={"eval_every": max(1, int(recipe.eval_every_epochs * steps_per_epoch))})
    result = train(cfg)
    if int(os.environ.get("RANK", "0")) == 0 and recipe.eval_halt and result["checkpoint"] and not has_test:
        print(f"no test split in {recipe.data_dir} (give source_test=...): skipping the final evaluation")
    elif int(os.environ.get("RANK", "0")) == 0 and recipe.eval_halt and result["checkpoint"]:
        from reasonkit.eval import evaluate

        model, _ = load_model(result["checkpoint"], device=resolve_device(cfg.device))  # where training ran
        full, _, _ = evaluate(model, recipe.data_dir, limit=cfg.eval_limit, batch_size=256)
        halt, _, _ = evaluate(model, recipe.data_dir, limit=cfg.eval_limit, batch_size=256, early_exit=True)
        result["eval_full"], result["eval_halt"] = full, halt
        print(f"test exact accuracy {full['exact_accuracy']:.3f} (all {full['mean_steps']:.1f} segments), "
              f"{halt['exact_accuracy']:.3f} with early exit ({halt['mean_steps']:.2f} segments on average, "
              f"{halt['sequences_per_second'] / max(full['sequences_per_second'], 1e-9):.2f}x the throughput)")
    return result


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (ValueError, FileNotFoundError, ImportError) as err:  # bad settings: the message, not a traceback
        sys.exit(f"{Path(__file__).name}: error: {err}")
