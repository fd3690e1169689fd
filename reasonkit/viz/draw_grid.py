"""The generic picture for a task without its own: the tokens as a grid of colours (square when the sequence
length is a square, one row otherwise), each cell labelled with its token id."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ._data import Examples
from ._mpl import pyplot
from .strip import Panel

__all__ = ["draw_grid", "panels"]


def _shape(cells: int) -> tuple[int, int]:
    n = int(round(cells**0.5))
    return (n, n) if n * n == cells else (1, cells)


def draw_grid(ax, tokens: np.ndarray, inputs: Optional[np.ndarray] = None, previous: Optional[np.ndarray] = None):
    """Draw ``tokens`` as cells coloured by token id (tab20), a changed cell since ``previous`` framed in black."""
    t = np.asarray(tokens, np.int64).reshape(-1)
    h, w = _shape(t.size)
    colours = pyplot().get_cmap("tab20")(t % 20)[:, :3]
    ax.imshow(colours.reshape(h, w, 3), extent=(0, w, h, 0), interpolation="nearest")
    if max(h, w) <= 16:
        for i, v in enumerate(t):
            r, c = divmod(i, w)
            ax.text(c + 0.5, r + 0.5, str(v), ha="center", va="center", fontsize=60 / max(h, w, 6))
    if previous is not None:
        for i in np.flatnonzero(np.asarray(previous).reshape(-1) != t):
            r, c = divmod(int(i), w)
            ax.add_patch(pyplot().Rectangle((c + 0.06, r + 0.06), 0.88, 0.88, fill=False, lw=1.0, ec="black"))
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_aspect("equal")


def panels(example: Examples, steps: Sequence[np.ndarray], titles: Sequence[str]) -> tuple[list, list]:
    """For a one-row ``example``: the input tokens, then each step's predicted tokens."""
    inputs = example.inputs[0]
    context: list[Panel] = [("input", lambda ax: draw_grid(ax, inputs))]
    out: list[Panel] = []
    for k, (tokens, title) in enumerate(zip(steps, titles)):
        before = steps[k - 1] if k else None
        out.append((title, lambda ax, t=tokens, b=before: draw_grid(ax, t, previous=b)))
    return context, out
