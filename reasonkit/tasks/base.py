"""The task interface: a puzzle family as a registered kind (group ``task``).

A task's spec fields are its data builder's options (``SudokuTask(size=6, train_size=2000)``), so a task spec says
exactly which data set to build, and ``reasonkit data <task>``, recipes and ``build.json`` share one set of names.
Its methods carry what the rest of the library needs to know about the puzzles: the token codec for strings
(what ``reasonkit predict`` reads and writes), the correctness check (Maze: any shortest path), the constraint
graph for graph cells, the test-time symmetries, and, for data sets whose test split holds augmented variants of
the same puzzles (ARC), how to vote over them. A task added from outside the package with
``@register("task")`` works in recipes, ``reasonkit data``, ``eval`` and ``predict`` like a built-in one.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Annotated, Any, Callable, ClassVar, Hashable, Optional, Union

import numpy as np
import torch
from pydantic import PlainValidator, model_validator

from ..data.augment import Augmentation
from ..registry import lookup
from ..spec import Spec

__all__ = ["Task", "DataShape", "TestVariant", "Count", "ALL", "count_value", "get_task"]

ALL = "all"


def _count(value: Any) -> Union[int, str]:
    if value == ALL or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise ValueError(f"must be a number of puzzles (at least 1) or 'all' (every CSV row), got {value!r}")


#: A number of puzzles, or ``"all"``: every row of a CSV source.
Count = Annotated[Union[int, str], PlainValidator(_count)]


def count_value(count: Optional[Count]) -> Optional[int]:
    """A Count as a number of rows to sample (None: every row)."""
    return None if count in (ALL, None) else int(count)


@dataclass(frozen=True)
class DataShape:
    """What a task's builder writes: token vocabulary, tokens per example, and the training split's size
    (groups and mean examples per puzzle, which fix the number of optimizer steps per epoch)."""

    vocab_size: int
    seq_len: int
    train_groups: int
    mean_puzzle_examples: float = 1.0


@dataclass(frozen=True)
class TestVariant:
    """One row of a test split that holds augmented variants of original test puzzles (ARC).

    ``key`` names the original puzzle (rows with equal keys are voted together); ``to_original`` maps the task's
    answer for this row (as returned by :meth:`Task.answer_of`) back to the original puzzle's frame.
    """

    row: int
    key: Hashable
    to_original: Augmentation


class Task(Spec):
    """Base of every task spec. Fields are the builder's options; every field has a default.

    :meth:`tiny` gives a data set small enough to build in a second (the recipe smoke tests build it). Paths may
    be given as ``os.PathLike``; they are kept as strings, so the spec stays JSON.
    """

    #: Whether a puzzle may have several correct answers (Maze: any shortest path). Such a task implements
    #: :meth:`least_loss_labels`, the training target of ``target=least_loss``.
    several_answers: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _paths_as_strings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {
            k: [os.fspath(x) if isinstance(x, os.PathLike) else x for x in v]
            if isinstance(v, (list, tuple))
            else os.fspath(v)
            if isinstance(v, os.PathLike)
            else v
            for k, v in data.items()
        }

    # -- data ----------------------------------------------------------------------------------------------------
    def build(
        self, out: str | os.PathLike, *, workers: Optional[int] = None, overwrite: bool = False, progress: bool = True
    ) -> dict:
        """Build the data set this spec describes in ``out``; returns the build record (``build.json``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement build()")

    def dir_name(self) -> str:
        """A directory name for the data set this spec describes (``<kind>-<hash of the options>`` by default)."""
        digest = hashlib.sha256(json.dumps(self.model_dump(), sort_keys=True).encode()).hexdigest()[:8]
        return f"{self.kind}-{digest}"

    def data_shape(self) -> DataShape:
        """The vocabulary, sequence length and training-split size of the data set, without building it."""
        raise NotImplementedError(f"{type(self).__name__} must implement data_shape()")

    # -- the puzzles ---------------------------------------------------------------------------------------------
    def encode(self, text: str, seq_len: int) -> np.ndarray:
        """A puzzle as a string (a CSV cell) to token ids [seq_len]; ValueError saying what is wrong."""
        raise NotImplementedError(f"{type(self).__name__} must implement encode()")

    def decode(self, tokens: np.ndarray) -> str:
        """Token ids [seq_len] (a prediction) back to the string form of :meth:`encode`."""
        raise NotImplementedError(f"{type(self).__name__} must implement decode()")

    def is_correct(
        self, inputs: np.ndarray, predictions: np.ndarray, labels: np.ndarray, ignore_label: int = -100
    ) -> np.ndarray:
        """Whether each prediction [N, seq] solves its puzzle; by default, equal to the label where labelled."""
        mask = labels != ignore_label
        return np.all((predictions == labels) | ~mask, axis=-1) & mask.any(-1)

    def least_loss_labels(
        self,
        inputs: torch.Tensor,
        labels: torch.Tensor,
        token_loss: Callable[[int], torch.Tensor],
        ignore_index: int = -100,
    ) -> torch.Tensor:
        """Each puzzle's correct answer of least loss, as labels [B, seq] (the MinLoss target of Nandwani et al.,
        ICLR 2021): ``token_loss(t)`` is the per-position loss [B, seq] of predicting token ``t`` everywhere;
        positions labelled ``ignore_index`` stay ignored.

        Only for tasks with :attr:`several_answers`; with one answer per puzzle the target is the label.
        """
        raise NotImplementedError(f"{type(self).__name__} has one answer per puzzle: train against the label")

    def graph(self, seq_len: int) -> Optional[torch.Tensor]:
        """The constraint graph over ``seq_len`` task positions for graph cells (``[2, edges]``), or None."""
        return None

    # -- test-time augmentation ----------------------------------------------------------------------------------
    def symmetries(self, seq_len: int, rng: np.random.Generator, count: int) -> list[Augmentation]:
        """``count`` random symmetries of a puzzle of ``seq_len`` token ids, each acting on token arrays
        [..., seq_len] with an exact inverse, mapping solutions to solutions; [] if the task has none."""
        return []

    def test_variants(self, data_dir: str | os.PathLike) -> Optional[list[TestVariant]]:
        """For a data set whose test split holds augmented variants of the same puzzles, each row's variant."""
        return None

    def answer_of(self, tokens: np.ndarray) -> Any:
        """The answer a prediction's tokens stand for, comparable after ``TestVariant.to_original`` (default: the
        tokens themselves)."""
        return np.asarray(tokens)

    def original_answers(self, data_dir: str | os.PathLike) -> dict[Hashable, Any]:
        """The correct answer of every original puzzle that :meth:`test_variants` keys name."""
        raise NotImplementedError(f"{type(self).__name__} defines test variants but no original answers")


def get_task(name: str, **options: Any) -> Task:
    """The task spec registered as ``name`` with builder ``options``; unknown names list the known tasks."""
    cls: Callable[..., Task] = lookup("task", name)
    return cls(**options)
