"""Examples of a data set split read by row, memory-mapped, so a picture of one puzzle of a large split (ARC's
test split has hundreds of thousands of augmented rows) reads only that puzzle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..data.io import load_set
from ..data.schema import IGNORE_LABEL, DatasetMeta
from ..data.validate import verify_dataset
from ..errors import DataError

__all__ = ["Examples", "read_examples", "split_size"]


@dataclass
class Examples:
    """Rows of a split: token inputs and labels (ignore label -100) [n, seq], puzzle ids [n], where they came from
    and the split's metadata."""

    inputs: np.ndarray
    labels: np.ndarray
    puzzle_identifiers: np.ndarray
    rows: np.ndarray
    data_dir: Path
    split: str
    meta: DatasetMeta


def _sets(data_dir: str | Path, split: str):
    if not Path(data_dir).is_dir():
        raise DataError(f"data directory {data_dir} does not exist")
    meta = verify_dataset(data_dir, split)
    return meta, [(name, load_set(data_dir, split, name)) for name in meta.sets]


def split_size(data_dir: str | Path, split: str) -> int:
    """The number of examples in a split (DataError if the data set or the split is missing or damaged)."""
    return sum(len(arr.inputs) for _, arr in _sets(data_dir, split)[1])


def read_examples(data_dir: str | Path, split: str, rows: Sequence[int]) -> Examples:
    """The examples at ``rows`` (counted over the split's sets in order, as ``reasonkit eval`` counts them)."""
    meta, sets = _sets(data_dir, split)
    total = sum(len(arr.inputs) for _, arr in sets)
    rows = np.asarray(rows, dtype=np.int64)
    bad = rows[(rows < 0) | (rows >= total)]
    if bad.size:
        raise DataError(
            f"index {int(bad[0])} is out of range: the {split!r} split of {data_dir} has {total} examples "
            f"(0-{total - 1})"
        )
    inputs = np.zeros((len(rows), meta.seq_len), np.int32)
    labels = np.zeros((len(rows), meta.seq_len), np.int64)
    ids = np.zeros(len(rows), np.int32)
    offset = 0
    for _, arr in sets:
        where = np.flatnonzero((rows >= offset) & (rows < offset + len(arr.inputs)))
        local = rows[where] - offset
        inputs[where] = arr.inputs[local]
        labels[where] = arr.labels[local]
        ids[where] = arr.puzzle_identifiers[np.searchsorted(arr.puzzle_indices, local, side="right") - 1]
        offset += len(arr.inputs)
    if meta.ignore_label_id is not None:
        labels[labels == meta.ignore_label_id] = IGNORE_LABEL
    return Examples(inputs, labels, ids, rows, Path(data_dir), split, meta)
