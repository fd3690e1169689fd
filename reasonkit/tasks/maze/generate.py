"""Generated mazes with a unique shortest path (Maze-Hard style, HRM arXiv 2506.21734).

A random depth-first-search maze on the lattice of every other cell (random parity per axis), with a fraction
``loops`` of the remaining inner walls knocked through to create cycles; S is a random open cell and G a cell more
than ``min_path`` moves away whose shortest path from S is unique, so the label is the only correct answer.
"""

from __future__ import annotations

import random

import numpy as np

from .codec import GOAL, OPEN, PATH, START, WALL
from .paths import bfs

__all__ = ["generate_maze"]


def _carve(rng: random.Random, size: int, loops: float) -> np.ndarray:
    grid = np.full((size, size), WALL, np.uint8)
    off_r, off_c = rng.randrange(2), rng.randrange(2)
    rows = list(range(off_r, size, 2))
    cols = list(range(off_c, size, 2))
    cells = [(r, c) for r in rows for c in cols]
    start = rng.choice(cells)
    grid[start] = OPEN
    stack = [start]
    while stack:
        r, c = stack[-1]
        nbrs = [
            (r + dr, c + dc)
            for dr, dc in ((-2, 0), (2, 0), (0, -2), (0, 2))
            if 0 <= r + dr < size and 0 <= c + dc < size and grid[r + dr, c + dc] == WALL
        ]
        if not nbrs:
            stack.pop()
            continue
        nr, nc = rng.choice(nbrs)
        grid[(r + nr) // 2, (c + nc) // 2] = OPEN
        grid[nr, nc] = OPEN
        stack.append((nr, nc))
    if loops > 0:
        for r in range(size):
            for c in range(size):
                if grid[r, c] != WALL:
                    continue
                between_rows = (
                    (r - off_r) % 2 == 1
                    and (c - off_c) % 2 == 0
                    and 0 < r < size - 1
                    and (r + 1) < size
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
    return grid


def generate_maze(seed: int, size: int = 30, min_path: int = 110, loops: float = 0.05, max_tries: int = 1000):
    """(question, answer) character grids [size, size] of a maze whose unique shortest path exceeds ``min_path``."""
    rng = random.Random(seed)
    for _ in range(max_tries):
        grid = _carve(rng, size, loops)
        open_cells = [tuple(p) for p in np.argwhere(grid == OPEN).tolist()]
        for _ in range(4):
            s = rng.choice(open_cells)
            dist, count = bfs(grid, s)
            far = np.argwhere((dist > min_path) & (count == 1))
            if len(far) == 0:
                continue
            goal = tuple(int(v) for v in far[rng.randrange(len(far))])
            question = grid.copy()
            question[s], question[goal] = START, GOAL
            answer = question.copy()
            # walk back from G along strictly decreasing distances (unique because the count is 1)
            r, c = goal
            while dist[r, c] > 1:
                for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if 0 <= nr < size and 0 <= nc < size and dist[nr, nc] == dist[r, c] - 1:
                        r, c = nr, nc
                        break
                answer[r, c] = PATH
            return question, answer
    raise RuntimeError(f"no {size}x{size} maze with a unique path longer than {min_path} in {max_tries} tries")
