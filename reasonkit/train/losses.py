"""Losses of deep supervision (HRM, arXiv 2506.21734): stablemax and softmax cross-entropy, and the loss head.

``stablemax_cross_entropy`` uses ``s(x) = x + 1`` for ``x >= 0`` and ``1 / (1 - x)`` for ``x < 0`` in place of
``exp`` and computes in float64, as the reference does. Both losses return the per-token loss with 0 at ignored
positions. :class:`LossHead` turns one segment's outputs into the segment's loss *summed over the batch* and its
metrics (sums, to be divided by ``count`` or by the global batch size when logged). It is generic over halting
policies: the LM loss is normalised per sequence (token-loss sum / valid tokens) and the policy adds its own terms
through ``HaltingPolicy.loss`` and its own metrics through ``HaltingPolicy.metrics``. With ``relabel`` (a task's
:meth:`~reasonkit.tasks.Task.least_loss_labels`) the loss and metrics are measured against the correct answer
nearest the prediction instead of the stored label.
"""

from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F

from ..data.schema import IGNORE_LABEL

__all__ = ["LOSSES", "stablemax_cross_entropy", "softmax_cross_entropy", "LossHead", "log_stablemax"]


def _stablemax_s(x: torch.Tensor, eps: float = 1e-30) -> torch.Tensor:
    # eps guards 1/(1-x) for x -> -inf exactly as the reference does; it is far below float64 resolution near 1.
    return torch.where(x < 0, 1 / (1 - x + eps), x + 1)


def log_stablemax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``log(s(x) / sum s(x))`` along ``dim``."""
    s = _stablemax_s(x)
    return torch.log(s / s.sum(dim=dim, keepdim=True))


def stablemax_cross_entropy(
    logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = IGNORE_LABEL
) -> torch.Tensor:
    """Per-token stablemax cross-entropy in float64; 0 where ``labels == ignore_index``."""
    logprobs = log_stablemax(logits.to(torch.float64), dim=-1)
    valid = labels != ignore_index
    picked = logprobs.gather(-1, torch.where(valid, labels, 0).long().unsqueeze(-1)).squeeze(-1)
    return -torch.where(valid, picked, 0)


def softmax_cross_entropy(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = IGNORE_LABEL) -> torch.Tensor:
    """Per-token softmax cross-entropy in float32; 0 where ``labels == ignore_index``."""
    flat = F.cross_entropy(
        logits.float().reshape(-1, logits.shape[-1]),
        labels.long().reshape(-1),
        ignore_index=ignore_index,
        reduction="none",
    )
    return flat.view(labels.shape)


LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "stablemax": stablemax_cross_entropy,
    "softmax": softmax_cross_entropy,
}


class LossHead:
    """One segment's loss and metrics for any halting policy.

    Call with the model's halting policy, the carry returned by the segment and its SegmentOutput. Returns
    ``(loss, metrics)``: ``loss`` is summed over the batch (divide by the global batch size before ``backward``,
    as the reference does); ``metrics`` are detached sums: ``count`` (halted sequences with at least one label),
    ``accuracy`` (sum of per-sequence token accuracy), ``exact_accuracy``, ``steps``, the policy's metrics, and the
    loss terms named by the policy (``lm_loss``, ``q_halt_loss``, ...).

    ``relabel(inputs, labels, token_loss, ignore_index=...)`` returns the labels to train against, given
    ``token_loss(t)``: the per-position loss [B, seq] of predicting token ``t`` everywhere (detached). It runs
    eagerly in a compiled step, and may synchronise with the host (the maze target does, once per 8 search layers).
    """

    def __init__(
        self,
        loss: str = "stablemax",
        ignore_index: int = IGNORE_LABEL,
        relabel: Optional[Callable[..., torch.Tensor]] = None,
    ) -> None:
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
        self.name = loss
        self.loss_fn = LOSSES[loss]
        self.ignore_index = ignore_index
        self.relabel = torch.compiler.disable(relabel) if relabel is not None else None

    def __call__(self, policy, carry, output) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        labels = carry.data["labels"]
        logits = output.logits
        if self.relabel is not None:
            detached = logits.detach()

            def token_loss(token: int) -> torch.Tensor:
                return self.loss_fn(detached, torch.full_like(labels, token), ignore_index=self.ignore_index)

            labels = self.relabel(carry.data["inputs"], labels, token_loss, ignore_index=self.ignore_index)
        with torch.no_grad():
            mask = labels != self.ignore_index
            counts = mask.sum(-1)
            divisor = counts.clamp_min(1).unsqueeze(-1)
            correct = mask & (logits.argmax(-1) == labels)
            seq_correct = correct.sum(-1) == counts
            valid = carry.halted & (counts > 0)
            metrics = {
                "count": valid.sum(),
                "accuracy": torch.where(valid, (correct.float() / divisor).sum(-1), 0).sum(),
                "exact_accuracy": (valid & seq_correct).sum(),
                "steps": torch.where(valid, carry.steps, 0).sum(),
            }
            metrics.update(policy.metrics(output.halting, seq_correct, valid))
        lm_per_seq = (self.loss_fn(logits, labels, ignore_index=self.ignore_index) / divisor).sum(-1)
        loss, terms = policy.loss(lm_per_seq, seq_correct, output.halting)
        metrics.update(terms)
        return loss, metrics
