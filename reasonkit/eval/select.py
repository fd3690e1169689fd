"""One answer per puzzle from its candidates: the rollouts of each variant, then the variants (PTRM and TTA).

A puzzle's candidates are ``tta`` variants x ``rollouts`` copies, already mapped back to the puzzle's frame. First
each variant's rollouts become one answer: the highest halting confidence (``max_q``, PTRM's best-Q@K, arXiv
2605.19943; ties go to the first rollout) or a vote by (count, mean confidence) (``vote``, mode@K). Then the
variants' answers are voted by (count, mean confidence), as HRM and TRM vote ARC's augmentations
(:func:`reasonkit.eval.vote.vote`; ties go to the first variant, the identity). Without a confidence a vote
counts only.
"""

from __future__ import annotations

from typing import Callable, Hashable, Optional

import numpy as np

from ..data.augment import grid_key
from ..errors import ConfigError
from .vote import vote

__all__ = ["Selection", "select_candidates"]

#: (answer tokens [N, seq], steps [N], confidence [N] or None) of the selected candidates.
Selection = tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]


def select_candidates(
    candidates: np.ndarray,
    steps: np.ndarray,
    confidence: Optional[np.ndarray],
    *,
    rollouts: int,
    tta: int,
    select: str = "max_q",
    answer_key: Callable[[np.ndarray], Hashable] = grid_key,
) -> Selection:
    """The selected answer of each puzzle from ``candidates`` [N, tta * rollouts, seq] (variant-major), their
    ``steps`` and ``confidence`` [N, tta * rollouts]; ``answer_key`` says which answers are the same.

    The steps of a voted answer are those of its first candidate; its confidence is its group's mean.
    """
    n, count, seq = candidates.shape
    if count != rollouts * tta:
        raise ValueError(f"{count} candidates per puzzle, expected rollouts x tta = {rollouts} x {tta}")
    if confidence is None and select == "max_q" and rollouts > 1:
        raise ConfigError("select=max_q needs a halting confidence, which this model's policy lacks; use select=vote")
    shape = (n * tta, rollouts)
    answers, chosen = candidates.reshape(shape + (seq,)), steps.reshape(shape)
    conf = None if confidence is None else confidence.reshape(shape)
    if rollouts == 1:
        pick, best = np.zeros(n * tta, np.int64), None if conf is None else conf[:, 0]
    elif select == "max_q":
        pick = conf.argmax(-1)
        best = conf[np.arange(n * tta), pick]
    else:
        pick, best = _vote(answers, conf, answer_key)
    rows = np.arange(n * tta)
    answers, chosen = answers[rows, pick].reshape(n, tta, seq), chosen[rows, pick].reshape(n, tta)
    conf = None if best is None else best.reshape(n, tta)
    if tta == 1:
        return answers[:, 0], chosen[:, 0], None if conf is None else conf[:, 0]
    pick, best = _vote(answers, conf, answer_key)
    return answers[np.arange(n), pick], chosen[np.arange(n), pick], best


def _vote(
    answers: np.ndarray, conf: Optional[np.ndarray], answer_key: Callable[[np.ndarray], Hashable]
) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """For each group ``answers[g]`` [members, seq]: the index of the first member of the winning answer and the
    winner's mean confidence (None without confidences)."""
    groups, members = answers.shape[:2]
    weights = np.zeros((groups, members)) if conf is None else conf
    keys = [[answer_key(a) for a in group] for group in answers]
    votes = vote(
        ((g, answers[g, m], weights[g, m]) for g in range(groups) for m in range(members)), answer_key=answer_key
    )
    pick = np.empty(groups, np.int64)
    mean = np.empty(groups, np.float32)
    for g in range(groups):
        winner = votes.ranked[g][0]
        pick[g] = keys[g].index(answer_key(winner.answer))
        mean[g] = winner.confidence
    return pick, None if conf is None else mean
