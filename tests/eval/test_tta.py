"""Augmentation voting (TTA): every task symmetry undone by its inverse and mapping solutions to solutions, on token
sequences; candidates mapped back exactly; the vote picks the known answer on constructed examples."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reasonkit import build
from reasonkit.data.augment import grid_key
from reasonkit.errors import ConfigError
from reasonkit.eval import TestTime, infer, select_candidates
from reasonkit.tasks import get_task
from reasonkit.tasks.arc import crop_prediction
from reasonkit.tasks.arc import encode as arc_encode
from reasonkit.tasks.maze import generate_maze
from reasonkit.tasks.maze.codec import encode as maze_encode
from reasonkit.tasks.sudoku import random_solution
from reasonkit.tasks.sudoku.codec import encode as sudoku_encode


@settings(max_examples=40, deadline=None)
@given(n=st.sampled_from([4, 6, 9]), seed=st.integers(0, 2**31), blanks=st.floats(0.0, 1.0))
def test_sudoku_symmetries_invert_exactly_and_keep_solutions(n, seed, blanks):
    task = get_task("sudoku")
    solution = np.asarray(random_solution(random.Random(seed), n))
    rng = np.random.default_rng(seed)
    puzzle = np.where(rng.random(n * n) < blanks, 0, solution)
    q, a = sudoku_encode(puzzle).astype(np.int32), sudoku_encode(solution).astype(np.int32)
    noise = rng.integers(0, 2 * n, (3, n * n)).astype(np.int32)  # any tokens, not only puzzles
    assert task.is_correct(q[None], a[None], a[None])[0]
    for aug in task.symmetries(n * n, rng, 6):
        np.testing.assert_array_equal(aug.inverse()(aug(q)), q)
        np.testing.assert_array_equal(aug.inverse()(aug(noise)), noise)
        np.testing.assert_array_equal(aug(aug.inverse()(noise)), noise)
        assert task.is_correct(aug(q)[None], aug(a)[None], aug(a)[None])[0]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), size=st.integers(7, 12))
def test_maze_symmetries_are_the_dihedral_group_inverting_exactly_and_keeping_shortest_paths(seed, size):
    task = get_task("maze")
    q, a = (maze_encode(g).reshape(-1).astype(np.int32) for g in generate_maze(seed, size, size))
    augs = task.symmetries(size * size, np.random.default_rng(seed), 8)
    cells = np.arange(size * size)
    assert len({aug(cells).tobytes() for aug in augs} - {cells.tobytes()}) == 7  # the group less the identity
    for aug in augs:
        np.testing.assert_array_equal(aug.inverse()(aug(q)), q)
        np.testing.assert_array_equal(aug.inverse()(aug(a)), a)
        assert task.is_correct(aug(q)[None], aug(a)[None], aug(a)[None])[0]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), h=st.integers(1, 30), w=st.integers(1, 30))
def test_arc_symmetries_invert_exactly_on_canvases(seed, h, w):
    rng = np.random.default_rng(seed)
    grid = rng.integers(0, 10, (h, w))
    canvas = arc_encode(grid).reshape(-1).astype(np.int32)
    for aug in get_task("arc").symmetries(900, rng, 3):
        moved = aug(canvas)
        assert sorted(crop_prediction(moved).shape) == sorted((h, w))
        np.testing.assert_array_equal(aug.inverse()(moved), canvas)


def test_candidates_are_the_variants_predictions_mapped_back():
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=16, vocab_size=6, task="sudoku").eval()
    task, x = get_task("sudoku"), np.random.default_rng(0).integers(0, 6, (5, 16)).astype(np.int32)
    tt = TestTime(tta=4, select="vote", seed=2)
    res = infer(model, x, batch_size=8, test_time=tt, task=task)
    variants = tt.variants(task, 16)
    assert type(variants[0]).__name__ == "Identity" and len(variants) == 4
    for t, v in enumerate(variants):
        alone = infer(model, v(x), batch_size=8)
        np.testing.assert_array_equal(res.candidates[:, t], v.inverse()(alone.predictions))
        np.testing.assert_array_equal(res.candidate_confidence[:, t], alone.confidence)
    assert res.predictions.shape == (5, 16)


def _answers(*rows):
    return np.array(rows, np.int32)


def test_voting_picks_the_known_answer():
    right, wrong, other = [1, 2, 3], [3, 2, 1], [2, 2, 2]
    # puzzle 0: 3 variants x 2 rollouts. Each variant's rollouts are reduced first (max_q: the more confident),
    # then the variants are voted: two variants end at the right answer, one at a wrong one that is more sure.
    cands = _answers(right, wrong, other, right, wrong, other)[None]
    conf = np.array([[0.6, 0.5, 0.1, 0.7, 0.95, 0.2]], np.float32)
    steps = np.array([[1, 2, 3, 4, 5, 6]])
    pred, st, cf = select_candidates(cands, steps, conf, rollouts=2, tta=3, select="max_q")
    np.testing.assert_array_equal(pred[0], right)  # the count beats the higher confidence of 'wrong'
    assert st[0] == 1 and cf[0] == pytest.approx(0.65)  # the first right candidate; the group's mean confidence
    # select=vote within a variant: 'other' twice beats 'right' once, then the variants vote
    cands = _answers(other, other, right, other, other, right, wrong, wrong, right)[None]
    conf = np.array([[0.1, 0.1, 0.9, 0.2, 0.2, 0.9, 0.9, 0.9, 0.1]], np.float32)
    pred, _, cf = select_candidates(cands, np.ones((1, 9)), conf, rollouts=3, tta=3, select="vote")
    np.testing.assert_array_equal(pred[0], other)
    pred, _, _ = select_candidates(cands, np.ones((1, 9)), conf, rollouts=3, tta=3, select="max_q")
    np.testing.assert_array_equal(pred[0], right)  # max_q per variant: 'right', 'right', 'wrong'


def test_a_tie_goes_to_the_identity_and_votes_count_without_a_confidence():
    a, b = [1, 1], [2, 2]
    pred, _, cf = select_candidates(_answers(b, a)[None], np.ones((1, 2)), None, rollouts=1, tta=2, select="vote")
    np.testing.assert_array_equal(pred[0], b)
    assert cf is None
    cands = _answers(a, b, b)[None]
    pred, _, _ = select_candidates(cands, np.ones((1, 3)), None, rollouts=3, tta=1, select="vote")
    np.testing.assert_array_equal(pred[0], b)
    with pytest.raises(ConfigError, match="select=max_q needs a halting confidence"):
        select_candidates(cands, np.ones((1, 3)), None, rollouts=3, tta=1, select="max_q")


def test_answers_the_task_calls_equal_are_voted_together():
    """ARC: canvases with the same crop but other tokens beyond it are one answer."""
    grid = np.array([[1, 2], [3, 4]])
    clean = arc_encode(grid).reshape(-1).astype(np.int32)
    junk = clean.copy()
    junk[-1] = 5  # a stray colour far outside the crop
    lone = arc_encode(grid.T).reshape(-1).astype(np.int32)
    cands = np.stack([lone, clean, junk])[None]
    task = get_task("arc")
    key = lambda t: grid_key(task.answer_of(t))  # noqa: E731  (what infer votes by when given the task)
    pred, _, _ = select_candidates(cands, np.ones((1, 3)), None, rollouts=3, tta=1, select="vote", answer_key=key)
    np.testing.assert_array_equal(task.answer_of(pred[0]), grid)
    pred, _, _ = select_candidates(cands, np.ones((1, 3)), None, rollouts=3, tta=1, select="vote")
    np.testing.assert_array_equal(pred[0], lone)  # by tokens, three answers of one vote each: the first
