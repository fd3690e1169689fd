"""The ``reasonkit`` command line: one sub-command per module, each exposing ``register(subparsers)``."""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

__all__ = ["main"]

#: Modules that add sub-commands; each defines ``register(subparsers)`` and sets ``func`` on its parser.
COMMAND_MODULES = (
    "reasonkit.presets.cli",
    "reasonkit.data.cli",
    "reasonkit.train.cli",
    "reasonkit.eval.cli",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reasonkit", description="Building blocks for recurrent reasoning models.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, KeyError, FileNotFoundError, ImportError) as err:
        # User errors (a bad spec, an unknown name, a missing file or optional package) end with their message,
        # not a traceback.
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"reasonkit {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
