"""Truncated backpropagation through the last ``k`` updates of a segment (torchdeq's BPTT-k; Bai et al.)."""

from __future__ import annotations

from typing import Literal, Sequence

from pydantic import Field, PositiveInt

from ...registry import register
from ...spec import BuildContext, Spec
from ..cores.base import Update
from .base import GradientEstimator

__all__ = ["TruncatedSpec", "TruncatedGradient"]


class TruncatedGradient(GradientEstimator):
    """Gradient through the last ``k`` updates (all of them when the schedule is shorter)."""

    def __init__(self, k: int) -> None:
        if k < 1:
            raise ValueError(f"truncated gradient needs k >= 1, got {k}")
        self.k = k

    def first_grad(self, schedule: Sequence[Update]) -> int:
        return max(0, len(schedule) - self.k)

    def __repr__(self) -> str:
        return f"TruncatedGradient(k={self.k})"


@register("gradient")
class TruncatedSpec(Spec):
    """Backprop through the last k updates."""

    kind: Literal["truncated"] = "truncated"
    k: PositiveInt = Field(2, description="number of trailing updates that carry gradient (k >= 1)")

    @classmethod
    def tiny(cls) -> TruncatedSpec:
        return cls(k=2)

    def build(self, ctx: BuildContext) -> TruncatedGradient:
        return TruncatedGradient(self.k)
