"""Sudoku data sets (Sudoku-Extreme of HRM, arXiv 2506.21734): CSV reader, augmentations and builder.

Tokens as in the reference: pad 0, blank 1, digit d -> d + 1 (vocab n + 2, sequence n * n, row-major). A build
reads the original Sudoku-Extreme CSV files (columns ``source,question,answer,rating``, '.' blank) or generates
puzzles locally (``sudoku_gen``); the training split holds ``train_size`` groups, each the original puzzle followed
by ``aug`` augmented copies; the test split holds one puzzle per group, unaugmented.

Augmentation (``sudoku_shuffle``): a permutation of the digits, a transpose with probability 1/2 (only when boxes
are square: 4x4 and 9x9; a transpose would turn 6x6's 2x3 boxes into 3x2), a shuffle of the bands and of the rows
within each band, and of the stacks and the columns within each stack. Each maps a valid grid to a valid grid and
a puzzle with one solution to a puzzle with one solution (it is a symmetry of the constraints).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from . import _sudoku_native
from ._csv import CSV_COLUMNS, CSVError, check_count, csv_rows
from ._parallel import parallel_map
from ._sudoku_solver import BOX_SHAPES
from .augment import AxisPermutation, ColourPermutation, Compose, Dihedral
from .format import SetArrays, atomic_dataset_dir, check_output_dir, file_digest, write_identifiers, write_split
from .sudoku_gen import generate_puzzle, puzzle_seed

__all__ = [
    "CSVError", "read_sudoku_csv", "is_valid_solution", "shuffle_params", "sudoku_shuffle", "augment_group",
    "build_sudoku",
    "encode", "decode",
]




def encode(grid: np.ndarray) -> np.ndarray:
    """Digits (0 blank) to tokens: blank 1, digit d -> d + 1."""
    return np.asarray(grid, np.uint8) + 1


def decode(tokens: np.ndarray) -> np.ndarray:
    """Tokens to digits (0 blank); pad tokens become 0 as well."""
    t = np.asarray(tokens).astype(np.int64)
    return np.where(t > 0, t - 1, 0).astype(np.uint8)


def _box_index(n: int) -> np.ndarray:
    br, bc = BOX_SHAPES[n]
    r, c = np.divmod(np.arange(n * n), n)
    return (r // br) * (n // bc) + c // bc


def is_valid_solution(grids: np.ndarray, n: int) -> np.ndarray:
    """For flat grids [..., n*n] of digits, True where every row, column and box holds 1..n exactly once."""
    g = np.asarray(grids).reshape(-1, n, n).astype(np.int64)
    want = np.arange(1, n + 1)
    rows = np.all(np.sort(g, axis=2) == want, axis=(1, 2))
    cols = np.all(np.sort(g, axis=1) == want[:, None], axis=(1, 2))
    boxes = g.reshape(-1, n * n)[:, np.argsort(_box_index(n), kind="stable")].reshape(-1, n, n)
    box = np.all(np.sort(boxes, axis=2) == want, axis=(1, 2))
    return (rows & cols & box).reshape(np.asarray(grids).shape[:-1])


def read_sudoku_csv(path: str | os.PathLike, min_rating: Optional[int] = None):
    """Read a Sudoku-Extreme style CSV and check every row.

    Returns ``(questions, answers, ratings, sources, n)``: digit arrays [N, n*n] (0 blank), int ratings and the
    source strings. Raises CSVError naming the file and row for a missing column, a row of the wrong length,
    a character that is not a digit of the grid, or an answer that is not a valid solution agreeing with the
    question's givens. Rows rated below ``min_rating`` are skipped (after checking).
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
    if min_rating is not None:
        keep = ratings >= min_rating
        q, a, ratings = q[keep], a[keep], ratings[keep]
        sources = [s for s, k in zip(sources, keep) if k]
    return q.astype(np.uint8), a.astype(np.uint8), ratings, sources, n


