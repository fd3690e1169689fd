"""Base of gradient estimators: which updates of a segment's schedule run with autograd.

Updates before the chosen index run under ``no_grad`` (their results are constants for backward); updates from
it on carry gradient. The carry between segments is always detached (deep supervision, HRM arXiv 2506.21734).
"""

from __future__ import annotations

from typing import Sequence

from ..cores.base import Update

__all__ = ["GradientEstimator"]


class GradientEstimator:
    """Chooses the first update of a schedule that carries gradient."""

    def first_grad(self, schedule: Sequence[Update]) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement first_grad()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
