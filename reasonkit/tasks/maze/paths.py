"""Shortest S-G paths in a maze: breadth-first search, path counts, and the check that accepts any shortest path."""

from __future__ import annotations

from collections import deque

import numpy as np

from .codec import GOAL, OPEN, PATH, START, WALL, as_grid

__all__ = ["bfs", "find", "count_shortest_paths", "is_shortest_path"]


def bfs(grid: np.ndarray, start: tuple[int, int]):
    """Distances (−1 unreachable) and shortest-path counts (capped at 2) from ``start`` through non-wall cells."""
    h, w = grid.shape
    free = grid != WALL
    dist = np.full((h, w), -1, np.int64)
    count = np.zeros((h, w), np.int64)
    dist[start] = 0
    count[start] = 1
    queue = deque([start])
    while queue:
        r, c = queue.popleft()
        d = dist[r, c] + 1
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < h and 0 <= nc < w and free[nr, nc]:
                if dist[nr, nc] < 0:
                    dist[nr, nc] = d
                    count[nr, nc] = count[r, c]
                    queue.append((nr, nc))
                elif dist[nr, nc] == d:
                    count[nr, nc] = min(2, count[nr, nc] + count[r, c])
    return dist, count


def find(grid: np.ndarray, char: int) -> tuple[int, int]:
    """The position of the one cell holding ``char``; ValueError if there is not exactly one."""
    pos = np.argwhere(grid == char)
    if len(pos) != 1:
        raise ValueError(f"expected exactly one {chr(char)!r}, found {len(pos)}")
    return tuple(int(v) for v in pos[0])


def count_shortest_paths(question) -> tuple[int, int]:
    """(length, number of shortest S-G paths capped at 2) of a maze; length -1 when G is unreachable."""
    g = as_grid(question)
    s, goal = find(g, START), find(g, GOAL)
    dist, count = bfs(g, s)
    return int(dist[goal]), int(count[goal])


def is_shortest_path(question, answer) -> bool:
    """True if ``answer`` is ``question`` with exactly the cells of one shortest S-G path (S, G excluded) marked
    'o': any shortest path is accepted."""
    q, a = as_grid(question), as_grid(answer)
    if q.shape != a.shape:
        return False
    marked = a == PATH
    if np.any(a[~marked] != q[~marked]) or np.any(q[marked] != OPEN):
        return False
    try:
        s, goal = find(q, START), find(q, GOAL)
    except ValueError:
        return False
    length = bfs(q, s)[0][goal]
    if length < 0 or marked.sum() != length - 1:
        return False
    # walk from S through marked cells: each step must reach a new marked cell until G is adjacent
    on = marked.copy()
    r, c = s
    for _ in range(length - 1):
        nxt = [
            (r + dr, c + dc)
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))
            if 0 <= r + dr < q.shape[0] and 0 <= c + dc < q.shape[1] and on[r + dr, c + dc]
        ]
        if len(nxt) != 1:
            return False
        r, c = nxt[0]
        on[r, c] = False
    return abs(r - goal[0]) + abs(c - goal[1]) == 1 or (length == 1 and (r, c) == s)
