"""``reasonkit ablate RECIPE [--demo|--paper NAME] axis=a,b ... [key=value ...] --out DIR``: a grid of runs."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from ..errors import ConfigError

__all__ = ["register", "load_recipe"]


def load_recipe(path_or_name: str):
    """The ``RECIPE`` settings of a recipe file (a path, or a name in ./recipes/)."""
    path = Path(path_or_name)
    if not path.is_file():
        path = Path("recipes") / f"{path_or_name.removesuffix('.py')}.py"
    if not path.is_file():
        raise ConfigError(f"no recipe {path_or_name!r}: give a recipe file (e.g. recipes/sudoku_extreme.py)")
    spec = importlib.util.spec_from_file_location(f"reasonkit_recipe_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "RECIPE"):
        raise ConfigError(f"{path} defines no RECIPE (a reasonkit.train.RecipeSettings)")
    return module.RECIPE


def _ablate(args: argparse.Namespace) -> int:
    from ..train.ablate import run_ablation

    recipe = load_recipe(args.recipe)
    argv = list(args.settings) + (["--demo"] if args.demo else []) + (["--paper", args.paper] if args.paper else [])
    result = run_ablation(recipe, argv, args.out, dry_run=args.dry_run, plot=not args.no_plot)
    if args.dry_run:
        print(json.dumps(result, indent=2))
    else:
        print(Path(result["table"]).read_text(), end="")
        print(f"results: {result['table']}" + (f", plot: {result['plot']}" if result.get("plot") else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ablate",
        help="run a grid of settings on a recipe and write a results table",
        description="Runs every point of a grid (key=a,b,c axes) on a recipe, each resumable and "
        "skipped when done, and writes results.csv, results.md and results.png.",
    )
    p.add_argument("recipe", help="a recipe file (recipes/sudoku_extreme.py) or its name (sudoku_extreme)")
    p.add_argument("settings", nargs="*", help="axes key=a,b,c and fixed key=value settings")
    p.add_argument("--out", required=True, help="directory of the runs and the results table")
    p.add_argument("--demo", action="store_true", help="start from the recipe's demo settings")
    p.add_argument("--paper", default=None, help="start from a paper's settings of the recipe")
    p.add_argument("--dry-run", action="store_true", help="list the runs without running them")
    p.add_argument("--no-plot", action="store_true", help="write the tables only (no matplotlib needed)")
    p.set_defaults(func=_ablate)
