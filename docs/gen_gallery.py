"""Regenerate the pictures of docs/gallery.md from trained runs.

    python docs/gen_gallery.py --sudoku RUN DATA --maze RUN DATA [--out docs/gallery] [--sample 64]

For each task given (run directory, data set directory) it writes into ``--out``: ``{task}.png``/``.gif`` (one
test puzzle after every segment), ``{task}-inner.png``/``.gif`` (the same puzzle after every recurrent update of
its first two segments) and ``{task}-analysis/`` (residuals, participation ratios, accuracy against segments and
analysis.json, as ``reasonkit analyze`` writes them). The puzzle is the first of the sampled test puzzles that the
model gets right at its last segment but not at its first (the refinement is what the pictures show), else the
first one it solves, else the first one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from reasonkit.checkpoint import load_model
from reasonkit.eval.evaluate import load_examples, resolve_task
from reasonkit.viz import analyze, draw_reasoning, trace

INNER_SEGMENTS = 2


def shrink(folder: Path) -> None:
    """Re-save every PNG under ``folder`` with a 64-colour palette, so the gallery stays small."""
    from PIL import Image

    for path in sorted(folder.rglob("*.png")):
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=64)
        small.save(path, optimize=True)


def pick_puzzle(model, data_dir: str, sample: int) -> int:
    """The row of the first puzzle refined into a solution (see the module docstring)."""
    ex = load_examples(data_dir, "test", limit=sample)
    tr = trace(model, ex.inputs, ex.puzzle_identifiers)
    task = resolve_task(model, data_dir)

    def right(pred):
        if task is not None:
            return task.is_correct(ex.inputs, pred, ex.labels)
        return np.all((pred == ex.labels) | (ex.labels == -100), axis=1)

    last, first = right(tr.predictions[-1]), right(tr.predictions[0])
    for candidates in (last & ~first, last):
        if candidates.any():
            return int(np.argmax(candidates))
    return 0


def gallery(name: str, run: str, data: str, out: Path, sample: int) -> None:
    model, ckpt = load_model(run)
    index = pick_puzzle(model, data, sample)
    print(f"{name}: {ckpt.path}, test puzzle {index}")
    draw_reasoning(model, data, index, out / f"{name}.png")
    draw_reasoning(model, data, index, out / f"{name}-inner.png", inner=True, segments=INNER_SEGMENTS)
    result = analyze(model, data, out / f"{name}-analysis", sample=sample)
    pr = result["participation_ratio"]
    for level, label in result["levels"].items():
        print(f"  {label}: PR {pr['trained'][level]:.2f} (untrained {pr['untrained'][level]:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sudoku", nargs=2, metavar=("RUN", "DATA"))
    parser.add_argument("--maze", nargs=2, metavar=("RUN", "DATA"))
    parser.add_argument("--out", default=str(Path(__file__).parent / "gallery"))
    parser.add_argument("--sample", type=int, default=64)
    args = parser.parse_args()
    if not (args.sudoku or args.maze):
        parser.error("give --sudoku RUN DATA and/or --maze RUN DATA")
    torch.set_num_threads(1)
    for name in ("sudoku", "maze"):
        if getattr(args, name):
            gallery(name, *getattr(args, name), Path(args.out), args.sample)
    shrink(Path(args.out))


if __name__ == "__main__":
    main()
