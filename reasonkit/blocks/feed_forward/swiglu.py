"""The SwiGLU feed-forward of HRM and TRM (Shazeer 2020, "GLU Variants Improve Transformer", arXiv 2002.05202)."""

from __future__ import annotations

from typing import Literal

from ...layers.swiglu import SwiGLU
from ...registry import register
from ...spec import BuildContext, Spec

__all__ = ["SwiGLUSpec"]


@register("feed_forward")
class SwiGLUSpec(Spec):
    """``down(silu(gate(x)) * up(x))``, width ``2/3 * expansion * hidden`` rounded up to a multiple of 256."""

    kind: Literal["swiglu"] = "swiglu"

    @classmethod
    def tiny(cls) -> SwiGLUSpec:
        return cls()

    def build(self, ctx: BuildContext, expansion: float) -> SwiGLU:
        return SwiGLU(ctx.hidden_size, expansion)
