"""Voting on a constructed example with a known answer: crop at EOS, exact inverses, (count, confidence) ranking;
the ARC task's test variants voted into pass@k on a built data set."""

from __future__ import annotations

import numpy as np

from reasonkit.data.augment import ColourPermutation, Compose, Dihedral
from reasonkit.eval.vote import pass_at_k, vote
from reasonkit.tasks.arc import crop_prediction


def _tokens(grid: np.ndarray) -> np.ndarray:
    """A colour grid placed top-left in a 30x30 canvas with the EOS row and column, as the ARC builder does."""
    out = np.zeros((30, 30), np.int32)
    h, w = grid.shape
    out[:h, :w] = grid + 2
    out[h, : w + 1] = 1
    out[: h + 1, w] = 1
    return out.reshape(-1)


def test_crop_recovers_the_grid():
    g = np.arange(12).reshape(3, 4) % 10
    np.testing.assert_array_equal(crop_prediction(_tokens(g)), g)
    full = np.full((30, 30), 5, np.uint8)
    np.testing.assert_array_equal(crop_prediction((full + 2).reshape(-1)), full)


def test_voting_with_inverse_augmentations_and_pass_at_k():
    rng = np.random.default_rng(0)
    answer = rng.integers(0, 10, (3, 5)).astype(np.uint8)
    wrong = (answer + 1) % 10
    second_answer = rng.integers(0, 10, (2, 2)).astype(np.uint8)
    preds = []
    augs = [Compose((Dihedral(k), ColourPermutation(tuple([0] + list(rng.permutation(9) + 1))))) for k in range(8)]
    # Task A, test input 0: five variants predict the right answer (seen through their augmentation),
    # three predict a wrong one with higher confidence: the count wins.
    for i, aug in enumerate(augs):
        target = answer if i < 5 else wrong
        preds.append((("A", 0), aug.inverse()(crop_prediction(_tokens(aug(target)))), 0.2 if i < 5 else 0.9))
    # Task A, test input 1: a 2-2 tie broken by mean confidence, the right answer second.
    for i, aug in enumerate(augs[:4]):
        target = second_answer if i < 2 else second_answer.T.copy() + 1
        preds.append((("A", 1), aug.inverse()(crop_prediction(_tokens(aug(target)))), 0.3 if i < 2 else 0.6))
    # Task B: every variant is wrong.
    for aug in augs[:3]:
        preds.append((("B", 0), aug.inverse()(crop_prediction(_tokens(aug(wrong)))), 0.5))
    votes = vote(preds)
    top = votes.ranked[("A", 0)]
    assert (top[0].count, len(top)) == (5, 2)
    np.testing.assert_array_equal(top[0].answer, answer)
    assert votes.ranked[("A", 1)][0].confidence == 0.6
    answers = {("A", 0): answer, ("A", 1): second_answer, ("B", 0): answer}
    task = lambda key: key[0]  # noqa: E731
    scores = pass_at_k(votes, answers, ks=(1, 2, 10), group=task)
    # A needs both test inputs: pass@1 fails on input 1, pass@2 gets both; B is never right.
    assert scores == {"pass@1": 0.0, "pass@2": 0.5, "pass@10": 0.5}
    assert pass_at_k(votes, answers, ks=(1,), group=task, partial=True)["pass@1"] == 0.25


def _tiny_arc(tmp_path):
    import json

    from reasonkit.tasks.arc import build_arc

    rng = np.random.default_rng(0)
    for split, n in (("training", 2), ("evaluation", 3)):
        (tmp_path / "src" / split).mkdir(parents=True)
        for t in range(n):

            def pair(h, w):
                x = rng.integers(0, 10, (h, w))
                return {"input": x.tolist(), "output": ((x + 1) % 10).tolist()}

            task = {"train": [pair(3, 4), pair(2, 2)], "test": [pair(3, 3)] + ([pair(2, 5)] if t == 0 else [])}
            (tmp_path / "src" / split / f"{split[:2]}{t}.json").write_text(json.dumps(task))
    build_arc(tmp_path / "arc", sources=[tmp_path / "src"], aug=3, workers=1, progress=False)
    return tmp_path / "arc"


def test_eval_arc_glue_on_a_built_data_set(tmp_path):
    """With the data set's own label rows as predictions every task passes; with rows shifted none does."""
    from reasonkit.eval.evaluate import load_examples
    from reasonkit.eval.inference import InferenceResult
    from reasonkit.eval.vote import variant_scores
    from reasonkit.tasks import get_task

    _tiny_arc(tmp_path)
    ex = load_examples(tmp_path / "arc", "test")
    right = InferenceResult(np.where(ex.labels < 0, 0, ex.labels), np.ones(len(ex)), np.full(len(ex), 0.5), 1.0, 1)
    scores = variant_scores(get_task("arc"), tmp_path / "arc", right)
    assert scores["tasks"] == 3 and scores["pass@1"] == 1.0
    wrong = InferenceResult(np.roll(right.predictions, 1, axis=0), right.steps, right.confidence, 1.0, 1)
    assert variant_scores(get_task("arc"), tmp_path / "arc", wrong)["pass@1"] < 1.0


def test_eval_command_reports_pass_at_k_on_arc_data(tmp_path, capsys):
    import json

    import torch

    from reasonkit import build
    from reasonkit.checkpoint import save_checkpoint
    from reasonkit.cli import main
    from reasonkit.data.io import load_metadata

    data = _tiny_arc(tmp_path)
    meta = load_metadata(data, "test")
    torch.manual_seed(0)
    model = build(
        "hrm-tiny",
        vocab_size=12,
        seq_len=900,
        num_puzzle_ids=meta.num_puzzle_identifiers,
        task="arc",
        **{"halting.max_steps": 1},
    )
    save_checkpoint(
        tmp_path / "run",
        1,
        spec_json=model.spec.model_dump_json(),
        model_state=model.state_dict(),
        trainer_state={"step": 1},
    )
    assert main(["eval", str(tmp_path / "run"), "--data", str(data)]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["tasks"] == 3 and {"pass@1", "pass@2", "pass@10"} <= set(metrics)
    # rollouts and the canvas symmetries on each row, then the data set's variants voted as before
    assert main(["eval", str(tmp_path / "run"), "--data", str(data), "--rollouts", "2", "--tta", "2"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["candidates"] == 4 and metrics["tasks"] == 3 and "pass@2" in metrics


def test_limited_evaluation_scores_only_the_evaluated_tasks(tmp_path):
    """With --limit, tasks without any evaluated row are left out of pass@k and tasks_scored says how many count."""
    from reasonkit.eval.evaluate import load_examples
    from reasonkit.eval.inference import InferenceResult
    from reasonkit.eval.vote import variant_scores
    from reasonkit.tasks import get_task
    from reasonkit.tasks.arc import eval_examples

    _tiny_arc(tmp_path)
    ex = load_examples(tmp_path / "arc", "test")
    rows = [e for set_name in ex.meta.sets for e in eval_examples(tmp_path / "arc", set_name)]
    first = rows[0].task
    n = max(i for i, e in enumerate(rows) if e.task == first) + 1  # every row of the first task, nothing else
    assert all(e.task == first for e in rows[:n]) and n < len(rows)
    labels = np.where(ex.labels < 0, 0, ex.labels)[:n]
    limited = InferenceResult(labels, np.ones(n), np.full(n, 0.5), 1.0, 1)
    scores = variant_scores(get_task("arc"), tmp_path / "arc", limited)
    assert scores["tasks"] == 3 and scores["tasks_scored"] == 1 and scores["pass@1"] == 1.0
