"""The command line of every recipe (and of ``reasonkit train``): flags, ``key=value`` settings, one engine.

    python recipes/sudoku_extreme.py                       # the paper's settings (HRM)
    python recipes/sudoku_extreme.py --paper trm           # the TRM paper's settings for the task
    python recipes/sudoku_extreme.py --demo                # the CPU demo
    python recipes/sudoku_extreme.py --dry-run model=trm-7m lr=3e-4   # print the plan and exit
    python recipes/sudoku_extreme.py task.size=6 model.halting.max_steps=8

A recipe file defines its settings as a :class:`RecipeSettings` named ``RECIPE`` (the papers' TrainConfigs, the
default one, the demo, short keys) and calls ``recipe_main(sys.argv[1:], RECIPE)``; ``reasonkit ablate`` reads the
same ``RECIPE``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from ..errors import ConfigError, run_guarded
from .config import TrainConfig, config_from_overrides

__all__ = ["RecipeSettings", "recipe_main", "resolve_config"]


@dataclass(frozen=True)
class RecipeSettings:
    """A recipe's settings: one TrainConfig per paper (``--paper NAME``), the default paper, the CPU demo, and
    short keys for the recipe's own options (``{"version": "task.version"}``)."""

    name: str
    papers: Mapping[str, TrainConfig]
    default: str
    demo: Optional[TrainConfig] = None
    shortcuts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.default not in self.papers:
            raise ValueError(f"default {self.default!r} is not one of the papers {list(self.papers)}")


USAGE = """usage: {prog} [--paper NAME] [--demo] [--dry-run] [--debug] [key=value ...]

  --paper NAME  start from a paper's settings: {papers} (default {default})
  --demo        start from the CPU demo settings{demo_note}
  --dry-run     print the resolved config, the parameter count (puzzle table excluded), the optimizer steps and
                the estimated GPU hours as JSON, then exit without building data or training
  --debug       show the traceback of an error (also REASONKIT_DEBUG=1)
  key=value     a TrainConfig field (lr=3e-4, model=trm-7m), model.<path>=v for the model spec,
                task.<field>=v for the data set{shortcut_note}; `reasonkit train --help` lists the fields
"""


def resolve_config(
    argv: Sequence[str], recipe: RecipeSettings, extra_flags: Sequence[str] = ()
) -> tuple[TrainConfig, dict[str, bool]]:
    """The config that ``argv`` asks for, and the flags (``dry_run``, ``debug`` and ``extra_flags``) it gave."""
    papers, demo = recipe.papers, recipe.demo
    args, base = list(argv), papers[recipe.default]
    flags = {name: False for name in ("dry_run", "debug", *extra_flags)}
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--paper":
            if i + 1 >= len(args):
                raise ConfigError(f"--paper needs a name: {', '.join(papers)}")
            name = args[i + 1]
            if name not in papers:
                raise ConfigError(f"unknown --paper {name!r}; this recipe has: {', '.join(papers)}")
            base, i = papers[name], i + 2
            continue
        if arg == "--demo":
            if demo is None:
                raise ConfigError("this recipe has no --demo settings")
            base = demo
        elif arg.startswith("--") and arg[2:].replace("-", "_") in flags:
            flags[arg[2:].replace("-", "_")] = True
        else:
            rest.append(arg)
        i += 1
    return config_from_overrides(base, rest, recipe.shortcuts), flags


def _summary(result: dict[str, Any]) -> str:
    lines = [f"trained {result.get('step')} steps; checkpoint {result.get('checkpoint')}"]
    final = result.get("eval") or {}
    full, early = final.get("full"), final.get("early_exit")
    if full:
        lines.append(
            f"test exact accuracy {full['exact_accuracy']:.4f}, token accuracy {full['token_accuracy']:.4f} "
            f"({full['count']} puzzles, every sequence {full['mean_steps']:.0f} segments)"
        )
        if "pass@1" in full:
            lines.append(
                f"voted over augmentations: pass@1 {full['pass@1']:.4f}, pass@2 {full['pass@2']:.4f} over "
                f"{full['tasks_scored']} tasks"
            )
    if full and early:
        ratio = early["sequences_per_second"] / max(full["sequences_per_second"], 1e-9)
        lines.append(
            f"early exit: exact accuracy {early['exact_accuracy']:.4f} at {early['mean_steps']:.2f} segments "
            f"on average, {ratio:.2f}x the throughput"
        )
    scaling = final.get("scaling")
    if scaling:
        lines.append(
            "segments allowed -> exact accuracy: "
            + ", ".join(f"{k}: {v['exact_accuracy']:.4f}" for k, v in scaling.items())
        )
    return "\n".join(lines)


def recipe_main(argv: Sequence[str], recipe: RecipeSettings, prog: Optional[str] = None) -> int:
    """Run a recipe from the command line; returns the exit status (errors are one line, not a traceback).

    ``prog`` names the command in messages (default: the recipe's file name).
    """
    prog = prog or f"{recipe.name}.py"
    if any(a in ("-h", "--help") for a in argv):
        short = recipe.shortcuts
        note = f"; shortcuts: {', '.join(f'{k} = {v}' for k, v in short.items())}" if short else ""
        print(
            USAGE.format(
                prog=prog,
                papers=", ".join(recipe.papers),
                default=recipe.default,
                demo_note="" if recipe.demo is not None else " (none for this recipe)",
                shortcut_note=note,
            )
        )
        return 0
    debug = "--debug" in argv

    def run() -> int:
        config, flags = resolve_config(argv, recipe)
        if flags["dry_run"]:
            from .plan import plan

            print(json.dumps(plan(config), indent=2))
            return 0
        from .recipe import Recipe

        result = Recipe(config).run()
        print(_summary(result), flush=True)
        return 0

    return run_guarded(prog, run, debug=debug)
