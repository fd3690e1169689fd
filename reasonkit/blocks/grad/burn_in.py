"""Gradient through every update after the first ``updates`` of a segment: truncated backpropagation through
loops (TBPTL) of URM (Gao et al. 2025, "Universal Reasoning Model", arXiv 2512.14693).

The first ``updates`` updates of each segment run forward only, as a burn-in of the recurrent state; all later
updates carry gradient. URM runs ``H_cycles x L_cycles = 2 x 6`` inner iterations per segment, the first
``(H_cycles - 1) x L_cycles = 6`` without gradient; on ARC-AGI-1 it reports 53.8% pass@1 against 40.0% without
TBPTL (``updates=0``, i.e. ``bptt``). The mirror image of ``truncated``, which fixes the number of updates *with*
gradient: the two differ when the schedule's length changes. With ``updates`` = all but the last cycle's updates
it equals TRM's ``last_cycle``.
"""

from __future__ import annotations

from typing import Literal, Sequence

from pydantic import Field, NonNegativeInt

from ...registry import register
from ...spec import BuildContext, Spec
from ..cores.base import Update
from .base import GradientEstimator

__all__ = ["BurnInSpec", "BurnInGradient"]


class BurnInGradient(GradientEstimator):
    """No gradient through the first ``updates`` updates of a segment; gradient through the rest."""

    def __init__(self, updates: int) -> None:
        if updates < 0:
            raise ValueError(f"burn_in needs updates >= 0, got {updates}")
        self.updates = updates

    def first_grad(self, schedule: Sequence[Update]) -> int:
        if self.updates >= len(schedule):
            raise ValueError(
                f"burn_in with updates={self.updates} leaves no update with gradient in a schedule of "
                f"{len(schedule)} updates; use at most {len(schedule) - 1}"
            )
        return self.updates

    def __repr__(self) -> str:
        return f"BurnInGradient(updates={self.updates})"


@register("gradient")
class BurnInSpec(Spec):
    """URM's truncated backprop through loops: the first N updates of each segment without gradient."""

    kind: Literal["burn_in"] = "burn_in"
    updates: NonNegativeInt = Field(
        1,
        description="forward-only updates at the start of each segment, N ((H_cycles - 1) * L_cycles = 6 in the URM "
        "code); fewer than the schedule's updates",
    )

    @classmethod
    def tiny(cls) -> BurnInSpec:
        return cls(updates=1)

    def build(self, ctx: BuildContext) -> BurnInGradient:
        return BurnInGradient(self.updates)
