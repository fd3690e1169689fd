"""Evaluation of a model on a data set split: exact and token accuracy, mean segments, count, speed.

Metrics follow the HRM reference: a sequence is exactly right when every labelled token is right; token accuracy
is the mean over sequences of the fraction of labelled tokens that are right; sequences without labels are not
counted. Data sets are read in the reference's on-disk format (see :mod:`reasonkit.data.format`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ..train.losses import IGNORE_LABEL
from .inference import InferenceResult, infer

__all__ = ["Examples", "load_examples", "check_data_fits_model", "score", "evaluate"]


@dataclass
class Examples:
    """Every example of a split, flattened: inputs, labels (ignore label = -100), puzzle id and set per example."""

    inputs: np.ndarray
    labels: np.ndarray
    puzzle_identifiers: np.ndarray
    set_names: np.ndarray
    puzzle_index: np.ndarray
    meta: object

    def __len__(self) -> int:
        return len(self.inputs)


def load_examples(data_dir: str | Path, split: str = "test", limit: Optional[int] = None) -> Examples:
    """All examples of ``split`` (the first ``limit``), with labels mapped to the ignore label as the loader does."""
    from ..data.format import load_metadata, load_set

    if not Path(data_dir).is_dir():
        raise FileNotFoundError(f"data directory {data_dir} does not exist")
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
    ex = Examples(np.concatenate(parts["inputs"]).astype(np.int32), np.concatenate(parts["labels"]),
                  np.concatenate(parts["ids"]).astype(np.int32), np.concatenate(parts["sets"]),
                  np.concatenate(parts["puzzles"]), meta)
    if limit is not None:
        ex = Examples(ex.inputs[:limit], ex.labels[:limit], ex.puzzle_identifiers[:limit], ex.set_names[:limit],
                      ex.puzzle_index[:limit], meta)
    return ex


def check_data_fits_model(spec, meta, data_dir: str | Path = "") -> None:
    """Raise ValueError before any work if the data set's vocabulary, length or puzzle ids do not fit the model."""
    problems = []
    if meta.vocab_size != spec.vocab_size:
        problems.append(f"vocab_size {meta.vocab_size} (model: {spec.vocab_size})")
    if meta.seq_len != spec.seq_len:
        problems.append(f"seq_len {meta.seq_len} (model: {spec.seq_len})")
    puzzle_dim, _ = spec.embedding.resolved(spec.hidden_size)
    if puzzle_dim and meta.num_puzzle_identifiers > spec.num_puzzle_ids:
        problems.append(f"num_puzzle_identifiers {meta.num_puzzle_identifiers} (model's table: {spec.num_puzzle_ids})")
    if problems:
        raise ValueError(f"data set {data_dir} does not fit the model: " + ", ".join(problems)
                         + "; build the model for this data set (e.g. vocab_size=..., seq_len=..., num_puzzle_ids=...)")


def score(predictions: np.ndarray, labels: np.ndarray, steps: np.ndarray) -> dict[str, float]:
    """exact_accuracy, token_accuracy, mean_steps and count over the sequences that have labels."""
    mask = labels != IGNORE_LABEL
    counts = mask.sum(-1)
    valid = counts > 0
    right = (predictions == labels) & mask
    n = int(valid.sum())
    token = (right.sum(-1)[valid] / counts[valid]).sum() / max(n, 1)
    exact = (right.sum(-1) == counts)[valid].sum() / max(n, 1)
    return {"exact_accuracy": float(exact), "token_accuracy": float(token),
            "mean_steps": float(steps[valid].mean()) if n else 0.0, "count": n}


def evaluate(model, data_dir: str | Path, split: str = "test", *, limit: Optional[int] = None,
             max_steps: Optional[int] = None, batch_size: int = 256, early_exit: bool = False,
             device=None, progress: bool = False) -> tuple[dict, InferenceResult, Examples]:
    """Evaluate ``model`` on a split; returns (metrics, raw inference result, the examples)."""
    from ..data.format import load_metadata

    if not Path(data_dir).is_dir():
        raise FileNotFoundError(f"data directory {data_dir} does not exist")
    check_data_fits_model(model.spec, load_metadata(data_dir, split), data_dir)
    examples = load_examples(data_dir, split, limit)
    result = infer(model, examples.inputs, examples.puzzle_identifiers, batch_size=batch_size, max_steps=max_steps,
                   early_exit=early_exit, device=device, progress=progress)
    metrics = score(result.predictions, examples.labels, result.steps)
    metrics.update({"seconds": result.seconds, "sequences_per_second": result.sequences_per_second,
                    "segments_run": result.segments_run, "early_exit": early_exit,
                    "max_steps": max_steps or model.halting.max_steps})
    sets = np.unique(examples.set_names)
    if len(sets) > 1:
        for name in sets:
            sel = examples.set_names == name
            metrics[f"set/{name}"] = score(result.predictions[sel], examples.labels[sel], result.steps[sel])
    return metrics, result, examples
