"""Halting on the sign of q_halt (TRM, Jolicoeur-Martineau 2025, arXiv 2510.04871; ``no_ACT_continue=True``).

A simplification of HRM's Q-learning halting: a sequence halts when ``q_halt > 0`` (or at ``max_steps``), and
``q_halt`` is trained by BCE against "the sequence is exactly right", weighted 0.5 beside the LM loss. No
continue target and no second forward pass. Exploration as in HRM: with probability ``exploration`` a sequence
draws a minimum number of segments in [2, max_steps]. The head keeps the reference's two outputs (the second,
``q_continue``, is unused) so that reference checkpoints load unchanged.
"""
from __future__ import annotations

from typing import Callable, Literal

import torch
from pydantic import Field, NonNegativeFloat, PositiveInt, confloat

from ...registry import register
from ...spec import BuildContext, Spec
from .base import HaltDecision, HaltingPolicy, Outputs, bce_sum, exploration_floor

__all__ = ["QHaltSpec", "QHaltHalting"]


class QHaltHalting(HaltingPolicy):
    """TRM's halting: halt when q_halt > 0, BCE of q_halt against exact correctness."""

    num_logits = 2
    logit_names = ("q_halt_logits", "q_continue_logits")
    init_bias = -5.0

    def __init__(self, max_steps: int, exploration: float, loss_weight: float) -> None:
        super().__init__(max_steps)
        self.exploration = exploration
        self.loss_weight = loss_weight

    def decide(self, steps: torch.Tensor, outputs: Outputs, state: dict[str, torch.Tensor], *, training: bool,
               early_exit: bool, max_steps: int, requery: Callable[[], Outputs]) -> HaltDecision:
        q_halt = outputs["q_halt_logits"]
        halted = steps >= max_steps
        if training and max_steps > 1:
            halted = halted | (q_halt > 0)
            halted = halted & (steps >= exploration_floor(q_halt, steps, self.exploration, max_steps))
        elif early_exit:
            halted = halted | (q_halt > 0)
        return HaltDecision(halted, state, {})

    def loss(self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, outputs: Outputs) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        lm = lm_loss.sum()
        q_halt_loss = bce_sum(outputs["q_halt_logits"], seq_correct)
        terms = {"lm_loss": lm.detach(), "q_halt_loss": q_halt_loss.detach()}
        return lm + self.loss_weight * q_halt_loss, terms

    def metrics(self, outputs: Outputs, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        right = (outputs["q_halt_logits"] >= 0) == seq_correct
        return {"q_halt_accuracy": (valid & right).sum()}


@register("halting")
class QHaltSpec(Spec):
    """TRM's halting: halt when q_halt > 0; BCE against exact correctness; no extra forward."""

    kind: Literal["q_halt"] = "q_halt"
    max_steps: PositiveInt = Field(16, description="maximum segments per sequence (N_sup in the TRM paper)")
    exploration: confloat(ge=0.0, le=1.0) = Field(0.1, description="probability of drawing a minimum step count")
    loss_weight: NonNegativeFloat = Field(0.5, description="weight of the q_halt BCE beside the LM loss")

    def build(self, ctx: BuildContext) -> QHaltHalting:
        return QHaltHalting(self.max_steps, self.exploration, self.loss_weight)
