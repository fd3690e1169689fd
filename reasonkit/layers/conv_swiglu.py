"""ConvSwiGLU: SwiGLU with a depthwise short convolution over the sequence (URM, Gao et al. 2025, arXiv 2512.14693).

``down(silu(dwconv(silu(gate(x)) * up(x))))``: the gated product of a SwiGLU is mixed along the sequence by a
depthwise ``Conv1d`` (one filter of ``kernel`` taps and a bias per channel) before the down projection, with a
second SiLU after the convolution. The convolution pads ``kernel // 2`` positions on both sides and keeps the
first ``seq`` outputs, so with URM's kernel 2 position ``t`` mixes positions ``t - 1`` and ``t`` of the flattened
sequence (puzzle prefix included; position 0 sees a zero). Odd kernels are centred; even kernels above 2 reach
``kernel/2 - 1`` positions ahead.

``conv_dtype="bfloat16"`` is the reference's behaviour: URM's code converts the convolution to bfloat16 when it
is built, so its weights are *stored* in bfloat16 and the convolution, the second SiLU and the down projection
run in bfloat16 even in a float32 model (the sum with the residual is float32 again). ``"forward"`` keeps float32
weights and computes in the activation dtype, like every other layer here.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .linear import CastedLinear
from .swiglu import swiglu_width

__all__ = ["ConvSwiGLU", "CONV_DTYPES"]

CONV_DTYPES = ("bfloat16", "forward")


class ConvSwiGLU(nn.Module):
    """SwiGLU whose gated product passes a depthwise sequence convolution and a SiLU before the down projection."""

    def __init__(self, hidden_size: int, expansion: float, kernel: int = 2, conv_dtype: str = "bfloat16") -> None:
        super().__init__()
        if conv_dtype not in CONV_DTYPES:
            raise ValueError(f"conv_dtype must be one of {', '.join(CONV_DTYPES)}, got {conv_dtype!r}")
        width = swiglu_width(hidden_size, expansion)
        self.gate_up_proj = CastedLinear(hidden_size, 2 * width, bias=False)
        # PyTorch's default Conv1d init (uniform in +-1/sqrt(kernel) for weight and bias), as the reference.
        self.dwconv = nn.Conv1d(width, width, kernel_size=kernel, padding=kernel // 2, groups=width, bias=True)
        if conv_dtype == "bfloat16":
            self.dwconv.to(torch.bfloat16)
        self.conv_dtype = conv_dtype
        self.down_proj = CastedLinear(width, hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up_proj(x).chunk(2, dim=-1)
        dtype = self.dwconv.weight.dtype if self.conv_dtype == "bfloat16" else x.dtype
        # The reference's exact order of transposes and casts; a different memory layout can change the last bit.
        mixed = F.conv1d(
            (F.silu(gate) * up).transpose(1, 2).to(dtype),
            self.dwconv.weight.to(dtype),
            self.dwconv.bias.to(dtype),
            padding=self.dwconv.padding,
            groups=self.dwconv.groups,
        )
        mixed = F.silu(mixed[..., : x.shape[1]]).transpose(1, 2).contiguous()
        return self.down_proj(mixed)
