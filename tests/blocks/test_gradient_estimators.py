"""Gradient estimators across cores, property-tested: bptt is autograd through the explicit unroll, the
estimators agree where they must, and one_step keeps a constant number of saved activations as cycles grow."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import reasonkit

CELL = {"kind": "transformer", "layers": 1, "num_heads": 2, "expansion": 1}
SEQ, VOCAB = 4, 5


def core_spec(kind: str, cycles: int, inner: int = 2) -> dict:
    if kind == "hierarchical":
        return {"kind": "hierarchical", "h_cycles": cycles, "l_cycles": inner, "high": CELL, "low": CELL}
    if kind == "recursive":
        return {"kind": "recursive", "cycles": cycles, "latent_updates": inner, "cell": CELL}
    return {"kind": "flat", "cycles": cycles, "cell": CELL}


def build(core: dict, gradient: dict, seed: int = 0) -> reasonkit.Reasoner:
    torch.manual_seed(seed)
    return reasonkit.build(
        {
            "vocab_size": VOCAB,
            "seq_len": SEQ,
            "hidden_size": 16,
            "core": core,
            "gradient": gradient,
            "halting": {"kind": "fixed", "max_steps": 2},
        }
    )


def inputs(seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "inputs": torch.randint(0, VOCAB, (2, SEQ), generator=g),
        "puzzle_identifiers": torch.zeros(2, dtype=torch.long),
    }


def segment_grads(model: reasonkit.Reasoner, data: dict, state: dict | None = None) -> dict[str, torch.Tensor]:
    """Gradients of a fixed random projection of one segment's logits."""
    model.zero_grad(set_to_none=True)
    if state is None:
        state = model.core.initial_state(2, SEQ + model.prefix_len, torch.float32)
    _, logits, _ = model.segment(state, data)
    weights = torch.randn(logits.shape, generator=torch.Generator().manual_seed(7))
    (logits * weights).sum().backward()
    return {
        n: (p.grad.to_dense() if p.grad.is_sparse else p.grad).clone()
        for n, p in model.named_parameters()
        if p.grad is not None
    }


def explicit_unroll_grads(model: reasonkit.Reasoner, data: dict) -> dict[str, torch.Tensor]:
    """The same loss, differentiating through every update written out by hand."""
    model.zero_grad(set_to_none=True)
    state = model.core.initial_state(2, SEQ + model.prefix_len, torch.float32)
    x = model.embedding(data["inputs"], data["puzzle_identifiers"], torch.float32)
    for i in range(len(model.core.schedule)):
        state = model.core.update(i, state, x)
    logits = model.lm_head(state[model.core.readout])[:, model.prefix_len :]
    weights = torch.randn(logits.shape, generator=torch.Generator().manual_seed(7))
    (logits * weights).sum().backward()
    return {
        n: (p.grad.to_dense() if p.grad.is_sparse else p.grad).clone()
        for n, p in model.named_parameters()
        if p.grad is not None
    }


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6, msg=name)


CORES = ["hierarchical", "recursive", "flat"]


@settings(max_examples=6)
@given(core=st.sampled_from(CORES), cycles=st.integers(1, 3), inner=st.integers(1, 2), seed=st.integers(0, 100))
def test_bptt_equals_autograd_through_the_explicit_unroll(core, cycles, inner, seed):
    model = build(core_spec(core, cycles, inner), {"kind": "bptt"}, seed)
    data = inputs(seed)
    assert_same(segment_grads(model, data), explicit_unroll_grads(model, data))


@settings(max_examples=6)
@given(
    estimator=st.sampled_from(
        [{"kind": "one_step"}, {"kind": "last_cycle"}, {"kind": "truncated", "k": 1}, {"kind": "truncated", "k": 3}]
    ),
    seed=st.integers(0, 100),
)
def test_estimators_agree_with_bptt_on_a_single_update(estimator, seed):
    data = inputs(seed)
    reference = segment_grads(build(core_spec("flat", 1), {"kind": "bptt"}, seed), data)
    assert_same(segment_grads(build(core_spec("flat", 1), estimator, seed), data), reference)


