"""The Reasoner: ACT carry semantics, gradients, dtypes, batch independence, inference and bad input."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from reasonkit import build, get_spec

SEQ, VOCAB = 8, 11


def tiny(**overrides):
    torch.manual_seed(0)
    return build("hrm-tiny", seq_len=SEQ, hidden_size=32, num_puzzle_ids=3, **overrides)


def batch(size: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return {
        "inputs": torch.randint(0, VOCAB, (size, SEQ), generator=g, dtype=torch.int32),
        "labels": torch.randint(0, VOCAB, (size, SEQ), generator=g, dtype=torch.int32),
        "puzzle_identifiers": torch.randint(0, 3, (size,), generator=g, dtype=torch.int32),
    }


def training_loss(model, out, labels):
    lm = F.cross_entropy(out.logits.float().transpose(1, 2), labels.long(), reduction="none").mean(-1)
    correct = (out.logits.argmax(-1) == labels).all(-1)
    return model.halting.loss(lm, correct, out.halting)[0]


def test_every_parameter_receives_a_gradient_in_a_training_step():
    model = tiny()
    b = batch(4)
    carry, out = model(model.initial_carry(b), b)
    training_loss(model, out, carry.data["labels"]).backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, f"{name} got no gradient"
        grad = param.grad.coalesce().values() if param.grad.is_sparse else param.grad
        assert torch.isfinite(grad).all(), name
        if name != "halting.head.weight":  # zero-initialised head: its gradient is non-zero, the others' too
            assert grad.abs().sum() > 0, f"{name} got an all-zero gradient"
    assert model.embedding.puzzle.weight.grad.is_sparse
    touched = model.embedding.puzzle.weight.grad.coalesce().indices().unique()
    assert set(touched.tolist()) == set(b["puzzle_identifiers"].tolist())


def test_initial_states_are_buffers_not_parameters():
    model = tiny()
    names = dict(model.named_buffers())
    assert {"core.z_h_init", "core.z_l_init"} <= set(names)
    assert not any("init" in n for n, _ in model.named_parameters())


def test_heads_are_initialised_as_the_reference():
    model = tiny()
    assert torch.equal(model.halting.head.weight, torch.zeros_like(model.halting.head.weight))
    assert torch.equal(model.halting.head.bias, torch.full((2,), -5.0))
    assert torch.equal(model.embedding.puzzle.weight, torch.zeros_like(model.embedding.puzzle.weight))
    std = build("hrm-27m").core.high.layers[0].self_attn.qkv_proj.weight.std().item()
    assert abs(std - 512**-0.5) < 0.02 * 512**-0.5  # truncated LeCun normal keeps the nominal std


@given(size=st.integers(2, 5), row=st.integers(0, 4))
def test_batch_independence_and_eval_determinism(size, row):
    model = tiny().eval()
    b = batch(size, seed=size)
    row = row % size
    with torch.no_grad():
        full = model.solve(b["inputs"], b["puzzle_identifiers"])
        alone = model.solve(b["inputs"][row : row + 1], b["puzzle_identifiers"][row : row + 1])
        again = model.solve(b["inputs"], b["puzzle_identifiers"])
    torch.testing.assert_close(full.logits[row : row + 1], alone.logits, atol=1e-4, rtol=1e-4)
    assert torch.equal(full.logits, again.logits)


def test_training_carry_semantics():
    """Only halted slots take new rows; steps count per example and never exceed the maximum."""
    model = tiny(**{"halting.max_steps": 3, "halting.exploration": 0.0})
    model.train()
    carry = model.initial_carry(batch(4))
    for t in range(7):
        b = batch(4, seed=10 + t)
        previous = carry
        carry, _ = model(carry, b)
        took = previous.halted
        assert torch.equal(carry.data["inputs"][took], b["inputs"][took])
        assert torch.equal(carry.data["inputs"][~took], previous.data["inputs"][~took])
        assert torch.equal(carry.steps, torch.where(took, 1, previous.steps + 1))
        assert (carry.steps <= 3).all() and carry.halted[carry.steps == 3].all()


def test_solve_runs_max_steps_and_accepts_more_at_inference():
    model = tiny(**{"halting.max_steps": 2})
    b = batch(3)
    assert model.solve(b["inputs"], b["puzzle_identifiers"]).steps.tolist() == [2, 2, 2]
    longer = model.solve(b["inputs"], b["puzzle_identifiers"], max_steps=5)
    assert longer.steps.tolist() == [5, 5, 5] and longer.predictions.shape == (3, SEQ)
    assert model.training  # solve restores the mode it found


def test_early_exit_halts_when_the_policy_says_so():
    model = tiny(**{"halting.max_steps": 4})
    with torch.no_grad():  # make q_halt > q_continue for every input
        model.halting.head.bias.copy_(torch.tensor([3.0, -3.0]))
    b = batch(3)
    assert model.solve(b["inputs"], b["puzzle_identifiers"], early_exit=True).steps.tolist() == [1, 1, 1]
    assert model.solve(b["inputs"], b["puzzle_identifiers"]).steps.tolist() == [4, 4, 4]


def test_bfloat16_forward_keeps_float32_parameters():
    model = tiny(forward_dtype="bfloat16")
    b = batch(2)
    carry, out = model(model.initial_carry(b), b)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert out.logits.dtype == torch.bfloat16 and carry.state["z_h"].dtype == torch.bfloat16
    assert out.halting.q_halt.dtype == torch.float32
    reference = tiny()
    _, out32 = reference(reference.initial_carry(b), b)
    assert (out.logits.float() - out32.logits).abs().max() < 0.25


def test_tokens_outside_the_vocabulary_are_rejected():
    model = tiny()
    b = batch(2)
    b["inputs"][0, 3] = VOCAB
    with pytest.raises(ValueError, match=r"token ids in \[0, 11\] but the model's vocab_size is 11"):
        model(model.initial_carry(b), b)
    b = batch(2)
    b["puzzle_identifiers"][1] = 3
    with pytest.raises(ValueError, match="puzzle_identifiers.*num_puzzle_ids"):
        model(model.initial_carry(b), b)


def test_inference_max_steps_sets_the_segments_at_inference_only():
    """Trained with 3 segments, run with 5 at inference unless a call says otherwise (inference-time scaling)."""
    from reasonkit.eval import infer

    spec = get_spec("hrm-tiny", seq_len=16, halting={"kind": "q_act", "max_steps": 3}, inference_max_steps=5)
    assert type(spec).model_validate_json(spec.model_dump_json()) == spec
    torch.manual_seed(0)
    model = spec.build()
    assert model.inference_steps == 5 and build("hrm-tiny").inference_steps == build("hrm-tiny").halting.max_steps
    x = torch.randint(1, 11, (4, 16), dtype=torch.int32)
    batch = {"inputs": x, "puzzle_identifiers": torch.zeros(4, dtype=torch.int32)}
    carry = model.initial_carry(batch)
    for _ in range(3):  # training: the policy's maximum
        carry, _out = model(carry, batch)
    assert carry.halted.all() and (carry.steps == 3).all()
    assert (model.solve(x).steps == 5).all() and model.training
    assert (infer(model, x.numpy()).steps == 5).all() and (infer(model, x.numpy(), max_steps=2).steps == 2).all()
    with pytest.raises(ValueError, match="inference_max_steps"):
        get_spec("hrm-tiny", inference_max_steps=0)
