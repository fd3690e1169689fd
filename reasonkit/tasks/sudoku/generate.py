"""Local generation of Sudoku puzzles with a unique solution and a chosen difficulty.

Sudoku-Extreme (HRM, arXiv 2506.21734) is a mix of hard puzzles rated by the number of backtracks the tdoku solver
needs. We build a comparable set without the original files:

1. a random solved grid (random partial fill with propagation, completed by the solver);
2. clues removed in random order while the solution stays unique, giving a minimal puzzle;
3. if the puzzle is easier than ``min_rating``, a hill climb over clue sets with the same solution: swap one
   clue for another cell of the solution, keep the swap when the puzzle stays unique and is at least as hard;
   after ``max_steps`` without reaching the rating, start again from a new grid.

Each puzzle is generated from its own seed, so a set is reproducible whatever the number of worker processes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from .solver import _propagate, geometry, solve

__all__ = ["GeneratedSudoku", "random_solution", "minimal_puzzle", "generate_puzzle"]


@dataclass
class GeneratedSudoku:
    puzzle: np.ndarray  # flat [n*n], 0 blank
    solution: np.ndarray  # flat [n*n]
    rating: int
    clues: int
    attempts: int  # grids tried before one reached the rating


def random_solution(rng: random.Random, n: int) -> list[int]:
    """A random solved n x n grid: fix random candidates at random cells while propagation allows, then solve."""
    geo = geometry(n)
    while True:
        cands = [geo.full] * geo.cells
        ok = True
        for cell in rng.sample(range(geo.cells), geo.cells // 3):
            x = cands[cell]
            if not x & (x - 1):
                continue
            bits = [1 << d for d in range(n) if x >> d & 1]
            trial = cands[:]
            trial[cell] = rng.choice(bits)
            if _propagate(trial, [cell], geo):
                cands = trial
            else:
                ok = False
                break
        if not ok:
            continue
        puzzle = [x.bit_length() if not x & (x - 1) else 0 for x in cands]
        result = solve(puzzle, n, limit=1)
        if result.solutions:
            return result.solutions[0]


def _unique(puzzle: list[int], n: int) -> bool:
    return len(solve(puzzle, n, limit=2).solutions) == 1


def minimal_puzzle(rng: random.Random, solution: list[int], n: int) -> list[int]:
    """Remove clues in random order while the solution stays unique."""
    puzzle = list(solution)
    for cell in rng.sample(range(n * n), n * n):
        v = puzzle[cell]
        puzzle[cell] = 0
        if not _unique(puzzle, n):
            puzzle[cell] = v
    return puzzle


def _rate(puzzle: list[int], n: int) -> int | None:
    """The rating of a puzzle with a unique solution, else None."""
    r = solve(puzzle, n, limit=2)
    return r.rating if len(r.solutions) == 1 else None


def generate_puzzle(seed: int, n: int = 9, min_rating: int = 0, max_steps: int = 400) -> GeneratedSudoku:
    """One puzzle with a unique solution and a rating of at least ``min_rating``."""
    rng = random.Random(seed)
    attempts = 0
    while True:
        attempts += 1
        solution = random_solution(rng, n)
        puzzle = minimal_puzzle(rng, solution, n)
        rating = _rate(puzzle, n)
        assert rating is not None
        steps = 0
        clues = [i for i, v in enumerate(puzzle) if v]
        blanks = [i for i, v in enumerate(puzzle) if not v]
        while rating < min_rating and steps < max_steps:
            steps += 1
            # swap a clue for a blank cell of the solution, sometimes dropping a second clue
            out = rng.randrange(len(clues))
            into = rng.randrange(len(blanks))
            drop = rng.randrange(len(clues) - 1) if rng.random() < 0.3 else -1
            new_clues = clues[:out] + clues[out + 1 :]
            new_blanks = blanks[:into] + blanks[into + 1 :] + [clues[out]]
            if drop >= 0:
                new_blanks.append(new_clues.pop(drop))
            new_clues.append(blanks[into])
            cand = [0] * (n * n)
            for i in new_clues:
                cand[i] = solution[i]
            r = _rate(cand, n)
            if r is not None and r >= rating:
                puzzle, rating, clues, blanks = cand, r, new_clues, new_blanks
        if rating >= min_rating:
            return GeneratedSudoku(
                np.asarray(puzzle, np.uint8),
                np.asarray(solution, np.uint8),
                rating,
                sum(1 for v in puzzle if v),
                attempts,
            )
