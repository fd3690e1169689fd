"""Sudoku's rules for n x n grids with boxes of ``BOX_SHAPES[n]`` cells (4x4: 2x2, 6x6: 2x3, 9x9: 3x3).

Grids are flat digit arrays (0 blank) in row-major order.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BOX_SHAPES", "box_shape", "box_index", "is_valid_solution", "conflicting_cells", "side"]

#: Box shape (rows, columns) of each supported grid size.
BOX_SHAPES = {4: (2, 2), 6: (2, 3), 9: (3, 3)}


def box_shape(n: int) -> tuple[int, int]:
    """The (rows, columns) of an n x n grid's boxes; ValueError for an unsupported size."""
    if n not in BOX_SHAPES:
        raise ValueError(f"unsupported Sudoku size {n}x{n}; supported: {', '.join(f'{k}x{k}' for k in BOX_SHAPES)}")
    return BOX_SHAPES[n]


def side(cells: int) -> int:
    """The side n of a grid of ``cells`` = n * n cells; ValueError if it is not a supported Sudoku."""
    n = int(round(cells**0.5))
    if n * n != cells:
        raise ValueError(f"{cells} cells are not a square Sudoku grid")
    box_shape(n)
    return n


def box_index(n: int) -> np.ndarray:
    """The box number of every cell of an n x n grid."""
    br, bc = box_shape(n)
    r, c = np.divmod(np.arange(n * n), n)
    return (r // br) * (n // bc) + c // bc


def is_valid_solution(grids: np.ndarray, n: int) -> np.ndarray:
    """For flat grids [..., n*n] of digits, True where every row, column and box holds 1..n exactly once."""
    g = np.asarray(grids).reshape(-1, n, n).astype(np.int64)
    want = np.arange(1, n + 1)
    rows = np.all(np.sort(g, axis=2) == want, axis=(1, 2))
    cols = np.all(np.sort(g, axis=1) == want[:, None], axis=(1, 2))
    boxes = g.reshape(-1, n * n)[:, np.argsort(box_index(n), kind="stable")].reshape(-1, n, n)
    box = np.all(np.sort(boxes, axis=2) == want, axis=(1, 2))
    return (rows & cols & box).reshape(np.asarray(grids).shape[:-1])


def conflicting_cells(grid: np.ndarray, n: int) -> np.ndarray:
    """For one flat grid [n*n] of digits (0 blank), True at every filled cell whose digit appears again in its
    row, column or box."""
    g = np.asarray(grid).reshape(n * n).astype(np.int64)
    r, c = np.divmod(np.arange(n * n), n)
    out = np.zeros(n * n, dtype=bool)
    for unit in (r, c, box_index(n)):
        # count each (unit, digit) pair and mark the filled cells whose pair occurs more than once
        key = unit * (n + 1) + g
        counts = np.bincount(key, minlength=n * (n + 1))
        out |= (g > 0) & (counts[key] > 1)
    return out
