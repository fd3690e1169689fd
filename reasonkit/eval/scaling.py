"""Inference-time scaling: exact accuracy against the number of segments allowed, from one run.

Without early exit every sequence runs to the limit, and a sequence's answer under a limit of ``k`` segments is the
output of its ``k``-th segment; evaluation segments are deterministic and do not depend on the limit. So one run
of ``max(limits)`` segments that reads the answers after each segment gives the whole curve, equal to
``evaluate(max_steps=k)`` for every ``k`` (tested), at the cost of the longest run alone (a curve over 1..16 costs
16 segments per puzzle instead of 136).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence

import numpy as np
import torch

from ..errors import ConfigError
from ..tasks.base import Task
from .evaluate import load_split, score

__all__ = ["scaling_curve", "score_segments"]


@torch.no_grad()
def scaling_curve(
    model,
    data_dir: str | Path,
    limits: Sequence[int],
    split: str = "test",
    *,
    limit: Optional[int] = None,
    batch_size: int = 256,
    device=None,
    task: Optional[Task] = None,
) -> dict[str, dict]:
    """``{str(k): metrics}`` for each segment limit ``k`` in ``limits``, as :func:`~reasonkit.eval.evaluate` scores
    ``max_steps=k`` without early exit (``limit`` examples of ``split``)."""
    ks = sorted(set(int(k) for k in limits))
    if not ks or ks[0] < 1:
        raise ConfigError(f"segment limits must be at least 1, got {list(limits)}")
    examples, task = load_split(model, data_dir, split, limit, task)
    device = torch.device(device) if device is not None else next(model.parameters()).device
    n, last = len(examples), ks[-1]
    preds = {k: np.zeros(examples.inputs.shape, np.int32) for k in ks}
    was_training = model.training
    model.eval()
    try:
        for start in range(0, n, batch_size):
            rows = slice(start, min(n, start + batch_size))
            batch = {
                "inputs": torch.as_tensor(examples.inputs[rows], device=device),
                "puzzle_identifiers": torch.as_tensor(examples.puzzle_identifiers[rows], device=device),
            }
            carry = model.initial_carry(batch)
            for step in range(1, last + 1):
                carry, out = model(carry, batch, max_steps=last, check=False)
                if step in preds:
                    preds[step][rows] = out.logits.argmax(-1).to(torch.int32).cpu().numpy()
    finally:
        model.train(was_training)
    return score_segments(preds, examples.inputs, examples.labels, task)


def score_segments(
    predictions: Mapping[int, np.ndarray], inputs: np.ndarray, labels: np.ndarray, task: Optional[Task]
) -> dict[str, dict]:
    """``{str(k): metrics}`` of the answers ``predictions[k]`` [N, seq] given after ``k`` segments, scored by
    the task's check (by the labels without a task), as :func:`~reasonkit.eval.score` does."""
    curve = {}
    for k, pred in sorted(predictions.items()):
        correct = task.is_correct(inputs, pred, labels) if task is not None else None
        curve[str(k)] = {**score(pred, labels, np.full(len(pred), k), correct), "max_steps": k}
    return curve
