"""Maze data sets (Maze-Hard of HRM, arXiv 2506.21734): CSV reader, local generator, path checks and builder.

Characters as in the reference: ``#`` wall, space open, ``S`` start, ``G`` goal, ``o`` path, mapped to tokens 1-5
(pad 0, vocab 6, sequence size * size). The label is the input with the cells of a shortest S-G path (S and G
excluded) marked ``o``; the path length is the number of moves from S to G.

Generated mazes: a random depth-first-search maze on the lattice of every other cell (random parity per axis),
with a fraction ``loops`` of the remaining inner walls knocked through to create cycles; S is a random open cell
and G a cell more than ``min_path`` moves away whose shortest path from S is unique. So for generated data the
label is the only correct answer. Data read from CSV files need not have unique shortest paths;
``is_shortest_path`` accepts any valid shortest path and is what an evaluator should use for them.
"""
from __future__ import annotations

import os
import random
from collections import deque
from pathlib import Path
from typing import Optional

import numpy as np

from ._csv import CSVError, check_count, csv_rows
from ._parallel import parallel_map
from .augment import Dihedral
from .format import SetArrays, atomic_dataset_dir, check_output_dir, file_digest, write_identifiers, write_split
from .sudoku_gen import puzzle_seed

__all__ = ["CHARSET", "encode", "decode", "bfs", "is_shortest_path", "count_shortest_paths", "generate_maze",
           "read_maze_csv", "build_maze", "CSVError"]

CHARSET = "# SGo"
WALL, OPEN, START, GOAL, PATH = (ord(c) for c in CHARSET)
_CHAR2ID = np.zeros(256, np.uint8)
_CHAR2ID[[ord(c) for c in CHARSET]] = np.arange(1, len(CHARSET) + 1)
_ID2CHAR = np.frombuffer(("\0" + CHARSET).encode(), np.uint8)


def encode(chars: np.ndarray) -> np.ndarray:
    """Character codes (uint8 ASCII) to tokens 1-5."""
    return _CHAR2ID[np.asarray(chars, np.uint8)]


def decode(tokens: np.ndarray) -> np.ndarray:
    """Tokens to character codes; pad becomes NUL."""
    return _ID2CHAR[np.asarray(tokens, np.int64)]


def _as_grid(x) -> np.ndarray:
    if isinstance(x, str):
        n = int(round(len(x) ** 0.5))
        return np.frombuffer(x.encode(), np.uint8).reshape(n, n)
    return np.asarray(x, np.uint8)


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


def _find(grid: np.ndarray, char: int) -> tuple[int, int]:
    pos = np.argwhere(grid == char)
    if len(pos) != 1:
        raise ValueError(f"expected exactly one {chr(char)!r}, found {len(pos)}")
    return tuple(int(v) for v in pos[0])


def count_shortest_paths(question) -> tuple[int, int]:
    """(length, number of shortest S-G paths capped at 2) of a maze; length -1 when G is unreachable."""
    g = _as_grid(question)
    s, goal = _find(g, START), _find(g, GOAL)
    dist, count = bfs(g, s)
    return int(dist[goal]), int(count[goal])


def is_shortest_path(question, answer) -> bool:
    """True if ``answer`` is ``question`` with exactly the cells of one shortest S-G path (S, G excluded) marked
    'o': any shortest path is accepted."""
    q, a = _as_grid(question), _as_grid(answer)
    if q.shape != a.shape:
        return False
    marked = a == PATH
    if np.any(a[~marked] != q[~marked]) or np.any(q[marked] != OPEN):
        return False
    try:
        s, goal = _find(q, START), _find(q, GOAL)
    except ValueError:
        return False
    length = bfs(q, s)[0][goal]
    if length < 0 or marked.sum() != length - 1:
        return False
    # walk from S through marked cells: each step must reach a new marked cell until G is adjacent
    on = marked.copy()
    r, c = s
    for _ in range(length - 1):
        nxt = [(r + dr, c + dc) for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))
               if 0 <= r + dr < q.shape[0] and 0 <= c + dc < q.shape[1] and on[r + dr, c + dc]]
        if len(nxt) != 1:
            return False
        r, c = nxt[0]
        on[r, c] = False
    return abs(r - goal[0]) + abs(c - goal[1]) == 1 or (length == 1 and (r, c) == s)


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
        nbrs = [(r + dr, c + dc) for dr, dc in ((-2, 0), (2, 0), (0, -2), (0, 2))
                if 0 <= r + dr < size and 0 <= c + dc < size and grid[r + dr, c + dc] == WALL]
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
                between_rows = (r - off_r) % 2 == 1 and (c - off_c) % 2 == 0 and 0 < r < size - 1 \
                    and (r + 1) < size and grid[r - 1, c] == OPEN and grid[r + 1, c] == OPEN
                between_cols = (c - off_c) % 2 == 1 and (r - off_r) % 2 == 0 and 0 < c < size - 1 \
                    and grid[r, c - 1] == OPEN and grid[r, c + 1] == OPEN
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


