"""Task-neutral constraint graphs for graph cells, as ``[2, edges]`` ``edge_index`` tensors (source, target).

``peer_graph`` links each cell of an n x n board to its peers in the same row, column and box (Sudoku: 20 peers
per cell and 1,620 directed edges for 9x9, as in Palm et al. 2018, arXiv 1711.08028); ``grid_graph`` links each
cell of a grid to its 4 neighbours (a maze). Tasks choose their graph (``Task.graph``); graphs are built once per
model.
"""

from __future__ import annotations

import torch

__all__ = ["peer_graph", "grid_graph"]


def peer_graph(n: int, box_rows: int, box_cols: int) -> torch.Tensor:
    """Row, column and box peers of an n x n board whose boxes are ``box_rows x box_cols``, row-major cells."""
    if box_rows * box_cols != n:
        raise ValueError(f"boxes of {box_rows}x{box_cols} cells do not tile a {n}x{n} board")
    cells = torch.arange(n * n, device="cpu")
    rows, cols = cells // n, cells % n
    boxes = (rows // box_rows) * (n // box_cols) + cols // box_cols
    peers = (rows[:, None] == rows) | (cols[:, None] == cols) | (boxes[:, None] == boxes)
    peers.fill_diagonal_(False)
    target, source = peers.nonzero(as_tuple=True)
    return torch.stack((source, target))


def grid_graph(height: int, width: int) -> torch.Tensor:
    """4-neighbour links of a ``height x width`` grid (row-major cells), in both directions."""
    idx = torch.arange(height * width, device="cpu").view(height, width)
    pairs = [(idx[:, :-1], idx[:, 1:]), (idx[:-1, :], idx[1:, :])]
    src = torch.cat([a.flatten() for a, _ in pairs] + [b.flatten() for _, b in pairs])
    dst = torch.cat([b.flatten() for _, b in pairs] + [a.flatten() for a, _ in pairs])
    return torch.stack((src, dst))
