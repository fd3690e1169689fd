"""Rotary position embeddings (Su et al. 2021, "RoFormer"), half-rotation layout as in HRM and TRM.

The cos/sin tables are computed once at construction for every position a cell sees. The reference rotates with
``x * cos + cat(-x2, x1) * sin``; :func:`rotate` computes the same numbers as ``x * cos + cat(x2, x1) * sin'`` with
``sin' = cat(-sin1, sin2)`` precomputed: negation is exact, so the results are bit-identical, with one pass fewer
over ``x`` (measured 1.08x forward+backward, 1.26x without gradient, at hrm-27m's shapes).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["RotaryEmbedding", "apply_rotary", "rotate"]


class RotaryEmbedding(nn.Module):
    """Holds the float32 ``(cos, sin)`` tables of shape [positions, head_dim] as non-persistent buffers.

    ``sin_signed`` is ``sin`` with its first half negated, the table :func:`rotate` takes; :meth:`tables` returns
    ``(cos, sin_signed)``.
    """

    def __init__(self, head_dim: int, positions: int, theta: float = 10000.0) -> None:
        super().__init__()
        if head_dim % 2:
            raise ValueError(f"rotary embeddings need an even head dimension, got {head_dim}")
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        freqs = torch.outer(torch.arange(positions, dtype=torch.float32), inv_freq)
        table = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", table.cos(), persistent=False)
        self.register_buffer("sin", table.sin(), persistent=False)
        self.register_buffer("sin_signed", _signed(self.sin), persistent=False)

    def forward(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.cos, self.sin

    def tables(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(cos, sin_signed)``, the tables :func:`rotate` takes."""
        return self.cos, self.sin_signed


def _signed(sin: torch.Tensor) -> torch.Tensor:
    half = sin.shape[-1] // 2
    return torch.cat((-sin[..., :half], sin[..., half:]), dim=-1)


def _swap_halves(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x2, x1), dim=-1)


def rotate(x: torch.Tensor, cos: torch.Tensor, sin_signed: torch.Tensor) -> torch.Tensor:
    """Rotate ``x`` of shape [batch, seq, ..., head_dim] in float32 and return it in its own dtype.

    ``cos`` and ``sin_signed`` are [seq, head_dim] tables from :meth:`RotaryEmbedding.tables`; every axis between
    the sequence and the head dimension (the heads) shares them.
    """
    xf = x.float()
    shape = (cos.shape[0],) + (1,) * (x.ndim - 3) + (cos.shape[-1],)
    return (xf * cos.view(shape) + _swap_halves(xf) * sin_signed.view(shape)).to(x.dtype)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate ``x`` of shape [batch, seq, heads, head_dim] with the plain ``(cos, sin)`` tables of
    :meth:`RotaryEmbedding.forward`; the same numbers as :func:`rotate`."""
    return rotate(x, cos, _signed(sin))
