"""The on-disk puzzle data set format of the reference HRM (sapientinc/HRM, arXiv 2506.21734), read and written.

A data set directory holds one sub-directory per split (``train/``, ``test/``), each with ``dataset.json`` and, for
every set name listed there, five arrays::

    {set}__inputs.npy              [E, seq_len] tokens, one row per example
    {set}__labels.npy              [E, seq_len] target tokens
    {set}__puzzle_identifiers.npy  [P] int32, one per puzzle (an index into identifiers.json)
    {set}__puzzle_indices.npy      [P + 1] int32 CSR offsets: puzzle p owns examples [pi[p], pi[p + 1])
    {set}__group_indices.npy       [G + 1] int32 CSR offsets: group g owns puzzles [gi[g], gi[g + 1])

A group is one original puzzle with its augmentations. The root holds ``identifiers.json`` (identifier -> name)
and, for sets built by reasonkit, ``build.json`` (how it was built: command, arguments, seed, versions). Data
written by the reference's scripts loads here and the other way round; TRM's extra ``total_puzzles`` key is
written too, so TRM's loader accepts our data.

Writes are atomic: a data set is built in a temporary sibling directory and renamed into place, so an existing
data set is never half-overwritten.
"""
from __future__ import annotations

import datetime
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict

__all__ = [
    "DatasetMeta", "SetArrays", "FIELDS", "load_metadata", "load_set", "write_split", "write_identifiers",
    "load_identifiers", "load_build_info", "atomic_dataset_dir", "check_output_dir", "DatasetExistsError",
    "package_version", "NpyAppender", "write_split_meta", "file_digest",
]

FIELDS = ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices")
BUILD_FILE = "build.json"
IDENTIFIERS_FILE = "identifiers.json"


class DatasetExistsError(FileExistsError):
    """The output directory already holds something other than the data set being built."""


class DatasetMeta(BaseModel):
    """``dataset.json`` of one split, with the reference's keys.

    ``ignore_label_id`` is the label token that the loss ignores (the loader maps it to -100); ``blank_identifier_id``
    is the puzzle identifier used for padding rows. ``total_puzzles`` is TRM's addition (optional on read).
    """

    model_config = ConfigDict(extra="forbid")

    pad_id: int
    ignore_label_id: Optional[int]
    blank_identifier_id: int
    vocab_size: int
    seq_len: int
    num_puzzle_identifiers: int
    total_groups: int
    mean_puzzle_examples: float
    sets: list[str]
    total_puzzles: Optional[int] = None


@dataclass
class SetArrays:
    """The five arrays of one set of one split (see the module docstring)."""

    inputs: np.ndarray
    labels: np.ndarray
    puzzle_identifiers: np.ndarray
    puzzle_indices: np.ndarray
    group_indices: np.ndarray

    def validate(self, where: str = "") -> None:
        """Raise ValueError if the CSR offsets and array shapes are inconsistent."""
        pre = f"{where}: " if where else ""
        e, p, g = len(self.inputs), len(self.puzzle_identifiers), len(self.group_indices) - 1
        if self.inputs.shape != self.labels.shape or self.inputs.ndim != 2:
            raise ValueError(f"{pre}inputs {self.inputs.shape} and labels {self.labels.shape} must be equal [E, seq]")
        pi, gi = self.puzzle_indices, self.group_indices
        if len(pi) != p + 1 or pi[0] != 0 or pi[-1] != e or np.any(np.diff(pi) <= 0):
            raise ValueError(f"{pre}puzzle_indices must be increasing offsets from 0 to {e} with {p + 1} entries")
        if g < 0 or gi[0] != 0 or gi[-1] != p or np.any(np.diff(gi) <= 0):
            raise ValueError(f"{pre}group_indices must be increasing offsets from 0 to {p}")

    @property
    def num_examples(self) -> int:
        return len(self.inputs)

    @property
    def num_puzzles(self) -> int:
        return len(self.puzzle_identifiers)

    @property
    def num_groups(self) -> int:
        return len(self.group_indices) - 1


def package_version() -> str:
    """The installed reasonkit version, or "0+unknown" when running from a source tree."""
    try:
        from importlib.metadata import version

        return version("reasonkit")
    except Exception:
        return "0+unknown"


def load_metadata(data_dir: str | os.PathLike, split: str) -> DatasetMeta:
    """Read and validate ``{data_dir}/{split}/dataset.json``."""
    path = Path(data_dir) / split / "dataset.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no dataset.json (is {data_dir} a puzzle data set with a {split!r} split?)")
    with open(path) as f:
        return DatasetMeta(**json.load(f))


def load_set(data_dir: str | os.PathLike, split: str, set_name: str, mmap: bool = True) -> SetArrays:
    """Load the arrays of one set; inputs and labels memory-mapped when ``mmap``, indices in memory."""
    base = Path(data_dir) / split
    arrays = {}
    for name in FIELDS:
        mode = "r" if (mmap and name in ("inputs", "labels")) else None
        arrays[name] = np.load(base / f"{set_name}__{name}.npy", mmap_mode=mode)
    return SetArrays(**arrays)


def load_identifiers(data_dir: str | os.PathLike) -> list[str]:
    with open(Path(data_dir) / IDENTIFIERS_FILE) as f:
        return json.load(f)


