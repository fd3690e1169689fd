"""Non-causal multi-head self-attention with a selectable backend.

Backends: ``sdpa`` (``torch.nn.functional.scaled_dot_product_attention``, the default everywhere), ``xformers``
(``xformers.ops.memory_efficient_attention``, CUDA only) and ``math`` (an explicit softmax, for testing).
Requesting xformers where it cannot run is an error, never a silent switch to another backend.
"""

from __future__ import annotations

import importlib.util
import math

import torch
import torch.nn.functional as F
from torch import nn

from .linear import CastedLinear
from .rope import rotate

__all__ = ["ATTENTION_BACKENDS", "attention", "check_backend", "SelfAttention"]

ATTENTION_BACKENDS = ("sdpa", "xformers", "math")


def check_backend(backend: str) -> None:
    """Raise a ValueError if ``backend`` is unknown or cannot run on this machine (never switch silently)."""
    if backend not in ATTENTION_BACKENDS:
        raise ValueError(f"unknown attention backend {backend!r}; known: {', '.join(ATTENTION_BACKENDS)}")
    if backend == "xformers":
        if importlib.util.find_spec("xformers") is None:
            raise ValueError(
                "attention backend 'xformers' needs the xformers package: pip install 'reasonkit[xformers]', "
                "or use attention='sdpa'"
            )
        if not torch.cuda.is_available():
            raise ValueError(
                "attention backend 'xformers' runs only on CUDA and no CUDA device is available; use attention='sdpa'"
            )


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, backend: str = "sdpa") -> torch.Tensor:
    """Non-causal attention over [batch, seq, heads, head_dim] tensors, returning the same layout."""
    if backend == "sdpa":
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        return out.transpose(1, 2)
    if backend == "math":
        scores = torch.einsum("bqhd,bkhd->bhqk", q.float(), k.float()) / math.sqrt(q.shape[-1])
        return torch.einsum("bhqk,bkhd->bqhd", scores.softmax(dim=-1), v.float()).to(q.dtype)
    if backend == "xformers":
        if q.device.type != "cuda":
            raise RuntimeError(
                f"attention backend 'xformers' runs only on CUDA tensors, got {q.device.type}; use attention='sdpa'"
            )
        import xformers.ops as xops

        return xops.memory_efficient_attention(q, k, v)
    raise ValueError(f"unknown attention backend {backend!r}; known: {', '.join(ATTENTION_BACKENDS)}")


class SelfAttention(nn.Module):
    """Fused-qkv self-attention without biases, with optional rotary positions (HRM, arXiv 2506.21734)."""

    def __init__(self, hidden_size: int, num_heads: int, backend: str = "sdpa") -> None:
        super().__init__()
        if hidden_size % num_heads:
            raise ValueError(f"num_heads={num_heads} does not divide hidden_size={hidden_size}")
        check_backend(backend)
        self.num_heads = num_heads
        self.head_dim = hidden_size // num_heads
        self.backend = backend
        self.qkv_proj = CastedLinear(hidden_size, 3 * hidden_size, bias=False)
        self.o_proj = CastedLinear(hidden_size, hidden_size, bias=False)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        """Attend over ``x`` [batch, seq, hidden]; ``rope`` is ``(cos, sin_signed)`` from
        :meth:`~reasonkit.layers.rope.RotaryEmbedding.tables`, applied to queries and keys."""
        batch, seq, _ = x.shape
        q, k, v = self.qkv_proj(x).view(batch, seq, 3, self.num_heads, self.head_dim).unbind(dim=2)
        if rope is not None:
            # Separately: one call over the strided [.., 2, heads, dim] slice of queries and keys measured slower.
            q, k = rotate(q, *rope), rotate(k, *rope)
        out = attention(q, k, v, self.backend)
        return self.o_proj(out.reshape(batch, seq, -1))
