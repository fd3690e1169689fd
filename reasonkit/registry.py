"""The registry of kinds: group -> kind -> spec class.

Every configurable part (a cell, an injection, a gradient estimator, a halting policy, a core, a task) is a
*kind* in a *group*. A kind is a pydantic spec class with a ``kind`` literal and a ``build`` method; registering
it makes it usable in any spec and in :func:`reasonkit.build`, whether it lives in this package or in user code.
Built-in kinds are discovered: importing a group's package imports each of its modules
(:func:`import_submodules`), so a new kind in the repository is one new file. A renamed kind keeps its old name
as a deprecated alias (``register(..., aliases=("old",))``) that resolves with a ``DeprecationWarning``.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import pkgutil
import warnings
from typing import Callable, Iterable, TypeVar

from .errors import UnknownNameError

__all__ = ["GROUPS", "register", "lookup", "resolve_alias", "list_kinds", "import_submodules", "closest"]

#: The groups a kind can be registered in, with what each is for.
GROUPS: dict[str, str] = {
    "core": "the schedule of recurrent updates (hierarchical, recursive, flat)",
    "cell": "the network applied at one recurrent update (transformer, mlp_mixer, graph)",
    "feed_forward": "the position-wise sub-layer of a transformer cell's blocks (swiglu, conv_swiglu)",
    "injection": "how the input and the other level enter a cell (add, gated, concat_proj)",
    "gradient": "which recurrent updates of a segment carry gradient (one_step, last_cycle, bptt, truncated, burn_in)",
    "halting": "how many segments a sequence runs and the halting loss (fixed, q_act, q_halt, act, ponder)",
    "task": "a puzzle family: data builder, string codec, correctness check, symmetries, graph (sudoku, maze, arc)",
}

_REGISTRY: dict[str, dict[str, type]] = {group: {} for group in GROUPS}
_ALIASES: dict[str, dict[str, str]] = {group: {} for group in GROUPS}

S = TypeVar("S", bound=type)


def closest(name: str, known: Iterable[str]) -> str:
    """A ' Did you mean ...?' suffix naming the closest known name, or '' if none is close."""
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f" Did you mean {match[0]!r}?" if match else ""


def _group(group: str) -> dict[str, type]:
    if group not in _REGISTRY:
        known = sorted(_REGISTRY)
        raise UnknownNameError(f"unknown group {group!r}; known groups: {', '.join(known)}.{closest(group, known)}")
    return _REGISTRY[group]


def register(
    group: str, kind: str | None = None, *, aliases: Iterable[str] = (), overwrite: bool = False
) -> Callable[[S], S]:
    """Class decorator registering a spec class as ``kind`` in ``group``.

    ``kind`` defaults to the default value of the class's ``kind`` field, which must be a literal equal to the
    registered name. ``aliases`` are former names that still resolve, with a deprecation warning. Registering an
    existing name is an error unless ``overwrite=True``.
    """

    def decorator(cls: S) -> S:
        field = getattr(cls, "model_fields", {}).get("kind")
        if field is None or not isinstance(field.default, str):
            raise TypeError(
                f"{cls.__name__} needs a field `kind: Literal[...] = ...` with a string default to be registered"
            )
        name = kind or field.default
        if field.default != name:
            raise TypeError(
                f"{cls.__name__}.kind defaults to {field.default!r} but is registered as {name!r}; make them equal"
            )
        if not callable(getattr(cls, "build", None)):
            raise TypeError(f"{cls.__name__} must define build(...) to be registered")
        table = _group(group)
        if name in table and table[name] is not cls and not overwrite:
            raise ValueError(
                f"{group} kind {name!r} is already registered by {table[name].__qualname__}; "
                "pass overwrite=True to replace it"
            )
        table[name] = cls
        for old in aliases:
            if old in table:
                raise ValueError(f"alias {old!r} of {group} kind {name!r} is itself a registered kind")
            _ALIASES[group][old] = name
        return cls

    return decorator


def resolve_alias(group: str, kind: str) -> str:
    """The current name of ``kind``: itself, or the kind a deprecated alias points to (with a warning)."""
    new = _ALIASES[group].get(kind) if group in _ALIASES else None
    if new is None:
        return kind
    warnings.warn(f"{group} kind {kind!r} is deprecated; use {new!r}", DeprecationWarning, stacklevel=3)
    return new


def lookup(group: str, kind: str) -> type:
    """The spec class registered as ``kind`` in ``group``; unknown names list the known ones and the closest."""
    table = _group(group)
    kind = resolve_alias(group, kind)
    if kind not in table:
        known = sorted(table)
        raise UnknownNameError(f"unknown {group} kind {kind!r}; known kinds: {', '.join(known)}.{closest(kind, known)}")
    return table[kind]


def list_kinds(group: str | None = None, pattern: str = "*") -> list[str] | dict[str, list[str]]:
    """Registered kinds matching a shell-style ``pattern``: a sorted list for one group, or a dict of all groups."""
    if group is None:
        return {g: list_kinds(g, pattern) for g in _REGISTRY}  # type: ignore[misc]
    return sorted(k for k in _group(group) if fnmatch.fnmatchcase(k, pattern))


def import_submodules(package: str) -> None:
    """Import every public module and sub-package of ``package`` (registering the kinds they define)."""
    root = importlib.import_module(package)
    for info in pkgutil.iter_modules(root.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")
