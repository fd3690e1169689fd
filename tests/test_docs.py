"""The Python examples in README.md and docs/adding-a-block.md run as written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), re.S)


@pytest.mark.parametrize("page", ["README.md", "docs/adding-a-block.md"])
def test_examples_run(page):
    blocks = python_blocks(ROOT / page)
    assert blocks, f"{page} has no python example"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, page, "exec"), namespace)
    assert "model" in namespace


def test_adding_a_block_example_uses_the_new_kind():
    namespace: dict = {}
    exec(compile(python_blocks(ROOT / "docs/adding-a-block.md")[0], "adding-a-block", "exec"), namespace)
    assert type(namespace["model"].core.low_injection).__name__ == "GatedResidual"
