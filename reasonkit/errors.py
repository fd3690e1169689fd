"""Readable spec errors: every problem with its dotted path, and the closest known field for a misspelt one."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .registry import _REGISTRY, closest
from .spec import KindGroup

__all__ = ["SpecError", "explain"]


class SpecError(ValueError):
    """A spec did not validate; the message lists each problem as ``path: message``."""


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
            cls = info.annotation if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel) else None
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
            message = f"unknown field.{closest(str(loc[-1]), known)} Known fields: {', '.join(known)}" if known else message
        lines.append(f"{path}: {message}")
    return SpecError(f"invalid {root.__name__}:\n  " + "\n  ".join(lines))
