"""Maze pictures: the predicted path in blue over the maze's walls, start and goal."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..tasks.maze.codec import GOAL, OPEN, PATH, START, WALL, decode
from ._data import Examples
from .strip import Panel

__all__ = ["draw_maze", "panels", "COLOURS"]

#: The colour of each maze character; a predicted path cell is PATH's colour whatever the maze holds there.
COLOURS = {
    WALL: (0.20, 0.20, 0.22),
    OPEN: (1.0, 1.0, 1.0),
    START: (0.17, 0.63, 0.17),
    GOAL: (0.84, 0.15, 0.16),
    PATH: (0.12, 0.47, 0.85),
}


def _side(cells: int) -> int:
    n = int(round(cells**0.5))
    if n * n != cells:
        raise ValueError(f"{cells} cells are not a square maze")
    return n


def draw_maze(ax, tokens: np.ndarray, inputs: np.ndarray, previous: Optional[np.ndarray] = None) -> None:
    """Draw the maze of ``inputs`` (its tokens) with the cells ``tokens`` (a prediction) marks as path in blue,
    start and goal drawn on top; cell (r, c) covers ``[c, c + 1] x [r, r + 1]`` in data coordinates. A maze
    shows its path, not its changes, so ``previous`` is not drawn."""
    maze = decode(inputs).reshape(-1)
    n = _side(maze.size)
    colour = np.ones((n * n, 3))
    for char, rgb in COLOURS.items():
        colour[maze == char] = rgb
    path = decode(tokens).reshape(-1) == PATH
    colour[path & (maze != START) & (maze != GOAL)] = COLOURS[PATH]
    ax.imshow(colour.reshape(n, n, 3), extent=(0, n, n, 0), interpolation="nearest")
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_aspect("equal")


def panels(example: Examples, steps: Sequence[np.ndarray], titles: Sequence[str]) -> tuple[list, list]:
    """For a one-row ``example``: the maze, then each step's predicted path."""
    inputs = example.inputs[0]
    context: list[Panel] = [("maze", lambda ax: draw_maze(ax, inputs, inputs))]
    return context, [(title, lambda ax, t=tokens: draw_maze(ax, t, inputs)) for tokens, title in zip(steps, titles)]
