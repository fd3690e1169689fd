"""Reading and writing the on-disk puzzle format (see :mod:`reasonkit.data.schema`).

Writers work inside a directory that :class:`reasonkit.data.builddir.AtomicDatasetDir` renames into place once
complete, so an existing data set is never half-overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Mapping, Optional

import numpy as np
from pydantic import ValidationError

from ..errors import DataError
from .schema import BUILD_FILE, FIELDS, IDENTIFIERS_FILE, DatasetMeta, SetArrays

__all__ = [
    "load_metadata",
    "load_set",
    "load_identifiers",
    "load_build_info",
    "write_split",
    "write_split_meta",
    "write_identifiers",
    "NpyAppender",
    "file_digest",
]


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise DataError(f"{path}: not a readable {what} ({err}); rebuild the data set") from None


def load_metadata(data_dir: str | os.PathLike, split: str) -> DatasetMeta:
    """Read and validate ``{data_dir}/{split}/dataset.json``; DataError naming the file and the field."""
    path = Path(data_dir) / split / "dataset.json"
    if not path.is_file():
        raise DataError(f"{path} does not exist: is {data_dir} a puzzle data set with a {split!r} split?")
    data = _read_json(path, "dataset.json")
    if not isinstance(data, dict):
        raise DataError(f"{path}: must hold a JSON object; rebuild the data set")
    try:
        return DatasetMeta.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'dataset.json'}: {e['msg']}" for e in err.errors()
        )
        raise DataError(f"{path}: {problems}; rebuild the data set") from None


def _load_array(path: Path, mmap: bool) -> np.ndarray:
    if not path.is_file():
        raise DataError(f"{path}: missing; the data set is incomplete, rebuild it")
    try:
        return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except Exception as err:  # numpy raises ValueError, OSError, SyntaxError, TokenError... for a damaged header
        raise DataError(
            f"{path}: not a readable .npy file ({err}); it is truncated or damaged, rebuild the data set"
        ) from None


def load_set(data_dir: str | os.PathLike, split: str, set_name: str, mmap: bool = True) -> SetArrays:
    """Load the arrays of one set; inputs and labels memory-mapped when ``mmap``, indices in memory."""
    base = Path(data_dir) / split
    arrays = {
        name: _load_array(base / f"{set_name}__{name}.npy", mmap and name in ("inputs", "labels")) for name in FIELDS
    }
    return SetArrays(**arrays)


def load_identifiers(data_dir: str | os.PathLike) -> list[str]:
    """The puzzle identifier names of a data set (``identifiers.json``)."""
    path = Path(data_dir) / IDENTIFIERS_FILE
    names = _read_json(path, IDENTIFIERS_FILE)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise DataError(f"{path}: must be a JSON list of names; rebuild the data set")
    return names


def load_build_info(data_dir: str | os.PathLike) -> Optional[dict]:
    """The build record of a data set built by reasonkit (``build.json``), or None."""
    path = Path(data_dir) / BUILD_FILE
    if not path.is_file():
        return None
    info = _read_json(path, BUILD_FILE)
    if not isinstance(info, dict):
        raise DataError(f"{path}: must hold a JSON object; rebuild the data set")
    return info


def write_split(
    root: str | os.PathLike,
    split: str,
    sets: Mapping[str, SetArrays],
    *,
    vocab_size: int,
    pad_id: int = 0,
    ignore_label_id: Optional[int] = 0,
    blank_identifier_id: int = 0,
    num_puzzle_identifiers: int = 1,
) -> DatasetMeta:
    """Write one split (its sets' arrays and dataset.json) under ``root`` and return its metadata."""
    out = Path(root) / split
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for set_name, arr in sets.items():
        arr.validate(f"{split}/{set_name}")
        for name in FIELDS:
            value = getattr(arr, name)
            if name not in ("inputs", "labels"):
                value = np.asarray(value, dtype=np.int32)
            np.save(out / f"{set_name}__{name}.npy", value)
        sizes[set_name] = (arr.inputs.shape[1], arr.num_examples, arr.num_puzzles, arr.num_groups)
    return write_split_meta(
        root,
        split,
        sizes,
        vocab_size=vocab_size,
        pad_id=pad_id,
        ignore_label_id=ignore_label_id,
        blank_identifier_id=blank_identifier_id,
        num_puzzle_identifiers=num_puzzle_identifiers,
    )


def write_identifiers(root: str | os.PathLike, names: list[str]) -> None:
    with open(Path(root) / IDENTIFIERS_FILE, "w") as f:
        json.dump(names, f)


class NpyAppender:
    """Writes a 2-D ``.npy`` file row-block by row-block without holding it in memory.

    Blocks go to a raw side file; ``close()`` writes the ``.npy`` (header and data) and removes the side file.
    """

    def __init__(self, path: str | os.PathLike, width: int, dtype=np.uint8):
        self.path = Path(path)
        self.width = width
        self.dtype = np.dtype(dtype)
        self.rows = 0
        self._raw_path = self.path.with_suffix(".raw")
        self._raw = open(self._raw_path, "wb")

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=self.dtype).reshape(-1, self.width)
        self._raw.write(block.tobytes())
        self.rows += len(block)

    def close(self) -> None:
        self._raw.close()
        out = np.lib.format.open_memmap(self.path, mode="w+", dtype=self.dtype, shape=(self.rows, self.width))
        if self.rows:
            src = np.memmap(self._raw_path, dtype=self.dtype, mode="r", shape=(self.rows, self.width))
            step = max(1, (64 << 20) // max(1, self.width * self.dtype.itemsize))
            for i in range(0, self.rows, step):
                out[i : i + step] = src[i : i + step]
            del src
        out.flush()
        del out
        os.remove(self._raw_path)


def write_split_meta(
    root: str | os.PathLike,
    split: str,
    sets: Mapping[str, tuple[int, int, int, int]],
    *,
    vocab_size: int,
    pad_id: int = 0,
    ignore_label_id: Optional[int] = 0,
    blank_identifier_id: int = 0,
    num_puzzle_identifiers: int = 1,
) -> DatasetMeta:
    """Write dataset.json for a split whose arrays were written directly; ``sets`` maps a set name to
    ``(seq_len, examples, puzzles, groups)``."""
    out = Path(root) / split
    out.mkdir(parents=True, exist_ok=True)
    seq_len = {v[0] for v in sets.values()}
    if len(seq_len) != 1:
        raise ValueError(f"{split}: sets disagree on seq_len {seq_len}")
    examples = sum(v[1] for v in sets.values())
    puzzles = sum(v[2] for v in sets.values())
    meta = DatasetMeta(
        pad_id=pad_id,
        ignore_label_id=ignore_label_id,
        blank_identifier_id=blank_identifier_id,
        vocab_size=vocab_size,
        seq_len=seq_len.pop(),
        num_puzzle_identifiers=num_puzzle_identifiers,
        total_groups=sum(v[3] for v in sets.values()),
        mean_puzzle_examples=examples / max(puzzles, 1),
        sets=list(sets),
        total_puzzles=puzzles,
    )
    with open(out / "dataset.json", "w") as f:
        json.dump(meta.model_dump(), f)
    return meta


def file_digest(path: str | os.PathLike) -> dict:
    """Size and SHA-256 of an input file, for the build record."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"path": str(path), "bytes": os.path.getsize(path), "sha256": h.hexdigest()}
