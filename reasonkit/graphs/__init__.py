"""Task constraint graphs for graph cells: which positions of a task's sequence exchange messages.

``sudoku`` links each cell to its peers in the same row, column and box (an n*n grid with n = b*b: 20 peers
per cell, 1,620 directed edges for 9x9, as in Palm et al. 2018); ``grid`` (alias ``maze``) links each cell of a
square grid to its 4 neighbours. Graphs are returned as a ``[2, edges]`` ``edge_index`` (source, target),
built once per model.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

__all__ = ["GRAPHS", "sudoku_graph", "grid_graph", "constraint_graph", "graph_names"]


def _square_side(seq_len: int, what: str) -> int:
    side = math.isqrt(seq_len)
    if side * side != seq_len:
        raise ValueError(f"a {what} graph needs a square number of positions, got seq_len={seq_len}")
    return side


def sudoku_graph(seq_len: int) -> torch.Tensor:
    """Row, column and box peers of an n x n Sudoku (n = seq_len ** 0.5, box side n ** 0.5)."""
    n = _square_side(seq_len, "sudoku")
    box = math.isqrt(n)
    if box * box != n:
        raise ValueError(f"a sudoku graph needs n x n cells with n a square (4, 9, 16, ...), got n={n} (seq_len={seq_len})")
    rows = torch.arange(seq_len, device="cpu") // n
    cols = torch.arange(seq_len, device="cpu") % n
    boxes = (rows // box) * box + cols // box
    peers = (rows[:, None] == rows) | (cols[:, None] == cols) | (boxes[:, None] == boxes)
    peers.fill_diagonal_(False)
    target, source = peers.nonzero(as_tuple=True)
    return torch.stack((source, target))


def grid_graph(seq_len: int) -> torch.Tensor:
    """4-neighbour links of a square grid (a maze), in both directions."""
    side = _square_side(seq_len, "grid")
    idx = torch.arange(seq_len, device="cpu").view(side, side)
    pairs = [(idx[:, :-1], idx[:, 1:]), (idx[:-1, :], idx[1:, :])]
    src = torch.cat([a.flatten() for a, _ in pairs] + [b.flatten() for _, b in pairs])
    dst = torch.cat([b.flatten() for _, b in pairs] + [a.flatten() for a, _ in pairs])
    return torch.stack((src, dst))


GRAPHS: dict[str, Callable[[int], torch.Tensor]] = {"sudoku": sudoku_graph, "grid": grid_graph, "maze": grid_graph}


def graph_names() -> list[str]:
    return sorted(GRAPHS)


def constraint_graph(name: str | None, seq_len: int) -> torch.Tensor:
    """The ``edge_index`` of the named graph over ``seq_len`` task positions; a ValueError says why it cannot be."""
    if name is None:
        raise ValueError(f"a graph cell needs a constraint graph but the task names none; set task to one of "
                         f"{', '.join(graph_names())} (or the cell's graph field)")
    if name not in GRAPHS:
        raise ValueError(f"no constraint graph for task {name!r}; known graphs: {', '.join(graph_names())}")
    return GRAPHS[name](seq_len)
