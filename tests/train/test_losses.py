"""Losses against direct computations, and the loss head's per-sequence normalisation and ignore label."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from reasonkit import build
from reasonkit.data.schema import IGNORE_LABEL
from reasonkit.train.losses import LossHead, softmax_cross_entropy, stablemax_cross_entropy


def _direct_stablemax(logits, labels):
    out = torch.zeros(labels.shape, dtype=torch.float64)
    for idx in torch.cartesian_prod(*[torch.arange(n) for n in labels.shape]):
        idx = tuple(idx.tolist())
        if labels[idx] == IGNORE_LABEL:
            continue
        s = [x + 1 if x >= 0 else 1 / (1 - x) for x in logits[idx].double().tolist()]
        out[idx] = -math.log(s[labels[idx]] / sum(s))
    return out


@given(st.integers(0, 2**31 - 1))
def test_stablemax_matches_direct_formula(seed):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(2, 5, 7, generator=g) * 4
    labels = torch.randint(0, 7, (2, 5), generator=g)
    labels[torch.rand(2, 5, generator=g) < 0.3] = IGNORE_LABEL
    got = stablemax_cross_entropy(logits, labels)
    assert got.dtype == torch.float64
    torch.testing.assert_close(got, _direct_stablemax(logits, labels), atol=1e-12, rtol=1e-12)


def test_stablemax_is_float64_even_for_bfloat16_logits():
    logits = torch.randn(3, 4, 5).bfloat16()
    labels = torch.randint(0, 5, (3, 4))
    assert stablemax_cross_entropy(logits, labels).dtype == torch.float64


@given(st.integers(0, 2**31 - 1))
def test_softmax_matches_direct_formula(seed):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(2, 5, 7, generator=g) * 3
    labels = torch.randint(0, 7, (2, 5), generator=g)
    labels[0, 1] = IGNORE_LABEL
    direct = -torch.log_softmax(logits.double(), -1).gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1)
    direct = torch.where(labels == IGNORE_LABEL, 0, direct)
    torch.testing.assert_close(softmax_cross_entropy(logits, labels).double(), direct, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("loss", ["stablemax", "softmax"])
@pytest.mark.parametrize("halting", ["fixed", "q_act"])
def test_loss_head_normalises_per_sequence_and_ignores_labels(loss, halting):
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=6, halting={"kind": halting, "max_steps": 2})
    x = torch.randint(0, 11, (3, 6), dtype=torch.int32)
    labels = torch.randint(0, 11, (3, 6), dtype=torch.int32)
    labels[0, :4] = IGNORE_LABEL
    labels[2] = IGNORE_LABEL  # a sequence with no labels contributes 0 and is not counted
    b = {"inputs": x, "labels": labels, "puzzle_identifiers": torch.zeros(3, dtype=torch.int32)}
    model.eval()
    carry = model.initial_carry(b)
    for _ in range(2):
        carry, out = model(carry, b)
    head = LossHead(loss)
    total, metrics = head(model.halting, carry, out)
    fn = stablemax_cross_entropy if loss == "stablemax" else softmax_cross_entropy
    per_token = fn(out.logits, labels)
    expected = per_token[0].sum() / 2 + per_token[1].sum() / 6
    torch.testing.assert_close(metrics["lm_loss"].double(), expected.double())
    assert int(metrics["count"]) == 2 and int(metrics["steps"]) == 4
    if halting == "fixed":
        torch.testing.assert_close(total.double(), expected.double())
    else:
        assert set(metrics) >= {"q_halt_loss", "q_halt_accuracy"}


def test_unknown_loss_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        LossHead("hinge")
