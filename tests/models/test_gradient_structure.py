"""HRM's one-step gradient: a segment's backward reaches only the last low and high updates, and the
activations kept for backward do not grow with ``h_cycles x l_cycles`` (HRM, arXiv 2506.21734, section 3.2)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from reasonkit import build

SEQ = 8


def tiny(h_cycles: int, l_cycles: int, gradient: str):
    torch.manual_seed(0)
    return build(
        "hrm-tiny",
        seq_len=SEQ,
        hidden_size=32,
        gradient=gradient,
        **{"core.h_cycles": h_cycles, "core.l_cycles": l_cycles},
    )


def batch(size: int = 2):
    g = torch.Generator().manual_seed(1)
    return {
        "inputs": torch.randint(0, 11, (size, SEQ), generator=g),
        "puzzle_identifiers": torch.zeros(size, dtype=torch.int32),
    }


def trace(model):
    """Run one training segment and backward; count grad-enabled forwards, backward visits and saved tensors."""
    counts = {"fwd_low": 0, "fwd_high": 0, "bwd_low": 0, "bwd_high": 0, "saved": 0}
    for name in ("low", "high"):
        module = getattr(model.core, name)
        module.register_forward_hook(
            lambda m, i, o, n=name: counts.__setitem__(f"fwd_{n}", counts[f"fwd_{n}"] + torch.is_grad_enabled())
        )
        module.register_full_backward_hook(
            lambda m, gi, go, n=name: counts.__setitem__(f"bwd_{n}", counts[f"bwd_{n}"] + 1)
        )

    def pack(t):
        counts["saved"] += 1
        return t

    b = batch()
    carry = model.initial_carry(b)
    model.train()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        state = model.core.reset(carry.state, carry.halted)
        _, logits, _ = model.segment(state, b)
    logits.float().square().mean().backward()
    return counts


@given(h_cycles=st.integers(1, 3), l_cycles=st.integers(1, 3))
def test_one_step_backward_reaches_only_the_last_updates(h_cycles, l_cycles):
    counts = trace(tiny(h_cycles, l_cycles, "one_step"))
    assert (counts["fwd_low"], counts["fwd_high"]) == (1, 1)
    assert (counts["bwd_low"], counts["bwd_high"]) == (1, 1)


@given(h_cycles=st.integers(1, 3), l_cycles=st.integers(1, 3))
def test_one_step_saved_activations_do_not_grow_with_cycles(h_cycles, l_cycles):
    assert trace(tiny(h_cycles, l_cycles, "one_step"))["saved"] == trace(tiny(1, 1, "one_step"))["saved"]


def test_bptt_saves_more_as_cycles_grow_and_reaches_every_update():
    small, large = trace(tiny(1, 1, "bptt")), trace(tiny(2, 3, "bptt"))
    assert large["saved"] > small["saved"]
    assert (large["bwd_low"], large["bwd_high"]) == (6, 2)


def test_one_step_equals_bptt_for_a_single_update_per_level():
    """With one cycle of each level the one-step gradient is the exact gradient."""
    grads = []
    for gradient in ("one_step", "bptt"):
        model = tiny(1, 1, gradient)
        b = batch()
        _, out = model(model.initial_carry(b), b)
        out.logits.float().square().mean().backward()
        grads.append({n: p.grad.to_dense() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys()
    for name in grads[0]:
        torch.testing.assert_close(grads[0][name], grads[1][name], msg=name)
