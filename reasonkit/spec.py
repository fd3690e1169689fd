"""Spec base class, per-group dispatch, dotted overrides and readable validation errors.

A spec is a frozen pydantic model that validates strictly (unknown keys are errors naming their path, a boolean
is not an integer) and round-trips through JSON. A field typed ``Kind("halting")`` accepts any spec registered
in the ``halting`` group: a dict is dispatched on its ``kind`` key to the registered class, so user kinds work
like built-in ones.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Mapping, Optional

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializeAsAny,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from .errors import ConfigError, SpecError
from .registry import _REGISTRY, _group, closest, resolve_alias

__all__ = ["Spec", "CheckError", "Kind", "KindGroup", "BuildContext", "apply_overrides", "parse_overrides", "explain"]


class Spec(BaseModel):
    """Base of every spec: strict (extra keys are errors, no coercion), immutable, JSON round-trippable.

    Every registered kind provides :meth:`tiny`, a small instance for tests; ``tiny_root`` names the overrides
    of the model around it that the kind needs (a task with a constraint graph, a position scheme).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)

    #: Overrides of the tiny test model that this kind needs to be usable (e.g. ``{"task": "maze"}``).
    tiny_root: ClassVar[dict[str, Any]] = {}

    @classmethod
    def tiny(cls) -> Spec:
        """A small instance of this kind (tiny sizes, few steps) for the registry-driven tests."""
        raise NotImplementedError(f"{cls.__name__} defines no tiny() instance; every registered kind needs one")

    def check(self, ctx: BuildContext) -> None:
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


class CheckError(ConfigError):
    """A combination rejected by :meth:`Spec.check`, with the dotted path of the sub-spec that rejected it."""

    def __init__(self, reason: str, path: tuple[str, ...] = ()) -> None:
        self.reason, self.path = reason, path
        super().__init__(f"{'.'.join(path)}: {reason}" if path else reason)


def _dispatcher(group: str):
    def validate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Spec:
        table = _group(group)
        if isinstance(value, Spec):
            if type(value) not in table.values():
                raise ValueError(
                    f"{type(value).__name__} is not a registered {group} kind; known kinds: {', '.join(sorted(table))}"
                )
            return value
        if isinstance(value, str):  # a bare kind name means that kind with its defaults
            value = {"kind": value}
        if not isinstance(value, Mapping):
            raise ValueError(f"expected a {group} spec (a mapping with a 'kind' key), got {type(value).__name__}")
        if "kind" not in value:
            raise ValueError(f"a {group} spec needs a 'kind' key; known kinds: {', '.join(sorted(table))}")
        kind = resolve_alias(group, str(value["kind"]))
        if kind not in table:
            known = sorted(table)
            raise ValueError(f"unknown {group} kind {kind!r}; known kinds: {', '.join(known)}.{closest(kind, known)}")
        return table[kind].model_validate({**value, "kind": kind})

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
    """What the root spec passes down to the blocks it builds, so children do not repeat it in their specs.

    ``seq_len`` counts every position a cell sees (the puzzle-embedding prefix of ``prefix_len`` positions
    included); ``task_seq_len`` counts the task's own positions. ``positions`` is the embedding's position scheme
    (cells with rotary positions build their table from it and ``rope_theta``); ``task`` names the registered
    task, whose constraint graph graph cells use.
    """

    hidden_size: int
    seq_len: int
    vocab_size: int = 0
    prefix_len: int = 0
    positions: str = "rope"
    rope_theta: float = 10000.0
    task: Optional[str] = None

    @property
    def task_seq_len(self) -> int:
        return self.seq_len - self.prefix_len


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of a dumped spec with ``overrides`` merged in.

    Keys are top-level names or dotted paths (``"halting.max_steps"``, ``"core.low.layers"``). A dict value
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
                raise SpecError(
                    f"override {key!r}: {where!r} is not a sub-spec; sub-specs here: "
                    f"{', '.join(known) or 'none'}.{closest(part, known)}"
                )
            node = child
        if isinstance(value, BaseModel):
            value = json.loads(value.model_dump_json())
        node[parts[-1]] = value
    return out


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``key=value`` strings to overrides; values are parsed as JSON when they can be, else kept as strings."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"setting {item!r} must look like key=value (e.g. halting.max_steps=8)")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _fields_at(root: type[BaseModel], data: Any, loc: tuple) -> list[str]:
    """Field names of the spec class found by following ``loc`` (a path into ``data``) from ``root``."""
    cls: type[BaseModel] | None = root
    for part in loc:
        if cls is None or not isinstance(data, dict) or part not in cls.model_fields:
            return []
        info, data = cls.model_fields[part], data.get(part)
        group = next((m.group for m in info.metadata if isinstance(m, KindGroup)), None)
        if group is not None:
            cls = _REGISTRY[group].get(data.get("kind")) if isinstance(data, dict) else None
        else:
            cls = (
                info.annotation
                if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
                else None
            )
    return list(cls.model_fields) if cls is not None else []


def explain(err: ValidationError, root: type[BaseModel], data: Any) -> SpecError:
    """A SpecError listing ``path: message`` per problem, suggesting the closest field for unknown ones."""
    lines = []
    for problem in err.errors():
        loc = tuple(problem["loc"])
        path = ".".join(str(p) for p in loc) or "<root>"
        message = problem["msg"]
        if problem["type"] == "value_error":  # our own messages, without pydantic's "Value error, " prefix
            message = str(problem["ctx"]["error"])
            if not loc:
                lines.append(message)
                continue
        if problem["type"] == "extra_forbidden":
            known = _fields_at(root, data, loc[:-1])
            message = (
                f"unknown field.{closest(str(loc[-1]), known)} Known fields: {', '.join(known)}" if known else message
            )
        lines.append(f"{path}: {message}")
    return SpecError(f"invalid {root.__name__}: " + "; ".join(lines))
