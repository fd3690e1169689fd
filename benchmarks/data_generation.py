"""Time the data builders and the loader; print one JSON line per measurement.

    python benchmarks/data_generation.py [sudoku-hard] [sudoku-solver] [sudoku-build] [maze] [arc1] [arc2] [loader]
        [--out DIR] [--workers N] [--count N] [--min-rating R] [--arc-aug N]

Figures and the machine they were measured on are in benchmarks/README.md ("Data generation").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time

import numpy as np


def emit(**kw):
    print(json.dumps(kw), flush=True)


def _timed_gen_job(job):
    from reasonkit.tasks.sudoku.build import _gen_job

    t = time.process_time()
    out = _gen_job(job)
    return out + (time.process_time() - t,)


def sudoku_hard(a):
    from reasonkit.data._parallel import parallel_map
    from reasonkit.data.builder import puzzle_seed
    from reasonkit.tasks.sudoku.build import _rating_stats

    jobs = [(puzzle_seed(0, i), 9, a.min_rating, 400) for i in range(a.count)]
    t = time.perf_counter()
    res = parallel_map(_timed_gen_job, jobs, a.workers, desc=f"9x9 min-rating {a.min_rating}")
    dt = time.perf_counter() - t
    cpu = sum(r[3] for r in res)
    ratings = np.asarray([r[2] for r in res])
    clues = np.asarray([int((r[0] > 0).sum()) for r in res])
    emit(
        bench="sudoku-hard-9x9",
        count=a.count,
        min_rating=a.min_rating,
        workers=a.workers,
        seconds=round(dt, 1),
        cpu_seconds=round(cpu, 1),
        cpu_s_per_puzzle=round(cpu / a.count, 3),
        rating=_rating_stats(ratings),
        mean_clues=float(clues.mean()),
        histogram=np.histogram(ratings, bins=[0, 10, 20, 30, 40, 60, 100, 10**6])[0].tolist(),
    )


def sudoku_solver(a):
    """Native vs pure-Python solver on the same minimal 9x9 puzzles, in one run, as a ratio."""
    from reasonkit.tasks.sudoku import generate_puzzle
    from reasonkit.tasks.sudoku.solver import solve, solve_py

    puzzles = [list(generate_puzzle(i, 9, 10).puzzle) for i in range(30)]
    t = time.perf_counter()
    for p in puzzles:
        solve_py(p, 9)
    py = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(10):
        for p in puzzles:
            solve(p, 9)
    native = (time.perf_counter() - t) / 10
    emit(
        bench="sudoku-solver",
        puzzles=len(puzzles),
        python_ms=round(1000 * py / len(puzzles), 3),
        native_ms=round(1000 * native / len(puzzles), 3),
        speedup=round(py / native, 1),
    )


def sudoku_build(a):
    from reasonkit.tasks.sudoku import build_sudoku

    out = os.path.join(a.out, "sudoku-9x9-1k-aug1k")
    t = time.perf_counter()
    rec = build_sudoku(
        out,
        size=9,
        train_size=1000,
        test_size=1000,
        aug=1000,
        seed=0,
        min_rating=a.min_rating,
        workers=a.workers,
        overwrite=True,
    )
    emit(
        bench="sudoku-build-9x9-1000x1001",
        min_rating=a.min_rating,
        seconds=round(time.perf_counter() - t, 1),
        stats=rec["stats"],
        bytes=_du(out),
    )


def maze(a):
    from reasonkit.tasks.maze import build_maze

    out = os.path.join(a.out, "maze-30x30-1k")
    t = time.perf_counter()
    rec = build_maze(
        out, size=30, min_path=110, train_size=1000, test_size=1000, seed=0, workers=a.workers, overwrite=True
    )
    emit(bench="maze-build-30x30-1k+1k", seconds=round(time.perf_counter() - t, 1), stats=rec["stats"])


def _arc(a, version):
    from reasonkit.tasks.arc import build_arc

    out = os.path.join(a.out, f"arc{version}-aug{a.arc_aug}")
    t = time.perf_counter()
    rec = build_arc(out, version=version, num_aug=a.arc_aug, workers=a.workers, overwrite=True)
    emit(
        bench=f"arc{version}-build",
        aug=a.arc_aug,
        seconds=round(time.perf_counter() - t, 1),
        stats=rec["stats"],
        bytes=_du(out),
    )


def loader(a):
    from reasonkit.data import PuzzleLoader

    out = os.path.join(a.out, "sudoku-9x9-1k-aug1k")
    if not os.path.isdir(out):
        sudoku_build(a)
    ld = PuzzleLoader(out, "train", global_batch_size=768, seed=0, epochs_per_iter=100)
    t = time.perf_counter()
    n = sum(1 for _ in ld)
    dt = time.perf_counter() - t
    emit(
        bench="loader-sudoku-train",
        batches=n,
        batch=768,
        seconds=round(dt, 2),
        batches_per_s=round(n / dt, 1),
        examples_per_s=round(n * 768 / dt),
    )


def _du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


BENCHES = {
    "sudoku-hard": sudoku_hard,
    "sudoku-solver": sudoku_solver,
    "sudoku-build": sudoku_build,
    "maze": maze,
    "arc1": lambda a: _arc(a, 1),
    "arc2": lambda a: _arc(a, 2),
    "loader": loader,
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("which", nargs="*", default=list(BENCHES))
    p.add_argument("--out", default=None, help="where to build (default: a temporary directory, removed)")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--min-rating", type=int, default=20)
    p.add_argument("--arc-aug", type=int, default=1000)
    a = p.parse_args()
    tmp = None
    if a.out is None:
        a.out = tmp = tempfile.mkdtemp(prefix="rk-data-bench-")
    emit(machine=platform.processor() or platform.machine(), cpus=os.cpu_count(), python=platform.python_version())
    try:
        for name in a.which:
            BENCHES[name](a)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
