"""Halting policies, property-tested on the policies alone (random halting logits over many segments) and in
a tiny model: probabilities and targets lie in [0, 1], PonderNet's halting distribution sums to 1, ACT's
weights sum to 1 with non-negative remainders, steps never exceed the maximum, evaluation is deterministic."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import reasonkit
from reasonkit.registry import lookup
from reasonkit.spec import BuildContext

CTX = BuildContext(hidden_size=8, seq_len=4)
POLICIES = {
    "fixed": {"kind": "fixed"},
    "q_act": {"kind": "q_act", "exploration": 0.3},
    "q_halt": {"kind": "q_halt", "exploration": 0.3},
    "act": {"kind": "act"},
    "ponder": {"kind": "ponder"},
}


def probabilities(pol, record) -> list[torch.Tensor]:
    """Every quantity of a decision that must lie in [0, 1]: the confidence and each policy's own."""
    out = [] if pol.confidence(record) is None else [pol.confidence(record)]
    if getattr(record, "target_q_continue", None) is not None:
        out.append(record.target_q_continue)
    if hasattr(pol, "weight"):  # ACT
        out += [record.cumulative, pol.weight(record), pol.remainder(record)]
    if hasattr(record, "distribution"):  # PonderNet
        out += [record.remaining, record.distribution()]
    return out


def policy(kind: str, max_steps: int, **extra):
    spec = lookup("halting", kind).model_validate({**POLICIES[kind], "max_steps": max_steps, **extra})
    return spec.build(CTX)


def simulate(pol, logits: torch.Tensor, training: bool, early_exit: bool = False, max_steps: int | None = None):
    """Drive a policy through ``logits`` [segments, batch, num_logits] with the Reasoner's carry semantics.

    Yields (steps, halted, record, fresh) after each segment; the second pass sees the next segment's logits.
    """
    limit = max_steps or pol.max_steps
    batch = logits.shape[1]
    state = pol.initial_state(batch, torch.device("cpu"))
    steps = torch.zeros(batch, dtype=torch.int32)
    halted = torch.ones(batch, dtype=torch.bool)
    for t in range(logits.shape[0]):
        fresh = halted
        steps = torch.where(fresh, 0, steps) + 1
        state = pol.reset(state, fresh)
        current = logits[t] if pol.num_logits else None
        nxt = logits[(t + 1) % logits.shape[0]] if pol.needs_second_pass(training=training, max_steps=limit) else None
        record = pol.decide(
            steps, current, state, training=training, early_exit=early_exit, max_steps=limit, next_logits=nxt
        )
        state, halted = record.state, record.halted
        yield steps, halted, record, fresh


def _row(record, i: int):
    """Sequence ``i`` of a decision record (every tensor field sliced to one row)."""
    return dataclasses.replace(
        record, **{f.name: _slice(getattr(record, f.name), i) for f in dataclasses.fields(record)}
    )


def _slice(value, i: int):
    if isinstance(value, torch.Tensor):
        return value[i : i + 1]
    if isinstance(value, dict):
        return {k: v[i : i + 1] for k, v in value.items()}
    return value


logit_runs = st.builds(
    lambda seed, segments, batch, scale: (
        torch.randn(segments, batch, 2, generator=torch.Generator().manual_seed(seed)) * scale
    ),
    st.integers(0, 10_000),
    st.integers(1, 12),
    st.integers(1, 6),
    st.sampled_from([0.5, 3.0, 10.0]),
)


@settings(max_examples=25)
@given(
    kind=st.sampled_from(sorted(POLICIES)),
    logits=logit_runs,
    max_steps=st.integers(1, 5),
    training=st.booleans(),
    early_exit=st.booleans(),
)
def test_steps_bounded_and_probabilities_in_unit_interval(kind, logits, max_steps, training, early_exit):
    pol = policy(kind, max_steps)
    logits = logits[..., : max(pol.num_logits, 1)]
    for steps, halted, record, _ in simulate(pol, logits, training, early_exit):
        assert (steps >= 1).all() and (steps <= max_steps).all()
        assert halted[steps >= max_steps].all(), "a sequence at max_steps halts"
        if not training and not early_exit:
            assert torch.equal(halted, steps >= max_steps), "evaluation without early exit runs every segment"
        for value in probabilities(pol, record):
            assert ((value >= 0) & (value <= 1 + 1e-6)).all(), value


