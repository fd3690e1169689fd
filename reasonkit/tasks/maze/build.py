"""Building a maze data set (Maze-Hard of HRM, arXiv 2506.21734) from its CSV files or generated mazes.

With ``aug`` each training maze forms a group of its 8 dihedral transforms (the reference's ``aug`` flag).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

import numpy as np

from ...data._parallel import parallel_map
from ...data.augment import Dihedral
from ...data.builddir import check_output_dir
from ...data.builder import check_disjoint, pack_puzzles, puzzle_seed, sample, write_dataset
from ..base import count_value
from .codec import CHARSET, encode
from .generate import generate_maze
from .paths import count_shortest_paths
from .reader import read_maze_csv

if TYPE_CHECKING:  # the task spec calls this module; annotations only
    from .task import MazeTask

__all__ = ["build_maze_dataset"]


def _gen_job(job):
    seed, size, min_path, loops, style, ties, noise_share = job
    return generate_maze(seed, size, min_path, loops, style=style, ties=ties, noise_share=noise_share)


def _pack(questions: np.ndarray, answers: np.ndarray, dihedral: bool):
    ks = range(8) if dihedral else range(1)
    inputs = np.stack([encode(Dihedral(k)(q)).reshape(-1) for q in questions for k in ks])
    labels = np.stack([encode(Dihedral(k)(a)).reshape(-1) for a in answers for k in ks])
    return pack_puzzles(inputs, labels, group_size=len(ks))


def build_maze_dataset(
    task: MazeTask,
    out: str | os.PathLike,
    *,
    workers: Optional[int] = None,
    overwrite: bool = False,
    progress: bool = True,
) -> dict:
    """Build the data set ``task`` describes in ``out`` and return its build record (see :class:`MazeTask`)."""
    args = task.model_dump()
    check_output_dir(out, "maze", args, overwrite)
    rng = np.random.default_rng([task.seed, 1])
    if task.source:
        train = sample(rng, count_value(task.train_size), read_maze_csv(task.source))
        test = None
        if task.source_test:
            test = sample(rng, count_value(task.test_size), read_maze_csv(task.source_test), keep_order=True)
            check_disjoint(train[0], test[0], task.source, task.source_test)
    else:
        splits = []
        for stream, count in ((0, task.train_size), (1, task.test_size)):
            jobs = [
                (
                    puzzle_seed(task.seed, i, stream),
                    task.side,
                    task.train_path_length if stream == 0 else task.path_length,
                    task.loop_fraction,
                    task.maze_style,
                    bool(task.ties),
                    task.noise_share,
                )
                for i in range(count)
            ]
            res = parallel_map(
                _gen_job,
                jobs,
                workers,
                progress=progress,
                chunksize=4,
                desc=f"maze {task.side}x{task.side} {'train' if stream == 0 else 'test'}",
            )
            splits.append((np.stack([r[0] for r in res]), np.stack([r[1] for r in res])))
        train, test = splits
    lengths = [count_shortest_paths(x)[0] for x in train[0]]
    arrays = {"train": _pack(*train, dihedral=task.aug)}
    if test is not None:
        arrays["test"] = _pack(*test, dihedral=False)
    stats = {
        "train_path_length": {"mean": float(np.mean(lengths)), "min": int(np.min(lengths)), "max": int(np.max(lengths))}
    }
    return write_dataset(
        out,
        "maze",
        args,
        arrays,
        vocab_size=len(CHARSET) + 1,
        stats=stats,
        inputs=(task.source, task.source_test),
        overwrite=overwrite,
    )