def load_build_info(data_dir: str | os.PathLike) -> Optional[dict]:
    path = Path(data_dir) / BUILD_FILE
    if not path.is_file():
        return None
    with open(path) as f:
        return json.load(f)


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
    seq_len = None
    examples = puzzles = groups = 0
    for set_name, arr in sets.items():
        arr.validate(f"{split}/{set_name}")
        if seq_len is not None and arr.inputs.shape[1] != seq_len:
            raise ValueError(f"{split}/{set_name}: seq_len {arr.inputs.shape[1]} differs from {seq_len}")
        seq_len = arr.inputs.shape[1]
        for name in FIELDS:
            value = getattr(arr, name)
            if name not in ("inputs", "labels"):
                value = np.asarray(value, dtype=np.int32)
            np.save(out / f"{set_name}__{name}.npy", value)
        examples += arr.num_examples
        puzzles += arr.num_puzzles
        groups += arr.num_groups
    meta = DatasetMeta(
        pad_id=pad_id, ignore_label_id=ignore_label_id, blank_identifier_id=blank_identifier_id,
        vocab_size=vocab_size, seq_len=int(seq_len or 0), num_puzzle_identifiers=num_puzzle_identifiers,
        total_groups=groups, mean_puzzle_examples=examples / max(puzzles, 1), sets=list(sets), total_puzzles=puzzles,
    )
    with open(out / "dataset.json", "w") as f:
        json.dump(meta.model_dump(), f)
    return meta


def write_identifiers(root: str | os.PathLike, names: list[str]) -> None:
    with open(Path(root) / IDENTIFIERS_FILE, "w") as f:
        json.dump(names, f)


def _build_record(builder: str, args: Mapping[str, Any]) -> dict:
    return {
        "tool": "reasonkit",
        "reasonkit_version": package_version(),
        "numpy_version": np.__version__,
        "builder": builder,
        "args": dict(args),
        "command": list(sys.argv),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def check_output_dir(out: str | os.PathLike, builder: str, args: Mapping[str, Any], overwrite: bool = False) -> None:
    """Raise DatasetExistsError unless a ``builder`` build with ``args`` may be written to ``out``.

    ``out`` may be missing, an empty directory or a data set whose build record has the same builder and arguments
    (a rebuild); with ``overwrite`` any directory will do. Builders call this before doing any work, so a wrong
    ``--out`` fails at once; ``atomic_dataset_dir`` checks again before writing.
    """
    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise DatasetExistsError(f"{out}: exists and is not a directory")
    if not any(out.iterdir()) or overwrite:
        return
    info = load_build_info(out)
    if info is None:
        raise DatasetExistsError(
            f"{out}: directory is not empty and holds no reasonkit build.json; refusing to overwrite it "
            "(choose another --out or pass --overwrite)")
    same = info.get("builder") == builder and info.get("args") == dict(args)
    if not same:
        raise DatasetExistsError(
            f"{out}: already holds a different data set (builder {info.get('builder')!r}, args "
            f"{info.get('args')}); choose another --out or pass --overwrite")


class atomic_dataset_dir:
    """Context manager that yields a temporary directory and, on success, renames it to ``out``.

    If ``out`` exists it must be empty or a data set whose build record has the same builder and arguments (a
    rebuild); anything else raises DatasetExistsError unless ``overwrite``. The old directory is replaced only
    after the new one is complete; on error the temporary directory is removed and ``out`` is untouched.
    ``build.json`` is written last, into the temporary directory.
    """

    def __init__(self, out: str | os.PathLike, builder: str, args: Mapping[str, Any], overwrite: bool = False):
        self.out = Path(out)
        self.record = _build_record(builder, args)
        self.overwrite = overwrite
        self.tmp: Optional[Path] = None

    def _check_existing(self) -> None:
        check_output_dir(self.out, self.record["builder"], self.record["args"], self.overwrite)

    def __enter__(self) -> Path:
        self._check_existing()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        assert self.tmp is not None
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        with open(self.tmp / BUILD_FILE, "w") as f:
            json.dump(self.record, f, indent=1)
        old = None
        if self.out.exists():
            old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            os.rename(self.out, old)
        os.rename(self.tmp, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return False


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
                out[i:i + step] = src[i:i + step]
            del src
        out.flush()
        del out
        os.remove(self._raw_path)


def write_split_meta(root: str | os.PathLike, split: str, sets: Mapping[str, tuple[int, int, int, int]], *,
                     vocab_size: int, pad_id: int = 0, ignore_label_id: Optional[int] = 0,
                     blank_identifier_id: int = 0, num_puzzle_identifiers: int = 1) -> DatasetMeta:
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
        pad_id=pad_id, ignore_label_id=ignore_label_id, blank_identifier_id=blank_identifier_id,
        vocab_size=vocab_size, seq_len=seq_len.pop(), num_puzzle_identifiers=num_puzzle_identifiers,
        total_groups=sum(v[3] for v in sets.values()), mean_puzzle_examples=examples / max(puzzles, 1),
        sets=list(sets), total_puzzles=puzzles)
    with open(out / "dataset.json", "w") as f:
        json.dump(meta.model_dump(), f)
    return meta


def file_digest(path: str | os.PathLike) -> dict:
    """Size and SHA-256 of an input file, for the build record."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"path": str(path), "bytes": os.path.getsize(path), "sha256": h.hexdigest()}