@settings(max_examples=6)
@given(core=st.sampled_from(CORES), inner=st.integers(1, 2), seed=st.integers(0, 100))
def test_last_cycle_and_long_truncation_equal_bptt_on_one_cycle(core, inner, seed):
    data = inputs(seed)
    spec = core_spec(core, 1, inner)
    reference = segment_grads(build(spec, {"kind": "bptt"}, seed), data)
    assert_same(segment_grads(build(spec, {"kind": "last_cycle"}, seed), data), reference)
    assert_same(segment_grads(build(spec, {"kind": "truncated", "k": 10}, seed), data), reference)


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("gradient", ["one_step", "last_cycle", "bptt"])
def test_only_bptt_reaches_the_segment_start(core, gradient):
    """one_step and last_cycle leave no gradient path to the state the segment started from; bptt does."""
    model = build(core_spec(core, 3), {"kind": gradient})
    state = {
        k: v.requires_grad_() for k, v in model.core.initial_state(2, SEQ + model.prefix_len, torch.float32).items()
    }
    _, logits, _ = model.segment(state, inputs(0))
    logits.sum().backward()
    reached = [name for name, v in state.items() if v.grad is not None and v.grad.abs().sum() > 0]
    assert (reached != []) == (gradient == "bptt"), reached


def saved_tensors(model: reasonkit.Reasoner) -> int:
    count = 0

    def pack(t):
        nonlocal count
        count += 1
        return t

    data = inputs(0)
    state = model.core.initial_state(2, SEQ + model.prefix_len, torch.float32)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model.segment(state, data)
    return count


@pytest.mark.parametrize("core", CORES)
def test_one_step_memory_is_constant_and_bptt_grows(core):
    one_step = [saved_tensors(build(core_spec(core, c), {"kind": "one_step"})) for c in (1, 2, 4)]
    bptt = [saved_tensors(build(core_spec(core, c), {"kind": "bptt"})) for c in (1, 2, 4)]
    truncated = [saved_tensors(build(core_spec(core, c), {"kind": "truncated", "k": 2})) for c in (2, 3, 4)]
    assert one_step[0] == one_step[1] == one_step[2]
    assert truncated[0] == truncated[1] == truncated[2]
    assert bptt[0] < bptt[1] < bptt[2]


@settings(max_examples=6)
@given(
    core=st.sampled_from(CORES),
    cycles=st.integers(1, 3),
    inner=st.integers(1, 2),
    seed=st.integers(0, 100),
    data=st.data(),
)
def test_burn_in_is_truncation_counted_from_the_start(core, cycles, inner, seed, data):
    """burn_in(N) keeps gradient through the last len - N updates, i.e. truncated(k = len - N); N = 0 is bptt."""
    spec = core_spec(core, cycles, inner)
    length = len(build(spec, {"kind": "bptt"}).core.schedule)
    n = data.draw(st.integers(0, length - 1), label="updates")
    batch = inputs(seed)
    model = build(spec, {"kind": "burn_in", "updates": n}, seed)
    assert model.first_grad == n
    grads = segment_grads(model, batch)
    assert_same(grads, segment_grads(build(spec, {"kind": "truncated", "k": length - n}, seed), batch))
    if n == 0:
        assert_same(grads, segment_grads(build(spec, {"kind": "bptt"}, seed), batch))


@pytest.mark.parametrize("core", CORES)
def test_burn_in_of_all_but_the_last_cycle_is_last_cycle(core):
    """URM's TBPTL ((H-1) x L forward-only updates) is TRM's last_cycle when the schedule is grouped in cycles."""
    spec = core_spec(core, 3, 2)
    last = build(spec, {"kind": "last_cycle"})
    n = last.first_grad
    assert n == {"hierarchical": 2 * 3, "recursive": 2 * 3, "flat": 2}[core]
    burn_in = build(spec, {"kind": "burn_in", "updates": n})
    assert burn_in.first_grad == n
    assert_same(segment_grads(burn_in, inputs(0)), segment_grads(last, inputs(0)))


def test_burn_in_keeps_no_gradient_path_through_its_updates():
    """The state after the burn-in is a constant for backward: the segment's start gets no gradient, and the
    activations kept for backward do not grow with the number of forward-only updates."""
    model = build(core_spec("flat", 4), {"kind": "burn_in", "updates": 3})
    state = {
        k: v.requires_grad_() for k, v in model.core.initial_state(2, SEQ + model.prefix_len, torch.float32).items()
    }
    model.segment(state, inputs(0))[1].sum().backward()
    assert state["h"].grad is None
    saved = [saved_tensors(build(core_spec("flat", c), {"kind": "burn_in", "updates": c - 2})) for c in (2, 3, 5)]
    assert saved[0] == saved[1] == saved[2] < saved_tensors(build(core_spec("flat", 5), {"kind": "bptt"}))


def test_burn_in_must_leave_an_update_with_gradient():
    with pytest.raises(ValueError, match="leaves no update with gradient in a schedule of 3 updates; use at most 2"):
        build(core_spec("flat", 3), {"kind": "burn_in", "updates": 3})
