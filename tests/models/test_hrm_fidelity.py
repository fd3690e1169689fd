"""HRM fidelity: reasonkit's hierarchical model equals the reference HRM (sapientinc/HRM) to 1e-5 in float32.

The fixtures were recorded by running the reference code on the CPU with
``python tests/fixtures/make_reference_fixtures.py --hrm <HRM checkout> --trm <TRM checkout> --full-counts``
(see tests/fixtures/README.md for the configs, the randomised weights and the RNG order). The reference code is
not part of this repository; only its outputs on fixed inputs are.
"""

from __future__ import annotations

import pytest
import torch
from reference_fixtures import batch, hrm_spec, load_fixture, output, reference_model, reference_state

from reasonkit import build
from reasonkit.interop import load_reference_state_dict

ATOL = 1e-5


def close(actual: torch.Tensor, expected: torch.Tensor, what: str) -> None:
    torch.testing.assert_close(actual, expected, atol=ATOL, rtol=0, msg=lambda m: f"{what}: {m}")


@pytest.mark.parametrize("name", ["hrm_small", "hrm_small_learned"])
def test_training_segments_match_reference(name):
    """Logits, Q values, Q target and the whole carry match over every recorded ACT segment (resets included)."""
    record, tensors, model = reference_model(name)
    assert model.num_parameters() == record["param_count"]
    model.train()
    carry = model.initial_carry(batch(tensors, "seg0"))
    torch.manual_seed(record["seeds"]["rng_seed"])
    for t in range(record["num_segments"]):
        carry, out = model(carry, batch(tensors, f"seg{t}"))
        for key in ("logits", "q_halt_logits", "q_continue_logits", "target_q_continue"):
            close(output(out, key), tensors[f"seg{t}.{key}"], f"segment {t} {key}")
        close(carry.state["z_h"], tensors[f"seg{t}.carry.z_H"], f"segment {t} z_H")
        close(carry.state["z_l"], tensors[f"seg{t}.carry.z_L"], f"segment {t} z_L")
        assert torch.equal(carry.steps, tensors[f"seg{t}.carry.steps"]), f"segment {t} steps"
        assert torch.equal(carry.halted, tensors[f"seg{t}.carry.halted"]), f"segment {t} halted"
        for key in ("inputs", "labels", "puzzle_identifiers"):
            assert torch.equal(carry.data[key], tensors[f"seg{t}.carry.current_data.{key}"]), f"segment {t} {key}"


def test_fixture_exercises_halting_paths():
    """The recorded run must contain early halts and resets, or the test above would prove less than it says."""
    _, tensors = load_fixture("hrm_small")
    halted = torch.stack([tensors[f"seg{t}.carry.halted"] for t in range(6)])
    steps = torch.stack([tensors[f"seg{t}.carry.steps"] for t in range(6)])
    assert (halted & (steps < 3)).any(), "no early halt recorded"
    assert halted[:-1].any(), "no reset recorded"


def test_eval_segments_match_reference():
    """In eval mode every sequence runs max_steps segments with the reference's outputs."""
    record, tensors, model = reference_model("hrm_small")
    model.eval()
    first = batch(tensors, "seg0")
    carry = model.initial_carry(first)
    torch.manual_seed(record["seeds"]["rng_seed"])
    with torch.no_grad():
        for t in range(record["num_eval_segments"]):
            carry, out = model(carry, first)
            for key in ("logits", "q_halt_logits", "q_continue_logits"):
                close(output(out, key), tensors[f"eval{t}.{key}"], f"eval segment {t} {key}")
            assert out.halting.target_q_continue is None
            assert torch.equal(carry.halted, tensors[f"eval{t}.carry.halted"])
            assert torch.equal(carry.steps, tensors[f"eval{t}.carry.steps"])


def test_orig_mod_prefixed_checkpoint_loads():
    """Keys saved from a torch.compile'd loss head (``_orig_mod.model.inner.``) load like plain ones."""
    record, tensors = load_fixture("hrm_small")
    model = build(hrm_spec(record["config"]))
    prefixed = {f"_orig_mod.model.{k}": v for k, v in reference_state(tensors).items()}
    load_reference_state_dict(model, prefixed)
    assert torch.equal(model.halting.head.weight, tensors["ckpt_example._orig_mod.model.inner.q_head.weight"])
    assert torch.equal(model.embedding.puzzle.weight, tensors["state.inner.puzzle_emb.weights"])


def test_state_dict_of_another_architecture_is_rejected():
    record, tensors = load_fixture("hrm_small")
    model = build(hrm_spec(record["config"]), hidden_size=32, **{"core.high.num_heads": 2, "core.low.num_heads": 2})
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="shape mismatches"):
        load_reference_state_dict(model, reference_state(tensors))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items()), "a failed load changed the model"
    other = build(hrm_spec(record["config"]), **{"core.high.layers": 1})
    with pytest.raises(ValueError, match="unexpected keys"):
        load_reference_state_dict(other, reference_state(tensors))
