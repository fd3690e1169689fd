"""Presets: docs/presets.md is current, sizes in names match the real counts, specs round-trip through JSON."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import torch

import reasonkit

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_presets", DOCS / "gen_presets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_presets_table_is_current():
    assert (DOCS / "presets.md").read_text() == _generator().render(), "run: python docs/gen_presets.py"


@pytest.mark.parametrize("name", reasonkit.list_presets())
def test_size_in_name_matches_real_count(name):
    spec = reasonkit.get_spec(name)
    assert reasonkit.get_spec(spec) == spec
    assert type(spec).model_validate_json(spec.model_dump_json()) == spec
    size = re.search(r"-(\d+)m(?:-|$)", name)
    if size is None:
        return
    with torch.device("meta"):
        count = spec.build().num_parameters()
    assert round(count / 1e6) == int(size.group(1)), f"{name} has {count:,} parameters"


def test_ablation_examples_in_the_docs_build():
    text = (DOCS / "ablation.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    with torch.device("meta"):
        exec(compile(code, "docs/ablation.md", "exec"), namespace)
    assert namespace["mlp"].num_parameters() == reasonkit.build("trm-mlp-5m").num_parameters()
    assert namespace["one_step"].gradient.__class__.__name__ == "OneStepGradient"
