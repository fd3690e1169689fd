"""The flat core (Universal Transformer / RRN): one state, one cell, ``cycles`` updates per segment; presets."""

from __future__ import annotations

import pytest
import torch

import reasonkit
from reasonkit.blocks.cores.base import Update


def test_schedule_and_update():
    torch.manual_seed(0)
    model = reasonkit.build("ut-act-tiny", **{"core.cycles": 3})
    assert model.core.schedule == tuple(Update("h", c) for c in range(3))
    h, x = torch.randn(2, 82, 64), torch.randn(2, 82, 64)
    torch.testing.assert_close(model.core.update(0, {"h": h}, x)["h"], model.core.cell(h + x), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["ut-act", "ut-act-tiny", "rrn-sudoku", "rrn-sudoku-tiny"])
def test_presets_build(name):
    model = reasonkit.build(name)
    assert model.num_parameters() > 0
    assert type(model.core).__name__ == "FlatCore"


def test_rrn_sudoku_is_the_paper_shape():
    spec = reasonkit.get_spec("rrn-sudoku")
    assert spec.hidden_size == 96 and spec.core.cell.message_layers == 4 and spec.core.cell.update == "lstm"
    assert spec.halting.max_steps == 32


def test_tiny_presets_train_on_cpu_in_seconds():
    """A few optimiser steps of each tiny preset lower the loss on a fixed batch."""
    for name in ["trm-tiny", "trm-mlp-tiny", "ut-act-tiny", "rrn-sudoku-tiny"]:
        torch.manual_seed(0)
        model = reasonkit.build(name, **{"halting.max_steps": 1})
        opt = torch.optim.Adam(model.dense_parameters(), lr=3e-3)
        g = torch.Generator().manual_seed(0)
        b = {
            "inputs": torch.randint(0, 11, (4, 81), generator=g),
            "labels": torch.randint(1, 11, (4, 81), generator=g),
            "puzzle_identifiers": torch.zeros(4, dtype=torch.long),
        }
        losses = []
        for _ in range(6):
            carry, out = model(model.initial_carry(b), b)
            per_seq = torch.nn.functional.cross_entropy(out.logits.transpose(1, 2), b["labels"], reduction="none").mean(
                -1
            )
            loss, _ = model.halting.loss(per_seq, torch.zeros(4, dtype=torch.bool), out.halting)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[-1] < losses[0], (name, losses)
