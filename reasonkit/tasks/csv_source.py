"""The options shared by tasks whose puzzles come from a CSV file or are generated locally (Sudoku, Maze).

With ``source`` (and ``source_test``) the puzzles are read from CSV files in the Sudoku-Extreme / Maze-Hard format
(``source,question,answer,rating``); without it they are generated. Generation-only options given with a source,
and ``"all"`` (every CSV row) given when generating, are errors: they would be ignored.
"""

from __future__ import annotations

from typing import ClassVar, Optional

from pydantic import Field, model_validator

from ..data._csv import csv_rows
from .base import ALL, Task

__all__ = ["CsvOrGenerated"]


class CsvOrGenerated(Task):
    """A task read from CSV files or generated; subclasses name their generation-only options and their counts."""

    #: Options that apply to generated puzzles only.
    generation_only: ClassVar[tuple[str, ...]] = ()
    #: Count options that accept ``"all"`` (every CSV row).
    counts: ClassVar[tuple[str, ...]] = ("train_size", "test_size")

    source: Optional[str] = Field(None, description="training CSV (source,question,answer,rating); None = generate")
    source_test: Optional[str] = Field(None, description="the test CSV (with source)")

    @model_validator(mode="after")
    def _source_or_generation(self) -> CsvOrGenerated:
        if self.source_test and not self.source:
            raise ValueError("`source_test` needs `source` (the training CSV)")
        if self.source:
            given = [name for name in self.generation_only if getattr(self, name) is not None]
            if given:
                names = ", ".join(f"`{name}`" for name in given)
                raise ValueError(f"{names} only apply when generating; drop them with `source`")
        else:
            for name in self.counts:
                if getattr(self, name) == ALL:
                    raise ValueError(f"`{name}` all means every row of a CSV source; give a number when generating")
        return self

    def first_question(self) -> Optional[str]:
        """The question of the training CSV's first row (None without rows)."""
        for _, row in csv_rows(self.source):
            return row["question"]
        return None

    def source_rows(self) -> int:
        """The number of rows of the training CSV."""
        return sum(1 for _ in csv_rows(self.source))
