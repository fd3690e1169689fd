"""SwiGLU feed-forward (Shazeer 2020, "GLU Variants Improve Transformer"), as used by HRM and TRM."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .linear import CastedLinear

__all__ = ["SwiGLU", "swiglu_width"]


def swiglu_width(hidden_size: int, expansion: float, multiple: int = 256) -> int:
    """Intermediate width: ``2/3 * expansion * hidden`` rounded up to a multiple of ``multiple`` (1536 for 512, 4)."""
    return -(round(expansion * hidden_size * 2 / 3) // -multiple) * multiple


class SwiGLU(nn.Module):
    """``down(silu(gate(x)) * up(x))`` with a fused gate/up projection and no biases."""

    def __init__(self, hidden_size: int, expansion: float) -> None:
        super().__init__()
        width = swiglu_width(hidden_size, expansion)
        self.gate_up_proj = CastedLinear(hidden_size, 2 * width, bias=False)
        self.down_proj = CastedLinear(width, hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up_proj(x).chunk(2, dim=-1)
        return self.down_proj(F.silu(gate) * up)
