"""A linear layer that keeps fp32 master weights and computes in the input's dtype (HRM's CastedLinear).

HRM (arXiv 2506.21734) casts weights at call time instead of using autocast, so the forward dtype is a property
of the activations. Weights use truncated LeCun normal, biases start at zero.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .init import lecun_normal_

__all__ = ["CastedLinear"]


class CastedLinear(nn.Linear):
    """``nn.Linear`` with truncated LeCun init, zero bias, and weights cast to the input dtype in forward."""

    def reset_parameters(self) -> None:
        lecun_normal_(self.weight)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = self.bias.to(x.dtype) if self.bias is not None else None
        return F.linear(x, self.weight.to(x.dtype), bias)
