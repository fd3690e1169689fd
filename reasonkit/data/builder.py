"""The skeleton the puzzle builders share: seeds, split sizes, sampling, packing and writing a data set.

A builder reads its puzzles from files or generates them, then calls :func:`write_dataset` with one
:class:`~reasonkit.data.schema.SetArrays` per split; the data set appears atomically with its ``build.json``.
Puzzles with one example each (Sudoku, Maze) are packed by :func:`pack_puzzles`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np

from ..errors import DataError
from .builddir import AtomicDatasetDir
from .io import file_digest, write_identifiers, write_split
from .schema import SetArrays

__all__ = ["puzzle_seed", "sample", "check_disjoint", "pack_puzzles", "write_dataset"]


def puzzle_seed(seed: int, index: int, stream: int = 0) -> int:
    """The seed of puzzle ``index`` of stream ``stream`` (e.g. 0 train, 1 test) of a set built with ``seed``."""
    return int(np.random.SeedSequence([seed, stream, index]).generate_state(1, np.uint64)[0])


def sample(
    rng: np.random.Generator, count: Optional[int], arrays: Sequence[np.ndarray], keep_order: bool = False
) -> tuple[np.ndarray, ...]:
    """A seeded sample of ``count`` rows of equally long arrays (all rows when ``count`` is None or larger)."""
    total = len(arrays[0])
    if count is None or count >= total:
        return tuple(arrays)
    pick = rng.choice(total, size=count, replace=False)
    if keep_order:
        pick = np.sort(pick)
    return tuple(a[pick] for a in arrays)


def check_disjoint(train: np.ndarray, test: np.ndarray, train_file: str, test_file: str) -> None:
    """Raise DataError if test puzzles (rows) also appear among the training puzzles: the score would not be on
    unseen puzzles."""
    seen = {row.tobytes() for row in np.asarray(train).reshape(len(train), -1)}
    shared = sum(row.tobytes() in seen for row in np.asarray(test).reshape(len(test), -1))
    if shared:
        raise DataError(
            f"{shared} of the {len(test)} test puzzles of {test_file} are also training puzzles of "
            f"{train_file}; give disjoint files (or evaluate on the train split on purpose with "
            "`reasonkit eval --split train`)"
        )


def pack_puzzles(inputs: np.ndarray, labels: np.ndarray, group_size: int = 1) -> SetArrays:
    """One puzzle per row with one example each (identifier 0), ``group_size`` consecutive puzzles per group."""
    total = len(inputs)
    if total % group_size:
        raise ValueError(f"{total} puzzles do not split into groups of {group_size}")
    return SetArrays(
        inputs=np.ascontiguousarray(inputs, np.uint8),
        labels=np.ascontiguousarray(labels, np.uint8),
        puzzle_identifiers=np.zeros(total, np.int32),
        puzzle_indices=np.arange(total + 1, dtype=np.int32),
        group_indices=np.arange(0, total + 1, group_size, dtype=np.int32),
    )


def write_dataset(
    out: str | os.PathLike,
    builder: str,
    args: Mapping[str, Any],
    splits: Mapping[str, SetArrays],
    *,
    vocab_size: int,
    stats: Optional[dict] = None,
    inputs: Sequence[Optional[str]] = (),
    overwrite: bool = False,
    extra: Optional[Callable[[Path], None]] = None,
) -> dict:
    """Write a data set of single-identifier puzzles atomically and return its build record.

    ``splits`` maps split names to their arrays (set ``all``); ``inputs`` are the source files, recorded with
    their size and SHA-256; ``extra(tmp)`` may add files to the data set before it is renamed into place.
    """
    target = AtomicDatasetDir(out, builder, args, overwrite)
    target.record["stats"] = stats or {}
    target.record["inputs"] = [file_digest(f) for f in inputs if f]
    with target as tmp:
        for split, arrays in splits.items():
            write_split(
                tmp,
                split,
                {"all": arrays},
                vocab_size=vocab_size,
                pad_id=0,
                ignore_label_id=0,
                blank_identifier_id=0,
                num_puzzle_identifiers=1,
            )
        write_identifiers(tmp, ["<blank>"])
        if extra is not None:
            extra(tmp)
    return target.record
