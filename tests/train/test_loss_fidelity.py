"""The loss head + Reasoner reproduce the reference ACTLossHead's per-segment loss, metrics and gradients.

Fixtures: tests/fixtures/hrm_small*, trm_small and trm_mlp_small, recorded from the reference code on the CPU
(see tests/fixtures/README.md).
"""

from __future__ import annotations

import pytest
import torch
from reference_fixtures import batch, reference_model

from reasonkit.interop.reference import reference_key_map
from reasonkit.train.losses import LossHead

METRICS = (
    "count",
    "accuracy",
    "exact_accuracy",
    "q_halt_accuracy",
    "steps",
    "lm_loss",
    "q_halt_loss",
    "q_continue_loss",
)


def _check_metrics(metrics, tensors, prefix):
    for key in METRICS:
        ref_key = f"{prefix}.metrics.{key}"
        if ref_key not in tensors:
            assert key not in metrics, f"{prefix}: {key} present but the reference has none"
            continue
        torch.testing.assert_close(
            metrics[key].double(),
            tensors[ref_key].double(),
            atol=1e-5,
            rtol=0,
            msg=lambda m, key=key: f"{prefix} {key}: {m}",
        )


@pytest.mark.parametrize("name", ["hrm_small", "hrm_small_learned", "trm_small", "trm_mlp_small"])
def test_training_loss_and_metrics_match_reference(name):
    record, tensors, model = reference_model(name)
    head = LossHead("stablemax")
    model.train()
    carry = model.initial_carry(batch(tensors, "seg0"))
    torch.manual_seed(record["seeds"]["rng_seed"])
    for t in range(record["num_segments"]):
        carry, out = model(carry, batch(tensors, f"seg{t}"))
        loss, metrics = head(model.halting, carry, out)
        assert loss.dtype == torch.float64
        torch.testing.assert_close(
            loss, tensors[f"seg{t}.loss"], atol=1e-5, rtol=0, msg=lambda m, t=t: f"segment {t} loss: {m}"
        )
        _check_metrics(metrics, tensors, f"seg{t}")
        if t == record["grad_segment"]:
            loss.backward()
            mapping = {ours: ref for ref, ours in reference_key_map(model).items()}
            for name_, p in model.named_parameters():
                if p is model.embedding.puzzle.weight:
                    continue
                ref = tensors[f"grad.inner.{mapping[name_]}"]
                torch.testing.assert_close(
                    p.grad, ref, atol=1e-5, rtol=1e-4, msg=lambda m, name_=name_: f"grad {name_}: {m}"
                )
            # The reference's per-slot puzzle gradient rows, summed per id, equal our sparse gradient.
            ids = tensors["grad.puzzle_emb.local_ids"].long()
            expected = torch.zeros_like(model.embedding.puzzle.weight).index_add_(
                0, ids, tensors["grad.puzzle_emb.local_weights"]
            )
            torch.testing.assert_close(model.embedding.puzzle.weight.grad.to_dense(), expected, atol=1e-5, rtol=1e-4)
            model.zero_grad(set_to_none=True)


def test_eval_loss_and_metrics_match_reference():
    record, tensors, model = reference_model("hrm_small")
    head = LossHead("stablemax")
    model.eval()
    carry = model.initial_carry(batch(tensors, "seg0"))
    torch.manual_seed(record["seeds"]["rng_seed"])
    with torch.no_grad():
        for t in range(record["num_eval_segments"]):
            carry, out = model(carry, batch(tensors, "seg0"))
            loss, metrics = head(model.halting, carry, out)
            torch.testing.assert_close(loss, tensors[f"eval{t}.loss"], atol=1e-5, rtol=0)
            _check_metrics(metrics, tensors, f"eval{t}")