@settings(max_examples=25)
@given(logits=logit_runs, max_steps=st.integers(1, 6), prior=st.floats(0.05, 0.95))
def test_ponder_distribution_sums_to_one(logits, max_steps, prior):
    pol = policy("ponder", max_steps, prior=prior)
    total = torch.zeros(logits.shape[1])
    for steps, halted, record, fresh in simulate(pol, logits[..., :1], training=True):
        total = torch.where(fresh, 0.0, total) + record.distribution()
        assert torch.equal(halted, steps >= max_steps), "training unrolls every sequence to max_steps"
        torch.testing.assert_close(total[halted], torch.ones(int(halted.sum())), rtol=0, atol=1e-5)
        assert (total <= 1 + 1e-5).all()


@settings(max_examples=25)
@given(logits=logit_runs, max_steps=st.integers(1, 6), eps=st.floats(0.001, 0.5), training=st.booleans())
def test_act_weights_sum_to_one_with_nonnegative_remainders(logits, max_steps, eps, training):
    pol = policy("act", max_steps, eps=eps)
    total = torch.zeros(logits.shape[1])
    for _steps, halted, record, fresh in simulate(pol, logits[..., :1], training=training, early_exit=True):
        total = torch.where(fresh, 0.0, total) + pol.weight(record)
        assert (pol.remainder(record) >= 0).all()
        torch.testing.assert_close(total[halted], torch.ones(int(halted.sum())), rtol=0, atol=1e-5)
        assert (total[~halted] < 1 - eps + 1e-6).all(), "a sequence that has not halted has weight mass left"


@settings(max_examples=15)
@given(kind=st.sampled_from(["act", "ponder"]), logits=logit_runs, max_steps=st.integers(1, 5), lm=st.floats(0.1, 5.0))
def test_expected_lm_loss_over_an_episode_is_the_lm_loss(kind, logits, max_steps, lm):
    """With the same LM loss at every segment, the weighted losses of an episode sum to that loss."""
    pol = policy(kind, max_steps, **({"ponder_weight": 0.0} if kind == "act" else {"beta": 0.0}))
    total = torch.zeros(logits.shape[1], dtype=torch.float64)
    for _, halted, record, fresh in simulate(pol, logits[..., :1], training=True):
        per_seq = torch.full((logits.shape[1],), lm, dtype=torch.float64)
        terms = []
        for i in range(logits.shape[1]):  # the loss is summed over the batch: take it one sequence at a time
            one = _row(record, i)
            terms.append(pol.loss(per_seq[i : i + 1], torch.zeros(1, dtype=torch.bool), one)[0])
        total = torch.where(fresh, 0.0, total) + torch.stack(terms).double()
        torch.testing.assert_close(total[halted], per_seq[halted], rtol=1e-5, atol=1e-5)


def test_policies_own_their_loss_terms_and_metrics():
    for kind in POLICIES:
        pol = policy(kind, 3)
        logits = torch.randn(3, 4, 2)[..., : max(pol.num_logits, 1)]
        *_, (_, _, record, _) = simulate(pol, logits, training=True)  # the last segment's decision
        loss, terms = pol.loss(torch.rand(4), torch.tensor([True, False, True, False]), record)
        assert torch.isfinite(loss) and "lm_loss" in terms
        metrics = pol.metrics(record, torch.tensor([True, False, True, False]), torch.ones(4, dtype=torch.bool))
        assert all(torch.isfinite(v.float()).all() for v in metrics.values())


def test_act_and_ponder_start_from_their_configured_bias():
    act = reasonkit.build("ut-act-tiny")
    assert act.halting.head.bias.item() == pytest.approx(-3.0)
    ponder = reasonkit.build("ut-act-tiny", halting={"kind": "ponder", "prior": 0.2})
    assert torch.sigmoid(ponder.halting.head.bias).item() == pytest.approx(0.2)


@pytest.mark.parametrize("kind", sorted(POLICIES))
def test_evaluation_is_deterministic(kind):
    torch.manual_seed(0)
    model = reasonkit.build("trm-tiny", hidden_size=32, seq_len=9, halting={**POLICIES[kind], "max_steps": 3})
    x = torch.randint(0, 11, (4, 9), generator=torch.Generator().manual_seed(1))
    runs = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        runs.append(model.solve(x, early_exit=True))
    assert torch.equal(runs[0].predictions, runs[1].predictions)
    assert torch.equal(runs[0].steps, runs[1].steps)
