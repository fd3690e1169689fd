"""The on-disk puzzle data set format of the reference HRM (sapientinc/HRM, arXiv 2506.21734): its schema.

A data set directory holds one sub-directory per split (``train/``, ``test/``), each with ``dataset.json`` and, for
every set name listed there, five arrays::

    {set}__inputs.npy              [E, seq_len] tokens, one row per example
    {set}__labels.npy              [E, seq_len] target tokens
    {set}__puzzle_identifiers.npy  [P] int32, one per puzzle (an index into identifiers.json)
    {set}__puzzle_indices.npy      [P + 1] int32 CSR offsets: puzzle p owns examples [pi[p], pi[p + 1])
    {set}__group_indices.npy       [G + 1] int32 CSR offsets: group g owns puzzles [gi[g], gi[g + 1])

A group is one original puzzle with its augmentations. The root holds ``identifiers.json`` (identifier -> name)
and, for sets built by reasonkit, ``build.json`` (how it was built: command, arguments, seed, versions). Data
written by the reference's scripts loads here and the other way round; TRM's extra ``total_puzzles`` key is
written too, so TRM's loader accepts our data. Readers and writers are in :mod:`reasonkit.data.io`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveInt

__all__ = ["DatasetMeta", "SetArrays", "FIELDS", "BUILD_FILE", "IDENTIFIERS_FILE", "IGNORE_LABEL"]

FIELDS = ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices")
BUILD_FILE = "build.json"
IDENTIFIERS_FILE = "identifiers.json"
#: The label the losses and metrics ignore (a data set's ``ignore_label_id`` is mapped to it when loading).
IGNORE_LABEL = -100


class DatasetMeta(BaseModel):
    """``dataset.json`` of one split, with the reference's keys.

    ``ignore_label_id`` is the label token that the loss ignores (the loader maps it to -100); ``blank_identifier_id``
    is the puzzle identifier used for padding rows. ``total_puzzles`` is TRM's addition (optional on read).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    pad_id: NonNegativeInt
    ignore_label_id: Optional[int]
    blank_identifier_id: NonNegativeInt
    vocab_size: PositiveInt
    seq_len: PositiveInt
    num_puzzle_identifiers: PositiveInt
    total_groups: NonNegativeInt
    mean_puzzle_examples: NonNegativeFloat
    sets: list[str] = Field(min_length=1)
    total_puzzles: Optional[NonNegativeInt] = None


@dataclass
class SetArrays:
    """The five arrays of one set of one split (see the module docstring)."""

    inputs: np.ndarray
    labels: np.ndarray
    puzzle_identifiers: np.ndarray
    puzzle_indices: np.ndarray
    group_indices: np.ndarray

    def validate(self, where: str = "") -> None:
        """Raise ValueError if the CSR offsets and array shapes are inconsistent (before writing a set)."""
        pre = f"{where}: " if where else ""
        e, p, g = len(self.inputs), len(self.puzzle_identifiers), len(self.group_indices) - 1
        if self.inputs.shape != self.labels.shape or self.inputs.ndim != 2:
            raise ValueError(f"{pre}inputs {self.inputs.shape} and labels {self.labels.shape} must be equal [E, seq]")
        pi, gi = self.puzzle_indices, self.group_indices
        if len(pi) != p + 1 or pi[0] != 0 or pi[-1] != e or np.any(np.diff(pi) <= 0):
            raise ValueError(f"{pre}puzzle_indices must be increasing offsets from 0 to {e} with {p + 1} entries")
        if g < 0 or gi[0] != 0 or gi[-1] != p or np.any(np.diff(gi) <= 0):
            raise ValueError(f"{pre}group_indices must be increasing offsets from 0 to {p}")

    @property
    def num_examples(self) -> int:
        return len(self.inputs)

    @property
    def num_puzzles(self) -> int:
        return len(self.puzzle_identifiers)

    @property
    def num_groups(self) -> int:
        return len(self.group_indices) - 1
