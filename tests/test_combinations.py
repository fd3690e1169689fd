"""Interchangeability: every schedule x gradient estimator x halting policy builds and trains one step.

For each combination, on a tiny config: the loss is finite, every trainable parameter gets a finite gradient
(the puzzle table a sparse one), steps never exceed the maximum in training, and in evaluation a sequence that
halted is not un-halted and halts by the maximum. Cells and injections are crossed on a representative subset.
"""
from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

import reasonkit



HIDDEN, SEQ, VOCAB, BATCH = 32, 9, 6, 3
CELL = {"kind": "transformer", "layers": 1, "num_heads": 2, "expansion": 2}

CORES = {
    "hierarchical": {"kind": "hierarchical", "h_cycles": 2, "l_cycles": 2, "high": CELL, "low": CELL},
    "recursive": {"kind": "recursive", "cycles": 2, "latent_updates": 2, "cell": CELL},
    "flat": {"kind": "flat", "cycles": 3, "cell": CELL},
}
GRADIENTS = {"one_step": {"kind": "one_step"}, "last_cycle": {"kind": "last_cycle"}, "bptt": {"kind": "bptt"},
             "truncated": {"kind": "truncated", "k": 2}}
HALTINGS = {
    "fixed": {"kind": "fixed", "max_steps": 3},
    "q_act": {"kind": "q_act", "max_steps": 3, "exploration": 0.5},
    "q_halt": {"kind": "q_halt", "max_steps": 3, "exploration": 0.5},
    "act": {"kind": "act", "max_steps": 3, "init_bias": 0.0},
    "ponder": {"kind": "ponder", "max_steps": 3},
}


def tiny_spec(core: dict, gradient: dict, halting: dict, **extra) -> reasonkit.ReasonerSpec:
    data = {"vocab_size": VOCAB, "seq_len": SEQ, "num_puzzle_ids": 2, "hidden_size": HIDDEN, "loss": "softmax",
            "core": core, "gradient": gradient, "halting": halting}
    for key, value in extra.items():
        data[key] = value
    return reasonkit.get_spec(data)


def batch(seed: int = 0, size: int = BATCH) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {"inputs": torch.randint(0, VOCAB, (size, SEQ), generator=g),
            "labels": torch.randint(0, VOCAB, (size, SEQ), generator=g),
            "puzzle_identifiers": torch.randint(0, 2, (size,), generator=g)}


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    per_seq = F.cross_entropy(logits.float().transpose(1, 2), labels.long(), reduction="none").mean(-1)
    return per_seq, (logits.argmax(-1) == labels).all(-1)


def train_step_and_check(model: reasonkit.Reasoner) -> None:
    """One optimiser step on a fresh batch: finite loss, a finite gradient on every parameter."""
    model.train()
    opt = torch.optim.SGD(model.dense_parameters(), lr=1e-2)
    b = batch()
    carry, out = model(model.initial_carry(b), b)
    per_seq, correct = lm_loss(out["logits"], carry.data["labels"])
    loss, terms = model.halting.loss(per_seq, correct, out)
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


COMBINATIONS = list(itertools.product(CORES, GRADIENTS, HALTINGS))


@pytest.mark.parametrize("core, gradient, halting", COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
def test_every_schedule_gradient_halting_combination(core, gradient, halting):
    torch.manual_seed(0)
    model = tiny_spec(CORES[core], GRADIENTS[gradient], HALTINGS[halting]).build()
    train_step_and_check(model)
    check_halting_invariants(model)


def _cell(kind: str) -> dict:
    if kind == "transformer":
        return CELL
    if kind == "mlp_mixer":
        return {"kind": "mlp_mixer", "layers": 1, "expansion": 2}
    return {"kind": "graph", "message_layers": 2, "update": "gru"}


CELL_SUBSET = [
    # (cell, injection, core)
    ("transformer", "gated", "hierarchical"),
    ("transformer", "concat_proj", "recursive"),
    ("mlp_mixer", "add", "recursive"),
    ("mlp_mixer", "gated", "flat"),
    ("mlp_mixer", "concat_proj", "hierarchical"),
    ("graph", "add", "flat"),
    ("graph", "concat_proj", "flat"),
    ("graph", "gated", "recursive"),
]


def _subset_model(cell: str, injection: str, core: str, halting: str, **extra):
    """A tiny model with ``cell`` in every level of ``core``, ``injection``, and what the cell needs around it."""
    core_spec = dict(CORES[core])
    if core == "hierarchical":
        core_spec.update(high=_cell(cell), low=_cell(cell))
    else:
        core_spec["cell"] = _cell(cell)
    core_spec["injection"] = {"kind": injection}
    if cell == "mlp_mixer":
        extra["embedding"] = {"positions": "none"}
    if cell == "graph":
        extra["task"] = "grid"
    torch.manual_seed(0)
    return tiny_spec(core_spec, GRADIENTS["last_cycle"], HALTINGS[halting], **extra).build()


@pytest.mark.parametrize("cell, injection, core", CELL_SUBSET, ids=["-".join(c) for c in CELL_SUBSET])
def test_cells_and_injections_subset(cell, injection, core):
    model = _subset_model(cell, injection, core, "q_halt")
    train_step_and_check(model)
    check_halting_invariants(model)


@pytest.mark.parametrize("cell, injection, core", CELL_SUBSET[::2], ids=["-".join(c) for c in CELL_SUBSET[::2]])
@pytest.mark.parametrize("halting", ["act", "ponder", "q_act"])
def test_bfloat16_forward(cell, injection, core, halting):
    """Blocks respect the forward dtype: a bfloat16 segment trains with a finite loss."""
    model = _subset_model(cell, injection, core, halting, forward_dtype="bfloat16")
    b = batch()
    carry, out = model(model.initial_carry(b), b)
    assert carry.state[model.core.readout].dtype == torch.bfloat16
    per_seq, correct = lm_loss(out["logits"], carry.data["labels"])
    loss, _ = model.halting.loss(per_seq, correct, out)
    loss.backward()
    assert torch.isfinite(loss)
