"""Base of halting policies: how many segments a sequence runs, and the halting terms of the loss.

A policy reads the halting head's logits (``num_logits`` values from the first position), keeps whatever
per-sequence state it needs across segments, decides after each segment which sequences halt, and turns the
per-sequence LM loss of a segment into the segment's loss with its own terms. The training loop stays generic.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["HaltDecision", "HaltingPolicy", "exploration_floor"]

Outputs = dict[str, torch.Tensor]


class HaltDecision(NamedTuple):
    """What a policy decides after a segment: which sequences halt, its new state, extra outputs."""

    halted: torch.Tensor
    state: dict[str, torch.Tensor]
    outputs: Outputs


class HaltingPolicy(nn.Module):
    """Base class. Subclasses set ``num_logits``, ``logit_names`` and ``init_bias`` and implement ``decide``.

    ``decide`` runs under ``no_grad``. ``steps`` counts segments including the one just run (1 after the first).
    With ``training=False`` and ``early_exit=False`` every sequence runs ``max_steps`` segments, as the HRM
    reference evaluates; ``early_exit=True`` applies the policy's own stopping rule at inference.
    """

    num_logits: int = 0
    logit_names: tuple[str, ...] = ()
    init_bias: float = 0.0

    def __init__(self, max_steps: int) -> None:
        super().__init__()
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.max_steps = max_steps

    def name_logits(self, logits: torch.Tensor) -> Outputs:
        """Split the halting head's float32 output [batch, num_logits] into named outputs."""
        return {name: logits[..., i] for i, name in enumerate(self.logit_names)}

    def initial_state(self, batch_size: int, device: torch.device) -> dict[str, torch.Tensor]:
        """Per-sequence state of a fresh sequence (none by default)."""
        return {}

    def reset(self, state: dict[str, torch.Tensor], mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """Put the sequences where ``mask`` is true back to the initial state."""
        if not state:
            return state
        fresh = self.initial_state(mask.shape[0], mask.device)
        return {k: torch.where(mask.view((-1,) + (1,) * (v.ndim - 1)), fresh[k], v) for k, v in state.items()}

    def decide(self, steps: torch.Tensor, outputs: Outputs, state: dict[str, torch.Tensor], *, training: bool,
               early_exit: bool, max_steps: int, requery: Callable[[], Outputs]) -> HaltDecision:
        raise NotImplementedError(f"{type(self).__name__} must implement decide()")

    def loss(self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, outputs: Outputs) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The segment's loss summed over the batch, from the per-sequence LM loss, and its named terms.

        ``outputs`` holds the segment's outputs, including what ``decide`` added (a policy that needs its state
        from before the decision, such as PonderNet's remaining probability, puts it there). The default is the
        plain deep-supervision loss ``lm_loss.sum()``.
        """
        total = lm_loss.sum()
        return total, {"lm_loss": total.detach()}

    def metrics(self, outputs: Outputs, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
        """Policy-specific metrics summed over the ``valid`` (halted, supervised) sequences."""
        return {}


def exploration_floor(halt_logit: torch.Tensor, steps: torch.Tensor, prob: float, max_steps: int) -> torch.Tensor:
    """HRM's exploration: with probability ``prob`` a sequence draws a minimum step count in [2, max_steps].

    The random draws (``rand_like`` of the halt logit, then ``randint_like`` of the step counter) follow the
    reference's order exactly, so a seeded run reproduces the reference's halting decisions.
    """
    explore = torch.rand_like(halt_logit) < prob
    return explore * torch.randint_like(steps, low=2, high=max_steps + 1)


def bce_sum(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy with logits, summed over the batch."""
    return F.binary_cross_entropy_with_logits(logits, targets.to(logits.dtype), reduction="sum")
