"""``reasonkit train [key=value ...]``: a training run from TrainConfig fields; ``model.<path>=v`` overrides the spec.

Examples::

    reasonkit train data_dir=data/sudoku-4x4 model=hrm-tiny total_steps=500 global_batch_size=64 out_dir=runs/s4
    torchrun --nproc-per-node 8 -m reasonkit train data_dir=data/sudoku-extreme-1k model=hrm-27m model.halting.max_steps=8
"""
from __future__ import annotations

import argparse
import json

__all__ = ["register", "config_from_overrides"]


def config_from_overrides(items: list[str], **defaults):
    """A TrainConfig from ``key=value`` strings (JSON values where they parse); ``model.*`` keys go to the spec."""
    from ..presets.cli import parse_overrides
    from .config import TrainConfig

    values = {**defaults, **parse_overrides(items)}
    model_overrides = dict(values.pop("model_overrides", {}) or {})
    for key in [k for k in values if k.startswith("model.")]:
        model_overrides[key[len("model."):]] = values.pop(key)
    return TrainConfig(**values, model_overrides=model_overrides)


def _train(args: argparse.Namespace) -> int:
    import sys

    from .run import train
    from .trainer import NonFiniteLossError

    defaults = {"data_dir": args.data} if args.data else {}
    try:
        result = train(config_from_overrides(args.overrides, **defaults))
    except NonFiniteLossError as err:
        print(f"reasonkit train: stopped: {err}", file=sys.stderr)
        return 3
    print(json.dumps(result, indent=2, default=str))
    return 0


def _fields_epilog() -> str:
    """Every TrainConfig field as ``name (default): description``, for ``reasonkit train --help``."""
    from .config import TrainConfig

    lines = ["TrainConfig fields (key=value overrides; model.<path>=value overrides the model spec):"]
    for name, field in TrainConfig.model_fields.items():
        default = field.get_default(call_default_factory=True)
        line = f"  {name} (default: {json.dumps(default, default=str)})"
        if field.description:
            line += f": {field.description}"
        lines.append(line)
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model (TrainConfig key=value overrides; model.<path>=v for the spec)",
                       epilog=_fields_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=None, help="data set directory (same as data_dir=...)")
    p.add_argument("overrides", nargs="*", help="key=value, e.g. model=hrm-tiny total_steps=500 model.halting.max_steps=8")
    p.set_defaults(func=_train)
