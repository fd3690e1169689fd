"""Property tests of the HRM blocks: the transformer cell, additive injection and Q-learning ACT."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from reasonkit.blocks.cells.transformer import TransformerCellSpec
from reasonkit.blocks.halting.base import exploration_floor
from reasonkit.blocks.halting.q_act import QActSpec
from reasonkit.blocks.injection.add import AddInjectionSpec
from reasonkit.spec import BuildContext

HIDDEN = 16


def cell(positions: str, layers: int, heads: int, seq: int):
    torch.manual_seed(0)
    ctx = BuildContext(hidden_size=HIDDEN, seq_len=seq, positions=positions)
    return TransformerCellSpec(layers=layers, num_heads=heads, attention="math").build(ctx)


@given(
    positions=st.sampled_from(["rope", "learned", "none"]),
    layers=st.integers(1, 2),
    heads=st.sampled_from([1, 2, 4]),
    batch=st.integers(1, 3),
    seq=st.integers(1, 6),
    dtype=st.sampled_from([torch.float32, torch.bfloat16]),
)
def test_cell_preserves_shape_and_dtype_and_is_batch_independent(positions, layers, heads, batch, seq, dtype):
    net = cell(positions, layers, heads, seq).eval()
    x = torch.randn(batch, seq, HIDDEN).to(dtype)
    y = net(x)
    assert y.shape == x.shape and y.dtype == dtype
    torch.testing.assert_close(net(x[-1:]), y[-1:], atol=1e-2 if dtype == torch.bfloat16 else 1e-5, rtol=1e-2)
    assert torch.equal(net(x), y)  # deterministic in eval mode
    # post-norm: every output position has unit root mean square
    rms = y.float().square().mean(-1).sqrt()
    torch.testing.assert_close(rms, torch.ones_like(rms), atol=2e-2, rtol=0)


def test_rope_cell_owns_its_table_and_none_has_none():
    assert cell("rope", 1, 2, 5).rotary is not None and cell("rope", 1, 2, 5).rotary.cos.shape == (5, HIDDEN // 2)
    assert cell("none", 1, 2, 5).rotary is None and cell("learned", 1, 2, 5).rotary is None


@given(count=st.integers(1, 3))
def test_add_injection_is_the_sum(count):
    inject = AddInjectionSpec().build(BuildContext(hidden_size=HIDDEN, seq_len=3), num_inputs=count)
    state, extras = torch.randn(2, 3, HIDDEN), [torch.randn(2, 3, HIDDEN) for _ in range(count)]
    torch.testing.assert_close(inject(state, *extras), state + sum(extras))
    assert not list(inject.parameters())


@given(
    batch=st.integers(1, 6),
    max_steps=st.integers(1, 6),
    step=st.integers(1, 6),
    exploration=st.floats(0, 1),
    seed=st.integers(0, 1000),
)
def test_q_act_decisions_and_targets(batch, max_steps, step, exploration, seed):
    policy = QActSpec(max_steps=max_steps, exploration=exploration).build(BuildContext(hidden_size=HIDDEN, seq_len=3))
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, 2, generator=g) * 3
    steps = torch.full((batch,), min(step, max_steps), dtype=torch.int32)
    following = torch.randn(batch, 2, generator=g)
    assert policy.needs_second_pass(training=True, max_steps=max_steps) == (max_steps > 1)
    assert not policy.needs_second_pass(training=False, max_steps=max_steps)
    torch.manual_seed(seed)
    train = policy.decide(
        steps,
        logits,
        {},
        training=True,
        early_exit=False,
        max_steps=max_steps,
        next_logits=following if max_steps > 1 else None,
    )
    at_max = steps >= max_steps
    assert train.halted[at_max].all(), "a sequence at max_steps must halt"
    if max_steps > 1:
        target = train.target_q_continue
        assert ((target >= 0) & (target <= 1)).all()
        expected = torch.where(at_max, following[:, 0], torch.maximum(following[:, 0], following[:, 1])).sigmoid()
        torch.testing.assert_close(target, expected)
        halts = logits[:, 0] > logits[:, 1]
        assert not (train.halted & ~halts & ~at_max).any(), "halted without a halt signal before the maximum"
    evaluated = policy.decide(steps, logits, {}, training=False, early_exit=False, max_steps=max_steps)
    assert torch.equal(evaluated.halted, at_max) and evaluated.target_q_continue is None
    torch.testing.assert_close(policy.confidence(evaluated), torch.sigmoid(logits[:, 0]))


def test_exploration_follows_the_reference_rng_order():
    """rand_like of the halt logit, then randint_like of the steps: the draws the reference makes."""
    q, steps = torch.zeros(5), torch.ones(5, dtype=torch.int32)
    torch.manual_seed(3)
    floor = exploration_floor(q, steps, 0.5, 16)
    torch.manual_seed(3)
    expected = (torch.rand(5) < 0.5) * torch.randint(2, 17, (5,), dtype=torch.int32)
    assert torch.equal(floor, expected)
    assert ((floor == 0) | ((floor >= 2) & (floor <= 16))).all()
