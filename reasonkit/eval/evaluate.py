"""Evaluation of a model on a data set split: exact and token accuracy, mean segments, count, speed.

Metrics follow the HRM reference: token accuracy is the mean over sequences of the fraction of labelled tokens that
are right; sequences without labels are not counted. A sequence is exactly right when the task's check accepts it
(:meth:`reasonkit.tasks.Task.is_correct`: every labelled token right by default; for Maze any shortest path); the
label-exact accuracy is reported beside it. Data sets are read in the reference's on-disk format
(:mod:`reasonkit.data.schema`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ..data.io import load_build_info, load_metadata, load_set
from ..data.schema import IGNORE_LABEL, DatasetMeta
from ..data.validate import verify_dataset
from ..errors import ConfigError, DataError
from ..registry import list_kinds
from ..tasks.base import Task, get_task
from .inference import InferenceResult, infer
from .test_time import TestTime
from .vote import variant_scores

__all__ = [
    "Examples",
    "load_examples",
    "load_split",
    "check_data_fits_model",
    "check_data_fits_spec",
    "score",
    "candidates_correct",
    "evaluate",
    "resolve_task",
]


@dataclass
class Examples:
    """Every example of a split, flattened: inputs, labels (ignore label = -100), puzzle id and set per example."""

    inputs: np.ndarray
    labels: np.ndarray
    puzzle_identifiers: np.ndarray
    set_names: np.ndarray
    puzzle_index: np.ndarray
    meta: DatasetMeta

    def __len__(self) -> int:
        return len(self.inputs)

    def head(self, limit: int) -> Examples:
        """The first ``limit`` examples."""
        return Examples(
            self.inputs[:limit],
            self.labels[:limit],
            self.puzzle_identifiers[:limit],
            self.set_names[:limit],
            self.puzzle_index[:limit],
            self.meta,
        )


def load_examples(data_dir: str | Path, split: str = "test", limit: Optional[int] = None) -> Examples:
    """All examples of ``split`` (the first ``limit``), with labels mapped to the ignore label as the loader does."""
    if not Path(data_dir).is_dir():
        raise DataError(f"data directory {data_dir} does not exist")
    if limit is not None and limit < 1:
        raise ConfigError(f"limit must be at least 1 (or None for every example), got {limit}")
    meta = load_metadata(data_dir, split)
    parts = {k: [] for k in ("inputs", "labels", "ids", "sets", "puzzles")}
    offset = 0
    for name in meta.sets:
        arr = load_set(data_dir, split, name, mmap=False)
        counts = np.diff(arr.puzzle_indices)
        parts["inputs"].append(np.asarray(arr.inputs))
        labels = np.asarray(arr.labels).astype(np.int64)
        if meta.ignore_label_id is not None:
            labels[labels == meta.ignore_label_id] = IGNORE_LABEL
        parts["labels"].append(labels)
        parts["ids"].append(np.repeat(arr.puzzle_identifiers, counts))
        parts["sets"].append(np.full(len(labels), name))
        parts["puzzles"].append(np.repeat(np.arange(len(counts)) + offset, counts))
        offset += len(counts)
    ex = Examples(
        np.concatenate(parts["inputs"]).astype(np.int32),
        np.concatenate(parts["labels"]),
        np.concatenate(parts["ids"]).astype(np.int32),
        np.concatenate(parts["sets"]),
        np.concatenate(parts["puzzles"]),
        meta,
    )
    return ex if limit is None else ex.head(limit)


def check_data_fits_model(model, meta: DatasetMeta, data_dir: str | Path = "") -> None:
    """Raise DataError before any work if the data set's vocabulary, length or puzzle ids do not fit the model."""
    has_table = model.embedding.puzzle is not None
    _check_fit(model.vocab_size, model.seq_len, model.num_puzzle_ids if has_table else None, meta, data_dir)


def check_data_fits_spec(spec, meta: DatasetMeta, data_dir: str | Path = "") -> None:
    """:func:`check_data_fits_model` for a model spec, before the model is built."""
    puzzle_dim, _ = spec.embedding.resolved(spec.hidden_size)
    _check_fit(spec.vocab_size, spec.seq_len, spec.num_puzzle_ids if puzzle_dim else None, meta, data_dir)


def _check_fit(vocab_size: int, seq_len: int, num_ids: Optional[int], meta: DatasetMeta, data_dir) -> None:
    problems = []
    if meta.vocab_size != vocab_size:
        problems.append(f"vocab_size {meta.vocab_size} (model: {vocab_size})")
    if meta.seq_len != seq_len:
        problems.append(f"seq_len {meta.seq_len} (model: {seq_len})")
    if num_ids is not None and meta.num_puzzle_identifiers > num_ids:
        problems.append(f"num_puzzle_identifiers {meta.num_puzzle_identifiers} (model's table: {num_ids})")
    if problems:
        raise DataError(
            f"data set {data_dir} does not fit the model: "
            + ", ".join(problems)
            + "; use a model built for this data set (vocab_size=..., seq_len=..., num_puzzle_ids=...)"
        )


def resolve_task(model=None, data_dir: str | Path | None = None, name: Optional[str] = None) -> Optional[Task]:
    """The task to score with: ``name`` if given, else the model's, else the builder recorded in the data set."""
    if name is not None:
        return get_task(name)
    if model is not None and getattr(model, "task", None):
        return get_task(model.task)
    info = load_build_info(data_dir) if data_dir is not None and Path(data_dir).is_dir() else None
    builder = (info or {}).get("builder")
    return get_task(builder) if builder in list_kinds("task") else None


