"""Building a Sudoku data set (Sudoku-Extreme of HRM, arXiv 2506.21734) from CSV files or generated puzzles.

The training split holds ``train_size`` groups, each the original puzzle followed by ``aug`` augmented copies
(:mod:`.symmetries`); the test split holds one puzzle per group, unaugmented. Generated test puzzles are
distinct from the training puzzles.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np

from ...data._parallel import parallel_map
from ...data.builddir import check_output_dir
from ...data.builder import check_disjoint, pack_puzzles, puzzle_seed, sample, write_dataset
from ...errors import DataError
from ..base import count_value
from .codec import encode
from .generate import generate_puzzle
from .reader import read_sudoku_csv
from .solver import solve
from .symmetries import augment_group

if TYPE_CHECKING:  # the task spec calls this module; annotations only
    from .task import SudokuTask

__all__ = ["build_sudoku_dataset"]

#: Generated test puzzles when ``test_size`` is not given.
DEFAULT_TEST_SIZE = 1000


def _group_job(job):
    puzzle, solution, n, num_aug, seed, index = job
    rng = np.random.default_rng([seed, 2, index])
    inputs, labels = augment_group(puzzle, solution, n, num_aug, rng)
    return encode(inputs), encode(labels)


def _gen_job(job):
    seed, n, min_rating, max_steps = job
    g = generate_puzzle(seed, n, min_rating, max_steps)
    return g.puzzle, g.solution, g.rating


def _generate(
    count: int,
    n: int,
    seed: int,
    stream: int,
    min_rating: int,
    exclude: set,
    workers,
    progress,
    max_steps: int,
    desc: str,
):
    """``count`` distinct puzzles not in ``exclude``, in seed order (deterministic for any worker count)."""
    solve([0] * (n * n), n, limit=1)  # load the C solver (or warn once) before the workers fork
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
            raise DataError(
                f"could only generate {len(got_p)} distinct {n}x{n} puzzles of {count} requested; "
                "lower min_rating or the number of puzzles"
            )
    return np.stack(got_p), np.stack(got_s), np.asarray(got_r)


def _rating_stats(ratings: np.ndarray) -> dict:
    r = np.asarray(ratings)
    if r.size == 0:
        return {}
    q = np.percentile(r, [10, 25, 50, 75, 90, 99])
    return {
        "count": int(r.size),
        "mean": float(r.mean()),
        "min": int(r.min()),
        "max": int(r.max()),
        "p10": float(q[0]),
        "p25": float(q[1]),
        "median": float(q[2]),
        "p75": float(q[3]),
        "p90": float(q[4]),
        "p99": float(q[5]),
    }


def build_sudoku_dataset(
    task: SudokuTask,
    out: str | os.PathLike,
    *,
    workers: Optional[int] = None,
    overwrite: bool = False,
    progress: bool = True,
) -> dict:
    """Build the data set ``task`` describes in ``out`` and return its build record (see :class:`SudokuTask`)."""
    args = task.model_dump()
    check_output_dir(out, "sudoku", args, overwrite)  # before any work: a wrong out fails at once
    rng = np.random.default_rng([task.seed, 1])
    if task.source:
        q, a, r, _, n = read_sudoku_csv(task.source, task.min_rating)
        train = sample(rng, count_value(task.train_size), (q, a, r))
        test = (q[:0], a[:0], r[:0])
        if task.source_test:
            tq, ta, tr, _, tn = read_sudoku_csv(task.source_test, task.min_rating)
            if tn != n:
                raise DataError(
                    f"{task.source_test}: {tn}x{tn} grids, but {task.source} has {n}x{n}; "
                    "give CSV files of one grid size"
                )
            test = sample(rng, count_value(task.test_size), (tq, ta, tr), keep_order=True)
            check_disjoint(train[0], test[0], task.source, task.source_test)
    else:
        n = task.grid_size
        train = _generate(
            task.train_size,
            n,
            task.seed,
            0,
            task.min_rating,
            set(),
            workers,
            progress,
            task.generation_steps,
            f"sudoku {n}x{n} train",
        )
        test = _generate(
            task.test_size or DEFAULT_TEST_SIZE,
            n,
            task.seed,
            1,
            task.min_rating,
            {p.tobytes() for p in train[0]},
            workers,
            progress,
            task.generation_steps,
            f"sudoku {n}x{n} test",
        )
    jobs = [(p, s, n, task.aug, task.seed, i) for i, (p, s) in enumerate(zip(train[0], train[1]))]
    groups = parallel_map(
        _group_job,
        jobs,
        workers if task.aug >= 50 else 1,
        desc="sudoku augment",
        progress=progress,
        chunksize=max(1, len(jobs) // 64),
    )
    splits = {
        "train": pack_puzzles(
            np.concatenate([g[0] for g in groups]), np.concatenate([g[1] for g in groups]), group_size=1 + task.aug
        )
    }
    if len(test[0]):
        splits["test"] = pack_puzzles(encode(test[0]), encode(test[1]))

    def ratings(tmp: Path) -> None:
        np.save(tmp / "train" / "all__ratings.npy", np.asarray(train[2], np.int32))
        if "test" in splits:
            np.save(tmp / "test" / "all__ratings.npy", np.asarray(test[2], np.int32))

    stats = {"train_rating": _rating_stats(train[2]), "test_rating": _rating_stats(test[2])}
    return write_dataset(
        out,
        "sudoku",
        args,
        splits,
        vocab_size=n + 2,
        stats=stats,
        inputs=(task.source, task.source_test),
        overwrite=overwrite,
        extra=ratings,
    )
