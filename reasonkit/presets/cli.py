"""``reasonkit presets [PATTERN]`` and ``reasonkit spec NAME [key=value ...]``: list presets, show a spec."""
from __future__ import annotations

import argparse
import json

__all__ = ["register", "parse_overrides"]


def parse_overrides(items: list[str]) -> dict[str, object]:
    """``key=value`` strings to overrides; values are parsed as JSON when they can be, else kept as strings."""
    out: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"override {item!r} must look like key=value (e.g. halting.max_steps=8)")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _presets(args: argparse.Namespace) -> int:
    from ..builder import build, list_presets

    for name in list_presets(args.pattern):
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
