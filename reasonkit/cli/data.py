"""``reasonkit data <task>``: build a task's data set; one option per field of the task's spec.

The sub-commands and their options are generated from the registered tasks, so a task registered from outside
the package gets its own ``reasonkit data <kind>`` with its fields as options (``--train-size``, ``--aug``...).
A boolean field that defaults to true is turned off with ``--no-<name>``; a list field is repeated
(``--source A --source B`` for ``sources``); a count that accepts ``all`` takes every row of a CSV source.
"""

from __future__ import annotations

import argparse
import json
import re
import typing
from typing import Any, Literal, get_args, get_origin

from pydantic import ValidationError

from ..errors import ConfigError
from ..registry import list_kinds, lookup
from ..tasks.base import ALL
from ._args import positive_int

__all__ = ["register", "task_from_args"]


def _flag(name: str, cls_field) -> str:
    if get_origin(_bare(cls_field.annotation)) is list and name.endswith("s"):
        name = name[:-1]
    return "--" + name.replace("_", "-")


def _bare(annotation: Any) -> Any:
    """The annotation without Optional and Annotated wrappers."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Union:
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        elif origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        else:
            return annotation


def _converter(annotation: Any):
    """A function from the option's text to the field's value (``all`` kept as a word for counts)."""
    bare = _bare(annotation)
    if get_origin(bare) is Literal:
        kinds = {type(v) for v in get_args(bare)}
        return kinds.pop() if len(kinds) == 1 else str
    if get_origin(bare) is typing.Union:  # a Count: a number or "all"

        def count(text: str):
            return ALL if text.lower() == ALL else int(text)

        count.__name__ = "count"
        return count
    return bare if bare in (int, float, str) else (get_args(bare)[0] if get_origin(bare) is list else str)


def _add_task(sub: argparse._SubParsersAction, kind: str) -> None:
    cls = lookup("task", kind)
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    p = sub.add_parser(kind, help=doc.split(".")[0], description=doc, argument_default=argparse.SUPPRESS)
    p.add_argument("--out", required=True, help="output directory (built in a temporary directory, then renamed)")
    p.add_argument("--workers", type=positive_int, default=None, help="worker processes (default: all cores)")
    p.add_argument(
        "--overwrite", action="store_true", default=False, help="replace an existing, different data set in --out"
    )
    p.add_argument("--no-progress", dest="progress", action="store_false", default=True, help="hide progress bars")
    for name, info in cls.model_fields.items():
        if name == "kind":
            continue
        default = info.get_default(call_default_factory=True)
        help_text = f"{info.description or name} (default: {json.dumps(default)})"
        bare = _bare(info.annotation)
        if bare is bool:
            if default:
                p.add_argument(f"--no-{name.replace('_', '-')}", dest=name, action="store_false", help=help_text)
            else:
                p.add_argument(_flag(name, info), dest=name, action="store_true", default=default, help=help_text)
            continue
        kwargs: dict[str, Any] = {"dest": name, "type": _converter(info.annotation), "help": help_text}
        if get_origin(bare) is list:
            kwargs["action"] = "append"
        if get_origin(bare) is Literal:
            kwargs["choices"] = list(get_args(bare))
        p.add_argument(_flag(name, info), **kwargs)
    p.set_defaults(func=_build, task_kind=kind)


def task_from_args(args: argparse.Namespace):
    """The task spec the parsed options describe; a ConfigError in the options' names for invalid ones."""
    cls = lookup("task", args.task_kind)
    options = {name: getattr(args, name) for name in cls.model_fields if name != "kind" and hasattr(args, name)}
    try:
        return cls(**options)
    except ValidationError as err:
        flags = {name: _flag(name, info) for name, info in cls.model_fields.items()}
        problems = []
        for e in err.errors():
            where = flags.get(str(e["loc"][0]), str(e["loc"][0])) if e["loc"] else ""
            text = str(e["ctx"]["error"]) if e["type"] == "value_error" else e["msg"]
            text = re.sub(r"`(\w+)`", lambda m: flags.get(m.group(1), m.group(1)), text)  # fields as options
            problems.append(f"{where}: {text}" if where else text)
        raise ConfigError("; ".join(problems)) from None


def _build(args: argparse.Namespace) -> int:
    task = task_from_args(args)
    record = task.build(args.out, workers=args.workers, overwrite=args.overwrite, progress=args.progress)
    print(f"wrote {args.out}: {json.dumps(record.get('stats', {}))}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``data`` with one sub-command per registered task."""
    data = sub.add_parser(
        "data",
        help="build a task's data set (sudoku, maze, arc, ...)",
        description="Build puzzle data sets in the reference HRM on-disk format.",
    )
    tasks = data.add_subparsers(dest="task", required=True, metavar="TASK")
    for kind in list_kinds("task"):
        _add_task(tasks, kind)
