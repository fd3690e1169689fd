"""Halting on the sign of q_halt (TRM, Jolicoeur-Martineau 2025, arXiv 2510.04871; ``no_ACT_continue=True``).

A simplification of HRM's Q-learning halting: a sequence halts when ``q_halt > 0`` (or at ``max_steps``), and
``q_halt`` is trained by BCE against "the sequence is exactly right", weighted 0.5 beside the LM loss. No
continue target and no second forward pass. Exploration as in HRM: with probability ``exploration`` a sequence
draws a minimum number of segments in [2, max_steps]. The head keeps the reference's two outputs (the second,
``q_continue``, is unused) so that reference checkpoints load unchanged.
"""

from __future__ import annotations

from typing import Literal

import torch

from ...registry import register
from ...spec import BuildContext
from .q_act import QActHalting, QActSpec

__all__ = ["QHaltSpec", "QHaltHalting"]


class QHaltHalting(QActHalting):
    """TRM's halting: HRM's Q-learning halting without the continue target, halting when q_halt > 0."""

    bootstrap = False

    def halt_signal(self, logits: torch.Tensor) -> torch.Tensor:
        return logits[..., 0] > 0


@register("halting")
class QHaltSpec(QActSpec):
    """TRM's halting: halt when q_halt > 0; BCE against exact correctness; no extra forward."""

    kind: Literal["q_halt"] = "q_halt"  # type: ignore[assignment]

    def build(self, ctx: BuildContext) -> QHaltHalting:
        return QHaltHalting(self.max_steps, ctx.hidden_size, self.exploration, self.loss_weight)
