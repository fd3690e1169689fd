"""MLP-mixer cell of TRM-MLP (Jolicoeur-Martineau 2025, arXiv 2510.04871; after MLP-Mixer, Tolstikhin et al.
2021, arXiv 2105.01601).

Each block replaces self-attention by a SwiGLU across the sequence axis: the activations are transposed to
[batch, hidden, seq], ``h = rmsnorm(h + token_mlp(h))`` normalises over the sequence axis, and after transposing
back the usual channel SwiGLU follows, ``h = rmsnorm(h + mlp(h))`` (post-norm, no biases). The token mixer's
weights are sized by the sequence length (puzzle prefix included), so a cell only runs on the length it was
built for. TRM uses it for Sudoku with ``positions="none"``: the mixer itself is position-aware.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional

import torch
from pydantic import Field, PositiveFloat, PositiveInt
from torch import nn

from ...layers.norm import rms_norm
from ...layers.swiglu import SwiGLU
from ...registry import register
from ...spec import BuildContext, Spec

__all__ = ["MlpMixerSpec", "MlpMixerBlock", "MlpMixerCell"]


class MlpMixerBlock(nn.Module):
    """One post-norm block: a SwiGLU over positions, then a SwiGLU over channels."""

    def __init__(self, hidden_size: int, seq_len: int, expansion: float, norm_eps: float) -> None:
        super().__init__()
        self.mlp_t = SwiGLU(seq_len, expansion)
        self.mlp = SwiGLU(hidden_size, expansion)
        self.norm_eps = norm_eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = x.transpose(1, 2)
        t = rms_norm(t + self.mlp_t(t), self.norm_eps)
        x = t.transpose(1, 2)
        return rms_norm(x + self.mlp(x), self.norm_eps)


class MlpMixerCell(nn.Module):
    """A stack of ``layers`` mixer blocks for sequences of exactly ``seq_len`` positions."""

    def __init__(self, hidden_size: int, seq_len: int, layers: int, expansion: float, norm_eps: float) -> None:
        super().__init__()
        self.seq_len = seq_len
        self.layers = nn.ModuleList(MlpMixerBlock(hidden_size, seq_len, expansion, norm_eps) for _ in range(layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] != self.seq_len:
            raise ValueError(
                f"mlp_mixer cell was built for {self.seq_len} positions but got {x.shape[1]}; "
                "its token-mixing weights are sized by the sequence length"
            )
        for layer in self.layers:
            x = layer(x)
        return x


@register("cell")
class MlpMixerSpec(Spec):
    """TRM-MLP's cell: token-mixing SwiGLU (across positions) and channel SwiGLU, post-norm."""

    kind: Literal["mlp_mixer"] = "mlp_mixer"
    tiny_root: ClassVar[dict] = {"embedding.positions": "learned"}
    layers: PositiveInt = Field(2, description="blocks in the stack (L_layers in the TRM code)")
    expansion: PositiveFloat = Field(
        4.0, description="SwiGLU expansion of both mixers (before the 2/3 rule and rounding)"
    )
    norm_eps: PositiveFloat = 1e-5
    seq_len: Optional[PositiveInt] = Field(
        None, description="positions the cell is built for (puzzle prefix included); None = the model's"
    )

    def check(self, ctx: BuildContext) -> None:
        if self.seq_len is not None and self.seq_len != ctx.seq_len:
            raise ValueError(
                f"mlp_mixer is built for {self.seq_len} positions but the model has {ctx.seq_len} "
                "(seq_len + puzzle prefix); its token-mixing weights fix the sequence length"
            )
        if ctx.positions == "rope":
            raise ValueError(
                "mlp_mixer has no attention to apply rotary positions in; "
                "use embedding.positions='none' (as TRM-MLP) or 'learned'"
            )

    @classmethod
    def tiny(cls) -> MlpMixerSpec:
        return cls(layers=1, expansion=2.0)

    def build(self, ctx: BuildContext) -> MlpMixerCell:
        return MlpMixerCell(ctx.hidden_size, self.seq_len or ctx.seq_len, self.layers, self.expansion, self.norm_eps)
