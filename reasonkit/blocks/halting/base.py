"""Base of halting policies: how many segments a sequence runs, the halting terms of the loss, the confidence.

A policy owns its halting head (a linear map of the first position's state to ``num_logits`` float32 values), keeps
whatever per-sequence state it needs across segments, says whether it needs a second, gradient-free pass over
the new carry (HRM's Q target), decides after each segment which sequences halt, and returns a typed
:class:`HaltRecord` of that decision. From the record it computes the segment's loss, its metrics and a halting
confidence in [0, 1] that early exit, voting and rollout selection use. The Reasoner and the training loop stay
generic: nothing outside a policy names its logits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from ...layers.linear import CastedLinear

__all__ = ["HaltRecord", "HaltingPolicy", "PolicyState", "exploration_floor", "bce_sum"]

PolicyState = dict[str, torch.Tensor]


@dataclass
class HaltRecord:
    """What a policy decided after one segment.

    ``halted`` [batch] bool; ``state`` the policy's per-sequence state to carry; ``logits`` the halting head's
    float32 output [batch, num_logits] (with gradient, for the loss), or None for a policy without a head.
    Policies extend it with the fields their loss needs.
    """

    halted: torch.Tensor
    state: PolicyState
    logits: Optional[torch.Tensor]


class HaltingPolicy(nn.Module):
    """Base class. Subclasses set ``num_logits`` and ``init_bias`` and implement ``decide``.

    ``decide`` runs under ``no_grad``. ``steps`` counts segments including the one just run (1 after the first).
    With ``training=False`` and ``early_exit=False`` every sequence runs ``max_steps`` segments, as the HRM
    reference evaluates; ``early_exit=True`` applies the policy's own stopping rule at inference.
    """

    num_logits: int = 0

    def __init__(self, max_steps: int, hidden_size: int = 0, init_bias: float = 0.0) -> None:
        super().__init__()
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.max_steps = max_steps
        self.init_bias = init_bias
        self.head: Optional[CastedLinear] = None
        if self.num_logits:
            self.head = CastedLinear(hidden_size, self.num_logits, bias=True)
            # Start at the bias alone (HRM: weight 0, bias -5, "never halt"), so early training is not cut short.
            with torch.no_grad():
                self.head.weight.zero_()
                self.head.bias.fill_(init_bias)

    def logits(self, first: torch.Tensor) -> Optional[torch.Tensor]:
        """The head's float32 output [batch, num_logits] for the first position's state [batch, hidden]."""
        return None if self.head is None else self.head(first).float()

    def needs_second_pass(self, *, training: bool, max_steps: int) -> bool:
        """Whether :meth:`decide` needs the logits of a gradient-free pass over the new carry."""
        return False

    def initial_state(self, batch_size: int, device: torch.device) -> PolicyState:
        """Per-sequence state of a fresh sequence (none by default)."""
        return {}

    def reset(self, state: PolicyState, mask: torch.Tensor) -> PolicyState:
        """Put the sequences where ``mask`` is true back to the initial state."""
        if not state:
            return state
        fresh = self.initial_state(mask.shape[0], mask.device)
        return {k: torch.where(mask.view((-1,) + (1,) * (v.ndim - 1)), fresh[k], v) for k, v in state.items()}

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
        """Which sequences halt after this segment; ``next_logits`` is the second pass's head output, if asked."""
        raise NotImplementedError(f"{type(self).__name__} must implement decide()")

    def confidence(self, record: HaltRecord) -> Optional[torch.Tensor]:
        """How sure the policy is that a sequence is done, in [0, 1] [batch]; None if it has no head."""
        return None

    def loss(
        self, lm_loss: torch.Tensor, seq_correct: torch.Tensor, record: HaltRecord
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The segment's loss summed over the batch, from the per-sequence LM loss, and its named terms.

        The default is the plain deep-supervision loss ``lm_loss.sum()``.
        """
        total = lm_loss.sum()
        return total, {"lm_loss": total.detach()}

    def metrics(self, record: HaltRecord, seq_correct: torch.Tensor, valid: torch.Tensor) -> dict[str, torch.Tensor]:
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
