"""Weightless RMSNorm computed in float32 (the post-norm of HRM and TRM blocks)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["rms_norm"]


def rms_norm(x: torch.Tensor, eps: float) -> torch.Tensor:
    """Normalise the last axis by its root mean square, in float32, returning the input's dtype."""
    return F.rms_norm(x.float(), (x.shape[-1],), eps=eps).to(x.dtype)
