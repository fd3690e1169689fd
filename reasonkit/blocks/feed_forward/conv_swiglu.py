"""URM's ConvSwiGLU feed-forward (Gao et al. 2025, "Universal Reasoning Model", arXiv 2512.14693).

A SwiGLU whose gated product is mixed along the sequence by a depthwise short convolution and a SiLU before the
down projection (see :mod:`reasonkit.layers.conv_swiglu`). URM reports 53.8% pass@1 on ARC-AGI-1 with it and 45.3%
without the convolution.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt

from ...layers.conv_swiglu import CONV_DTYPES, ConvSwiGLU
from ...registry import register
from ...spec import BuildContext, Spec

__all__ = ["ConvSwiGLUSpec"]

ConvDtype = Literal[CONV_DTYPES]  # type: ignore[valid-type]


@register("feed_forward")
class ConvSwiGLUSpec(Spec):
    """SwiGLU with a depthwise Conv1d (kernel taps and a bias per channel) and a SiLU before the down projection."""

    kind: Literal["conv_swiglu"] = "conv_swiglu"
    kernel: PositiveInt = Field(2, description="taps of the depthwise convolution over the sequence (2 in URM)")
    conv_dtype: ConvDtype = Field(
        "bfloat16",
        description="bfloat16: weights stored and the conv, SiLU and down projection computed in bfloat16 whatever "
        "the forward dtype (the reference); forward: float32 weights, computed in the forward dtype",
    )

    @classmethod
    def tiny(cls) -> ConvSwiGLUSpec:
        return cls()

    def build(self, ctx: BuildContext, expansion: float) -> ConvSwiGLU:
        return ConvSwiGLU(ctx.hidden_size, expansion, self.kernel, self.conv_dtype)
