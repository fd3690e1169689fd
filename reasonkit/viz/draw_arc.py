"""ARC pictures in the standard 10-colour palette: the demonstration pairs and the test input beside the
model's intermediate outputs (each cropped from its 30x30 canvas as the evaluator crops it; HRM arXiv
2506.21734)."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..data.io import load_metadata, load_set
from ..tasks.arc.canvas import crop_prediction, decode
from ._data import Examples
from .strip import Panel

__all__ = ["PALETTE", "draw_arc_grid", "draw_arc", "demonstrations", "panels"]

#: ARC's colours 0-9 (RGB in [0, 1]): black, blue, red, green, yellow, grey, magenta, orange, sky, maroon.
PALETTE = np.array(
    [
        [int(h[k : k + 2], 16) / 255 for k in (0, 2, 4)]
        for h in ("000000", "0074D9", "FF4136", "2ECC40", "FFDC00", "AAAAAA", "F012BE", "FF851B", "7FDBFF", "870C25")
    ]
)


def draw_arc_grid(ax, grid: np.ndarray) -> None:
    """Draw a grid of colours 0-9 with thin grey cell borders; an empty grid is a grey 'no grid' panel."""
    grid = np.asarray(grid, np.int64)
    if grid.size == 0:
        ax.text(0.5, 0.5, "no grid", ha="center", va="center", fontsize=7, color="grey", transform=ax.transAxes)
        return
    h, w = grid.shape
    ax.imshow(PALETTE[np.clip(grid, 0, 9)], extent=(0, w, h, 0), interpolation="nearest")
    for k in range(h + 1):
        ax.axhline(k, color="#555555", lw=0.3)
    for k in range(w + 1):
        ax.axvline(k, color="#555555", lw=0.3)
    ax.set_xlim(0, max(h, w))
    ax.set_ylim(max(h, w), 0)
    ax.set_aspect("equal")


def draw_arc(ax, tokens: np.ndarray, inputs: Optional[np.ndarray] = None, previous: Optional[np.ndarray] = None):
    """Draw the output grid a predicted canvas stands for (the largest top-left rectangle of colours)."""
    draw_arc_grid(ax, crop_prediction(tokens))


def _grid(canvas: np.ndarray) -> np.ndarray:
    try:
        return decode(canvas)
    except ValueError:
        return crop_prediction(canvas)


def demonstrations(data_dir, puzzle_identifier: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The demonstration pairs (input grid, output grid) of a puzzle: the training split's examples with its
    identifier (an evaluation task's demonstrations train, its test inputs are the test split)."""
    pairs = []
    for name in load_metadata(data_dir, "train").sets:
        arr = load_set(data_dir, "train", name)
        for p in np.flatnonzero(arr.puzzle_identifiers == puzzle_identifier):
            for row in range(int(arr.puzzle_indices[p]), int(arr.puzzle_indices[p + 1])):
                pairs.append((_grid(arr.inputs[row]), _grid(arr.labels[row])))
    return pairs


def panels(example: Examples, steps: Sequence[np.ndarray], titles: Sequence[str]) -> tuple[list, list]:
    """For a one-row ``example``: its puzzle's demonstration pairs and the test input, then each step's output."""
    inputs = example.inputs[0]
    context: list[Panel] = []
    if (example.data_dir / "train").is_dir():
        for k, (i, o) in enumerate(demonstrations(example.data_dir, int(example.puzzle_identifiers[0]))):
            context += [(f"demo {k + 1} in", lambda ax, g=i: draw_arc_grid(ax, g))]
            context += [(f"demo {k + 1} out", lambda ax, g=o: draw_arc_grid(ax, g))]
    context.append(("test input", lambda ax: draw_arc_grid(ax, _grid(inputs))))
    return context, [(title, lambda ax, t=tokens: draw_arc(ax, t)) for tokens, title in zip(steps, titles)]
