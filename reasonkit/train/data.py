"""The data set of a run: reused when ``data_dir`` holds the one the task describes, built when it holds none.

A data set whose ``build.json`` records another builder or other options is an error naming the differences:
the run would otherwise train on other data than configured. A data set without a build record (built by the
reference's scripts) is used as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..data.io import load_build_info
from ..errors import DataError
from ..tasks.base import Task

__all__ = ["data_matches", "prepare_data"]


def data_matches(data_dir: str | Path, task: Task) -> bool:
    """Whether ``data_dir`` already holds the data set ``task`` describes (False when it holds none)."""
    root = Path(data_dir)
    if root.exists() and not root.is_dir():
        raise DataError(f"data_dir {root} is a file, not a data set directory; choose another data_dir")
    if not (root / "train" / "dataset.json").is_file():
        return False
    info = load_build_info(root)
    if info is None:
        return True
    fix = f"choose another data_dir, or delete {root} to rebuild it with these settings"
    if info.get("builder") != task.kind:
        raise DataError(
            f"{root} holds a data set built by the {info.get('builder')!r} builder, not {task.kind!r}; {fix}"
        )
    built, wanted = info.get("args") or {}, task.model_dump()
    differ = [
        f"{key} (built with {built.get(key)!r}, requested {value!r})"
        for key, value in wanted.items()
        if built.get(key) != value
    ]
    if differ:
        raise DataError(f"{root} already holds a data set built with other settings: {'; '.join(differ)}; {fix}")
    return True


def prepare_data(data_dir: str | Path, task: Optional[Task], *, progress: bool = True) -> Optional[dict]:
    """Make sure ``data_dir`` holds the run's data set; returns the build record when it was built now."""
    root = Path(data_dir)
    if task is None:
        if not (root / "train" / "dataset.json").is_file():
            what = "does not exist" if not root.exists() else "holds no data set (no train/dataset.json)"
            if root.is_file():
                what = "is a file and holds no data set"
            raise DataError(f"data directory {root} {what}; build one with `reasonkit data ...` or set task=...")
        return None
    if data_matches(root, task):
        return None
    return task.build(root, progress=progress)
