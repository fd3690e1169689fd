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
"""
from __future__ import annotations

from typing import Callable, Literal

import torch
from pydantic import Field, NonNegativeFloat, PositiveInt, confloat

from ...registry import register
from ...spec import BuildContext, Spec
from .base import HaltDecision, HaltingPolicy, Outputs

__all__ = ["ACTSpec", "ACTHalting"]


class ACTHalting(HaltingPolicy):
    """Graves' ACT over segments: cumulative halting probability, remainder and ponder cost."""

    num_logits = 1
    logit_names = ("halt_logits",)

    def __init__(self, max_steps: int, eps: float, ponder_weight: float, init_bias: float) -> None:
        super().__init__(max_steps)
        self.eps = eps
        self.ponder_weight = ponder_weight
        self.init_bias = init_bias

    def initial_state(self, batch_size: int, device: torch.device) -> dict[str, torch.Tensor]:
        return {"cumulative": torch.zeros(batch_size, dtype=torch.float32, device=device)}

    def decide(self, steps: torch.Tensor, outputs: Outputs, state: dict[str, torch.Tensor], *, training: bool,
               early_exit: bool, max_steps: int, requery: Callable[[], Outputs]) -> HaltDecision:
        before = state["cumulative"]
        prob = torch.sigmoid(outputs["halt_logits"])
        done = before >= 1 - self.eps  # halted by ACT earlier (only when evaluation runs on to max_steps)
        crossed = before + prob >= 1 - self.eps
        final = ~done & (crossed | (steps >= max_steps))
        remainder = (1 - before).clamp_min(0)
        halted = steps >= max_steps
        if training or early_exit:
            halted = halted | crossed | done
        extra = {
            "act_cumulative": before,
            "act_final": final.float(),
            "act_remainder": torch.where(final, remainder, torch.zeros_like(remainder)),
            "act_weight": self._weight(prob, before, final),
        }
        return HaltDecision(halted, {"cumulative": torch.clamp(before + prob, max=1.0)}, extra)

    def _weight(self, prob: torch.Tensor, before: torch.Tensor, final: torch.Tensor) -> torch.Tensor:
        """A segment's share of the halting distribution: h_n before the halting segment, R at it, 0 after."""
        done = before >= 1 - self.eps
        remainder = (1 - before).clamp_min(0)
        return torch.where(done, torch.zeros_like(prob), torch.where(final, remainder, prob))

    def loss(self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, outputs: Outputs) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        prob = torch.sigmoid(outputs["halt_logits"])
        before = outputs["act_cumulative"]
        final = outputs["act_final"].bool()
        done = before >= 1 - self.eps
        remainder = (1 - before).clamp_min(0)
        zero = torch.zeros_like(prob)
        weight = self._weight(prob, before, final)
        # Per segment: 1 for the step (gradient -1 to h_n, through R), 1 + R at the halting segment; sums to N + R.
        ponder = torch.where(done, zero, torch.where(final, 1 + remainder, 1 - prob + prob.detach()))
        lm = (weight.to(lm_loss.dtype) * lm_loss).sum()
        ponder_cost = ponder.sum()
        terms = {"lm_loss": lm.detach(), "ponder_cost": ponder_cost.detach()}
        return lm + self.ponder_weight * ponder_cost, terms

    def metrics(self, outputs: Outputs, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"act_remainder": torch.where(valid, outputs["act_remainder"], 0.0).sum()}


@register("halting")
class ACTSpec(Spec):
    """Graves / Universal Transformer ACT: cumulative halting probability, remainder, ponder cost."""

    kind: Literal["act"] = "act"
    max_steps: PositiveInt = Field(16, description="maximum segments per sequence")
    eps: confloat(gt=0.0, lt=1.0) = Field(0.01, description="halt once the cumulative probability reaches 1 - eps")
    ponder_weight: NonNegativeFloat = Field(0.01, description="weight of the ponder cost N + R (tau in Graves 2016)")
    init_bias: float = Field(-3.0, description="initial halting-head bias; 0 or above made UT-ACT collapse on Sudoku")

    def build(self, ctx: BuildContext) -> ACTHalting:
        return ACTHalting(self.max_steps, self.eps, self.ponder_weight, self.init_bias)
