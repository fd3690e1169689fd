"""Generated mazes in the Maze-Hard style (HRM arXiv 2506.21734), from one of several generators.

Styles (``style``):

- ``backtracker``: a random depth-first-search maze on the lattice of every other cell (random parity per axis):
  long corridors, few branches. The default, and the only style before 0.2.
- ``kruskal``: randomised Kruskal on the same lattice (a random spanning tree): many short dead ends.
- ``noise``: independent random walls on every cell, at a density drawn uniformly from [0.15, 0.4] per maze: open,
  irregular, usually with many shortest paths.
- ``mixed``: each maze one of the three at random (``noise`` with probability ``noise_share``, default 1/3, the
  two lattice styles equally otherwise), the lattice ones with a loop fraction drawn uniformly from [0, 2 *
  ``loops``].

The lattice styles knock a fraction ``loops`` of the remaining inner lattice walls through to create cycles. S is a
random open cell and G a cell more than ``min_path`` moves away; by default G's shortest path from S must be
unique, so the label is the only correct answer. With ``ties`` it need not be, and the label is the shortest path
found by walking back from G, at each step to the first neighbour one move closer to S in the order up, down,
left, right: one fixed choice among the shortest paths, so that the label is a function of the question.
"""

from __future__ import annotations

import random
from typing import Optional

import numpy as np

from .codec import GOAL, OPEN, PATH, START, WALL
from .paths import bfs

__all__ = ["STYLES", "generate_maze"]

STYLES = ("backtracker", "kruskal", "noise", "mixed")
_NOISE_DENSITY = (0.15, 0.4)
_STEPS = ((-2, 0), (2, 0), (0, -2), (0, 2))


def _lattice(rng: random.Random, size: int):
    off_r, off_c = rng.randrange(2), rng.randrange(2)
    cells = [(r, c) for r in range(off_r, size, 2) for c in range(off_c, size, 2)]
    return np.full((size, size), WALL, np.uint8), cells, (off_r, off_c)


def _backtracker(rng: random.Random, size: int):
    grid, cells, offset = _lattice(rng, size)
    start = rng.choice(cells)
    grid[start] = OPEN
    stack = [start]
    while stack:
        r, c = stack[-1]
        nbrs = [
            (r + dr, c + dc)
            for dr, dc in _STEPS
            if 0 <= r + dr < size and 0 <= c + dc < size and grid[r + dr, c + dc] == WALL
        ]
        if not nbrs:
            stack.pop()
            continue
        nr, nc = rng.choice(nbrs)
        grid[(r + nr) // 2, (c + nc) // 2] = OPEN
        grid[nr, nc] = OPEN
        stack.append((nr, nc))
    return grid, offset


def _kruskal(rng: random.Random, size: int):
    grid, cells, offset = _lattice(rng, size)
    parent = {cell: cell for cell in cells}

    def root(cell):
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    edges = [((r, c), (r + dr, c + dc)) for r, c in cells for dr, dc in ((2, 0), (0, 2)) if (r + dr, c + dc) in parent]
    rng.shuffle(edges)
    for cell in cells:
        grid[cell] = OPEN
    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
            grid[(a[0] + b[0]) // 2, (a[1] + b[1]) // 2] = OPEN
    return grid, offset


def _knock_loops(rng: random.Random, grid: np.ndarray, offset: tuple[int, int], loops: float) -> None:
    """Open each inner wall between two open lattice cells with probability ``loops``."""
    size = grid.shape[0]
    off_r, off_c = offset
    for r in range(size):
        for c in range(size):
            if grid[r, c] != WALL:
                continue
            between_rows = (
                (r - off_r) % 2 == 1
                and (c - off_c) % 2 == 0
                and 0 < r < size - 1
                and grid[r - 1, c] == OPEN
                and grid[r + 1, c] == OPEN
            )
            between_cols = (
                (c - off_c) % 2 == 1
                and (r - off_r) % 2 == 0
                and 0 < c < size - 1
                and grid[r, c - 1] == OPEN
                and grid[r, c + 1] == OPEN
            )
            if (between_rows or between_cols) and rng.random() < loops:
                grid[r, c] = OPEN


def _carve(
    rng: random.Random, size: int, loops: float, style: str = "backtracker", noise_share: Optional[float] = None
) -> np.ndarray:
    if style == "mixed":
        if noise_share is None:
            style = rng.choice(STYLES[:3])
        else:
            style = "noise" if rng.random() < noise_share else rng.choice(STYLES[:2])
        loops = rng.uniform(0.0, 2.0 * loops)
    if style == "noise":
        density = rng.uniform(*_NOISE_DENSITY)
        walls = np.array([rng.random() < density for _ in range(size * size)]).reshape(size, size)
        return np.where(walls, WALL, OPEN).astype(np.uint8)
    if style == "backtracker":
        grid, offset = _backtracker(rng, size)
    elif style == "kruskal":
        grid, offset = _kruskal(rng, size)
    else:
        raise ValueError(f"unknown maze style {style!r}; known: {', '.join(STYLES)}")
    if loops > 0:
        _knock_loops(rng, grid, offset, loops)
    return grid


def generate_maze(
    seed: int,
    size: int = 30,
    min_path: int = 110,
    loops: float = 0.05,
    max_tries: int = 1000,
    *,
    style: str = "backtracker",
    ties: bool = False,
    noise_share: Optional[float] = None,
):
    """(question, answer) character grids [size, size] of a ``style`` maze whose shortest S-G path exceeds
    ``min_path`` moves; unique unless ``ties``, where the answer marks the fixed choice described above.
    ``noise_share``: the share of random-wall mazes of the ``mixed`` style (None: one third)."""
    if style not in STYLES:
        raise ValueError(f"unknown maze style {style!r}; known: {', '.join(STYLES)}")
    if noise_share is not None and (style != "mixed" or not 0.0 <= noise_share <= 1.0):
        raise ValueError(f"noise_share must be in [0, 1] and needs style 'mixed', got {noise_share!r} with {style!r}")
    rng = random.Random(seed)
    for _ in range(max_tries):
        grid = _carve(rng, size, loops, style, noise_share)
        open_cells = [tuple(p) for p in np.argwhere(grid == OPEN).tolist()]
        if not open_cells:
            continue
        for _ in range(4):
            s = rng.choice(open_cells)
            dist, count = bfs(grid, s)
            far = np.argwhere((dist > min_path) & (True if ties else (count == 1)))
            if len(far) == 0:
                continue
            goal = tuple(int(v) for v in far[rng.randrange(len(far))])
            question = grid.copy()
            question[s], question[goal] = START, GOAL
            answer = question.copy()
            # walk back from G along strictly decreasing distances, first neighbour in a fixed order
            r, c = goal
            while dist[r, c] > 1:
                for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if 0 <= nr < size and 0 <= nc < size and dist[nr, nc] == dist[r, c] - 1:
                        r, c = nr, nc
                        break
                answer[r, c] = PATH
            return question, answer
    kind = "" if ties else "unique "
    raise RuntimeError(f"no {size}x{size} {style} maze with a {kind}path longer than {min_path} in {max_tries} tries")
