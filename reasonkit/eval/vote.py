"""Voting over the augmented variants of a puzzle, and pass@k (HRM's ARC evaluation, generalised to any task).

Each variant of an original puzzle yields one prediction; the task maps it to an answer in the original frame
(for ARC: crop the canvas at the EOS marker, then undo the variant's dihedral transform and colour permutation).
Identical answers are grouped; candidates are ranked by (vote count, mean halting confidence). pass@k: one of the
top k candidates equals the answer. Puzzles are grouped (ARC: the test inputs of one task); a group counts only if
*all* its puzzles pass (``partial=True`` instead gives each group the fraction that pass, TRM's evaluator).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Sequence

import numpy as np

from ..data.augment import grid_key

__all__ = ["Candidate", "Votes", "vote", "pass_at_k", "variant_scores"]


@dataclass
class Candidate:
    """One distinct answer for a puzzle: the answer, its vote count and summed confidence."""

    answer: np.ndarray
    count: int = 0
    confidence_sum: float = 0.0

    @property
    def confidence(self) -> float:
        return self.confidence_sum / max(self.count, 1)


@dataclass
class Votes:
    """Ranked candidates per puzzle key."""

    ranked: dict[Hashable, list[Candidate]] = field(default_factory=dict)

    def top(self, key: Hashable, k: int) -> list[np.ndarray]:
        return [c.answer for c in self.ranked.get(key, [])[:k]]


def vote(
    records: Iterable[tuple[Hashable, np.ndarray, float]], answer_key: Callable[[np.ndarray], Hashable] = grid_key
) -> Votes:
    """Vote over ``(puzzle key, answer in the original frame, confidence)`` records; answers with equal
    ``answer_key`` are the same answer (default: equal shape and values). Equal ranks keep the order of arrival."""
    tables: dict[Hashable, dict[Hashable, Candidate]] = defaultdict(dict)
    for key, answer, conf in records:
        answer = np.asarray(answer)
        cand = tables[key].setdefault(answer_key(answer), Candidate(answer))
        cand.count += 1
        cand.confidence_sum += float(conf)
    return Votes(
        {
            key: sorted(table.values(), key=lambda c: (c.count, c.confidence), reverse=True)
            for key, table in tables.items()
        }
    )


def pass_at_k(
    votes: Votes,
    answers: dict[Hashable, np.ndarray],
    ks: Sequence[int] = (1, 2, 10),
    *,
    group: Callable[[Hashable], Hashable] = lambda key: key,
    partial: bool = False,
) -> dict[str, float]:
    """Fraction of groups solved within the top k candidates, for each k. ``answers[key]`` is the right answer;
    ``group(key)`` names the group a puzzle belongs to. A puzzle without predictions counts as wrong."""
    groups: dict[Hashable, list[Hashable]] = defaultdict(list)
    for key in answers:
        groups[group(key)].append(key)
    scores = {k: 0.0 for k in ks}
    for keys in groups.values():
        for k in ks:
            right = [any(grid_key(a) == grid_key(answers[key]) for a in votes.top(key, k)) for key in keys]
            scores[k] += (sum(right) / len(right)) if partial else float(all(right))
    n = max(len(groups), 1)
    return {f"pass@{k}": scores[k] / n for k in ks}


def variant_scores(task, data_dir: str | Path, result, ks: Sequence[int] = (1, 2, 10)) -> dict[str, Any]:
    """pass@k of an evaluation of a data set whose test split holds augmented variants (``task.test_variants``).

    ``result`` is what :func:`reasonkit.eval.infer` returned for the split's rows (the first rows only, under a
    limit). Puzzles are grouped by the first element of their key (ARC: the task). pass@k is over the groups with
    at least one evaluated row (``tasks_scored`` of ``tasks``): a group never evaluated is left out, not failed.
    """
    variants = task.test_variants(data_dir)
    if variants is None:
        raise ValueError(f"{data_dir}: the {task.kind} task finds no augmented test variants to vote over")
    answers = task.original_answers(data_dir)
    records = []
    for v in variants:
        if v.row >= len(result.predictions):
            continue
        conf = float(result.confidence[v.row]) if result.confidence is not None else 1.0
        records.append((v.key, v.to_original(task.answer_of(result.predictions[v.row])), conf))
    first = (lambda key: key[0]) if all(isinstance(k, tuple) for k in answers) else (lambda key: key)
    scored = {first(key) for key, _, _ in records}
    out = pass_at_k(vote(records), {k: a for k, a in answers.items() if first(k) in scored}, ks, group=first)
    out["tasks"] = len({first(k) for k in answers})
    out["tasks_scored"] = len(scored)
    return out
