"""Convolution cell: residual 3x3 convolutions over a square grid, the recurrent block of DeepThinking networks
(Schwarzschild et al. 2021, "Can You Learn an Algorithm?", arXiv 2106.04537; Bansal et al. 2022, "End-to-end
Algorithm Synthesis with Recurrent Networks", arXiv 2202.05826), which learn maze solving on small mazes.

The task's positions are read as a ``side x side`` grid (row-major, as the maze and Sudoku codecs lay them out)
and each of ``layers`` residual blocks computes ``h = h + conv(relu(conv(h)))`` with ``kernel_size`` kernels and
zero padding, optionally followed by an RMS norm over the channels. Unlike the graph cell's summed messages, a
convolution weighs each neighbour by its direction, so a cell can point at one neighbour (a predecessor on a
path) among several. Puzzle-prefix positions receive a projection of the grid's mean, so a halting head reading
the first position sees the whole board. The weights do not depend on the grid's size: the same cell runs on
any square grid.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional

import torch
import torch.nn.functional as F
from pydantic import Field, PositiveInt, field_validator
from torch import nn

from ...layers.linear import CastedLinear
from ...layers.norm import rms_norm
from ...registry import register
from ...spec import BuildContext, Spec

__all__ = ["ConvCellSpec", "ConvCell"]


def _side(task_len: int) -> int:
    side = int(round(task_len**0.5))
    if side * side != task_len:
        raise ValueError(f"a conv cell reads the positions as a square grid, but {task_len} positions are not a square")
    return side


class ConvBlock(nn.Module):
    """``h + conv_b(relu(conv_a(h)))`` on [batch, channels, rows, cols]."""

    def __init__(self, hidden_size: int, kernel_size: int) -> None:
        super().__init__()
        self.conv_a = nn.Conv2d(hidden_size, hidden_size, kernel_size, padding=kernel_size // 2)
        self.conv_b = nn.Conv2d(hidden_size, hidden_size, kernel_size, padding=kernel_size // 2)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        a = self._conv(self.conv_a, h)
        return h + self._conv(self.conv_b, F.relu(a))

    @staticmethod
    def _conv(conv: nn.Conv2d, h: torch.Tensor) -> torch.Tensor:
        # parameters stay float32; the forward runs in the activations' dtype (bfloat16 under precision=auto)
        return F.conv2d(h, conv.weight.to(h.dtype), conv.bias.to(h.dtype), padding=conv.padding)


class ConvCell(nn.Module):
    """``layers`` residual convolution blocks over the task's grid; the prefix gets the grid's pooled mean."""

    def __init__(
        self, hidden_size: int, prefix_len: int, task_len: int, layers: int, kernel_size: int, norm: str
    ) -> None:
        super().__init__()
        self.prefix_len, self.side, self.norm = prefix_len, _side(task_len), norm
        self.blocks = nn.ModuleList(ConvBlock(hidden_size, kernel_size) for _ in range(layers))
        self.pool = CastedLinear(hidden_size, hidden_size, bias=False) if prefix_len else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq, hidden = x.shape
        prefix, grid = x[:, : self.prefix_len], x[:, self.prefix_len :]
        h = grid.reshape(batch, self.side, self.side, hidden).permute(0, 3, 1, 2)
        for block in self.blocks:
            h = block(h)
            if self.norm == "rms":
                h = rms_norm(h.transpose(1, -1), 1e-5).transpose(1, -1)
        grid = h.permute(0, 2, 3, 1).reshape(batch, seq - self.prefix_len, hidden)
        if self.pool is None:
            return grid
        return torch.cat((prefix + self.pool(grid.mean(1, keepdim=True)), grid), dim=1)


@register("cell")
class ConvCellSpec(Spec):
    """DeepThinking's recurrent block: residual 3x3 convolutions over the task's square grid."""

    kind: Literal["conv"] = "conv"
    tiny_root: ClassVar[dict] = {"embedding.positions": "none"}
    layers: PositiveInt = Field(1, description="residual blocks (two convolutions each) per application")
    kernel_size: PositiveInt = Field(3, description="side of the square kernels (odd)")
    norm: Literal["none", "rms"] = Field("none", description="RMS norm over channels after each block, or none")
    side: Optional[PositiveInt] = Field(None, description="grid side; None = the square root of the task's length")

    @field_validator("kernel_size")
    @classmethod
    def _odd(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError(f"kernel_size must be odd (same-size zero padding), got {value}")
        return value

    def check(self, ctx: BuildContext) -> None:
        side = _side(ctx.task_seq_len)
        if self.side is not None and self.side != side:
            raise ValueError(
                f"conv cell is built for a {self.side}x{self.side} grid but the task has {ctx.task_seq_len} positions"
            )
        if ctx.positions == "rope":
            raise ValueError(
                "a conv cell has no attention to apply rotary positions in; use embedding.positions='none' or 'learned'"
            )

    @classmethod
    def tiny(cls) -> ConvCellSpec:
        return cls(layers=1)

    def build(self, ctx: BuildContext) -> ConvCell:
        return ConvCell(ctx.hidden_size, ctx.prefix_len, ctx.task_seq_len, self.layers, self.kernel_size, self.norm)
