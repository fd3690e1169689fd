"""``reasonkit ablate RECIPE [--demo|--paper NAME] axis=a,b ... [key=value ...] [--jobs N] --out DIR``: a grid of
runs."""

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


def _take(items: list[str], flag: str, value: bool = False):
    """Remove ``flag`` (and its value) from ``items``; returns the value, True/False for a plain flag."""
    if flag not in items:
        return None if value else False
    at = items.index(flag)
    if not value:
        del items[at]
        return True
    if at + 1 >= len(items):
        raise ConfigError(f"{flag} needs a value")
    found = items[at + 1]
    del items[at : at + 2]
    return found


def _ablate(args: argparse.Namespace) -> int:
    from ..train.ablate import run_ablation

    items = list(args.settings)
    out, dry_run, no_plot = _take(items, "--out", value=True), _take(items, "--dry-run"), _take(items, "--no-plot")
    jobs = _take(items, "--jobs", value=True)
    if out is None:
        raise ConfigError("give --out DIR: the directory of the runs and the results table")
    if jobs is not None and not (jobs.isdigit() and int(jobs) >= 1):
        raise ConfigError(f"--jobs needs a whole number of at least 1, got {jobs!r}")
    recipe = load_recipe(args.recipe)
    result = run_ablation(recipe, items, out, dry_run=dry_run, plot=not no_plot, jobs=int(jobs or 1))
    if dry_run:
        print(json.dumps(result, indent=2))
    else:
        print(Path(result["table"]).read_text(), end="")
        print(f"results: {result['table']}" + (f", plot: {result['plot']}" if result.get("plot") else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ablate",
        help="run a grid of settings on a recipe and write a results table",
        description="Runs every point of a grid (key=a,b,c axes) on a recipe, each resumable and skipped when done, "
        "and writes runs.csv, results.csv, results.md and results.png into --out.",
    )
    p.add_argument("recipe", help="a recipe file (recipes/sudoku_extreme.py) or its name (sudoku_extreme)")
    p.add_argument(
        "settings",
        nargs=argparse.REMAINDER,
        help="axes key=a,b,c and fixed key=value settings, and anywhere among them: --out DIR (required), --demo, "
        "--paper NAME, --dry-run (list the runs), --no-plot (the tables only, no matplotlib needed), --jobs N (N runs "
        "at a time, the cores divided among them)",
    )
    p.set_defaults(func=_ablate)
