"""Truncated-normal initialisers matching JAX/Flax (used by HRM, arXiv 2506.21734, and TRM).

``torch.nn.init.trunc_normal_`` takes the std of the normal *before* truncation; JAX's truncated normal divides
by the std of a unit normal truncated at +-2 so that the result has the requested std. Scaling the std and the
bounds by that constant gives the JAX initialiser with torch's own sampler.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["trunc_normal_", "lecun_normal_", "TRUNCATED_STD"]

#: Standard deviation of a unit normal truncated to [-2, 2].
TRUNCATED_STD = 0.87962566103423978


def trunc_normal_(tensor: torch.Tensor, std: float) -> torch.Tensor:
    """Fill ``tensor`` in place from a normal truncated at +-2 std, with exactly ``std`` after truncation."""
    with torch.no_grad():
        if std == 0:
            return tensor.zero_()
        scale = std / TRUNCATED_STD
        return nn.init.trunc_normal_(tensor, mean=0.0, std=scale, a=-2.0 * scale, b=2.0 * scale)


def lecun_normal_(tensor: torch.Tensor) -> torch.Tensor:
    """Truncated LeCun normal: std ``1 / sqrt(fan_in)`` with ``fan_in = tensor.shape[-1]``."""
    return trunc_normal_(tensor, std=1.0 / math.sqrt(tensor.shape[-1]))
