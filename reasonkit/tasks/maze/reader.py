"""Reading Maze-Hard CSV files (columns ``source,question,answer,rating``), every row checked."""

from __future__ import annotations

import os

import numpy as np

from ...data._csv import CSVError, csv_rows, distinct_rows
from .codec import CHARSET, as_grid
from .paths import is_shortest_path

__all__ = ["read_maze_csv"]


def read_maze_csv(path: str | os.PathLike):
    """Read a Maze-Hard style CSV (``source,question,answer,rating``) and check every row.

    Returns ``(questions, answers)`` character arrays [N, n, n]. Raises CSVError naming the file and row for a
    missing column, a row of the wrong length or with unknown characters, or an answer that is not a shortest
    S-G path of its question. A repeated question is kept once (with a warning naming the rows).
    """
    qs, ans, lines = [], [], []
    n = None
    for line, row in csv_rows(path):
        q, a = row["question"], row["answer"]
        if n is None:
            n = int(round(len(q) ** 0.5))
            if n * n != len(q) or n < 2:
                raise CSVError(f"{path}: row {line}: question of {len(q)} characters is not a square maze")
        if len(q) != n * n or len(a) != n * n:
            raise CSVError(f"{path}: row {line}: question/answer of length {len(q)}/{len(a)}, expected {n * n}")
        if set(q) - set(CHARSET) or set(a) - set(CHARSET):
            raise CSVError(f"{path}: row {line}: characters outside {CHARSET!r}")
        if not is_shortest_path(q, a):
            raise CSVError(f"{path}: row {line}: answer is not a shortest S-G path of the question")
        qs.append(as_grid(q))
        ans.append(as_grid(a))
        lines.append(line)
    if not qs:
        raise CSVError(f"{path}: no data rows")
    keep = distinct_rows(path, [q.tobytes() for q in qs], lines)
    return np.stack([qs[i] for i in keep]), np.stack([ans[i] for i in keep])
