"""Adaptive Computation Time (Graves 2016, arXiv 1603.08983; the Universal Transformer's halting, Dehghani et
al. 2019, arXiv 1807.03819), applied per sequence over segments.

After each segment the halting head gives a probability ``h_n = sigmoid(logit)``. A sequence halts at the first
segment ``N`` where the cumulative probability reaches ``1 - eps`` (or at ``max_steps``); its remainder is
``R = 1 - sum_{n<N} h_n``. The halting distribution ``p_n = h_n`` (n < N), ``p_N = R`` weights the segments'
LM losses, and the ponder cost ``N + R`` is added with weight ``ponder_weight``. The halting bias starts
negative (-3 by default): a UT with ACT on Sudoku-Extreme collapsed with a bias of 0 or above.

Where the UT outputs the probability-weighted mean of its per-step states, here each segment is supervised on
its own and the same weights ``p_n`` weight the segments' losses; a prediction is read at the halting segment.
Because the carry between segments is detached (deep supervision), the remainder's gradient reaches only the
segment that computed it: each earlier ``h_n`` receives the ponder cost's ``-1`` and its own LM loss, not the
``-L_N`` term through ``R``. At evaluation every sequence runs ``max_steps`` segments unless ``early_exit``.
The confidence is the cumulative halting probability after the segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import torch
from pydantic import Field, NonNegativeFloat, PositiveInt, confloat

from ...registry import register
from ...spec import BuildContext, Spec
from .base import HaltingPolicy, HaltRecord, PolicyState

__all__ = ["ACTSpec", "ACTHalting", "ACTRecord"]


@dataclass
class ACTRecord(HaltRecord):
    """An ACT decision: the cumulative probability before the segment and whether the segment is the halting one."""

    cumulative: Optional[torch.Tensor] = None
    final: Optional[torch.Tensor] = None

    @property
    def prob(self) -> torch.Tensor:
        return torch.sigmoid(self.logits[..., 0])


class ACTHalting(HaltingPolicy):
    """Graves' ACT over segments: cumulative halting probability, remainder and ponder cost."""

    num_logits = 1

    def __init__(self, max_steps: int, hidden_size: int, eps: float, ponder_weight: float, init_bias: float) -> None:
        super().__init__(max_steps, hidden_size, init_bias)
        self.eps = eps
        self.ponder_weight = ponder_weight

    def initial_state(self, batch_size: int, device: torch.device) -> PolicyState:
        return {"cumulative": torch.zeros(batch_size, dtype=torch.float32, device=device)}

    def decide(
        self,
        steps: torch.Tensor,
        logits: Optional[torch.Tensor],
        state: PolicyState,
        *,
        training: bool,
        early_exit: bool,
        max_steps: int,
        next_logits: Optional[torch.Tensor] = None,
    ) -> ACTRecord:
        before = state["cumulative"]
        prob = torch.sigmoid(logits[..., 0])
        done = before >= 1 - self.eps  # halted by ACT earlier (only when evaluation runs on to max_steps)
        crossed = before + prob >= 1 - self.eps
        final = ~done & (crossed | (steps >= max_steps))
        halted = steps >= max_steps
        if training or early_exit:
            halted = halted | crossed | done
        after = {"cumulative": torch.clamp(before + prob, max=1.0)}
        return ACTRecord(halted, after, logits, before, final)

    def remainder(self, record: ACTRecord) -> torch.Tensor:
        """R at the halting segment, 0 elsewhere."""
        return torch.where(record.final, (1 - record.cumulative).clamp_min(0), 0.0)

    def weight(self, record: ACTRecord) -> torch.Tensor:
        """The segment's share of the halting distribution: h_n before the halting segment, R at it, 0 after."""
        prob = record.prob
        done = record.cumulative >= 1 - self.eps
        return torch.where(done, torch.zeros_like(prob), torch.where(record.final, self.remainder(record), prob))

    def confidence(self, record: ACTRecord) -> torch.Tensor:
        return torch.clamp(record.cumulative + record.prob, max=1.0)

    def loss(
        self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, record: ACTRecord
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        prob = record.prob
        done = record.cumulative >= 1 - self.eps
        zero = torch.zeros_like(prob)
        # Per segment: 1 for the step (gradient -1 to h_n, through R), 1 + R at the halting segment; sums to N + R.
        ponder = torch.where(
            done, zero, torch.where(record.final, 1 + self.remainder(record), 1 - prob + prob.detach())
        )
        lm = (self.weight(record).to(lm_loss.dtype) * lm_loss).sum()
        ponder_cost = ponder.sum()
        terms = {"lm_loss": lm.detach(), "ponder_cost": ponder_cost.detach()}
        return lm + self.ponder_weight * ponder_cost, terms

    def metrics(self, record: ACTRecord, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"act_remainder": torch.where(valid, self.remainder(record), 0.0).sum()}


@register("halting")
class ACTSpec(Spec):
    """Graves / Universal Transformer ACT: cumulative halting probability, remainder, ponder cost."""

    kind: Literal["act"] = "act"
    max_steps: PositiveInt = Field(16, description="maximum segments per sequence")
    eps: confloat(gt=0.0, lt=1.0) = Field(0.01, description="halt once the cumulative probability reaches 1 - eps")
    ponder_weight: NonNegativeFloat = Field(0.01, description="weight of the ponder cost N + R (tau in Graves 2016)")
    init_bias: float = Field(-3.0, description="initial halting-head bias; 0 or above made UT-ACT collapse on Sudoku")

    @classmethod
    def tiny(cls) -> ACTSpec:
        return cls(max_steps=3, init_bias=0.0)

    def build(self, ctx: BuildContext) -> ACTHalting:
        return ACTHalting(self.max_steps, ctx.hidden_size, self.eps, self.ponder_weight, self.init_bias)
