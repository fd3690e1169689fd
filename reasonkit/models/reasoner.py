"""The Reasoner: embedding, a recurrent core under a gradient estimator, an LM head, and a halting policy.

Driven segment by segment as in HRM (arXiv 2506.21734): ``initial_carry`` makes a carry whose slots are all
halted; each call ``model(carry, batch)`` puts new examples from ``batch`` into the halted slots (resetting
their states), runs one segment, and returns the new (detached) carry and the segment's :class:`SegmentOutput`.
``solve`` runs a batch to the end for inference. The halting policy owns its head, its state and its decision;
the Reasoner only asks it (see :mod:`reasonkit.blocks.halting.base`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import torch
from torch import nn

from ..blocks.cores.base import RecurrentCore, State
from ..blocks.grad.base import GradientEstimator
from ..blocks.halting.base import HaltingPolicy, HaltRecord
from ..errors import ConfigError, DataError
from ..layers.linear import CastedLinear
from .embedding import InputEmbedding

if TYPE_CHECKING:  # the spec module builds Reasoners, so it imports this one at build time
    from .spec import ReasonerSpec

__all__ = ["Carry", "Reasoner", "SegmentOutput", "Solution", "Batch"]

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
class SegmentOutput:
    """One segment's outputs: LM logits [batch, seq, vocab] (prefix removed) and the halting policy's record."""

    logits: torch.Tensor
    halting: HaltRecord


@dataclass
class Solution:
    """The result of :meth:`Reasoner.solve`: predicted tokens, segments used, and each sequence's final logits
    and halting confidence (None for a policy without one)."""

    predictions: torch.Tensor
    steps: torch.Tensor
    logits: torch.Tensor
    confidence: Optional[torch.Tensor]


def _where_rows(mask: torch.Tensor, new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    return torch.where(mask.view((-1,) + (1,) * (new.ndim - 1)), new, old)


class Reasoner(nn.Module):
    """A recurrent reasoner composed of registered blocks (see :func:`reasonkit.build`).

    ``spec`` is the :class:`~reasonkit.ReasonerSpec` the model was built from (stored in checkpoints so that a
    checkpoint rebuilds its model); ``seq_len``, ``vocab_size``, ``num_puzzle_ids`` and ``task`` describe the
    inputs it takes.
    """

    def __init__(
        self,
        embedding: InputEmbedding,
        core: RecurrentCore,
        gradient: GradientEstimator,
        halting: HaltingPolicy,
        hidden_size: int,
        vocab_size: int,
        forward_dtype: torch.dtype,
        *,
        spec: Optional[ReasonerSpec] = None,
        inference_max_steps: Optional[int] = None,
    ) -> None:
        super().__init__()
        self.embedding = embedding
        self.core = core
        self.gradient = gradient
        self.halting = halting
        self.forward_dtype = forward_dtype
        self.vocab_size = vocab_size
        self.spec: Optional[ReasonerSpec] = spec
        if inference_max_steps is not None and inference_max_steps < 1:
            raise ConfigError(f"inference_max_steps must be at least 1 (or None), got {inference_max_steps}")
        #: Segments allowed in eval mode when a call sets no ``max_steps`` (None: the policy's ``max_steps``).
        self.inference_max_steps = inference_max_steps
        self.first_grad = gradient.first_grad(core.schedule)
        self.lm_head = CastedLinear(hidden_size, vocab_size, bias=False)

    @property
    def inference_steps(self) -> int:
        """Segments a sequence gets at inference when a call sets no ``max_steps``: ``inference_max_steps`` if set,
        else the halting policy's (training) maximum."""
        return self.halting.max_steps if self.inference_max_steps is None else self.inference_max_steps

    @property
    def prefix_len(self) -> int:
        return self.embedding.prefix_len

    @property
    def seq_len(self) -> int:
        """Tokens per example (puzzle prefix excluded)."""
        return self.embedding.seq_len

    @property
    def num_puzzle_ids(self) -> int:
        return 1 if self.embedding.puzzle is None else self.embedding.puzzle.num_ids

    @property
    def task(self) -> Optional[str]:
        return None if self.spec is None else self.spec.task

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

    def check_batch(self, batch: Batch) -> None:
        """Raise DataError if the batch's token or puzzle ids do not fit the model (reads them: a host sync)."""
        inputs = batch["inputs"]
        if inputs.dtype not in (torch.int32, torch.int64) or inputs.ndim != 2:
            raise DataError(
                "batch['inputs'] must be integer token ids of shape [batch, seq], got "
                f"{inputs.dtype} {tuple(inputs.shape)}"
            )
        if inputs.shape[1] != self.seq_len:
            raise DataError(
                f"batch['inputs'] has {inputs.shape[1]} tokens per example but the model was built for "
                f"seq_len={self.seq_len}"
            )
        low, high = int(inputs.min()), int(inputs.max())
        if low < 0 or high >= self.vocab_size:
            raise DataError(
                f"batch['inputs'] holds token ids in [{low}, {high}] but the model's vocab_size is {self.vocab_size}"
            )
        if self.embedding.puzzle is not None:
            ids = batch["puzzle_identifiers"]
            if int(ids.min()) < 0 or int(ids.max()) >= self.embedding.puzzle.num_ids:
                raise DataError(
                    f"batch['puzzle_identifiers'] holds ids outside [0, {self.embedding.puzzle.num_ids}); "
                    "build the model with num_puzzle_ids matching the data set"
                )

    def segment(
        self, state: State, data: Batch, x: Optional[torch.Tensor] = None
    ) -> tuple[State, torch.Tensor, Optional[torch.Tensor]]:
        """One segment on given states: the new detached states, the LM logits and the halting head's logits.

        ``x`` is the input embedding of ``data`` when the caller has it already (the second pass reuses the
        first's: the same values, one lookup less, and no second break of a compiled graph at the puzzle table).
        """
        if x is None:
            x = self.embedding(data["inputs"], data["puzzle_identifiers"], self.forward_dtype)
        state = self.core.run(state, x, self.first_grad)
        z = state[self.core.readout]
        logits = self.lm_head(z)[:, self.prefix_len :]
        return {k: v.detach() for k, v in state.items()}, logits, self.halting.logits(z[:, 0])

    def forward(
        self,
        carry: Carry,
        batch: Batch,
        *,
        max_steps: Optional[int] = None,
        early_exit: bool = False,
        check: bool = True,
    ) -> tuple[Carry, SegmentOutput]:
        """Run one segment: halted slots take the rows of ``batch``, the rest continue their example.

        ``max_steps`` overrides the segment limit: the policy's maximum in training, :attr:`inference_steps` in eval
        mode (more than the training maximum scales inference); ``early_exit`` lets the policy stop
        sequences at inference instead of running every one to the maximum. With ``check`` (and outside
        ``torch.compile``) token and puzzle ids are checked against the model's sizes, a host sync: callers that
        validated their data once pass ``check=False``.
        """
        if check and not torch.compiler.is_compiling():
            self.check_batch(batch)
        limit = (
            max_steps if max_steps is not None else self.halting.max_steps if self.training else self.inference_steps
        )
        fresh = carry.halted
        state = self.core.reset(carry.state, fresh)
        data = {k: _where_rows(fresh, batch[k], v) for k, v in carry.data.items()}
        steps = torch.where(fresh, 0, carry.steps) + 1
        policy_state = self.halting.reset(carry.halting, fresh)

        x = self.embedding(data["inputs"], data["puzzle_identifiers"], self.forward_dtype)
        state, logits, halt_logits = self.segment(state, data, x)
        with torch.no_grad():
            next_logits = None
            if self.halting.needs_second_pass(training=self.training, max_steps=limit):
                next_logits = self.segment(state, data, x)[2]
            record = self.halting.decide(
                steps,
                halt_logits,
                policy_state,
                training=self.training,
                early_exit=early_exit,
                max_steps=limit,
                next_logits=next_logits,
            )
        return Carry(state, steps, record.halted, data, record.state), SegmentOutput(logits, record)

    @torch.no_grad()
    def solve(
        self,
        inputs: torch.Tensor,
        puzzle_identifiers: Optional[torch.Tensor] = None,
        *,
        max_steps: Optional[int] = None,
        early_exit: bool = False,
    ) -> Solution:
        """Solve a batch end to end in eval mode: predictions at each sequence's halting segment.

        Runs until every sequence has halted (``max_steps`` segments unless ``early_exit``), then restores the
        module's training mode. A slot that halts early keeps its answer while the batch runs on; for throughput
        on many puzzles use :func:`reasonkit.eval.infer`, which refills such slots with waiting puzzles.
        """
        if max_steps is not None and max_steps < 1:
            raise ConfigError(f"max_steps must be at least 1 (or None for the model's maximum), got {max_steps}")
        if puzzle_identifiers is None:
            puzzle_identifiers = torch.zeros(inputs.shape[0], dtype=torch.int32, device=inputs.device)
        batch = {"inputs": inputs, "puzzle_identifiers": puzzle_identifiers}
        was_training = self.training
        self.eval()
        limit = self.inference_steps if max_steps is None else max_steps
        try:
            carry = self.initial_carry(batch)
            done = torch.zeros(inputs.shape[0], dtype=torch.bool, device=inputs.device)
            logits = confidence = None
            steps = torch.zeros_like(carry.steps)
            for segment in range(limit):
                carry, out = self(carry, batch, max_steps=limit, early_exit=early_exit, check=segment == 0)
                conf = self.halting.confidence(out.halting)
                newly = carry.halted & ~done
                logits = out.logits.clone() if logits is None else _where_rows(newly, out.logits, logits)
                if conf is not None:
                    confidence = conf.clone() if confidence is None else torch.where(newly, conf, confidence)
                steps = torch.where(newly, carry.steps, steps)
                done |= carry.halted
                if bool(done.all()):
                    break
        finally:
            self.train(was_training)
        return Solution(logits.argmax(dim=-1), steps, logits, confidence)

    def extra_repr(self) -> str:
        return f"first_grad={self.first_grad}/{len(self.core.schedule)}, gradient={self.gradient!r}"
