"""Checking a data set once at load, cheaply: ``dataset.json`` against the arrays' files, shapes and dtypes.

Every set of a split has its five arrays, readable (complete ``.npy`` files), of integer dtypes, with inputs and
labels of shape ``[examples, seq_len]``; the CSR offsets are monotone and cover every example and puzzle; puzzle
identifiers lie in ``[0, num_puzzle_identifiers)`` and tokens in ``[0, vocab_size)``; the group and puzzle counts
agree with ``dataset.json``. A problem is a DataError naming the file and what is wrong, before any training or
evaluation work. A split that passed is not read again while its files stay unchanged (same sizes and times).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DataError
from .io import load_metadata, load_set
from .schema import DatasetMeta

__all__ = ["verify_dataset"]

#: Rows read at a time when checking token ranges of memory-mapped arrays.
_CHUNK = 1 << 16


def _range(array: np.ndarray) -> tuple[int, int]:
    low, high = None, None
    for start in range(0, len(array), _CHUNK):
        block = np.asarray(array[start : start + _CHUNK])
        if block.size:
            low = int(block.min()) if low is None else min(low, int(block.min()))
            high = int(block.max()) if high is None else max(high, int(block.max()))
    return (0, 0) if low is None else (low, high)


_VERIFIED: dict[tuple, DatasetMeta] = {}


def _fingerprint(base: Path) -> tuple:
    try:
        return tuple(sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in base.iterdir()))
    except OSError:
        return ()


def verify_dataset(data_dir: str | os.PathLike, split: str) -> DatasetMeta:
    """Check a split of a data set (see the module docstring); returns its metadata."""
    base = Path(data_dir) / split
    key = (str(base.resolve()), _fingerprint(base))
    if key in _VERIFIED:
        return _VERIFIED[key]
    _VERIFIED[key] = meta = _verify(data_dir, split)
    return meta


def _verify(data_dir: str | os.PathLike, split: str) -> DatasetMeta:
    meta = load_metadata(data_dir, split)
    base = Path(data_dir) / split
    groups = puzzles = 0
    for name in meta.sets:
        arr = load_set(data_dir, split, name)
        where = f"{base}/{name}__"
        for field in ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices"):
            value = getattr(arr, field)
            if value.dtype.kind not in "iu":
                raise DataError(f"{where}{field}.npy holds {value.dtype} values, not integers; rebuild the data set")
        if arr.inputs.ndim != 2 or arr.inputs.shape[1] != meta.seq_len:
            raise DataError(
                f"{where}inputs.npy has shape {arr.inputs.shape} but dataset.json says seq_len="
                f"{meta.seq_len}; rebuild the data set"
            )
        if arr.labels.shape != arr.inputs.shape:
            raise DataError(
                f"{where}labels.npy has shape {arr.labels.shape}, inputs.npy {arr.inputs.shape}: they "
                "must be equal; rebuild the data set"
            )
        examples, pi, gi = len(arr.inputs), arr.puzzle_indices, arr.group_indices
        if (
            pi.ndim != 1
            or len(pi) != len(arr.puzzle_identifiers) + 1
            or pi[0] != 0
            or pi[-1] != examples
            or np.any(np.diff(pi) <= 0)
        ):
            raise DataError(
                f"{where}puzzle_indices.npy must rise from 0 to {examples} with one entry per puzzle "
                "and one more; rebuild the data set"
            )
        if (
            gi.ndim != 1
            or len(gi) < 1
            or gi[0] != 0
            or gi[-1] != len(arr.puzzle_identifiers)
            or np.any(np.diff(gi) <= 0)
        ):
            raise DataError(
                f"{where}group_indices.npy must rise from 0 to {len(arr.puzzle_identifiers)}; rebuild the data set"
            )
        ids_low, ids_high = _range(arr.puzzle_identifiers)
        if ids_low < 0 or ids_high >= meta.num_puzzle_identifiers:
            raise DataError(
                f"{where}puzzle_identifiers.npy holds ids in [{ids_low}, {ids_high}] but dataset.json "
                f"says num_puzzle_identifiers={meta.num_puzzle_identifiers}; rebuild the data set"
            )
        for field in ("inputs", "labels"):
            low, high = _range(getattr(arr, field))
            if low < 0 or high >= meta.vocab_size:
                raise DataError(
                    f"{where}{field}.npy holds tokens in [{low}, {high}] but dataset.json says "
                    f"vocab_size={meta.vocab_size}; rebuild the data set"
                )
        groups += len(gi) - 1
        puzzles += len(arr.puzzle_identifiers)
    if groups != meta.total_groups or (meta.total_puzzles is not None and puzzles != meta.total_puzzles):
        raise DataError(
            f"{base}/dataset.json counts {meta.total_groups} groups and {meta.total_puzzles} puzzles but "
            f"the arrays hold {groups} and {puzzles}; rebuild the data set"
        )
    return meta
