"""Token and puzzle-identifier embeddings (HRM, arXiv 2506.21734).

``CastedEmbedding`` keeps an fp32 table and returns rows in the forward dtype. ``PuzzleEmbedding`` is the
per-puzzle learned prefix: a zero-initialised table with *sparse* gradients, so that only the rows touched by a
batch receive a gradient (repeated ids are summed when the gradient is coalesced) and a separate sign-SGD
optimizer can update them. It is excluded from the model's parameter count, as in the reference.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .init import trunc_normal_

__all__ = ["CastedEmbedding", "PuzzleEmbedding"]


class CastedEmbedding(nn.Module):
    """An embedding table with truncated-normal init of the given std, looked up in the forward dtype."""

    def __init__(self, num_embeddings: int, embedding_dim: int, init_std: float) -> None:
        super().__init__()
        self.init_std = init_std
        self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        trunc_normal_(self.weight, std=self.init_std)

    def forward(self, ids: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return F.embedding(ids, self.weight.to(dtype))


class PuzzleEmbedding(nn.Module):
    """Zero-initialised puzzle-id table with sparse gradients, reshaped into ``length`` prefix tokens.

    ``dim`` values are looked up per id and zero-padded to ``length * hidden_size`` (HRM uses one token of the
    hidden size; TRM 16 tokens of which only the first holds the embedding).
    """

    def __init__(self, num_ids: int, dim: int, length: int, hidden_size: int) -> None:
        super().__init__()
        if dim > length * hidden_size:
            raise ValueError(f"puzzle embedding dim {dim} does not fit in {length} prefix tokens of size {hidden_size}")
        self.length = length
        self.hidden_size = hidden_size
        self.weight = nn.Parameter(torch.zeros(num_ids, dim))

    @property
    def num_ids(self) -> int:
        return self.weight.shape[0]

    @torch.compiler.disable  # inductor cannot compile a sparse gradient: the lookup stays eager in compiled code
    def forward(self, ids: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        rows = F.embedding(ids, self.weight, sparse=True).to(dtype)
        rows = F.pad(rows, (0, self.length * self.hidden_size - rows.shape[-1]))
        return rows.view(-1, self.length, self.hidden_size)
