"""Fixed number of segments: every sequence runs ``max_steps`` segments; no halting head, no halting loss.

The "no ACT" baseline of the HRM and TRM ablations (deep supervision with a fixed refinement count).
"""

from __future__ import annotations

from typing import Literal, Optional

import torch
from pydantic import Field, PositiveInt

from ...registry import register
from ...spec import BuildContext, Spec
from .base import HaltingPolicy, HaltRecord, PolicyState

__all__ = ["FixedSpec", "FixedHalting"]


class FixedHalting(HaltingPolicy):
    """Halts exactly when ``steps`` reaches the maximum, in training and at inference."""

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
    ) -> HaltRecord:
        return HaltRecord(steps >= max_steps, state, logits)


@register("halting")
class FixedSpec(Spec):
    """Always run max_steps segments."""

    kind: Literal["fixed"] = "fixed"
    max_steps: PositiveInt = Field(16, description="segments per sequence (M_max in the HRM paper)")

    @classmethod
    def tiny(cls) -> FixedSpec:
        return cls(max_steps=3)

    def build(self, ctx: BuildContext) -> FixedHalting:
        return FixedHalting(self.max_steps)
