"""Presets: named functions returning a spec. Names are lower-case and hyphenated; the size is the real count.

``name.tag`` is reserved for trained weights and is not a valid preset name.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Callable

from ..errors import UnknownNameError
from ..models.spec import ReasonerSpec
from ..registry import closest, import_submodules

__all__ = ["preset", "preset_names", "preset_factory"]

_PRESETS: dict[str, Callable[[], ReasonerSpec]] = {}
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def preset(name: str) -> Callable[[Callable[[], ReasonerSpec]], Callable[[], ReasonerSpec]]:
    """Register a function returning a spec under ``name``."""
    if not _NAME.match(name):
        raise ValueError(
            f"preset name {name!r} must be lower-case words joined by hyphens (no dots: name.tag is for weights)"
        )

    def decorator(fn: Callable[[], ReasonerSpec]) -> Callable[[], ReasonerSpec]:
        if name in _PRESETS:
            raise ValueError(f"preset {name!r} is already defined by {_PRESETS[name].__qualname__}")
        _PRESETS[name] = fn
        return fn

    return decorator


def preset_names(pattern: str = "*") -> list[str]:
    """Sorted preset names matching a shell-style pattern."""
    return sorted(n for n in _PRESETS if fnmatch.fnmatchcase(n, pattern))


def preset_factory(name: str) -> Callable[[], ReasonerSpec]:
    """The function behind a preset; unknown names list the known ones and the closest."""
    if name not in _PRESETS:
        known = sorted(_PRESETS)
        raise UnknownNameError(f"unknown preset {name!r}; known presets: {', '.join(known)}.{closest(name, known)}")
    return _PRESETS[name]


import_submodules(__name__)  # registers the presets of every family module
