"""Backpropagation through time over every update of a segment (the exact gradient of one segment)."""

from __future__ import annotations

from typing import Literal, Sequence

from ...registry import register
from ...spec import BuildContext, Spec
from ..cores.base import Update
from .base import GradientEstimator

__all__ = ["BPTTSpec", "BPTTGradient"]


class BPTTGradient(GradientEstimator):
    """Every update carries gradient; memory grows with the number of updates."""

    def first_grad(self, schedule: Sequence[Update]) -> int:
        return 0


@register("gradient")
class BPTTSpec(Spec):
    """Full backpropagation through the segment's unroll."""

    kind: Literal["bptt"] = "bptt"

    @classmethod
    def tiny(cls) -> BPTTSpec:
        return cls()

    def build(self, ctx: BuildContext) -> BPTTGradient:
        return BPTTGradient()
