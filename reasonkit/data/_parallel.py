"""Ordered, seeded parallel map with a progress bar, shared by the builders.

Every work item carries its own seed, so results do not depend on how many worker processes run them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from typing import Callable, Iterator, Optional, Sequence, TypeVar

from tqdm import tqdm

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["parallel_map", "parallel_imap", "default_workers"]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def parallel_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: Optional[int] = None,
    desc: str = "",
    progress: bool = True,
    chunksize: int = 1,
) -> list[R]:
    """``[fn(x) for x in items]`` over ``workers`` processes (1 = in this process), in order, with tqdm."""
    workers = default_workers() if workers is None else max(1, workers)
    bar = tqdm(total=len(items), desc=desc, disable=not progress, dynamic_ncols=True)
    try:
        if workers == 1 or len(items) <= 1:
            out = []
            for x in items:
                out.append(fn(x))
                bar.update(1)
            return out
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(min(workers, len(items))) as pool:
            out = []
            for r in pool.imap(fn, items, chunksize=chunksize):
                out.append(r)
                bar.update(1)
            return out
    finally:
        bar.close()


def parallel_imap(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: Optional[int] = None,
    desc: str = "",
    progress: bool = True,
    chunksize: int = 1,
) -> Iterator[R]:
    """Like ``parallel_map`` but yields results in order as they arrive, from one pool."""
    workers = default_workers() if workers is None else max(1, workers)
    bar = tqdm(total=len(items), desc=desc, disable=not progress, dynamic_ncols=True)
    try:
        if workers == 1 or len(items) <= 1:
            for x in items:
                yield fn(x)
                bar.update(1)
            return
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(min(workers, len(items))) as pool:
            for r in pool.imap(fn, items, chunksize=chunksize):
                yield r
                bar.update(1)
    finally:
        bar.close()