def shuffle_params(rng: np.random.Generator, n: int, count: int):
    """Parameters of ``count`` random Sudoku augmentations, drawn at once.

    Returns ``(digit_maps [count, n + 1], transpose [count], rows [count, n], cols [count, n])``: the digit map
    keeps 0 (blank) fixed; rows and cols are band- and stack-respecting permutations.
    """
    br, bc = BOX_SHAPES[n]

    def block_perm(block: int) -> np.ndarray:
        outer = rng.permuted(np.tile(np.arange(n // block), (count, 1)), axis=1)
        inner = rng.permuted(np.tile(np.arange(block), (count, n // block, 1)), axis=2)
        return (outer[:, :, None] * block + inner).reshape(count, n)

    digits = np.concatenate([np.zeros((count, 1), np.int64),
                             rng.permuted(np.tile(np.arange(1, n + 1), (count, 1)), axis=1)], axis=1)
    transpose = rng.random(count) < 0.5
    if br != bc:
        transpose[:] = False
    return digits, transpose, block_perm(br), block_perm(bc)


def _compose(digits, transpose, rows, cols) -> Compose:
    augs = [Dihedral(6)] if transpose else []
    return Compose(augs + [AxisPermutation(tuple(rows), tuple(cols)), ColourPermutation(tuple(digits), offset=0)])


def sudoku_shuffle(rng: np.random.Generator, n: int = 9) -> Compose:
    """A random validity-preserving Sudoku augmentation (see the module docstring), with an exact inverse."""
    d, t, r, c = shuffle_params(rng, n, 1)
    return _compose(d[0], bool(t[0]), r[0], c[0])


def augment_group(puzzle: np.ndarray, solution: np.ndarray, n: int, num_aug: int, rng: np.random.Generator,
                  return_augs: bool = False):
    """The original puzzle and ``num_aug`` augmented copies: ``(inputs, labels)`` digit arrays [1 + num_aug, n*n].

    Vectorised over the copies; copy k equals ``sudoku_shuffle``'s Compose with the same parameters applied to
    the grids (returned as a third element when ``return_augs``).
    """
    p = np.asarray(puzzle).reshape(-1)
    s = np.asarray(solution).reshape(-1)
    d, t, r, c = shuffle_params(rng, n, num_aug)
    pos = np.where(t[:, None, None], c[:, None, :] * n + r[:, :, None], r[:, :, None] * n + c[:, None, :])
    pos = pos.reshape(num_aug, n * n)
    k = np.arange(num_aug)[:, None]
    inputs = np.concatenate([p[None], d[k, p[pos]]]).astype(np.uint8)
    labels = np.concatenate([s[None], d[k, s[pos]]]).astype(np.uint8)
    if return_augs:
        return inputs, labels, [_compose(d[i], bool(t[i]), r[i], c[i]) for i in range(num_aug)]
    return inputs, labels


def _group_job(job):
    puzzle, solution, n, num_aug, seed, index = job
    rng = np.random.default_rng([seed, 2, index])
    i, l = augment_group(puzzle, solution, n, num_aug, rng)
    return encode(i), encode(l)


def _gen_job(job):
    seed, n, min_rating, max_steps = job
    g = generate_puzzle(seed, n, min_rating, max_steps)
    return g.puzzle, g.solution, g.rating


def _generate(count: int, n: int, seed: int, stream: int, min_rating: int, exclude: set, workers, progress,
              max_steps: int, desc: str):
    """``count`` distinct puzzles not in ``exclude``, in seed order (deterministic for any worker count)."""
    _sudoku_native.load()  # compile once here, before the workers fork
    got_p, got_s, got_r, seen = [], [], [], set(exclude)
    start = 0
    while len(got_p) < count:
        need = count - len(got_p)
        batch = need if start == 0 else max(need * 2, 16)
        jobs = [(puzzle_seed(seed, start + i, stream), n, min_rating, max_steps) for i in range(batch)]
        start += batch
        for p, s, r in parallel_map(_gen_job, jobs, workers, desc=desc, progress=progress):
            key = p.tobytes()
            if key in seen or len(got_p) >= count:
                continue
            seen.add(key)
            got_p.append(p)
            got_s.append(s)
            got_r.append(r)
        if start > 50 * count + 1000:
            raise RuntimeError(f"could only generate {len(got_p)} distinct {n}x{n} puzzles of {count} requested")
    return np.stack(got_p), np.stack(got_s), np.asarray(got_r)


def _rating_stats(ratings: np.ndarray) -> dict:
    r = np.asarray(ratings)
    if r.size == 0:
        return {}
    q = np.percentile(r, [10, 25, 50, 75, 90, 99])
    return {"count": int(r.size), "mean": float(r.mean()), "min": int(r.min()), "max": int(r.max()),
            "p10": float(q[0]), "p25": float(q[1]), "median": float(q[2]), "p75": float(q[3]), "p90": float(q[4]),
            "p99": float(q[5])}


def _pack(inputs: Sequence[np.ndarray], labels: Sequence[np.ndarray], group_size: Optional[int] = None) -> SetArrays:
    """One group per entry (or per ``group_size`` rows); each row is a puzzle with one example (identifier 0)."""
    if group_size is not None:
        rows = sum(len(x) for x in inputs)
        sizes = np.full(rows // group_size, group_size)
    else:
        sizes = np.asarray([len(x) for x in inputs])
    total = int(sizes.sum())
    return SetArrays(
        inputs=np.concatenate(inputs).astype(np.uint8),
        labels=np.concatenate(labels).astype(np.uint8),
        puzzle_identifiers=np.zeros(total, np.int32),
        puzzle_indices=np.arange(total + 1, dtype=np.int32),
        group_indices=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32),
    )


def _csv_grid_size(path) -> Optional[int]:
    """The grid size of a Sudoku CSV's first row (None without rows); read_sudoku_csv checks the rest."""
    for _, row in csv_rows(path):
        return int(round(len(row["question"]) ** 0.5))
    return None


def build_sudoku(out: str | os.PathLike, *, source: Optional[str] = None, source_test: Optional[str] = None,
                 size: int = 9, train_size: Optional[int] = 1000, test_size: Optional[int] = None, aug: int = 1000,
                 seed: int = 0, min_rating: int = 0, max_steps: Optional[int] = None, workers: Optional[int] = None,
                 overwrite: bool = False, progress: bool = True) -> dict:
    """Build a Sudoku data set in ``out`` and return its build record.

    With ``source`` (and ``source_test``) the puzzles come from CSV files: the training split is a seeded sample
    of ``train_size`` rows rated at least ``min_rating`` (all of them when ``train_size`` is None), the test split
    every such row of ``source_test`` (or a seeded sample of ``test_size``). Without ``source``, ``size`` x
    ``size`` puzzles are generated (``test_size`` defaults to 1000) with a unique solution and a rating of at
    least ``min_rating``; test puzzles are distinct from training puzzles. ``train_size`` None (every row) needs a
    CSV source. ``max_steps`` (default 400) applies to generation only: giving it with ``source`` is a ValueError;
    with ``source`` the grid size is the CSV's and ``size`` is ignored.
    """
    if source and max_steps is not None:
        raise ValueError("max_steps applies to generated puzzles only, not to a CSV source")
    max_steps = 400 if max_steps is None else max_steps
    args = dict(source=str(source) if source else None, source_test=str(source_test) if source_test else None,
                size=size, train_size=train_size, test_size=test_size, aug=aug, seed=seed, min_rating=min_rating,
                max_steps=max_steps)
    if source_test and not source:
        raise ValueError("--source-test needs --source (the training CSV)")
    check_count("train_size", train_size, generating=not source)
    if test_size is not None:  # None: every row of source_test, or 1000 generated
        check_count("test_size", test_size, generating=not source)
    if source:
        args["size"] = _csv_grid_size(source)
    check_output_dir(out, "sudoku", args, overwrite)  # before any work: a wrong --out fails at once
    rng = np.random.default_rng([seed, 1])
    stats: dict = {}
    if source:
        q, a, r, _, n = read_sudoku_csv(source, min_rating)
        if train_size is not None and train_size < len(q):
            pick = rng.choice(len(q), size=train_size, replace=False)
            q, a, r = q[pick], a[pick], r[pick]
        train = (q, a, r)
        if source_test:
            tq, ta, tr, _, tn = read_sudoku_csv(source_test, min_rating)
            if tn != n:
                raise CSVError(f"{source_test}: {tn}x{tn} grids, but {source} has {n}x{n}")
            if test_size is not None and test_size < len(tq):
                pick = np.sort(rng.choice(len(tq), size=test_size, replace=False))
                tq, ta, tr = tq[pick], ta[pick], tr[pick]
            test = (tq, ta, tr)
        else:
            test = (q[:0], a[:0], r[:0])
        args["size"] = n
    else:
        n = size
        if n not in BOX_SHAPES:
            raise ValueError(f"unsupported Sudoku size {n}; supported: {sorted(BOX_SHAPES)}")
        train = _generate(train_size, n, seed, 0, min_rating, set(), workers, progress, max_steps,
                          f"sudoku {n}x{n} train")
        test = _generate(1000 if test_size is None else test_size, n, seed, 1, min_rating,
                         {p.tobytes() for p in train[0]}, workers, progress, max_steps, f"sudoku {n}x{n} test")
    stats["train_rating"] = _rating_stats(train[2])
    stats["test_rating"] = _rating_stats(test[2])
    jobs = [(p, s, n, aug, seed, i) for i, (p, s) in enumerate(zip(train[0], train[1]))]
    groups = parallel_map(_group_job, jobs, workers if aug >= 50 else 1, desc="sudoku augment",
                          progress=progress, chunksize=max(1, len(jobs) // 64))
    target = atomic_dataset_dir(out, "sudoku", args, overwrite)
    target.record["stats"] = stats
    target.record["inputs"] = [file_digest(f) for f in (source, source_test) if f]
    with target as tmp:
        common = dict(vocab_size=n + 2, pad_id=0, ignore_label_id=0, blank_identifier_id=0, num_puzzle_identifiers=1)
        write_split(tmp, "train", {"all": _pack([g[0] for g in groups], [g[1] for g in groups])}, **common)
        np.save(tmp / "train" / "all__ratings.npy", np.asarray(train[2], np.int32))
        if len(test[0]):
            write_split(tmp, "test", {"all": _pack([encode(test[0])], [encode(test[1])], group_size=1)}, **common)
            np.save(tmp / "test" / "all__ratings.npy", np.asarray(test[2], np.int32))
        write_identifiers(tmp, ["<blank>"])
    return target.record
