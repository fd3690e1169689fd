"""Reading Sudoku-Extreme CSV files (columns ``source,question,answer,rating``, '.' blank), every row checked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import numpy as np

from ...data._csv import CSV_COLUMNS, CSVError, csv_rows, distinct_rows
from .rules import BOX_SHAPES, is_valid_solution

__all__ = ["read_sudoku_csv"]


def read_sudoku_csv(path: str | os.PathLike, min_rating: Optional[int] = None):
    """Read a Sudoku-Extreme style CSV and check every row.

    Returns ``(questions, answers, ratings, sources, n)``: digit arrays [N, n*n] (0 blank), int ratings and the
    source strings. Raises CSVError naming the file and row for a missing column, a row of the wrong length,
    a character that is not a digit of the grid, or an answer that is not a valid solution agreeing with the
    question's givens. Rows rated below ``min_rating`` are skipped (after checking), and a repeated question is
    kept once (with a warning naming the rows).
    """
    path = Path(path)
    questions, answers, ratings, sources, lines = [], [], [], [], []
    n = None
    for line, row in csv_rows(path):
        s, q, a, r = (row[c] for c in CSV_COLUMNS)
        if n is None:
            n = int(round(len(q) ** 0.5))
            if n not in BOX_SHAPES:
                raise CSVError(f"{path}: row {line}: question of length {len(q)} is not a 4x4, 6x6 or 9x9 grid")
        if len(q) != n * n or len(a) != n * n:
            raise CSVError(f"{path}: row {line}: question/answer of length {len(q)}/{len(a)}, expected {n * n}")
        if not (q.isascii() and a.isascii()):
            raise CSVError(f"{path}: row {line}: question or answer has a character other than '.' and digits")
        try:
            rating = int(float(r)) if r.strip() else 0
        except ValueError:
            raise CSVError(f"{path}: row {line}: rating {r!r} is not a number") from None
        questions.append(q)
        answers.append(a)
        ratings.append(rating)
        sources.append(s)
        lines.append(line)
    if n is None:
        raise CSVError(f"{path}: no data rows")
    q = np.frombuffer("".join(questions).replace(".", "0").encode(), np.uint8).reshape(-1, n * n) - ord("0")
    a = np.frombuffer("".join(answers).encode(), np.uint8).reshape(-1, n * n) - ord("0")
    bad = np.flatnonzero(np.any(q > n, axis=1))
    if bad.size:
        raise CSVError(f"{path}: row {lines[bad[0]]}: question has a character other than '.' or 1-{n}")
    bad = np.flatnonzero(np.any((a < 1) | (a > n), axis=1))
    if bad.size:
        raise CSVError(f"{path}: row {lines[bad[0]]}: answer has a character other than 1-{n}")
    bad = np.flatnonzero(~is_valid_solution(a, n))
    if bad.size:
        raise CSVError(f"{path}: row {lines[bad[0]]}: answer is not a valid solved grid")
    bad = np.flatnonzero(np.any((q != 0) & (q != a), axis=1))
    if bad.size:
        raise CSVError(f"{path}: row {lines[bad[0]]}: answer contradicts a given of the question")
    ratings = np.asarray(ratings, np.int64)
    keep = distinct_rows(path, [row.tobytes() for row in q], lines)
    q, a, ratings, sources = q[keep], a[keep], ratings[keep], [sources[i] for i in keep]
    if min_rating is not None:
        keep = ratings >= min_rating
        q, a, ratings = q[keep], a[keep], ratings[keep]
        sources = [s for s, k in zip(sources, keep) if k]
    return q.astype(np.uint8), a.astype(np.uint8), ratings, sources, n
