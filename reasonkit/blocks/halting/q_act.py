"""Adaptive computation time by Q-learning (HRM, Wang et al. 2025, arXiv 2506.21734, section 3.3).

The halting head gives ``q_halt`` and ``q_continue`` from the first position. In training a sequence halts when
``q_halt > q_continue`` or at ``max_steps``, except that with probability ``exploration`` it first draws a minimum
number of segments in [2, max_steps]. ``q_halt`` is trained by BCE against "the sequence is exactly right";
``q_continue`` against a bootstrapped target from a second, gradient-free pass over the new carry:
``sigmoid(next_q_halt)`` at the last step, else ``sigmoid(max(next_q_halt, next_q_continue))``. No replay buffer
and no target network, as in the reference.
"""
from __future__ import annotations

from typing import Callable, Literal

import torch
from pydantic import Field, NonNegativeFloat, PositiveInt, confloat

from ...registry import register
from ...spec import BuildContext, Spec
from .base import HaltDecision, HaltingPolicy, Outputs, bce_sum, exploration_floor

__all__ = ["QActSpec", "QActHalting"]


class QActHalting(HaltingPolicy):
    """HRM's Q-learning halting with exploration and a bootstrapped continue target."""

    num_logits = 2
    logit_names = ("q_halt_logits", "q_continue_logits")
    init_bias = -5.0
    #: Whether q_continue is trained against a bootstrapped target (a second, gradient-free forward).
    bootstrap = True

    def __init__(self, max_steps: int, exploration: float, loss_weight: float) -> None:
        super().__init__(max_steps)
        self.exploration = exploration
        self.loss_weight = loss_weight

    def halt_signal(self, outputs: Outputs) -> torch.Tensor:
        """Which sequences ask to halt: ``q_halt > q_continue``."""
        return outputs["q_halt_logits"] > outputs["q_continue_logits"]

    def decide(self, steps: torch.Tensor, outputs: Outputs, state: dict[str, torch.Tensor], *, training: bool,
               early_exit: bool, max_steps: int, requery: Callable[[], Outputs]) -> HaltDecision:
        last = steps >= max_steps
        halted = last
        extra: Outputs = {}
        if training and max_steps > 1:
            halted = halted | self.halt_signal(outputs)
            halted = halted & (steps >= exploration_floor(outputs["q_halt_logits"], steps, self.exploration, max_steps))
            if self.bootstrap:
                following = requery()
                next_halt, next_continue = following["q_halt_logits"], following["q_continue_logits"]
                extra["target_q_continue"] = torch.sigmoid(torch.where(last, next_halt, torch.maximum(next_halt, next_continue)))
        elif early_exit:
            halted = halted | self.halt_signal(outputs)
        return HaltDecision(halted, state, extra)

    def loss(self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, outputs: Outputs) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        lm = lm_loss.sum()
        q_halt_loss = bce_sum(outputs["q_halt_logits"], seq_correct)
        terms = {"lm_loss": lm.detach(), "q_halt_loss": q_halt_loss.detach()}
        halting = q_halt_loss
        if "target_q_continue" in outputs:
            q_continue_loss = bce_sum(outputs["q_continue_logits"], outputs["target_q_continue"])
            terms["q_continue_loss"] = q_continue_loss.detach()
            halting = halting + q_continue_loss
        return lm + self.loss_weight * halting, terms

    def metrics(self, outputs: Outputs, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        right = (outputs["q_halt_logits"] >= 0) == seq_correct
        return {"q_halt_accuracy": (valid & right).sum()}


@register("halting")
class QActSpec(Spec):
    """HRM's Q-learning ACT (q_halt vs q_continue, bootstrapped target, exploration)."""

    kind: Literal["q_act"] = "q_act"
    max_steps: PositiveInt = Field(16, description="maximum segments per sequence (M_max in the HRM paper)")
    exploration: confloat(ge=0.0, le=1.0) = Field(0.1, description="probability of drawing a minimum step count (epsilon)")
    loss_weight: NonNegativeFloat = Field(0.5, description="weight of the Q losses beside the LM loss")

    def build(self, ctx: BuildContext) -> QActHalting:
        return QActHalting(self.max_steps, self.exploration, self.loss_weight)
