"""Weightless RMSNorm computed in float32 (the post-norm of HRM and TRM blocks)."""

from __future__ import annotations

import torch

__all__ = ["rms_norm"]


def rms_norm(x: torch.Tensor, eps: float) -> torch.Tensor:
    """Normalise the last axis by its root mean square, in float32, returning the input's dtype.

    Written out rather than ``torch.nn.functional.rms_norm``: the fused kernel rounds differently on short axes
    (about 1e-6 per call on TRM-MLP's sequence axis), which the recursion amplifies past the 1e-5 fidelity bound
    within a few segments; this form is bit-exact with the reference implementations.
    """
    xf = x.float()
    return (xf * torch.rsqrt(xf.square().mean(-1, keepdim=True) + eps)).to(x.dtype)
