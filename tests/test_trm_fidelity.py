"""TRM fidelity: reasonkit's recursive core equals the reference TRM (SamsungSAILMontreal/TinyRecursiveModels).

The fixtures in tests/fixtures (see its README) hold a reference TRM's weights, batches and outputs for six
training segments (with exploration and halting), the loss and every gradient of segment 0, and three
evaluation segments. We build the matching spec, load the reference weights, replay the same RNG order and
compare everything in float32.
"""

from __future__ import annotations

import pytest
import torch
from reference_fixtures import batch, reference_model

from reasonkit.interop import load_reference_state_dict, reference_key_map

ATOL = 1e-5
IGNORE = -100


def _stablemax_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sequence mean stablemax cross-entropy (float64, as the reference) and exact correctness."""
    x = logits.to(torch.float64)
    s = torch.where(x < 0, 1 / (1 - x + 1e-30), x + 1)
    logprobs = torch.log(s / s.sum(-1, keepdim=True))
    mask = labels != IGNORE
    picked = torch.gather(logprobs, -1, torch.where(mask, labels, 0).long().unsqueeze(-1)).squeeze(-1)
    counts = mask.sum(-1)
    per_seq = -torch.where(mask, picked, 0).sum(-1) / counts.clamp_min(1)
    correct = ((logits.argmax(-1) == labels) & mask).sum(-1) == counts
    return per_seq, correct


@pytest.fixture(scope="module", params=["trm_small", "trm_mlp_small"])
def fixture(request):
    return reference_model(request.param)


def _close(ours: torch.Tensor, ref: torch.Tensor, what: str) -> None:
    torch.testing.assert_close(ours, ref, atol=ATOL, rtol=0, msg=lambda m: f"{what}: {m}")


def test_parameter_count_matches_reference(fixture):
    meta, _, model = fixture
    assert model.num_parameters() == meta["param_count"]


def test_training_segments_match_reference(fixture):
    meta, tensors, model = fixture
    model.train()
    carry = model.initial_carry(batch(tensors, "seg0"))
    torch.manual_seed(meta["seeds"]["rng_seed"])
    for t in range(meta["num_segments"]):
        carry, out = model(carry, batch(tensors, f"seg{t}"))
        p = f"seg{t}"
        _close(out.logits, tensors[f"{p}.logits"], f"{p} logits")
        _close(out.halting.q_halt, tensors[f"{p}.q_halt_logits"], f"{p} q_halt")
        _close(out.halting.q_continue, tensors[f"{p}.q_continue_logits"], f"{p} q_continue")
        _close(carry.state["y"], tensors[f"{p}.carry.z_H"], f"{p} y (z_H)")
        _close(carry.state["z"], tensors[f"{p}.carry.z_L"], f"{p} z (z_L)")
        assert torch.equal(carry.steps, tensors[f"{p}.carry.steps"]), p
        assert torch.equal(carry.halted, tensors[f"{p}.carry.halted"]), p
        for key in ("inputs", "labels", "puzzle_identifiers"):
            assert torch.equal(carry.data[key], tensors[f"{p}.carry.current_data.{key}"]), (p, key)
        _check_loss_and_metrics(model, carry, out, tensors, p)


def _check_loss_and_metrics(model, carry, out, tensors, p: str) -> None:
    """The policy's loss and metrics equal the reference ACTLossHead's for this segment."""
    with torch.no_grad():
        lm_loss, correct = _stablemax_loss(out.logits, carry.data["labels"])
        loss, terms = model.halting.loss(lm_loss, correct, out.halting)
        _close(loss.double(), tensors[f"{p}.loss"], f"{p} loss")
        _close(terms["lm_loss"].double(), tensors[f"{p}.metrics.lm_loss"], f"{p} lm_loss")
        _close(terms["q_halt_loss"], tensors[f"{p}.metrics.q_halt_loss"], f"{p} q_halt_loss")
        valid = carry.halted & ((carry.data["labels"] != IGNORE).sum(-1) > 0)
        metrics = model.halting.metrics(out.halting, correct, valid)
        assert metrics["q_halt_accuracy"] == tensors[f"{p}.metrics.q_halt_accuracy"], p
        assert (valid & correct).sum() == tensors[f"{p}.metrics.exact_accuracy"], p


def test_loss_and_gradients_match_reference(fixture):
    meta, tensors, model = fixture
    model.train()
    model.zero_grad(set_to_none=True)
    carry = model.initial_carry(batch(tensors, "seg0"))
    torch.manual_seed(meta["seeds"]["rng_seed"])
    carry, out = model(carry, batch(tensors, "seg0"))
    lm_loss, correct = _stablemax_loss(out.logits, carry.data["labels"])
    loss, terms = model.halting.loss(lm_loss, correct, out.halting)
    _close(loss.double(), tensors["seg0.loss"], "seg0 loss")
    _close(terms["q_halt_loss"], tensors["seg0.metrics.q_halt_loss"], "seg0 q_halt_loss")
    loss.backward()

    mapping = reference_key_map(model)
    params = dict(model.named_parameters())
    checked = set()
    for key, ref_grad in tensors.items():
        if not key.startswith("grad.inner."):
            continue
        name = mapping[key[len("grad.inner.") :]]
        _close(params[name].grad, ref_grad, f"grad of {name}")
        checked.add(name)
    # The reference's puzzle table gets its gradient through a per-batch copy (local_weights, local_ids).
    table = model.embedding.puzzle.weight
    expected = torch.zeros_like(table).index_add_(
        0, tensors["grad.puzzle_emb.local_ids"].long(), tensors["grad.puzzle_emb.local_weights"]
    )
    _close(table.grad.to_dense(), expected, "puzzle table grad")
    checked.add("embedding.puzzle.weight")
    assert checked == set(params), set(params) - checked


def test_eval_segments_match_reference(fixture):
    meta, tensors, model = fixture
    model.eval()
    first = batch(tensors, "seg0")
    with torch.no_grad():
        carry = model.initial_carry(first)
        torch.manual_seed(meta["seeds"]["rng_seed"])
        for t in range(meta["num_eval_segments"]):
            carry, out = model(carry, first)
            p = f"eval{t}"
            _close(out.logits, tensors[f"{p}.logits"], f"{p} logits")
            _close(out.halting.q_halt, tensors[f"{p}.q_halt_logits"], f"{p} q_halt")
            _close(out.halting.q_continue, tensors[f"{p}.q_continue_logits"], f"{p} q_continue")
            assert torch.equal(carry.halted, tensors[f"{p}.carry.halted"]), p
            assert torch.equal(carry.steps, tensors[f"{p}.carry.steps"]), p
            _check_loss_and_metrics(model, carry, out, tensors, p)
    model.train()


def test_loads_checkpoint_keys_as_the_reference_saves_them(fixture):
    """pretrain.py saves torch.compile(ACTLossHead(model)): keys start with ``_orig_mod.model.``."""
    meta, tensors, model = fixture
    state = {"_orig_mod.model." + k[len("state.") :]: v for k, v in tensors.items() if k.startswith("state.")}
    fresh = type(model.spec).model_validate(model.spec.model_dump()).build()
    load_reference_state_dict(fresh, state)
    for name, value in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[name], value), name
    torch.testing.assert_close(fresh.halting.head.weight, tensors["ckpt_example._orig_mod.model.inner.q_head.weight"])
