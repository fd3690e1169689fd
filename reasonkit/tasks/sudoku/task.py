"""The ``sudoku`` task: Sudoku-Extreme (HRM, arXiv 2506.21734) and generated n x n Sudoku (4x4, 6x6, 9x9)."""

from __future__ import annotations

import os
from typing import ClassVar, Literal, Optional

import numpy as np
import torch
from pydantic import Field, NonNegativeInt, PositiveInt

from ...data.augment import Augmentation
from ...errors import ConfigError
from ...layers.graphs import peer_graph
from ...registry import register
from ..base import Count, DataShape, count_value
from ..csv_source import CsvOrGenerated
from .codec import decode, encode, format_grid, parse
from .rules import BOX_SHAPES, box_shape, is_valid_solution, side
from .symmetries import token_symmetries

__all__ = ["SudokuTask", "build_sudoku"]


@register("task")
class SudokuTask(CsvOrGenerated):
    """Sudoku puzzles from the Sudoku-Extreme CSV files, or generated locally with a unique solution.

    With ``source`` (and ``source_test``) the training split is a seeded sample of ``train_size`` rows rated at
    least ``min_rating`` (every row when ``train_size`` is ``"all"``) and the test split every such row of
    ``source_test`` (or a seeded sample of ``test_size``). Without ``source``, ``size`` x ``size`` puzzles are
    generated: minimal (no clue can be removed without losing uniqueness), rated by solver backtracks.
    """

    generation_only: ClassVar[tuple[str, ...]] = ("size", "max_steps")

    kind: Literal["sudoku"] = "sudoku"
    size: Optional[Literal[4, 6, 9]] = Field(None, description="grid size when generating (default 9)")
    train_size: Count = Field(1000, description="training puzzles (all: every CSV row, with source only)")
    test_size: Optional[Count] = Field(
        None,
        description="test puzzles (default: every row of source_test, or 1000 generated; all: every row, with "
        "source only)",
    )
    aug: NonNegativeInt = Field(1000, description="augmented copies per training puzzle")
    seed: int = Field(0, description="seed of the sample, the generator and the augmentations")
    min_rating: NonNegativeInt = Field(0, description="keep puzzles with at least this many solver backtracks")
    max_steps: Optional[PositiveInt] = Field(
        None, description="hill-climbing steps per grid towards min_rating (generation only; default 400)"
    )

    @classmethod
    def tiny(cls) -> SudokuTask:
        return cls(size=4, train_size=16, test_size=8, aug=2)

    @property
    def grid_size(self) -> int:
        """n of the n x n grids (read from the CSV's first row with a source)."""
        if self.source:
            question = self.first_question()
            n = int(round(len(question) ** 0.5)) if question else None
            if n is None or n not in BOX_SHAPES:
                raise ConfigError(f"{self.source}: no 4x4, 6x6 or 9x9 puzzles in the first row")
            return n
        return self.size or 9

    @property
    def generation_steps(self) -> int:
        return self.max_steps or 400

    def build(
        self, out: str | os.PathLike, *, workers: Optional[int] = None, overwrite: bool = False, progress: bool = True
    ) -> dict:
        from .build import build_sudoku_dataset

        return build_sudoku_dataset(self, out, workers=workers, overwrite=overwrite, progress=progress)

    def dir_name(self) -> str:
        if self.source:
            return super().dir_name()
        n = self.grid_size
        return f"sudoku-{n}x{n}-{self.train_size}-aug-{self.aug}" + (f"-seed-{self.seed}" if self.seed else "")

    def data_shape(self) -> DataShape:
        n = self.grid_size
        groups = count_value(self.train_size)
        if groups is None:
            groups = self.source_rows()
        return DataShape(vocab_size=n + 2, seq_len=n * n, train_groups=groups)

    def encode(self, text: str, seq_len: int) -> np.ndarray:
        digits = parse(text)
        if len(digits) != seq_len:
            raise ValueError(f"puzzle has {len(digits)} cells but the model takes {seq_len}")
        n = side(seq_len)
        if digits.max(initial=0) > n:
            raise ValueError(f"puzzle has a digit above {n}, the largest of a {n}x{n} Sudoku")
        return encode(digits).astype(np.int32)

    def decode(self, tokens: np.ndarray) -> str:
        return format_grid(decode(tokens))

    def is_correct(
        self, inputs: np.ndarray, predictions: np.ndarray, labels: np.ndarray, ignore_label: int = -100
    ) -> np.ndarray:
        """A valid solved grid that keeps every given (any solution counts, should a puzzle have several)."""
        n = side(inputs.shape[-1])
        givens, answer = decode(inputs), decode(predictions)
        return is_valid_solution(answer, n) & np.all((givens == 0) | (givens == answer), axis=-1)

    def graph(self, seq_len: int) -> torch.Tensor:
        n = side(seq_len)
        return peer_graph(n, *box_shape(n))

    def symmetries(self, seq_len: int, rng: np.random.Generator, count: int) -> list[Augmentation]:
        return token_symmetries(side(seq_len), rng, count)


def build_sudoku(
    out: str | os.PathLike, *, workers: Optional[int] = None, overwrite: bool = False, progress: bool = True, **options
) -> dict:
    """Build a Sudoku data set in ``out`` from :class:`SudokuTask` options; returns its build record."""
    return SudokuTask(**options).build(out, workers=workers, overwrite=overwrite, progress=progress)
