"""One-step gradient (HRM, arXiv 2506.21734; the 1-step / Jacobian-free gradient of DEQ models).

Only the last update of each level carries gradient: for HRM the final low and the final high update, so the
memory kept for backward does not grow with the number of cycles.
"""

from __future__ import annotations

from typing import Literal, Sequence

from ...registry import register
from ...spec import BuildContext, Spec
from ..cores.base import Update
from .base import GradientEstimator

__all__ = ["OneStepSpec", "OneStepGradient"]


class OneStepGradient(GradientEstimator):
    """Gradient through the last update of every level (and whatever follows the earliest of them)."""

    def first_grad(self, schedule: Sequence[Update]) -> int:
        last = {u.level: i for i, u in enumerate(schedule)}
        return min(last.values())


@register("gradient")
class OneStepSpec(Spec):
    """HRM's one-step gradient approximation."""

    kind: Literal["one_step"] = "one_step"

    @classmethod
    def tiny(cls) -> OneStepSpec:
        return cls()

    def build(self, ctx: BuildContext) -> OneStepGradient:
        return OneStepGradient()
