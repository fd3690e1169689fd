"""A lock on a run directory, so that two runs cannot write the same checkpoints.

The lock is a file ``<run>/.lock`` created exclusively (``O_CREAT | O_EXCL``) holding the owner's host, pid and
start time. A second run on the same directory refuses with a message naming the holder. A lock left by a
process that no longer exists on this host (a crash, a kill -9) is stale: it is replaced, and the replacement is
reported. A lock held on another host cannot be checked from here and is respected; delete it by hand if that run
is gone.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Optional

from ..errors import OutputError, RunLockedError

__all__ = ["RunLock"]

LOCK_FILE = ".lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class RunLock:
    """Context manager holding ``<run_dir>/.lock`` for this process; ``stale`` says whether it replaced one."""

    def __init__(self, run_dir: str | os.PathLike) -> None:
        self.path = Path(run_dir) / LOCK_FILE
        self.stale: Optional[dict] = None
        self._held = False
        self._created: list[Path] = []

    def acquire(self) -> RunLock:
        missing = [p for p in [self.path.parent, *self.path.parent.parents] if not p.exists()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._created = list(missing)
        except OSError as err:
            raise OutputError(f"cannot create the run directory {self.path.parent}: {err.strerror}") from None
        me = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and not self._is_stale(holder):
                    raise RunLockedError(
                        f"{self.path.parent} is in use by another run (pid {holder.get('pid')} on "
                        f"{holder.get('host')}); wait for it, or choose another out_dir"
                    ) from None
                self.stale = holder or {}
                self.path.unlink(missing_ok=True)
                continue
            except OSError as err:
                raise OutputError(f"cannot write {self.path}: {err.strerror}") from None
            with os.fdopen(fd, "w") as f:
                json.dump(me, f)
            self._held = True
            return self
        raise RunLockedError(f"{self.path}: another process took the lock at the same moment; try again")

    def _holder(self) -> Optional[dict]:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None  # unreadable: a process killed while writing it

    @staticmethod
    def _is_stale(holder: dict) -> bool:
        if holder.get("host") != socket.gethostname():
            return False
        pid = holder.get("pid")
        return not isinstance(pid, int) or (pid != os.getpid() and not _alive(pid))

    def release(self) -> None:
        """Remove the lock; directories that acquiring created and that stayed empty are removed too."""
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False
            for directory in self._created:  # deepest first
                try:
                    directory.rmdir()
                except OSError:
                    break

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
