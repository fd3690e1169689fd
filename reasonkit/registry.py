"""The registry of block kinds: group -> kind -> spec class.

Every configurable block (a cell, an injection, a gradient estimator, a halting policy, a core) is a *kind* in a
*group*. A kind is a pydantic spec class with a ``kind`` literal and a ``build`` method; registering it makes it
usable in any spec and in :func:`reasonkit.build`, whether it lives in this package or in user code.
"""
from __future__ import annotations

import difflib
import fnmatch
from typing import Callable, TypeVar

__all__ = ["GROUPS", "register", "lookup", "list_kinds", "kinds", "UnknownKindError"]

#: The groups a kind can be registered in, with what each is for.
GROUPS: dict[str, str] = {
    "core": "the schedule of recurrent updates (hierarchical, recursive, flat)",
    "cell": "the network applied at one recurrent update (transformer, mlp_mixer, graph)",
    "injection": "how the input and the other level enter a cell (add, gated, concat_proj)",
    "gradient": "which recurrent updates of a segment carry gradient (one_step, last_cycle, bptt, truncated)",
    "halting": "how many segments a sequence runs and the halting loss (fixed, q_act, q_halt, act, ponder)",
}

_REGISTRY: dict[str, dict[str, type]] = {group: {} for group in GROUPS}

S = TypeVar("S", bound=type)


class UnknownKindError(KeyError):
    """Raised for a kind or group that is not registered; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError quotes its argument; print the message as written
        return str(self.args[0])


def closest(name: str, known: list[str]) -> str:
    """A ' Did you mean ...?' suffix naming the closest known name, or '' if none is close."""
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f" Did you mean {match[0]!r}?" if match else ""


def _group(group: str) -> dict[str, type]:
    if group not in _REGISTRY:
        known = sorted(_REGISTRY)
        raise UnknownKindError(f"unknown group {group!r}; known groups: {', '.join(known)}.{closest(group, known)}")
    return _REGISTRY[group]


def register(group: str, kind: str | None = None, *, overwrite: bool = False) -> Callable[[S], S]:
    """Class decorator registering a spec class as ``kind`` in ``group``.

    ``kind`` defaults to the default value of the class's ``kind`` field, which must be a literal equal to the
    registered name. Registering an existing name is an error unless ``overwrite=True``.
    """

    def decorator(cls: S) -> S:
        field = getattr(cls, "model_fields", {}).get("kind")
        if field is None or not isinstance(field.default, str):
            raise TypeError(f"{cls.__name__} needs a field `kind: Literal[...] = ...` with a string default to be registered")
        name = kind or field.default
        if field.default != name:
            raise TypeError(f"{cls.__name__}.kind defaults to {field.default!r} but is registered as {name!r}; make them equal")
        if not callable(getattr(cls, "build", None)):
            raise TypeError(f"{cls.__name__} must define build(...) to be registered")
        table = _group(group)
        if name in table and table[name] is not cls and not overwrite:
            raise ValueError(f"{group} kind {name!r} is already registered by {table[name].__qualname__}; pass overwrite=True to replace it")
        table[name] = cls
        return cls

    return decorator


def lookup(group: str, kind: str) -> type:
    """The spec class registered as ``kind`` in ``group``; unknown names list the known ones and the closest."""
    table = _group(group)
    if kind not in table:
        known = sorted(table)
        raise UnknownKindError(f"unknown {group} kind {kind!r}; known kinds: {', '.join(known)}.{closest(kind, known)}")
    return table[kind]


def kinds(group: str) -> dict[str, type]:
    """A copy of the ``kind -> spec class`` table of one group."""
    return dict(_group(group))


def list_kinds(group: str | None = None, pattern: str = "*") -> list[str] | dict[str, list[str]]:
    """Registered kinds matching a shell-style ``pattern``: a sorted list for one group, or a dict of all groups."""
    if group is None:
        return {g: list_kinds(g, pattern) for g in _REGISTRY}  # type: ignore[misc]
    return sorted(k for k in _group(group) if fnmatch.fnmatchcase(k, pattern))
