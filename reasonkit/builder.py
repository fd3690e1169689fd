"""``build`` and ``get_spec``: from a preset name, a spec, a dict or a JSON file to a validated spec or model."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Union

from pydantic import ValidationError

from .errors import ConfigError, SpecError
from .models.reasoner import Reasoner
from .models.spec import ReasonerSpec
from .presets import preset_factory, preset_names
from .spec import apply_overrides, explain

__all__ = ["build", "get_spec", "list_presets", "SpecSource"]

SpecSource = Union[str, os.PathLike, Mapping[str, Any], ReasonerSpec]


def _load(source: SpecSource) -> dict[str, Any]:
    if source is None or not isinstance(source, (str, os.PathLike, Mapping, ReasonerSpec)):
        raise SpecError(
            f"a model is a preset name, a spec, a dict or a path to a JSON spec, not "
            f"{type(source).__name__}; e.g. build('hrm-27m')"
        )
    if isinstance(source, ReasonerSpec):
        return json.loads(source.model_dump_json())
    if isinstance(source, Mapping):
        return dict(source)
    text = os.fspath(source)
    if text.endswith(".json") or os.sep in text or Path(text).is_file():
        path = Path(text)
        if not path.is_file():
            raise ConfigError(f"spec file {path} does not exist")
        try:
            data = json.loads(path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SpecError(f"spec file {path} is not valid JSON ({err})") from None
        if not isinstance(data, dict):
            raise SpecError(f"spec file {path} must hold a JSON object, got {type(data).__name__}")
        return data
    return json.loads(preset_factory(text)().model_dump_json())


def get_spec(source: SpecSource, **overrides: Any) -> ReasonerSpec:
    """The validated spec for a preset name, a spec, a dict or a path to a JSON spec, with overrides applied.

    Override keys are top-level field names (``seq_len=900``) or dotted paths (``**{"halting.max_steps": 8}``);
    a sub-spec can be replaced whole by a dict or a kind name (``halting="fixed"``).
    """
    data = apply_overrides(_load(source), overrides)
    try:
        return ReasonerSpec.model_validate(data)
    except ValidationError as err:
        raise explain(err, ReasonerSpec, data) from None


def build(source: SpecSource, **overrides: Any) -> Reasoner:
    """Build a model from a preset name, a spec, a dict or a JSON file, with overrides (see :func:`get_spec`)."""
    return get_spec(source, **overrides).build()


def list_presets(pattern: str = "*") -> list[str]:
    """Preset names matching a shell-style pattern, e.g. ``list_presets("hrm-*")``."""
    return preset_names(pattern)