def read_maze_csv(path: str | os.PathLike):
    """Read a Maze-Hard style CSV (``source,question,answer,rating``) and check every row.

    Returns ``(questions, answers)`` character arrays [N, n, n]. Raises CSVError naming the file and row for a
    missing column, a row of the wrong length or with unknown characters, or an answer that is not a shortest
    S-G path of its question.
    """
    qs, ans = [], []
    n = None
    for line, row in csv_rows(path):
        q, a = row["question"], row["answer"]
        if n is None:
            n = int(round(len(q) ** 0.5))
        if len(q) != n * n or len(a) != n * n:
            raise CSVError(f"{path}: row {line}: question/answer of length {len(q)}/{len(a)}, expected {n * n}")
        if set(q) - set(CHARSET) or set(a) - set(CHARSET):
            raise CSVError(f"{path}: row {line}: characters outside {CHARSET!r}")
        if not is_shortest_path(q, a):
            raise CSVError(f"{path}: row {line}: answer is not a shortest S-G path of the question")
        qs.append(_as_grid(q))
        ans.append(_as_grid(a))
    if not qs:
        raise CSVError(f"{path}: no data rows")
    return np.stack(qs), np.stack(ans)


def _gen_job(job):
    seed, size, min_path, loops = job
    return generate_maze(seed, size, min_path, loops)


def _pack(questions: np.ndarray, answers: np.ndarray, dihedral: bool) -> SetArrays:
    ks = range(8) if dihedral else range(1)
    inputs = np.stack([encode(Dihedral(k)(q)).reshape(-1) for q in questions for k in ks])
    labels = np.stack([encode(Dihedral(k)(a)).reshape(-1) for a in answers for k in ks])
    total = len(inputs)
    return SetArrays(inputs=inputs, labels=labels, puzzle_identifiers=np.zeros(total, np.int32),
                     puzzle_indices=np.arange(total + 1, dtype=np.int32),
                     group_indices=np.arange(0, total + 1, len(ks), dtype=np.int32))


def build_maze(out: str | os.PathLike, *, source: Optional[str] = None, source_test: Optional[str] = None,
               size: Optional[int] = None, min_path: Optional[int] = None, loops: Optional[float] = None,
               train_size: Optional[int] = 1000, test_size: Optional[int] = 1000, aug: bool = False, seed: int = 0,
               workers: Optional[int] = None, overwrite: bool = False, progress: bool = True) -> dict:
    """Build a maze data set in ``out`` (from CSV files or generated) and return its build record.

    ``size``, ``min_path`` and ``loops`` (default 30, 110, 0.05) apply to generated mazes only: giving them with
    ``source`` is a ValueError. ``train_size``/``test_size`` None take every row of the CSV files (not allowed
    when generating). With ``aug`` each training maze forms a group of its 8 dihedral transforms (the
    reference's ``aug`` flag).
    """
    given = [name for name, v in (("size", size), ("min_path", min_path), ("loops", loops)) if v is not None]
    if source and given:
        raise ValueError(f"{', '.join(given)} apply to generated mazes only, not to a CSV source")
    size = 30 if size is None else size
    min_path = 110 if min_path is None else min_path
    loops = 0.05 if loops is None else loops
    args = dict(source=str(source) if source else None, source_test=str(source_test) if source_test else None,
                size=size, min_path=min_path, loops=loops, train_size=train_size, test_size=test_size, aug=aug,
                seed=seed)
    if source_test and not source:
        raise ValueError("--source-test needs --source (the training CSV)")
    check_count("train_size", train_size, generating=not source)
    check_count("test_size", test_size, generating=not source)
    check_output_dir(out, "maze", args, overwrite)
    rng = np.random.default_rng([seed, 1])
    if source:
        q, a = read_maze_csv(source)
        if train_size is not None and train_size < len(q):
            pick = rng.choice(len(q), size=train_size, replace=False)
            q, a = q[pick], a[pick]
        train = (q, a)
        test = read_maze_csv(source_test) if source_test else None
        if test is not None and test_size is not None and test_size < len(test[0]):
            pick = np.sort(rng.choice(len(test[0]), size=test_size, replace=False))
            test = (test[0][pick], test[1][pick])
    else:
        splits = []
        for stream, count in ((0, train_size), (1, test_size)):
            jobs = [(puzzle_seed(seed, i, stream), size, min_path, loops) for i in range(count)]
            res = parallel_map(_gen_job, jobs, workers, desc=f"maze {size}x{size} {'train' if stream == 0 else 'test'}",
                               progress=progress, chunksize=4)
            splits.append((np.stack([r[0] for r in res]), np.stack([r[1] for r in res])))
        train, test = splits
    lengths = [count_shortest_paths(x)[0] for x in train[0]]
    target = atomic_dataset_dir(out, "maze", args, overwrite)
    target.record["stats"] = {"train_path_length": {"mean": float(np.mean(lengths)), "min": int(np.min(lengths)),
                                                    "max": int(np.max(lengths))}}
    target.record["inputs"] = [file_digest(f) for f in (source, source_test) if f]
    with target as tmp:
        common = dict(vocab_size=len(CHARSET) + 1, pad_id=0, ignore_label_id=0, blank_identifier_id=0,
                      num_puzzle_identifiers=1)
        write_split(tmp, "train", {"all": _pack(*train, dihedral=aug)}, **common)
        if test is not None:
            write_split(tmp, "test", {"all": _pack(*test, dihedral=False)}, **common)
        write_identifiers(tmp, ["<blank>"])
    return target.record
