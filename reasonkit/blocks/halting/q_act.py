"""Adaptive computation time by Q-learning (HRM, Wang et al. 2025, arXiv 2506.21734, section 3.3).

The halting head gives ``q_halt`` and ``q_continue`` from the first position. In training a sequence halts when
``q_halt > q_continue`` or at ``max_steps``, except that with probability ``exploration`` it first draws a minimum
number of segments in [2, max_steps]. ``q_halt`` is trained by BCE against "the sequence is exactly right";
``q_continue`` against a bootstrapped target from a second, gradient-free pass over the new carry:
``sigmoid(next_q_halt)`` at the last step, else ``sigmoid(max(next_q_halt, next_q_continue))``. No replay buffer
and no target network, as in the reference. The confidence is ``sigmoid(q_halt)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import torch
from pydantic import Field, NonNegativeFloat, PositiveInt, confloat

from ...registry import register
from ...spec import BuildContext, Spec
from .base import HaltingPolicy, HaltRecord, PolicyState, bce_sum, exploration_floor

__all__ = ["QActSpec", "QActHalting", "QRecord"]


@dataclass
class QRecord(HaltRecord):
    """A Q-halting decision: ``logits`` holds (q_halt, q_continue); the continue target when one was computed."""

    target_q_continue: Optional[torch.Tensor] = None

    @property
    def q_halt(self) -> torch.Tensor:
        return self.logits[..., 0]

    @property
    def q_continue(self) -> torch.Tensor:
        return self.logits[..., 1]


class QActHalting(HaltingPolicy):
    """HRM's Q-learning halting with exploration and a bootstrapped continue target."""

    num_logits = 2
    #: Whether q_continue is trained against a bootstrapped target (a second, gradient-free forward).
    bootstrap = True

    def __init__(self, max_steps: int, hidden_size: int, exploration: float, loss_weight: float) -> None:
        super().__init__(max_steps, hidden_size, init_bias=-5.0)
        self.exploration = exploration
        self.loss_weight = loss_weight

    def halt_signal(self, logits: torch.Tensor) -> torch.Tensor:
        """Which sequences ask to halt: ``q_halt > q_continue``."""
        return logits[..., 0] > logits[..., 1]

    def needs_second_pass(self, *, training: bool, max_steps: int) -> bool:
        return self.bootstrap and training and max_steps > 1

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
    ) -> QRecord:
        last = steps >= max_steps
        halted = last
        target = None
        if training and max_steps > 1:
            halted = halted | self.halt_signal(logits)
            halted = halted & (steps >= exploration_floor(logits[..., 0], steps, self.exploration, max_steps))
            if next_logits is not None:
                next_halt, next_continue = next_logits[..., 0], next_logits[..., 1]
                target = torch.sigmoid(torch.where(last, next_halt, torch.maximum(next_halt, next_continue)))
        elif early_exit:
            halted = halted | self.halt_signal(logits)
        return QRecord(halted, state, logits, target)

    def confidence(self, record: QRecord) -> torch.Tensor:
        return torch.sigmoid(record.q_halt)

    def loss(
        self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, record: QRecord
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        lm = lm_loss.sum()
        q_halt_loss = bce_sum(record.q_halt, seq_correct)
        terms = {"lm_loss": lm.detach(), "q_halt_loss": q_halt_loss.detach()}
        halting = q_halt_loss
        if record.target_q_continue is not None:
            q_continue_loss = bce_sum(record.q_continue, record.target_q_continue)
            terms["q_continue_loss"] = q_continue_loss.detach()
            halting = halting + q_continue_loss
        return lm + self.loss_weight * halting, terms

    def metrics(self, record: QRecord, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        right = (record.q_halt >= 0) == seq_correct
        return {"q_halt_accuracy": (valid & right).sum()}


@register("halting")
class QActSpec(Spec):
    """HRM's Q-learning ACT (q_halt vs q_continue, bootstrapped target, exploration)."""

    kind: Literal["q_act"] = "q_act"
    max_steps: PositiveInt = Field(16, description="maximum segments per sequence (M_max in the HRM paper)")
    exploration: confloat(ge=0.0, le=1.0) = Field(
        0.1, description="probability of drawing a minimum step count (epsilon)"
    )
    loss_weight: NonNegativeFloat = Field(0.5, description="weight of the Q losses beside the LM loss")

    @classmethod
    def tiny(cls) -> QActSpec:
        return cls(max_steps=3, exploration=0.5)

    def build(self, ctx: BuildContext) -> QActHalting:
        return QActHalting(self.max_steps, ctx.hidden_size, self.exploration, self.loss_weight)