def score(
    predictions: np.ndarray, labels: np.ndarray, steps: np.ndarray, correct: Optional[np.ndarray] = None
) -> dict[str, float]:
    """exact_accuracy (``correct`` if given, else every labelled token right), label_exact_accuracy,
    token_accuracy, mean_steps and count over the sequences that have labels."""
    mask = labels != IGNORE_LABEL
    counts = mask.sum(-1)
    valid = counts > 0
    right = (predictions == labels) & mask
    n = int(valid.sum())
    token = (right.sum(-1)[valid] / counts[valid]).sum() / max(n, 1)
    label_exact = right.sum(-1) == counts
    exact = label_exact if correct is None else np.asarray(correct, bool)
    return {
        "exact_accuracy": float(exact[valid].sum() / max(n, 1)),
        "label_exact_accuracy": float(label_exact[valid].sum() / max(n, 1)),
        "token_accuracy": float(token),
        "mean_steps": float(steps[valid].mean()) if n else 0.0,
        "count": n,
    }


def candidates_correct(
    task: Optional[Task], inputs: np.ndarray, labels: np.ndarray, candidates: np.ndarray
) -> np.ndarray:
    """Whether each candidate [N, C, seq] solves its puzzle [N, C], by the task's check (labels without a task);
    each distinct candidate of a puzzle is checked once."""
    n, count, seq = candidates.shape
    if task is None:
        mask = labels[:, None] != IGNORE_LABEL
        return np.all((candidates == labels[:, None]) | ~mask, -1) & mask.any(-1)
    puzzle, unique, back = [], [], []
    for i in range(n):
        rows, inverse = np.unique(candidates[i], axis=0, return_inverse=True)
        back.append(len(unique) + inverse.reshape(-1))
        puzzle.extend([i] * len(rows))
        unique.extend(rows)
    ok = task.is_correct(inputs[puzzle], np.stack(unique), labels[puzzle])
    return ok[np.stack(back)]


def load_split(
    model, data_dir: str | Path, split: str, limit: Optional[int], task: Optional[Task]
) -> tuple[Examples, Optional[Task]]:
    """The first ``limit`` examples of ``split``, checked to fit ``model``, and the task to score them with
    (``task``, else :func:`resolve_task`)."""
    if not Path(data_dir).is_dir():
        raise DataError(f"data directory {data_dir} does not exist")
    check_data_fits_model(model, verify_dataset(data_dir, split), data_dir)
    examples = load_examples(data_dir, split, limit)
    return examples, task if task is not None else resolve_task(model, data_dir)


def evaluate(
    model,
    data_dir: str | Path,
    split: str = "test",
    *,
    limit: Optional[int] = None,
    max_steps: Optional[int] = None,
    batch_size: int = 256,
    early_exit: bool = False,
    device=None,
    progress: bool = False,
    task: Optional[Task] = None,
    vote: Optional[bool] = None,
    test_time: Optional[TestTime] = None,
) -> tuple[dict, InferenceResult, Examples]:
    """Evaluate ``model`` on a split; returns (metrics, raw inference result, the examples).

    ``task`` checks correctness (default: :func:`resolve_task` from the model and the data set). ``vote`` adds
    pass@k by voting over the test split's augmented variants (:func:`reasonkit.eval.vote.variant_scores`);
    by default it is on when the task finds such variants (ARC data sets). ``test_time`` adds rollouts and
    augmentation voting; the metrics then score the selected answer, and ``oracle_exact_accuracy`` is pass@K over
    all ``candidates`` of a puzzle. ``segments_per_puzzle`` is the cost: the segments of all candidates together.
    """
    examples, task = load_split(model, data_dir, split, limit, task)
    result = infer(
        model,
        examples.inputs,
        examples.puzzle_identifiers,
        batch_size=batch_size,
        max_steps=max_steps,
        early_exit=early_exit,
        device=device,
        progress=progress,
        test_time=test_time,
        task=task,
    )
    correct = task.is_correct(examples.inputs, result.predictions, examples.labels) if task is not None else None
    metrics = score(result.predictions, examples.labels, result.steps, correct)
    oracle = candidates_correct(task, examples.inputs, examples.labels, result.candidates).any(-1)
    labelled = (examples.labels != IGNORE_LABEL).any(-1)
    tt = test_time if test_time is not None else TestTime()
    metrics.update(
        {
            "oracle_exact_accuracy": float(oracle[labelled].sum() / max(int(labelled.sum()), 1)),
            "candidates": tt.candidates,
            "segments_per_puzzle": float(result.segments_per_puzzle[labelled].mean()) if labelled.any() else 0.0,
            "seconds": result.seconds,
            "sequences_per_second": result.sequences_per_second,
            "segments_run": result.segments_run,
            "early_exit": early_exit,
            "max_steps": max_steps or model.inference_steps,
            "test_time": asdict(tt),
        }
    )
    if vote is None:
        vote = split == "test" and task is not None and task.test_variants(data_dir) is not None
    if vote:
        if split != "test" or task is None:
            raise ConfigError("voting over augmented variants needs the test split of a task's data set")
        metrics.update(variant_scores(task, data_dir, result))
    sets = np.unique(examples.set_names)
    if len(sets) > 1:
        for name in sets:
            sel = examples.set_names == name
            metrics[f"set/{name}"] = score(
                result.predictions[sel],
                examples.labels[sel],
                result.steps[sel],
                None if correct is None else correct[sel],
            )
    return metrics, result, examples
