"""PonderNet halting (Banino et al. 2021, "PonderNet: Learning to Ponder", arXiv 2107.05407), over segments.

The halting head gives ``lambda_n = sigmoid(logit)`` after each segment. The halting distribution is
``p_n = lambda_n * prod_{k<n} (1 - lambda_k)``, truncated at ``max_steps`` by giving the last segment all the
remaining mass, so it sums to 1. The loss is the expected LM loss ``sum_n p_n L_n`` plus ``beta`` times
``KL(p || Geometric(prior))`` (the geometric prior truncated the same way). Training runs every sequence for
``max_steps`` segments, since the loss is an expectation over all of them. At inference with ``early_exit`` a
sequence halts once its cumulative halting probability reaches ``threshold`` (deterministic; the paper samples).

The carry between segments is detached, so ``p_n`` carries gradient to ``lambda_n`` only, not to the earlier
``lambda_k`` through the remaining probability. The confidence is the cumulative halting probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Optional

import torch
from pydantic import Field, NonNegativeFloat, PositiveInt, confloat

from ...registry import register
from ...spec import BuildContext, Spec
from .base import HaltingPolicy, HaltRecord, PolicyState

__all__ = ["PonderSpec", "PonderHalting", "PonderRecord"]


@dataclass
class PonderRecord(HaltRecord):
    """A PonderNet decision: the probability of not having halted before the segment, the step, the last flag."""

    remaining: Optional[torch.Tensor] = None
    step: Optional[torch.Tensor] = None
    last: Optional[torch.Tensor] = None

    @property
    def lam(self) -> torch.Tensor:
        return torch.sigmoid(self.logits[..., 0])

    def distribution(self) -> torch.Tensor:
        """p_n: lambda_n times the remaining probability, or all of it at the last segment."""
        return torch.where(self.last, self.remaining, self.lam * self.remaining)


class PonderHalting(HaltingPolicy):
    """PonderNet: geometric halting distribution, expected loss over segments, KL to a geometric prior."""

    num_logits = 1

    def __init__(self, max_steps: int, hidden_size: int, prior: float, beta: float, threshold: float) -> None:
        # Start at the prior's per-step halting probability.
        super().__init__(max_steps, hidden_size, init_bias=math.log(prior / (1 - prior)))
        self.prior = prior
        self.beta = beta
        self.threshold = threshold

    def initial_state(self, batch_size: int, device: torch.device) -> PolicyState:
        return {"remaining": torch.ones(batch_size, dtype=torch.float32, device=device)}

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
    ) -> PonderRecord:
        remaining = state["remaining"]
        after = remaining * (1 - torch.sigmoid(logits[..., 0]))
        last = steps >= max_steps
        halted = last
        if not training and early_exit:
            halted = halted | (1 - after >= self.threshold)
        return PonderRecord(halted, {"remaining": after}, logits, remaining, steps.float(), last)

    def confidence(self, record: PonderRecord) -> torch.Tensor:
        return 1 - record.remaining * (1 - record.lam)

    def _prior_log_prob(self, step: torch.Tensor, last: torch.Tensor) -> torch.Tensor:
        log_continue = math.log1p(-self.prior)
        return (step - 1) * log_continue + torch.where(last, 0.0, math.log(self.prior))

    def loss(
        self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, record: PonderRecord
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        p = record.distribution()
        lm = (p.to(lm_loss.dtype) * lm_loss).sum()
        kl = (torch.xlogy(p, p) - p * self._prior_log_prob(record.step, record.last)).sum()
        return lm + self.beta * kl, {"lm_loss": lm.detach(), "kl": kl.detach()}

    def metrics(self, record: PonderRecord, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"halt_lambda": torch.where(valid, record.lam, 0.0).sum()}


@register("halting")
class PonderSpec(Spec):
    """PonderNet: expected loss over segments under a learned halting distribution, KL to a geometric prior."""

    kind: Literal["ponder"] = "ponder"
    max_steps: PositiveInt = Field(16, description="segments per sequence in training (N in the PonderNet paper)")
    prior: confloat(gt=0.0, lt=1.0) = Field(
        0.2, description="per-step halting probability of the geometric prior (lambda_p)"
    )
    beta: NonNegativeFloat = Field(0.01, description="weight of the KL regulariser")
    threshold: confloat(gt=0.0, le=1.0) = Field(
        0.5, description="cumulative halting probability that stops a sequence at inference"
    )

    @classmethod
    def tiny(cls) -> PonderSpec:
        return cls(max_steps=3)

    def build(self, ctx: BuildContext) -> PonderHalting:
        return PonderHalting(self.max_steps, ctx.hidden_size, self.prior, self.beta, self.threshold)
