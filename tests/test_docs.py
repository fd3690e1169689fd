"""The Python examples in README.md and docs/adding-a-block.md run as written."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "docs/adding-a-block.md"]


def run_page(page: str) -> dict:
    """Execute a page's python blocks in order, in a real module (pydantic resolves annotations through it)."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(), re.S)
    assert blocks, f"{page} has no python example"
    module = types.ModuleType("doc_example_" + re.sub(r"\W", "_", page))
    sys.modules[module.__name__] = module
    for block in blocks:
        exec(compile(block, page, "exec"), module.__dict__)
    return module.__dict__


@pytest.fixture(scope="module")
def pages() -> dict[str, dict]:
    return {page: run_page(page) for page in PAGES}


def test_readme_example(pages):
    ns = pages["README.md"]
    assert ns["model"].num_parameters() == 27_275_266
    assert ns["ablation"].spec.gradient.kind == "bptt" and ns["ablation"].spec.halting.max_steps == 8


def test_adding_a_block_example_uses_the_new_kind(pages):
    ns = pages["docs/adding-a-block.md"]
    assert type(ns["model"].core.low_injection).__name__ == "GatedResidual"
