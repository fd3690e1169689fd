"""Input embedding: tokens, a puzzle-identifier prefix and positions (HRM, arXiv 2506.21734).

Tokens use a truncated-normal table with std ``1/sqrt(hidden)`` and the result is scaled by ``sqrt(hidden)``.
The puzzle embedding occupies ``puzzle_len`` prefix positions (the first is the halting head's CLS position).
Learned positions are added as ``0.707106781 * (embedding + positions)`` before the scale; rotary positions are
applied inside attention cells; ``none`` adds nothing (TRM-MLP).
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import Field, NonNegativeInt, PositiveFloat
from torch import nn

from ..layers.embedding import CastedEmbedding, PuzzleEmbedding
from ..spec import Spec

__all__ = ["EmbeddingSpec", "InputEmbedding"]

Positions = Literal["rope", "learned", "none"]


class InputEmbedding(nn.Module):
    """Maps token ids [batch, seq] and puzzle ids [batch] to [batch, prefix + seq, hidden] in the given dtype."""

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        seq_len: int,
        positions: str,
        num_puzzle_ids: int,
        puzzle_dim: int,
        puzzle_len: int,
    ) -> None:
        super().__init__()
        self.scale = math.sqrt(hidden_size)
        self.vocab_size = vocab_size
        self.seq_len = seq_len
        self.positions = positions
        self.prefix_len = puzzle_len if puzzle_dim > 0 else 0
        self.tokens = CastedEmbedding(vocab_size, hidden_size, init_std=1.0 / self.scale)
        self.puzzle = PuzzleEmbedding(num_puzzle_ids, puzzle_dim, puzzle_len, hidden_size) if puzzle_dim > 0 else None
        self.position = (
            CastedEmbedding(seq_len + self.prefix_len, hidden_size, init_std=1.0 / self.scale)
            if positions == "learned"
            else None
        )

    def forward(self, inputs: torch.Tensor, puzzle_ids: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        x = self.tokens(inputs, dtype)
        if self.puzzle is not None:
            x = torch.cat((self.puzzle(puzzle_ids, dtype), x), dim=-2)
        if self.position is not None:
            x = 0.707106781 * (x + self.position.weight.to(dtype))
        return self.scale * x


class EmbeddingSpec(Spec):
    """How inputs become vectors: positions and the puzzle-identifier prefix."""

    positions: Positions = Field("rope", description="rope (rotary, in attention), learned (added), or none")
    rope_theta: PositiveFloat = 10000.0
    puzzle_dim: NonNegativeInt | None = Field(
        None,
        description="values per puzzle id (puzzle_emb_ndim in the reference); None = hidden size, "
        "0 = no puzzle embedding",
    )
    puzzle_len: NonNegativeInt = Field(
        0, description="prefix tokens for the puzzle embedding; 0 = ceil(puzzle_dim / hidden) (TRM uses 16)"
    )

    def resolved(self, hidden_size: int) -> tuple[int, int]:
        """``(puzzle_dim, prefix_len)`` for a given hidden size."""
        dim = hidden_size if self.puzzle_dim is None else self.puzzle_dim
        if dim == 0:
            return 0, 0
        return dim, self.puzzle_len or -(dim // -hidden_size)
