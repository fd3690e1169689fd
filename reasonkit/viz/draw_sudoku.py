"""Sudoku pictures: a predicted grid with the givens in bold, the cells that break a row, column or box
constraint in red, and the cells changed since the previous step shaded grey."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..tasks.sudoku.codec import decode
from ..tasks.sudoku.rules import box_shape, conflicting_cells, side
from ._data import Examples
from .strip import Panel

__all__ = ["draw_sudoku", "panels", "VIOLATED", "CHANGED"]

VIOLATED = (0.96, 0.55, 0.55)
CHANGED = (0.80, 0.80, 0.80)
_PLAIN = (1.0, 1.0, 1.0)


def draw_sudoku(ax, tokens: np.ndarray, inputs: np.ndarray, previous: Optional[np.ndarray] = None) -> None:
    """Draw the grid that ``tokens`` (a prediction's token ids) stand for on ``ax``, cell (r, c) covering
    ``[c, c + 1] x [r, r + 1]`` in data coordinates; ``inputs`` (the puzzle's tokens) marks the givens, and
    ``previous`` (the previous step's tokens) the changed cells. A cell both changed and violated is red."""
    digits = decode(tokens).astype(np.int64).reshape(-1)
    n = side(digits.size)
    givens = decode(inputs).reshape(-1) > 0
    bad = conflicting_cells(digits, n)
    changed = np.zeros(n * n, bool) if previous is None else decode(previous).reshape(-1) != digits
    colour = np.where(bad[:, None], VIOLATED, np.where(changed[:, None], CHANGED, _PLAIN)).reshape(n, n, 3)
    ax.imshow(colour, extent=(0, n, n, 0), interpolation="nearest")
    br, bc = box_shape(n)
    for k in range(n + 1):
        ax.axhline(k, color="black", lw=1.4 if k % br == 0 else 0.4)
        ax.axvline(k, color="black", lw=1.4 if k % bc == 0 else 0.4)
    size = 90 / n
    for i in np.flatnonzero(digits):
        r, c = divmod(int(i), n)
        weight = "bold" if givens[i] else "normal"
        ink = "#a00000" if bad[i] else "black"
        ax.text(c + 0.5, r + 0.5, str(digits[i]), ha="center", va="center", fontsize=size, weight=weight, color=ink)
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_aspect("equal")


def panels(example: Examples, steps: Sequence[np.ndarray], titles: Sequence[str]) -> tuple[list, list]:
    """For a one-row ``example``: the puzzle, then each step's prediction shaded against the one before."""
    inputs = example.inputs[0]
    context: list[Panel] = [("puzzle", lambda ax: draw_sudoku(ax, inputs, inputs))]
    out: list[Panel] = []
    for k, (tokens, title) in enumerate(zip(steps, titles)):
        before = steps[k - 1] if k else None
        out.append((title, lambda ax, t=tokens, b=before: draw_sudoku(ax, t, inputs, b)))
    return context, out
