"""Learning-rate schedule: linear warmup, then cosine decay to a minimum ratio (HRM and TRM's schedule).

``lr(step) = base * step / warmup`` for ``step < warmup``, then
``base * (min_ratio + (1 - min_ratio) * 0.5 * (1 + cos(pi * progress)))`` with
``progress = (step - warmup) / (total - warmup)``. Steps count from 1 for the first optimizer step, as in the
reference (it increments the step before computing the rate). HRM's recipes use ``min_ratio=1.0``: warmup, then
constant. A plain function of the step, so the scheduler's whole state is the step counter of the trainer.
"""

from __future__ import annotations

import math

from torch.optim import Optimizer

__all__ = ["WarmupCosine"]


class WarmupCosine:
    """Scales each optimizer's base learning rates by the warmup-cosine factor of a step."""

    def __init__(self, warmup_steps: int, total_steps: int, min_ratio: float = 0.0) -> None:
        if warmup_steps < 0 or total_steps < 1 or not 0.0 <= min_ratio <= 1.0:
            raise ValueError(
                f"invalid schedule: warmup_steps={warmup_steps}, total_steps={total_steps}, min_ratio={min_ratio}"
            )
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.min_ratio = min_ratio

    def factor(self, step: int) -> float:
        """The multiplier of the base learning rate at ``step`` (1 = first optimizer step)."""
        if step < self.warmup_steps:
            return step / max(1, self.warmup_steps)
        progress = (step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps)
        return self.min_ratio + max(0.0, (1 - self.min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress)))

    def apply(self, optimizers: list[Optimizer], base_lrs: list[float], step: int) -> float:
        """Set every param group of ``optimizers[i]`` to ``base_lrs[i] * factor(step)``; returns the factor."""
        f = self.factor(step)
        for opt, base in zip(optimizers, base_lrs):
            for group in opt.param_groups:
                group["lr"] = base * f
        return f
