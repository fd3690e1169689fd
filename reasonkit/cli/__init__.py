"""The ``reasonkit`` command line: one sub-command per module of this package, one error path for all.

Every error a user can cause ends as one line naming the problem and the fix, with the exit code of its kind
(:mod:`reasonkit.errors`); ``--debug`` or ``REASONKIT_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from ..errors import run_guarded

__all__ = ["main"]

#: Modules that add sub-commands; each defines ``register(subparsers)`` and sets ``func`` on its parser.
COMMAND_MODULES = ("presets", "data", "train", "eval", "ablate", "viz")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error of the command line."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="reasonkit", description="Building blocks for recurrent reasoning models.")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{module}").register(sub)
    args = parser.parse_args(argv)
    return run_guarded(f"reasonkit {args.command}", lambda: args.func(args), debug=args.debug)


if __name__ == "__main__":
    sys.exit(main())
