"""ARC scoring by voting over augmentations (HRM, arXiv 2506.21734; the reference's arc_eval notebook as a library).

Each augmented variant of a task's test input yields one predicted 30x30 token grid. A prediction is cropped at
the EOS marker (the largest top-left rectangle of colour tokens 2-11, minus 2 to give colours 0-9), mapped back to
the original task with the exact inverse of the variant's augmentation, and counted. Candidates for one test input
are ranked by (vote count, mean halting confidence ``sigmoid(q_halt)``). pass@k: one of the top k candidates equals
the answer. A task counts only if *all* its test inputs pass (``partial=True`` instead gives each task the
fraction of its test inputs that pass, TRM's evaluator).
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Sequence

import numpy as np

from ..data.arc import crop_prediction

__all__ = ["grid_key", "Candidate", "ArcVote", "vote", "pass_at_k", "arc_scores_for_examples"]


def grid_key(grid: np.ndarray) -> str:
    """A hash of a grid's shape and values (equal grids, equal keys)."""
    grid = np.ascontiguousarray(grid, dtype=np.uint8)
    return hashlib.sha256(np.array(grid.shape, np.int64).tobytes() + grid.tobytes()).hexdigest()


@dataclass
class Candidate:
    """One distinct answer for a test input: the grid, its vote count and mean confidence."""

    grid: np.ndarray
    count: int = 0
    confidence_sum: float = 0.0

    @property
    def confidence(self) -> float:
        return self.confidence_sum / max(self.count, 1)


@dataclass
class ArcVote:
    """Ranked candidates per (task, test input)."""

    ranked: dict[tuple[str, Hashable], list[Candidate]] = field(default_factory=dict)

    def top(self, task: str, pair: Hashable, k: int) -> list[np.ndarray]:
        return [c.grid for c in self.ranked.get((task, pair), [])[:k]]


def vote(predictions: Iterable[tuple[str, Hashable, np.ndarray, Callable[[np.ndarray], np.ndarray], float]],
         *, cropped: bool = False) -> ArcVote:
    """Vote over ``(task, test_input_key, prediction, inverse, confidence)`` records.

    ``prediction`` is the model's token grid on the augmented variant (or, with ``cropped=True``, an already
    cropped colour grid); ``inverse`` maps a grid of the variant back to the original task (the augmentation's
    ``.inverse()``); ``test_input_key`` says which test input of the task the variant belongs to.
    """
    tables: dict[tuple[str, Hashable], dict[str, Candidate]] = defaultdict(dict)
    for task, pair, pred, inverse, conf in predictions:
        grid = np.asarray(pred, np.uint8) if cropped else crop_prediction(pred)
        grid = np.asarray(inverse(grid), np.uint8)
        cand = tables[(task, pair)].setdefault(grid_key(grid), Candidate(grid))
        cand.count += 1
        cand.confidence_sum += float(conf)
    ranked = {key: sorted(table.values(), key=lambda c: (c.count, c.confidence), reverse=True)
              for key, table in tables.items()}
    return ArcVote(ranked)


def pass_at_k(votes: ArcVote, answers: dict[str, dict[Hashable, np.ndarray]], ks: Sequence[int] = (1, 2, 10),
              *, partial: bool = False) -> dict[str, float]:
    """Fraction of tasks solved within the top k candidates, for each k; ``answers[task][test_input_key]`` = grid.

    A task without predictions for some test input counts as wrong for it.
    """
    scores = {k: 0.0 for k in ks}
    for task, pairs in answers.items():
        for k in ks:
            right = [any(grid_key(g) == grid_key(np.asarray(answer, np.uint8)) for g in votes.top(task, pair, k))
                     for pair, answer in pairs.items()]
            scores[k] += (sum(right) / len(right)) if partial else float(all(right))
    n = max(len(answers), 1)
    return {f"pass@{k}": scores[k] / n for k in ks}


def arc_scores_for_examples(data_dir: str | Path, split: str, examples, result, ks: Sequence[int] = (1, 2, 10)) -> dict[str, Any]:
    """pass@k of an evaluation of an ARC data set built by ``reasonkit.data.arc.build_arc``.

    The data set says, per row of the test split, which task and test input it is and by which augmentation
    (``reasonkit.data.arc.eval_examples``, from identifiers.json), and ``test_puzzles.json`` holds the original
    tasks with their answers. ``examples``/``result`` are what :func:`reasonkit.eval.evaluate` returns.

    pass@k is over the tasks with at least one evaluated row (``tasks_scored``; all ``arc_tasks`` unless the
    evaluation was limited): a task never evaluated is left out rather than counted as a failure.
    """
    from ..data.arc import eval_examples

    root = Path(data_dir)
    if split != "test":
        raise ValueError("ARC voting applies to the test split (the evaluation tasks' test inputs)")
    puzzles_file = root / "test_puzzles.json"
    if not puzzles_file.is_file():
        raise FileNotFoundError(f"{puzzles_file}: not an ARC data set built by reasonkit (or the reference)")
    tasks = json.loads(puzzles_file.read_text())
    answers = {task: {i: np.asarray(pair["output"], np.uint8) for i, pair in enumerate(data["test"])}
               for task, data in tasks.items()}
    offset, rows = 0, []
    for set_name in examples.meta.sets:
        mapped = eval_examples(root, set_name)
        rows.extend((offset + e.row, e) for e in mapped)
        offset += len(mapped)
    preds = []
    for row, e in rows:
        if row >= len(result.predictions):  # --limit evaluated only the first rows
            continue
        conf = float(result.confidence[row]) if result.confidence is not None else 1.0
        preds.append((e.task, e.test_index, result.predictions[row], e.augmentation.inverse(), conf))
    scored = {e_task for e_task, *_ in preds}  # with --limit, tasks never evaluated are left out, not failed
    out = pass_at_k(vote(preds), {task: pairs for task, pairs in answers.items() if task in scored}, ks)
    out["arc_tasks"] = len(answers)
    out["tasks_scored"] = len(scored & set(answers))
    return out
