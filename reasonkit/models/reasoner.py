"""The Reasoner: embedding, a recurrent core under a gradient estimator, LM and halting heads, and ACT.

Driven segment by segment as in HRM (arXiv 2506.21734): ``initial_carry`` makes a carry whose slots are all
halted; each call ``model(carry, batch)`` puts new examples from ``batch`` into the halted slots (resetting
their states), runs one segment, and returns the new (detached) carry and the outputs. ``solve`` runs a batch to
the end for inference.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from ..blocks.grad.base import GradientEstimator
from ..blocks.halting.base import HaltingPolicy
from ..layers.linear import CastedLinear
from .cores.base import RecurrentCore, State
from .embedding import InputEmbedding

__all__ = ["Carry", "Reasoner", "Solution"]

Batch = dict[str, torch.Tensor]


@dataclass
class Carry:
    """What persists across segments: core states, step counts, halted flags, current examples, policy state."""

    state: State
    steps: torch.Tensor
    halted: torch.Tensor
    data: Batch
    halting: dict[str, torch.Tensor] = field(default_factory=dict)


@dataclass
class Solution:
    """The result of :meth:`Reasoner.solve`: predicted tokens, segments used, and the final outputs."""

    predictions: torch.Tensor
    steps: torch.Tensor
    outputs: dict[str, torch.Tensor]


def _where_rows(mask: torch.Tensor, new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    return torch.where(mask.view((-1,) + (1,) * (new.ndim - 1)), new, old)


class Reasoner(nn.Module):
    """A recurrent reasoner composed of registered blocks (see :func:`reasonkit.build`)."""

    def __init__(self, embedding: InputEmbedding, core: RecurrentCore, gradient: GradientEstimator,
                 halting: HaltingPolicy, hidden_size: int, vocab_size: int, forward_dtype: torch.dtype) -> None:
        super().__init__()
        self.embedding = embedding
        self.core = core
        self.gradient = gradient
        self.halting = halting
        self.forward_dtype = forward_dtype
        self.vocab_size = vocab_size
        self.first_grad = gradient.first_grad(core.schedule)
        self.lm_head = CastedLinear(hidden_size, vocab_size, bias=False)
        self.halt_head = CastedLinear(hidden_size, halting.num_logits, bias=True) if halting.num_logits else None
        if self.halt_head is not None:
            # Start near "never halt" so that early training is not cut short (HRM: weight 0, bias -5).
            with torch.no_grad():
                self.halt_head.weight.zero_()
                self.halt_head.bias.fill_(halting.init_bias)
        self.spec: Any = None  # set by reasonkit.build: the ReasonerSpec this model was built from

    @property
    def prefix_len(self) -> int:
        return self.embedding.prefix_len

    def num_parameters(self, include_puzzle_table: bool = False) -> int:
        """Trainable parameter count; the puzzle-embedding table is excluded by default, as in the reference."""
        skip = set() if include_puzzle_table or self.embedding.puzzle is None else {id(self.embedding.puzzle.weight)}
        return sum(p.numel() for p in self.parameters() if p.requires_grad and id(p) not in skip)

    def puzzle_parameters(self) -> list[nn.Parameter]:
        """The puzzle-embedding table (sparse gradients; trained by its own sign-SGD optimizer)."""
        return [] if self.embedding.puzzle is None else [self.embedding.puzzle.weight]

    def dense_parameters(self) -> list[nn.Parameter]:
        """Every trainable parameter except the puzzle-embedding table."""
        puzzle = {id(p) for p in self.puzzle_parameters()}
        return [p for p in self.parameters() if p.requires_grad and id(p) not in puzzle]

    # ----------------------------------------------------------------------------------------------------------
    def initial_carry(self, batch: Batch) -> Carry:
        """A carry for ``batch``'s size with every slot halted, so the first call loads every example."""
        inputs = batch["inputs"]
        size, device = inputs.shape[0], inputs.device
        state = self.core.initial_state(size, inputs.shape[1] + self.prefix_len, self.forward_dtype)
        return Carry(
            state={k: v.to(device) for k, v in state.items()},
            steps=torch.zeros(size, dtype=torch.int32, device=device),
            halted=torch.ones(size, dtype=torch.bool, device=device),
            data={k: torch.zeros_like(v) for k, v in batch.items()},
            halting=self.halting.initial_state(size, device),
        )

    def _check_batch(self, batch: Batch) -> None:
        inputs = batch["inputs"]
        if inputs.dtype not in (torch.int32, torch.int64) or inputs.ndim != 2:
            raise ValueError(f"batch['inputs'] must be integer token ids of shape [batch, seq], got {inputs.dtype} {tuple(inputs.shape)}")
        low, high = int(inputs.min()), int(inputs.max())
        if low < 0 or high >= self.vocab_size:
            raise ValueError(f"batch['inputs'] holds token ids in [{low}, {high}] but the model's vocab_size is {self.vocab_size}")
        if self.embedding.puzzle is not None:
            ids = batch["puzzle_identifiers"]
            if int(ids.min()) < 0 or int(ids.max()) >= self.embedding.puzzle.num_ids:
                raise ValueError(f"batch['puzzle_identifiers'] holds ids outside [0, {self.embedding.puzzle.num_ids}); "
                                 "build the model with num_puzzle_ids matching the data set")

    def segment(self, state: State, data: Batch) -> tuple[State, dict[str, torch.Tensor]]:
        """One segment on given states: the new detached states and the outputs (logits and halting logits)."""
        x = self.embedding(data["inputs"], data["puzzle_identifiers"], self.forward_dtype)
        state = self.core.run(state, x, self.first_grad)
        z = state[self.core.readout]
        outputs = {"logits": self.lm_head(z)[:, self.prefix_len:]}
        if self.halt_head is not None:
            outputs.update(self.halting.name_logits(self.halt_head(z[:, 0]).float()))
        return {k: v.detach() for k, v in state.items()}, outputs

    def forward(self, carry: Carry, batch: Batch, *, max_steps: int | None = None,
                early_exit: bool = False) -> tuple[Carry, dict[str, torch.Tensor]]:
        """Run one segment: halted slots take the rows of ``batch``, the rest continue their example.

        ``max_steps`` overrides the policy's maximum (inference-time scaling); ``early_exit`` lets the policy stop
        sequences at inference instead of running every one to the maximum. Token and puzzle ids are checked
        against the model's sizes (a host sync), except inside ``torch.compile``.
        """
        if not torch.compiler.is_compiling():
            self._check_batch(batch)
        limit = self.halting.max_steps if max_steps is None else max_steps
        fresh = carry.halted
        state = self.core.reset(carry.state, fresh)
        data = {k: _where_rows(fresh, batch[k], v) for k, v in carry.data.items()}
        steps = torch.where(fresh, 0, carry.steps) + 1
        policy_state = self.halting.reset(carry.halting, fresh)

        state, outputs = self.segment(state, data)
        with torch.no_grad():
            decision = self.halting.decide(
                steps, outputs, policy_state, training=self.training, early_exit=early_exit, max_steps=limit,
                requery=lambda: self.segment(state, data)[1],
            )
        outputs.update(decision.outputs)
        return Carry(state, steps, decision.halted, data, decision.state), outputs

    @torch.no_grad()
    def solve(self, inputs: torch.Tensor, puzzle_identifiers: torch.Tensor | None = None, *,
              max_steps: int | None = None, early_exit: bool = False) -> Solution:
        """Solve a batch end to end in eval mode: predictions at each sequence's halting segment.

        Runs until every sequence has halted (``max_steps`` segments unless ``early_exit``), then restores the
        module's training mode. A slot that halts early keeps its answer while the batch runs on; for throughput
        on many puzzles use :func:`reasonkit.eval.inference.infer`, which refills such slots with waiting puzzles.
        """
        if puzzle_identifiers is None:
            puzzle_identifiers = torch.zeros(inputs.shape[0], dtype=torch.int32, device=inputs.device)
        batch = {"inputs": inputs, "puzzle_identifiers": puzzle_identifiers}
        was_training = self.training
        self.eval()
        try:
            carry = self.initial_carry(batch)
            done = torch.zeros(inputs.shape[0], dtype=torch.bool, device=inputs.device)
            final: dict[str, torch.Tensor] = {}
            steps = torch.zeros_like(carry.steps)
            limit = self.halting.max_steps if max_steps is None else max_steps
            for _ in range(limit):
                carry, outputs = self(carry, batch, max_steps=max_steps, early_exit=early_exit)
                newly = carry.halted & ~done
                for key, value in outputs.items():
                    final[key] = _where_rows(newly, value, final[key]) if key in final else value.clone()
                steps = torch.where(newly, carry.steps, steps)
                done |= carry.halted
                if bool(done.all()):
                    break
        finally:
            self.train(was_training)
        return Solution(final["logits"].argmax(dim=-1), steps, final)

    def extra_repr(self) -> str:
        return f"first_grad={self.first_grad}/{len(self.core.schedule)}, gradient={self.gradient!r}"
