"""The errors reasonkit raises for bad input, one family with an exit code per kind.

Every problem a user can cause (a bad spec or option, a damaged data set or checkpoint, a missing optional
package, a run directory held by another run) is a :class:`ReasonkitError` whose message names the problem and
the fix in one line. The command line prints that line and exits with the error's ``exit_code``; set
``REASONKIT_DEBUG=1`` (or pass ``--debug``) to see the traceback. Each class also derives from the built-in
exception a Python caller would expect (``ValueError``, ``KeyError``, ``ImportError``...), so ``except
ValueError`` keeps working. This module imports nothing from reasonkit: every layer can raise these, and
:func:`run_guarded` is the one place where the command line turns them into messages and exit codes.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

__all__ = [
    "ReasonkitError",
    "ConfigError",
    "SpecError",
    "UnknownNameError",
    "DataError",
    "CheckpointError",
    "MissingDependencyError",
    "RunLockedError",
    "NonFiniteLossError",
    "OutputError",
    "EXIT_CODES",
    "run_guarded",
]


class ReasonkitError(Exception):
    """Base of every user-facing error: the message says what is wrong and how to fix it."""

    exit_code = 1


class ConfigError(ReasonkitError, ValueError):
    """An option, a config field or a combination of them is invalid."""

    exit_code = 2


class SpecError(ConfigError):
    """A model spec did not validate; the message lists each problem as ``path: message``."""


class UnknownNameError(ConfigError, KeyError):
    """A kind, group, preset or task name that is not registered; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError quotes its argument; print the message as written
        return str(self.args[0]) if self.args else ""


class NonFiniteLossError(ReasonkitError, FloatingPointError):
    """The loss became NaN or infinite; the run stops without writing a checkpoint of the bad state."""

    exit_code = 3


class DataError(ReasonkitError, ValueError):
    """A data set or an input file is missing, damaged or does not fit the model."""

    exit_code = 4


class CheckpointError(ReasonkitError, ValueError):
    """A checkpoint is missing, damaged, or was written for another model or run."""

    exit_code = 5


class MissingDependencyError(ReasonkitError, ImportError):
    """An optional package is needed for what was asked; the message names the extra that installs it."""

    exit_code = 6


class RunLockedError(ReasonkitError, RuntimeError):
    """Another live process holds the run directory."""

    exit_code = 7


class OutputError(ReasonkitError, OSError):
    """An output path cannot be written (a directory, an unwritable parent, an existing file not to replace)."""

    exit_code = 8


#: Exit code of each error class, for documentation and tests.
EXIT_CODES = {
    cls.__name__: cls.exit_code
    for cls in (
        ConfigError,
        NonFiniteLossError,
        DataError,
        CheckpointError,
        MissingDependencyError,
        RunLockedError,
        OutputError,
    )
}


def run_guarded(prog: str, fn: Callable[[], int], *, debug: bool = False) -> int:
    """Run a command-line entry point: a ReasonkitError (or another bad-input error) ends as one line on stderr
    and its exit code instead of a traceback. ``debug`` (or ``REASONKIT_DEBUG=1``) re-raises to show the traceback.
    """
    debug = debug or os.environ.get("REASONKIT_DEBUG", "") not in ("", "0")
    try:
        return int(fn() or 0)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except (ReasonkitError, ValueError, KeyError, OSError, ImportError) as err:
        if debug:
            raise
        code = (
            err.exit_code
            if isinstance(err, ReasonkitError)
            else (
                OutputError.exit_code
                if isinstance(err, OSError)
                else MissingDependencyError.exit_code
                if isinstance(err, ImportError)
                else ConfigError.exit_code
            )
        )
        message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
        if isinstance(err, OSError) and not isinstance(err, ReasonkitError) and err.filename:
            message = f"{err.filename}: {err.strerror or message}"
        print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
        return code
