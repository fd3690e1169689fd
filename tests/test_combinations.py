"""Interchangeability: every registered core x gradient estimator x halting policy builds and trains one step,
and every cell x injection x core and every feed-forward x core (in float32 and bfloat16) does too, all from the
registry (each kind's tiny instance).

For each combination, on a tiny config: the loss is finite, every trainable parameter gets a finite gradient
(the puzzle table a sparse one), steps never exceed the maximum in training, and in evaluation a sequence that
halted is not un-halted and halts by the maximum.
"""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from tiny_models import batch, tiny_spec

import reasonkit
from reasonkit import BuildContext, list_kinds
from reasonkit.blocks.cells.transformer import TransformerBlock
from reasonkit.registry import lookup


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    per_seq = F.cross_entropy(logits.float().transpose(1, 2), labels.long(), reduction="none").mean(-1)
    return per_seq, (logits.argmax(-1) == labels).all(-1)


def train_step_and_check(model: reasonkit.Reasoner) -> None:
    """One optimiser step on a fresh batch: finite loss, a finite gradient on every parameter."""
    model.train()
    opt = torch.optim.SGD(model.dense_parameters(), lr=1e-2)
    b = batch()
    carry, out = model(model.initial_carry(b), b)
    per_seq, correct = lm_loss(out.logits, carry.data["labels"])
    loss, terms = model.halting.loss(per_seq, correct, out.halting)
    assert torch.isfinite(loss), terms
    assert all(torch.isfinite(v).all() for v in terms.values()), terms
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, f"{name} got no gradient"
        g = p.grad.coalesce().values() if p.grad.is_sparse else p.grad
        assert torch.isfinite(g).all(), f"{name} has a non-finite gradient"
    assert model.embedding.puzzle.weight.grad.is_sparse
    opt.step()


def check_halting_invariants(model: reasonkit.Reasoner) -> None:
    limit = model.halting.max_steps
    b = batch(1)
    # Training: steps never exceed the maximum; a sequence at the maximum halts.
    model.train()
    carry = model.initial_carry(b)
    with torch.no_grad():
        for _ in range(2 * limit):
            carry, _ = model(carry, b)
            assert (carry.steps >= 1).all() and (carry.steps <= limit).all()
            assert carry.halted[carry.steps == limit].all()
    # Evaluation with early exit: once halted, a sequence stays halted; steps grow by one until then.
    model.eval()
    with torch.no_grad():
        carry = model.initial_carry(b)
        carry, _ = model(carry, b, early_exit=True)
        done, steps = carry.halted.clone(), carry.steps.clone()
        for _ in range(limit - 1):
            carry, _ = model(carry, b, early_exit=True)
            running = ~done
            assert torch.equal(carry.steps[running], steps[running] + 1)
            done |= carry.halted
            steps = torch.where(running, carry.steps, steps)
        assert done.all(), "every sequence halts by max_steps"
        solved = model.solve(b["inputs"], b["puzzle_identifiers"], early_exit=True)
        assert torch.equal(solved.steps, steps)
        full = model.solve(b["inputs"], b["puzzle_identifiers"])
        assert (full.steps == limit).all()


COMBINATIONS = list(itertools.product(list_kinds("core"), list_kinds("gradient"), list_kinds("halting")))


@pytest.mark.parametrize("core, gradient, halting", COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
def test_every_schedule_gradient_halting_combination(core, gradient, halting):
    torch.manual_seed(0)
    model = tiny_spec(core, gradient, halting).build()
    train_step_and_check(model)
    check_halting_invariants(model)


CELLS = list(itertools.product(list_kinds("cell"), list_kinds("injection"), list_kinds("core")))


@pytest.mark.parametrize("cell, injection, core", CELLS, ids=["-".join(c) for c in CELLS])
def test_every_cell_injection_core_combination(cell, injection, core):
    torch.manual_seed(0)
    model = tiny_spec(core, "last_cycle", "q_halt", cell=cell, injection=injection).build()
    train_step_and_check(model)
    check_halting_invariants(model)


FEED_FORWARDS = list(itertools.product(list_kinds("feed_forward"), list_kinds("core"), ["float32", "bfloat16"]))


@pytest.mark.parametrize("feed_forward, core, dtype", FEED_FORWARDS, ids=["-".join(c) for c in FEED_FORWARDS])
def test_every_feed_forward_core_combination(feed_forward, core, dtype):
    torch.manual_seed(0)
    model = tiny_spec(core, "last_cycle", "q_halt", feed_forward=feed_forward, forward_dtype=dtype).build()
    expected = type(lookup("feed_forward", feed_forward).tiny().build(BuildContext(hidden_size=32, seq_len=16), 2.0))
    blocks = [m for m in model.modules() if isinstance(m, TransformerBlock)]
    assert blocks and all(type(b.mlp) is expected for b in blocks)
    train_step_and_check(model)
    check_halting_invariants(model)


@pytest.mark.parametrize("cell, injection, core", CELLS[::4], ids=["-".join(c) for c in CELLS[::4]])
@pytest.mark.parametrize("halting", ["act", "ponder", "q_act"])
def test_bfloat16_forward(cell, injection, core, halting):
    """Blocks respect the forward dtype: a bfloat16 segment trains with a finite loss."""
    torch.manual_seed(0)
    model = tiny_spec(core, "last_cycle", halting, cell=cell, injection=injection, forward_dtype="bfloat16").build()
    b = batch()
    carry, out = model(model.initial_carry(b), b)
    assert carry.state[model.core.readout].dtype == torch.bfloat16
    per_seq, correct = lm_loss(out.logits, carry.data["labels"])
    loss, _ = model.halting.loss(per_seq, correct, out.halting)
    loss.backward()
    assert torch.isfinite(loss)
