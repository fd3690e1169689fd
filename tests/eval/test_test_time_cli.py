"""Rollouts and augmentation voting from `reasonkit eval` and `reasonkit predict`, and in evaluate's metrics."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from toy_data import make_dataset

from reasonkit import build
from reasonkit.checkpoint import save_checkpoint
from reasonkit.cli import main
from reasonkit.eval import TestTime, evaluate, infer
from reasonkit.tasks import get_task


def _checkpoint(tmp_path, **overrides):
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=16, num_puzzle_ids=3, task="sudoku", **overrides).eval()
    with torch.no_grad():
        if model.halting.head is not None:
            model.halting.head.weight.normal_()
    save_checkpoint(
        tmp_path / "run", 5, spec_json=model.spec.model_dump_json(), model_state=model.state_dict(), trainer_state={}
    )
    return model


def test_eval_reports_the_selected_answer_pass_at_k_and_the_cost(tmp_path):
    model = _checkpoint(tmp_path)
    data = make_dataset(tmp_path / "data")
    argv = ["eval", str(tmp_path / "run"), "--data", str(data), "--limit", "6", "--batch-size", "5"]
    assert main(argv + ["--rollouts", "3", "--noise", "0.5", "--select", "vote", "--tta", "2", "--seed", "1"]) == 0
    out = tmp_path / "run" / "checkpoints" / "step_000000005" / "eval-test-rollouts3-noise0.5-vote-tta2-seed1.json"
    metrics = json.loads(out.read_text())
    assert metrics["candidates"] == 6 and metrics["test_time"]["select"] == "vote"
    assert metrics["oracle_exact_accuracy"] >= metrics["exact_accuracy"]
    assert metrics["segments_per_puzzle"] == 6 * 4  # every candidate ran the maximum of 4 segments
    tt = TestTime(3, 0.5, "vote", tta=2, seed=1)
    direct, result, examples = evaluate(model, data, limit=6, batch_size=5, test_time=tt)
    assert direct["exact_accuracy"] == metrics["exact_accuracy"]
    right = [(c == examples.labels[i]) | (examples.labels[i] < 0) for i, c in enumerate(result.candidates)]
    assert direct["oracle_exact_accuracy"] == np.mean([r.all(-1).any() for r in right])
    plain, _, _ = evaluate(model, data, limit=6, batch_size=5)
    assert plain["candidates"] == 1 and plain["oracle_exact_accuracy"] == plain["exact_accuracy"]
    assert plain["segments_per_puzzle"] == plain["mean_steps"] == 4


def test_predict_with_rollouts(tmp_path):
    model = _checkpoint(tmp_path)
    puzzles = tmp_path / "p.csv"
    puzzles.write_text("question,answer\n1.3..2..4..3.1..,1234341221434321\n................,\n")
    out = tmp_path / "preds.csv"
    argv = ["predict", str(tmp_path / "run"), "--input", str(puzzles), "--out", str(out)]
    assert main(argv + ["--rollouts", "4", "--noise", "0.3", "--tta", "3"]) == 0
    rows = list(csv.DictReader(open(out)))
    task = get_task("sudoku")
    tokens = np.stack([task.encode(r["question"], 16) for r in rows])
    want = infer(model, tokens, test_time=TestTime(4, 0.3, tta=3), task=task)
    assert [r["prediction"] for r in rows] == [task.decode(p) for p in want.predictions]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--rollouts", "0"], "--rollouts: must be at least 1, got 0"),
        (["--noise", "-1"], "--noise: must be a finite number of at least 0, got -1"),
        (["--tta", "0"], "--tta: must be at least 1, got 0"),
        (["--select", "best"], "--select: invalid choice: 'best'"),
        (["--seed", "-2"], "--seed: must be at least 0, got -2"),
    ],
)
def test_bad_values_are_refused_by_the_command(tmp_path, capsys, extra, message):
    _checkpoint(tmp_path)
    data = make_dataset(tmp_path / "data")
    with pytest.raises(SystemExit) as info:
        main(["eval", str(tmp_path / "run"), "--data", str(data)] + extra)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_max_q_with_fixed_halting_is_one_clear_error(tmp_path, capsys):
    _checkpoint(tmp_path, halting="fixed")
    data = make_dataset(tmp_path / "data")
    argv = ["eval", str(tmp_path / "run"), "--data", str(data), "--limit", "4", "--rollouts", "2", "--noise", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "select=max_q needs a halting confidence, which the FixedHalting policy lacks; use select=vote" in err
    assert len(err.strip().splitlines()) == 1
    assert main(argv + ["--select", "vote"]) == 0
