"""The Python examples in README.md, docs/adding-a-block.md and docs/tasks.md run as written."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "docs/adding-a-block.md", "docs/tasks.md"]


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


def test_the_halting_policy_of_adding_a_block_trains_and_halts(pages):
    import torch
    from tiny_models import ROOT, batch

    from reasonkit import build

    ns = pages["docs/adding-a-block.md"]
    torch.manual_seed(0)
    model = build("hrm-tiny", **{k: v for k, v in ROOT.items() if k != "loss"}, halting="threshold")
    assert isinstance(model.halting, ns["ThresholdHalting"]) and model.halting.head.bias.item() == -3.0
    b = batch()
    carry, out = model(model.initial_carry(b), b)
    loss, terms = model.halting.loss(torch.ones(3), torch.zeros(3, dtype=torch.bool), out.halting)
    loss.backward()
    assert model.halting.head.weight.grad is not None and set(terms) == {"lm_loss", "halt_loss"}
    with torch.no_grad():
        model.halting.head.bias.fill_(5.0)  # confident at once
    assert model.solve(b["inputs"], b["puzzle_identifiers"], early_exit=True).steps.tolist() == [1, 1, 1]


def test_the_task_of_the_tasks_page_builds_and_works_in_the_data_command(pages, tmp_path, capsys):
    from reasonkit.cli import main
    from reasonkit.data import load_metadata

    task = pages["docs/tasks.md"]["ParityTask"](length=5, train_size=8)
    task.build(tmp_path / "p")
    assert load_metadata(tmp_path / "p", "train").seq_len == 6
    assert task.encode("0110", 5).tolist() == [1, 2, 2, 1, 1] and task.decode([1, 2, 2, 1, 1]) == "01100"
    assert main(["data", "parity", "--out", str(tmp_path / "q"), "--length", "3", "--train-size", "4"]) == 0
    assert load_metadata(tmp_path / "q", "train").total_groups == 4
