"""Which original ARC test input each row of a built test split is, and under which augmentation."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ...data.augment import Augmentation
from ...data.io import load_identifiers, load_set
from .identifiers import parse_identifier

__all__ = ["EvalExample", "eval_examples"]


@dataclass(frozen=True)
class EvalExample:
    """A row of the test split: its task, the index of its test pair and its augmentation."""

    row: int  # row of the test split's arrays
    task: str
    test_index: int  # index into the task's "test" list
    identifier: int
    augmentation: Augmentation  # maps the original pair to this row's grids; invert predictions with .inverse()


def eval_examples(data_dir: str | os.PathLike, set_name: str = "all") -> list[EvalExample]:
    """For each row of the test split: its task, test index and augmentation (from identifiers.json)."""
    names = load_identifiers(data_dir)
    arr = load_set(data_dir, "test", set_name)
    parsed = {}
    out = []
    for p, ident in enumerate(arr.puzzle_identifiers.tolist()):
        if ident not in parsed:
            parsed[ident] = parse_identifier(names[ident])
        task, aug = parsed[ident]
        for j, row in enumerate(range(int(arr.puzzle_indices[p]), int(arr.puzzle_indices[p + 1]))):
            out.append(EvalExample(row, task, j, ident, aug))
    return out
