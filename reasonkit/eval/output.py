"""Writing result files safely: the path is checked before any work, and the file appears whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, TextIO

from ..errors import OutputError

__all__ = ["check_writable", "write_text"]


def check_writable(path: str | os.PathLike, *, overwrite: bool = True) -> None:
    """Raise OutputError unless a file can be written at ``path`` (not a directory, a writable parent)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a directory; give a file name for the output")
    if path.exists() and not overwrite:
        raise OutputError(f"{path} exists; choose another output file or delete it")
    parent = path.parent if str(path.parent) else Path(".")
    probe = parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: {probe} is not a writable directory")


def write_text(path: str | os.PathLike, fill: Callable[[TextIO], None]) -> None:
    """Write a text file atomically: ``fill(f)`` writes into a temporary sibling that is renamed onto ``path``."""
    path = Path(path)
    check_writable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            fill(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
