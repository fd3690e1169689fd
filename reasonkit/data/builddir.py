"""The atomic build directory: a data set is built in a temporary sibling and renamed into place.

``build.json`` records how a data set was built (builder, arguments, versions, command); a rebuild with the same
builder and arguments may replace a data set, anything else needs ``overwrite``.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

from .._version import __version__
from ..errors import OutputError
from .io import load_build_info
from .schema import BUILD_FILE

__all__ = ["DatasetExistsError", "check_output_dir", "AtomicDatasetDir", "build_record"]


class DatasetExistsError(OutputError, FileExistsError):
    """The output directory already holds something other than the data set being built."""


def build_record(builder: str, args: Mapping[str, Any]) -> dict:
    """What ``build.json`` holds: the tool, versions, builder, arguments, command line and time."""
    return {
        "tool": "reasonkit",
        "reasonkit_version": __version__,
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
    ``--out`` fails at once; ``AtomicDatasetDir`` checks again before writing.
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
            "(choose another --out or pass --overwrite)"
        )
    same = info.get("builder") == builder and info.get("args") == dict(args)
    if not same:
        raise DatasetExistsError(
            f"{out}: already holds a different data set (builder {info.get('builder')!r}, args "
            f"{info.get('args')}); choose another --out or pass --overwrite"
        )


class AtomicDatasetDir:
    """Context manager that yields a temporary directory and, on success, renames it to ``out``.

    If ``out`` exists it must be empty or a data set whose build record has the same builder and arguments (a
    rebuild); anything else raises DatasetExistsError unless ``overwrite``. The old directory is replaced only
    after the new one is complete; on error the temporary directory is removed and ``out`` is untouched.
    ``build.json`` is written last, into the temporary directory.
    """

    def __init__(self, out: str | os.PathLike, builder: str, args: Mapping[str, Any], overwrite: bool = False):
        self.out = Path(out)
        self.record = build_record(builder, args)
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
