"""A small exact Sudoku solver for n x n grids with rectangular boxes, and a tdoku-style difficulty rating.

The solver keeps one bitmask of candidate digits per cell, propagates naked singles (a cell with one candidate)
and hidden singles (a digit with one place in a row, column or box), and otherwise guesses on a cell with the
fewest candidates, trying digits in increasing order. The rating of a puzzle is the number of dead ends (guesses
that propagation refutes) met before the first solution is found: 0 means singles alone solve it. This follows
tdoku's notion of difficulty (solver backtracks) used to rate Sudoku-Extreme; absolute numbers depend on the
solver's propagation, so ours are comparable in spirit, not digit for digit, with tdoku's.

The search runs in C when the optional extension ``_csolver`` was built at install time (``pip install`` compiles
it when a C compiler is present); otherwise in Python, with identical solutions, ratings and node counts. On
2-core CPUs the C solver generated 6x6 and 9x9 puzzles about 28x faster (benchmarks/data_generation.py). The C
build is an install-time extension rather than numba because it needs no extra run-time dependency and the
solver is a few dozen lines of integer code; ``REASONKIT_NO_NATIVE=1`` forces the Python solver.
"""

from __future__ import annotations

import importlib
import os
import warnings
from array import array
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from .rules import box_shape

__all__ = ["Geometry", "geometry", "SolveResult", "solve", "solve_py"]


@dataclass(frozen=True)
class Geometry:
    n: int
    box_rows: int
    box_cols: int
    units: tuple[tuple[int, ...], ...] = field(repr=False)
    peers: tuple[tuple[int, ...], ...] = field(repr=False)

    @property
    def cells(self) -> int:
        return self.n * self.n

    @property
    def full(self) -> int:
        return (1 << self.n) - 1


@cache
def geometry(n: int) -> Geometry:
    """The units (rows, columns, boxes) and peers of an n x n grid; n must be 4, 6 or 9."""
    br, bc = box_shape(n)
    rows = [tuple(r * n + c for c in range(n)) for r in range(n)]
    cols = [tuple(r * n + c for r in range(n)) for c in range(n)]
    boxes = []
    for r0 in range(0, n, br):
        for c0 in range(0, n, bc):
            boxes.append(tuple((r0 + i) * n + c0 + j for i in range(br) for j in range(bc)))
    units = tuple(rows + cols + boxes)
    peers = []
    for cell in range(n * n):
        p = set()
        for u in units:
            if cell in u:
                p.update(u)
        p.discard(cell)
        peers.append(tuple(sorted(p)))
    return Geometry(n, br, bc, units, tuple(peers))


def _propagate(cands: list[int], todo: list[int], geo: Geometry) -> bool:
    """Eliminate fixed cells' digits from their peers and place hidden singles; False on contradiction."""
    peers, units, full = geo.peers, geo.units, geo.full
    while True:
        while todo:
            c = todo.pop()
            b = cands[c]
            nb = ~b
            for p in peers[c]:
                pc = cands[p]
                if pc & b:
                    pc &= nb
                    if not pc:
                        return False
                    cands[p] = pc
                    if not pc & (pc - 1):
                        todo.append(p)
        for unit in units:
            once = twice = 0
            for c in unit:
                x = cands[c]
                twice |= once & x
                once |= x
            if once != full:
                return False
            once &= ~twice
            if once:
                for c in unit:
                    x = cands[c]
                    h = x & once
                    if h and x != h:
                        if h & (h - 1):
                            return False
                        cands[c] = h
                        todo.append(c)
        if not todo:
            return True


@dataclass
class SolveResult:
    solutions: list[list[int]]  # each a flat list of digits 1..n
    rating: int  # dead ends before the first solution (all of them when there is none)
    nodes: int  # propagation calls in total


def solve(grid, n: int, limit: int = 2) -> SolveResult:
    """Search for up to ``limit`` solutions of a flat puzzle (0 = blank, 1..n digits).

    Uses the compiled solver when it was built; it follows the same search, so solutions, ratings and node
    counts are identical to ``solve_py``'s.
    """
    native = _native()
    if native is None:
        return solve_py(grid, n, limit)
    geo = geometry(n)
    cells = geo.cells
    try:
        values = bytes(grid) if isinstance(grid, (list, bytes)) else np.asarray(grid).astype(np.uint8).tobytes()
    except (ValueError, TypeError):
        raise ValueError(f"a {n}x{n} puzzle needs {cells} digits in 0..{n}") from None
    if len(values) != cells or max(values) > n:
        raise ValueError(f"a {n}x{n} puzzle needs {cells} digits in 0..{n}")
    units, peers = _flat_tables(n)
    raw, rating, nodes = native.solve(values, n, units, len(geo.units), peers, len(geo.peers[0]), max(1, limit))
    sols = [list(raw[i * cells : (i + 1) * cells]) for i in range(len(raw) // cells)]
    return SolveResult(sols, rating, nodes)


@cache
def _flat_tables(n: int) -> tuple[bytes, bytes]:
    geo = geometry(n)
    return (
        array("i", [c for u in geo.units for c in u]).tobytes(),
        array("i", [c for p in geo.peers for c in p]).tobytes(),
    )


@cache
def _native():
    """The compiled extension, or None (not built, or disabled by REASONKIT_NO_NATIVE); warns once when missing."""
    if os.environ.get("REASONKIT_NO_NATIVE"):
        return None
    try:
        native = importlib.import_module(f"{__package__}._csolver")
    except ImportError:
        warnings.warn(
            "the C Sudoku solver was not built at install time (no C compiler?); using the pure-Python "
            "solver: same results, about 28x slower",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return native


def solve_py(grid, n: int, limit: int = 2) -> SolveResult:
    """The pure-Python solver (see ``solve``)."""
    geo = geometry(n)
    full = geo.full
    cands = [full] * geo.cells
    todo = []
    for i, v in enumerate(grid):
        v = int(v)
        if v:
            if not 1 <= v <= n:
                raise ValueError(f"digit {v} out of range 1..{n}")
            cands[i] = 1 << (v - 1)
            todo.append(i)
    result = SolveResult([], 0, 1)
    if not _propagate(cands, todo, geo):
        return result
    _search(cands, geo, limit, result)
    return result


def _search(cands: list[int], geo: Geometry, limit: int, result: SolveResult) -> bool:
    """Depth-first search; True once ``limit`` solutions are found."""
    best, best_k = -1, 99
    for c in range(geo.cells):
        x = cands[c]
        if x & (x - 1):
            k = x.bit_count()
            if k < best_k:
                best, best_k = c, k
                if k == 2:
                    break
    if best < 0:
        result.solutions.append([x.bit_length() for x in cands])
        return len(result.solutions) >= limit
    x = cands[best]
    while x:
        b = x & -x
        x ^= b
        nc = cands[:]
        nc[best] = b
        result.nodes += 1
        if _propagate(nc, [best], geo):
            if _search(nc, geo, limit, result):
                return True
        elif not result.solutions:
            result.rating += 1
    return False
