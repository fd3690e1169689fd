"""Presets: named functions returning a spec. Names are lower-case and hyphenated; the size is the real count.

``name.tag`` is reserved for trained weights and is not a valid preset name.
"""

from __future__ import annotations

import fnmatch
import re
import warnings
from typing import Callable

from ..errors import UnknownNameError
from ..models.spec import ReasonerSpec
from ..registry import closest, import_submodules

__all__ = ["preset", "preset_names", "preset_factory"]

_PRESETS: dict[str, Callable[[], ReasonerSpec]] = {}
_ALIASES: dict[str, str] = {}
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def preset(
    name: str, aliases: tuple[str, ...] = ()
) -> Callable[[Callable[[], ReasonerSpec]], Callable[[], ReasonerSpec]]:
    """Register a function returning a spec under ``name``; ``aliases`` are former names that still resolve, with a
    deprecation warning (a renamed preset keeps its old name for a release)."""
    for new in (name, *aliases):
        if not _NAME.match(new):
            raise ValueError(
                f"preset name {new!r} must be lower-case words joined by hyphens (no dots: name.tag is for weights)"
            )

    def decorator(fn: Callable[[], ReasonerSpec]) -> Callable[[], ReasonerSpec]:
        for new in (name, *aliases):
            if new in _PRESETS or new in _ALIASES:
                raise ValueError(f"preset {new!r} is already defined")
        _PRESETS[name] = fn
        _ALIASES.update({old: name for old in aliases})
        return fn

    return decorator


def preset_names(pattern: str = "*") -> list[str]:
    """Sorted preset names matching a shell-style pattern."""
    return sorted(n for n in _PRESETS if fnmatch.fnmatchcase(n, pattern))


def preset_factory(name: str) -> Callable[[], ReasonerSpec]:
    """The function behind a preset; unknown names list the known ones and the closest."""
    if name in _ALIASES:
        warnings.warn(f"preset {name!r} is deprecated; use {_ALIASES[name]!r}", DeprecationWarning, stacklevel=3)
        name = _ALIASES[name]
    if name not in _PRESETS:
        known = sorted(_PRESETS)
        raise UnknownNameError(f"unknown preset {name!r}; known presets: {', '.join(known)}.{closest(name, known)}")
    return _PRESETS[name]


import_submodules(__name__)  # registers the presets of every family module
