"""``reasonkit presets [PATTERN]`` and ``reasonkit spec NAME [key=value ...]``: list presets, show a spec."""

from __future__ import annotations

import argparse
import json

from ..errors import UnknownNameError
from ..spec import parse_overrides

__all__ = ["register"]


def _presets(args: argparse.Namespace) -> int:
    from ..builder import build, list_presets

    names = list_presets(args.pattern)
    if not names:
        raise UnknownNameError(f"no preset matches {args.pattern!r}; `reasonkit presets` lists them all")
    for name in names:
        line = name
        if args.count:
            line += f"\t{build(name).num_parameters():,}"
        print(line)
    return 0


def _spec(args: argparse.Namespace) -> int:
    from ..builder import build, get_spec

    spec = get_spec(args.name, **parse_overrides(args.overrides))
    print(json.dumps(json.loads(spec.model_dump_json()), indent=2))
    if args.count:
        print(f"# trainable parameters (puzzle table excluded): {build(spec).num_parameters():,}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("presets", help="list presets matching a shell-style pattern")
    p.add_argument("pattern", nargs="?", default="*")
    p.add_argument("--count", action="store_true", help="also build each preset and print its parameter count")
    p.set_defaults(func=_presets)
    s = sub.add_parser("spec", help="print a preset's (or a JSON file's) spec with overrides applied")
    s.add_argument("name", help="preset name or path to a JSON spec")
    s.add_argument("overrides", nargs="*", help="key=value overrides, dotted paths allowed")
    s.add_argument("--count", action="store_true", help="also build the model and print its parameter count")
    s.set_defaults(func=_spec)
