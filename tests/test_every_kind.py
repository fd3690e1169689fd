"""Registry-driven: every registered kind of every group builds inside a tiny reasoner, runs a training
segment with a finite loss and a backward pass, and has a hypothesis strategy in tests/strategies.py."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from reasonkit import build, list_kinds
from strategies import BASE, BASE_PRESET, KIND_STRATEGIES

ALL_KINDS = [(group, kind) for group, kinds in list_kinds().items() for kind in kinds]


@pytest.mark.parametrize("group, kind", ALL_KINDS, ids=[f"{g}-{k}" for g, k in ALL_KINDS])
def test_kind_has_a_strategy(group, kind):
    assert (group, kind) in KIND_STRATEGIES, f"add a strategy for the {group} kind {kind!r} to tests/strategies.py"


@pytest.mark.parametrize("group, kind", ALL_KINDS, ids=[f"{g}-{k}" for g, k in ALL_KINDS])
@given(data=st.data())
def test_kind_trains_one_segment(group, kind, data):
    if (group, kind) not in KIND_STRATEGIES:
        pytest.skip("no strategy (reported by test_kind_has_a_strategy)")
    overrides = data.draw(KIND_STRATEGIES[(group, kind)], label="overrides")
    torch.manual_seed(0)
    model = build(BASE_PRESET, **{**BASE, **overrides})
    assert model.spec is not None
    seq, vocab = model.spec.seq_len, model.spec.vocab_size
    g = torch.Generator().manual_seed(0)
    b = {"inputs": torch.randint(0, vocab, (3, seq), generator=g), "labels": torch.randint(0, vocab, (3, seq), generator=g),
         "puzzle_identifiers": torch.zeros(3, dtype=torch.int32)}
    model.train()
    carry, out = model(model.initial_carry(b), b)
    assert out["logits"].shape == (3, seq, vocab)
    lm = F.cross_entropy(out["logits"].float().transpose(1, 2), b["labels"].long(), reduction="none").mean(-1)
    loss, terms = model.halting.loss(lm, (out["logits"].argmax(-1) == b["labels"]).all(-1), out)
    assert torch.isfinite(loss) and all(torch.isfinite(v).all() for v in terms.values())
    loss.backward()
    assert (carry.steps == 1).all() and (carry.steps <= model.halting.max_steps).all()
