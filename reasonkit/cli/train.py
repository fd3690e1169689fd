"""``reasonkit train [key=value ...]``: the recipe engine on any data set, with the TrainConfig defaults.

Examples::

    reasonkit train data_dir=data/sudoku-4x4 model=hrm-tiny total_steps=500 global_batch_size=64
    reasonkit train task=sudoku task.size=6 model=hrm-tiny --dry-run
    torchrun --nproc-per-node 8 -m reasonkit train data_dir=data/sudoku-extreme-1k model.halting.max_steps=8

The same engine runs every file in ``recipes/`` (``--paper``, ``--demo``, ``--dry-run`` work alike there).
"""

from __future__ import annotations

import argparse
import json

from ..errors import ConfigError

__all__ = ["register", "fields_help"]


def fields_help() -> str:
    """Every TrainConfig field as ``name (default): description``."""
    from ..train.config import TrainConfig

    lines = ["settings (key=value; model.<path>=value sets the model spec, task.<field>=value the data set):"]
    for name, field in TrainConfig.model_fields.items():
        default = field.get_default(call_default_factory=True)
        line = f"  {name} (default: {json.dumps(default, default=str)})"
        if field.description:
            line += f": {field.description}"
        lines.append(line)
    return "\n".join(lines)


def _train(args: argparse.Namespace) -> int:
    from ..train.config import TrainConfig
    from ..train.main import RecipeSettings, recipe_main

    defaults = TrainConfig.model_construct()  # every default; validated once the settings are applied
    settings = RecipeSettings("train", {"train": defaults}, "train")
    items = ([f"data_dir={args.data}"] if args.data else []) + list(args.settings)
    if "--data" in items:  # flags may come anywhere among the settings
        at = items.index("--data")
        if at + 1 >= len(items):
            raise ConfigError("--data needs a directory (or give data_dir=...)")
        items[at : at + 2] = [f"data_dir={items[at + 1]}"]
    return recipe_main(items, settings, prog="reasonkit train")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model (TrainConfig key=value settings; model.<path>=v for the spec)",
        epilog=fields_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", default=None, help="data set directory (same as data_dir=...)")
    p.add_argument(
        "settings",
        nargs=argparse.REMAINDER,
        help="key=value settings, e.g. model=hrm-tiny total_steps=500 model.halting.max_steps=8, and anywhere among "
        "them --data DIR (data_dir=DIR), --dry-run (print the resolved config, parameter count, optimizer steps and "
        "GPU-hour estimate, then exit), --debug",
    )
    p.set_defaults(func=_train)
