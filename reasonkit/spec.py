"""Spec base class, per-group dispatch and dotted overrides.

A spec is a frozen pydantic model that validates strictly (unknown keys are errors naming their path) and
round-trips through JSON. A field typed ``Kind("halting")`` accepts any spec registered in the ``halting``
group: a dict is dispatched on its ``kind`` key to the registered class, so user kinds work like built-in ones.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Mapping

import torch
from pydantic import BaseModel, ConfigDict, SerializeAsAny, ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator

from .registry import _group, closest, lookup

__all__ = ["Spec", "CheckError", "Kind", "KindGroup", "BuildContext", "apply_overrides"]


class Spec(BaseModel):
    """Base of every spec: strict (extra keys are errors), immutable, JSON round-trippable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    def check(self, ctx: "BuildContext") -> None:
        """Reject combinations that cannot work in ``ctx`` with a ValueError saying why.

        Called by the root spec after validation; the default checks every sub-spec. Kinds with constraints on
        their surroundings (heads dividing the hidden size, a fixed sequence length) override it and call super.
        """
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Spec):
                try:
                    value.check(ctx)
                except CheckError as err:
                    raise CheckError(err.reason, (name, *err.path)) from None
                except ValueError as err:
                    raise CheckError(str(err), (name,)) from None


class CheckError(ValueError):
    """A combination rejected by :meth:`Spec.check`, with the dotted path of the sub-spec that rejected it."""

    def __init__(self, reason: str, path: tuple[str, ...] = ()) -> None:
        self.reason, self.path = reason, path
        super().__init__(f"{'.'.join(path)}: {reason}" if path else reason)


def _dispatcher(group: str):
    def validate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Spec:
        table = _group(group)
        if isinstance(value, Spec):
            if type(value) not in table.values():
                raise ValueError(f"{type(value).__name__} is not a registered {group} kind; known kinds: {', '.join(sorted(table))}")
            return value
        if isinstance(value, str):  # a bare kind name means that kind with its defaults
            value = {"kind": value}
        if not isinstance(value, Mapping):
            raise ValueError(f"expected a {group} spec (a mapping with a 'kind' key), got {type(value).__name__}")
        if "kind" not in value:
            raise ValueError(f"a {group} spec needs a 'kind' key; known kinds: {', '.join(sorted(table))}")
        kind = value["kind"]
        if kind not in table:
            known = sorted(table)
            raise ValueError(f"unknown {group} kind {kind!r}; known kinds: {', '.join(known)}.{closest(str(kind), known)}")
        return table[kind].model_validate(dict(value))

    return WrapValidator(validate)


@dataclass(frozen=True)
class KindGroup:
    """Marker in a ``Kind(group)`` annotation naming its registry group (used to explain errors)."""

    group: str


def Kind(group: str) -> Any:
    """Annotation for a field holding any spec registered in ``group`` (dispatched on its ``kind`` key)."""
    return Annotated[SerializeAsAny[Spec], _dispatcher(group), KindGroup(group)]


@dataclass(frozen=True)
class BuildContext:
    """What a parent passes down to the blocks it builds, so children do not repeat it in their specs.

    ``seq_len`` counts every position a cell sees (puzzle-embedding prefix included); ``positions`` is the
    embedding's position scheme (cells that use rotary positions build their table from it and ``rope_theta``); ``task`` names the task's structure for cells that need it (a constraint graph).
    """

    hidden_size: int
    seq_len: int
    positions: str = "rope"
    rope_theta: float = 10000.0
    dtype: torch.dtype = torch.float32
    task: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of a dumped spec with ``overrides`` merged in.

    Keys are top-level names or dotted paths (``"halting.max_steps"``, ``"core.l_cell.layers"``). A dict value
    replaces a whole sub-spec; a path through a missing or non-spec entry is an error naming the path.
    """
    out = copy.deepcopy(data)
    for key, value in overrides.items():
        parts = key.split(".")
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.get(part) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                where = ".".join(parts[: i + 1])
                known = sorted(k for k, v in node.items() if isinstance(v, dict)) if isinstance(node, dict) else []
                raise KeyError(f"override {key!r}: {where!r} is not a sub-spec; sub-specs here: {', '.join(known) or 'none'}.{closest(part, known)}")
            node = child
        if isinstance(value, BaseModel):
            value = json.loads(value.model_dump_json())
        node[parts[-1]] = value
    return out
