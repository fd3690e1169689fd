"""Ordered, seeded parallel map with a progress bar, shared by the builders.

Every work item carries its own seed, so results do not depend on how many worker processes run them.
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Callable, Iterator, Optional, Sequence, TypeVar

from tqdm import tqdm

from ..errors import ConfigError
from ..runtime import cpu_count

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["parallel_map", "parallel_imap"]


def parallel_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: Optional[int] = None,
    desc: str = "",
    progress: bool = True,
    chunksize: int = 1,
) -> list[R]:
    """``[fn(x) for x in items]`` over ``workers`` processes (1 = in this process), in order, with tqdm."""
    return list(parallel_imap(fn, items, workers, desc, progress, chunksize))


def parallel_imap(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: Optional[int] = None,
    desc: str = "",
    progress: bool = True,
    chunksize: int = 1,
) -> Iterator[R]:
    """Yield ``fn(x)`` for every item, in order, from a pool of ``workers`` processes (default: every usable core;
    1 = in this process), with a progress bar."""
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be at least 1 (or unset for every core), got {workers}")
    workers = cpu_count() if workers is None else workers
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
