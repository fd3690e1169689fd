"""Registry-driven: every registered kind of every model group has a tiny instance, builds inside a tiny
reasoner, and trains a segment with a finite loss and a backward pass. A new kind is tested the day it lands."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from tiny_models import all_kinds, batch, tiny_spec

from reasonkit.registry import lookup

ALL = all_kinds()


@pytest.mark.parametrize("group, kind", ALL, ids=[f"{g}-{k}" for g, k in ALL])
def test_kind_has_a_tiny_instance(group, kind):
    cls = lookup(group, kind)
    instance = cls.tiny()
    assert isinstance(instance, cls) and instance.kind == kind
    assert cls.model_validate_json(instance.model_dump_json()) == instance


@pytest.mark.parametrize("group, kind", ALL, ids=[f"{g}-{k}" for g, k in ALL])
def test_kind_trains_one_segment(group, kind):
    torch.manual_seed(0)
    model = tiny_spec(**{group: kind}).build()
    b = batch()
    model.train()
    carry, out = model(model.initial_carry(b), b)
    assert out.logits.shape == (3, model.seq_len, model.vocab_size)
    lm = F.cross_entropy(out.logits.float().transpose(1, 2), b["labels"].long(), reduction="none").mean(-1)
    loss, terms = model.halting.loss(lm, (out.logits.argmax(-1) == b["labels"]).all(-1), out.halting)
    assert torch.isfinite(loss) and all(torch.isfinite(v).all() for v in terms.values())
    loss.backward()
    assert (carry.steps == 1).all() and (carry.steps <= model.halting.max_steps).all()
