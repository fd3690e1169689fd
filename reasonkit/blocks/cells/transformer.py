"""Transformer-stack cell: post-norm blocks of attention and a feed-forward (HRM, arXiv 2506.21734; TRM,
2510.04871; URM, 2512.14693).

Each block computes ``h = rmsnorm(h + attn(h)); h = rmsnorm(h + mlp(h))`` with a weightless float32 RMSNorm,
no biases, no dropout and no final norm. The feed-forward ``mlp`` is a kind of the ``feed_forward`` group:
``swiglu`` (HRM, TRM) or ``conv_swiglu`` (URM).
"""

from __future__ import annotations

from typing import Callable, Literal

import torch
from pydantic import Field, PositiveFloat, PositiveInt
from torch import nn

from ...layers.attention import ATTENTION_BACKENDS, SelfAttention
from ...layers.norm import rms_norm
from ...layers.rope import RotaryEmbedding
from ...layers.swiglu import SwiGLU
from ...registry import register
from ...spec import BuildContext, Kind, Spec

__all__ = ["TransformerCellSpec", "TransformerBlock", "TransformerCell"]

AttentionBackend = Literal[ATTENTION_BACKENDS]  # type: ignore[valid-type]


class TransformerBlock(nn.Module):
    """One post-norm block: self-attention then a feed-forward, each followed by RMSNorm of the residual sum.

    ``feed_forward`` makes the feed-forward (default: a SwiGLU of the given expansion). It is called after the
    attention is built, so that seeded initialisation draws in the same order whatever the feed-forward.
    """

    def __init__(
        self,
        hidden_size: int,
        num_heads: int,
        expansion: float,
        norm_eps: float,
        attention: str,
        feed_forward: Callable[[], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        self.self_attn = SelfAttention(hidden_size, num_heads, attention)
        self.mlp = SwiGLU(hidden_size, expansion) if feed_forward is None else feed_forward()
        self.norm_eps = norm_eps

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        x = rms_norm(x + self.self_attn(x, rope), self.norm_eps)
        return rms_norm(x + self.mlp(x), self.norm_eps)


class TransformerCell(nn.Module):
    """A stack of ``layers`` post-norm transformer blocks, non-causal over the whole sequence.

    With ``rope_positions`` set, the cell owns a rotary table for that many positions, computed once.
    ``feed_forward`` makes each block's feed-forward (a fresh module per block); the default is a SwiGLU.
    """

    def __init__(
        self,
        hidden_size: int,
        layers: int,
        num_heads: int,
        expansion: float,
        norm_eps: float,
        attention: str,
        rope_positions: int | None = None,
        rope_theta: float = 10000.0,
        feed_forward: Callable[[], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            TransformerBlock(hidden_size, num_heads, expansion, norm_eps, attention, feed_forward)
            for _ in range(layers)
        )
        self.rotary = RotaryEmbedding(hidden_size // num_heads, rope_positions, rope_theta) if rope_positions else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rope = self.rotary.tables() if self.rotary is not None else None
        for layer in self.layers:
            x = layer(x, rope)
        return x


@register("cell")
class TransformerCellSpec(Spec):
    """A post-norm transformer stack."""

    kind: Literal["transformer"] = "transformer"
    layers: PositiveInt = Field(4, description="blocks in the stack (H_layers / L_layers in the HRM code)")
    num_heads: PositiveInt = 8
    expansion: PositiveFloat = Field(4.0, description="feed-forward expansion before the 2/3 rule and rounding to 256")
    norm_eps: PositiveFloat = 1e-5
    attention: AttentionBackend = Field("sdpa", description="attention backend: sdpa, xformers (CUDA only) or math")
    feed_forward: Kind("feed_forward") = Field(
        default_factory=lambda: {"kind": "swiglu"},
        description="each block's feed-forward: swiglu (HRM, TRM) or conv_swiglu (URM)",
    )

    def check(self, ctx: BuildContext) -> None:
        if ctx.hidden_size % self.num_heads:
            raise ValueError(f"num_heads={self.num_heads} does not divide hidden_size={ctx.hidden_size}")
        if ctx.positions == "rope" and (ctx.hidden_size // self.num_heads) % 2:
            raise ValueError(
                f"head size hidden_size/num_heads={ctx.hidden_size // self.num_heads} must be even for rotary positions"
            )
        super().check(ctx)  # the feed-forward's own checks

    @classmethod
    def tiny(cls) -> TransformerCellSpec:
        return cls(layers=1, num_heads=2, expansion=2.0)

    def build(self, ctx: BuildContext) -> TransformerCell:
        rope_positions = ctx.seq_len if ctx.positions == "rope" else None
        return TransformerCell(
            ctx.hidden_size,
            self.layers,
            self.num_heads,
            self.expansion,
            self.norm_eps,
            self.attention,
            rope_positions,
            ctx.rope_theta,
            feed_forward=lambda: self.feed_forward.build(ctx, expansion=self.expansion),
        )
