"""Update hooks and traces: every core's states at every update, outputs unchanged, residuals of a contraction."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny_models import BATCH, batch, tiny_spec

from reasonkit.blocks.cores.base import RecurrentCore, Update
from reasonkit.errors import DataError
from reasonkit.registry import list_kinds
from reasonkit.viz import trace


def _run(core: str, hook, seed: int = 0):
    """Two training segments and an eval segment of a fixed-seed tiny model; outputs and gradients."""
    torch.manual_seed(seed)
    model = tiny_spec(core=core).build()
    handle = model.core.register_update_hook(hook) if hook else None
    b = batch(1)
    carry = model.initial_carry(b)
    torch.manual_seed(seed + 1)  # the halting policy's exploration draws
    outputs = []
    for _ in range(2):
        carry, out = model(carry, b)
        (out.logits.float().square().mean() + out.halting.logits.sum()).backward()
        outputs += [out.logits.detach(), out.halting.logits.detach(), *carry.state.values()]
    model.eval()
    carry, out = model(carry, b)
    outputs += [out.logits, *carry.state.values()]
    grads = [p.grad.to_dense() for p in model.parameters() if p.grad is not None]
    if handle:
        handle.remove()
    return model, outputs, grads


@pytest.mark.parametrize("core", list_kinds("core"))
def test_tracing_leaves_every_output_and_gradient_bit_for_bit(core):
    seen = []
    model, traced, traced_grads = _run(core, lambda u, i, s: seen.append((u, i, {k: v.clone() for k, v in s.items()})))
    _, plain, grads = _run(core, None)
    assert len(traced) == len(plain) and all(torch.equal(a, b) for a, b in zip(traced, plain))
    assert len(grads) == len(traced_grads) and all(torch.equal(a, b) for a, b in zip(traced_grads, grads))
    schedule = model.core.schedule
    assert len(seen) % len(schedule) == 0 and len(seen) >= 3 * len(schedule)
    for k, (update, index, states) in enumerate(seen[: len(schedule)]):
        assert (update, index) == (schedule[k], k) and set(states) == set(model.core.state_names)
    assert not model.core._update_hooks, "the handle unregisters the hook"
    assert all(model.core.level_name(n) != "" for n in model.core.state_names)


@pytest.mark.parametrize("core", list_kinds("core"))
def test_a_trace_records_each_update_and_each_segment(core):
    torch.manual_seed(0)
    model = tiny_spec(core=core).build()
    b = batch(2, size=5)
    tr = trace(model, b["inputs"], b["puzzle_identifiers"], segments=3, inner=True, states=True, batch_size=2)
    per = len(model.core.schedule)
    assert tr.levels == tuple(model.core.state_names) and tr.readout == model.core.readout
    assert tr.predictions.shape == (3, 5, 16) and tr.inner_predictions.shape == (3 * per, 5, 16)
    np.testing.assert_array_equal(tr.inner_predictions[per - 1 :: per], tr.predictions)
    solved = model.solve(b["inputs"], b["puzzle_identifiers"], max_steps=3)
    np.testing.assert_array_equal(tr.predictions[-1], solved.predictions.numpy())
    np.testing.assert_allclose(tr.confidence[-1], solved.confidence.numpy())
    for level in tr.levels:
        assert tr.residuals[level].shape == (3 * per, 5) and tr.states[level].shape == (5, 16, 32)
        written = np.zeros(3 * per, bool)
        written[tr.updates_of(level)] = True
        assert (tr.residuals[level][written] > 0).all() and (tr.residuals[level][~written] == 0).all()
    assert model.training and not model.core._update_hooks


class _Contraction(RecurrentCore):
    """Two levels, each a contraction towards a fixed point: a <- a / 2 + x, b <- b / 2 + a."""

    readout = "a"

    def __init__(self, hidden: int) -> None:
        super().__init__(("a", "b"), hidden)
        self.schedule = (Update("a", 0), Update("b", 0), Update("a", 1), Update("b", 1))

    def update(self, index, state, x):
        a, b = state["a"], state["b"]
        if self.schedule[index].level == "a":
            return {"a": a / 2 + x, "b": b}
        return {"a": a, "b": b / 2 + a}


def test_the_residuals_of_a_contraction_decrease():
    torch.manual_seed(0)
    model = tiny_spec(core="flat").build()
    model.core = _Contraction(32)
    model.first_grad = model.gradient.first_grad(model.core.schedule)
    b = batch(0)
    tr = trace(model, b["inputs"], b["puzzle_identifiers"], segments=3)
    for level in ("a", "b"):
        r = tr.residuals[level][tr.updates_of(level)]
        assert r.shape == (6, BATCH) and (np.diff(r, axis=0) < 0).all(), f"{level}: {r.mean(1)}"


def test_a_failed_trace_unregisters_its_hook():
    model = tiny_spec().build()
    with pytest.raises(DataError, match="token ids"):
        trace(model, np.full((2, 16), 99))
    assert not model.core._update_hooks
    with pytest.raises(DataError, match="at least one puzzle"):
        trace(model, np.zeros((0, 16)))
