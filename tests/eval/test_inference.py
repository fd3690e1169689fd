"""Inference with refill and early exit; eval and predict commands; bad input."""

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
from reasonkit.eval import evaluate, infer
from reasonkit.eval.predict import solve_puzzle


def _model(**overrides):
    torch.manual_seed(0)
    return build("hrm-tiny", seq_len=16, num_puzzle_ids=3, task="sudoku", **overrides).eval()


def _reference_solve(model, inputs, ids, max_steps):
    """The reference's evaluation: every sequence of a fixed batch runs max_steps segments."""
    sol = model.solve(torch.as_tensor(inputs), torch.as_tensor(ids), max_steps=max_steps)
    return sol.predictions.numpy()


def test_full_length_inference_with_refill_equals_solving_whole_batches():
    model = _model()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 11, (11, 16)).astype(np.int32)
    ids = (np.arange(11) % 3).astype(np.int32)
    res = infer(model, x, ids, batch_size=4)
    np.testing.assert_array_equal(res.predictions, _reference_solve(model, x, ids, None))
    assert (res.steps == model.halting.max_steps).all()
    assert res.segments_run == 3 * model.halting.max_steps  # ceil(11 / 4) rounds of max_steps


def test_early_exit_equals_full_length_for_sequences_that_do_not_halt():
    model = _model()  # q head starts at bias -5 for both logits: q_halt > q_continue never holds
    x = np.random.default_rng(1).integers(0, 11, (6, 16)).astype(np.int32)
    full = infer(model, x, None, batch_size=4)
    early = infer(model, x, None, batch_size=4, early_exit=True)
    np.testing.assert_array_equal(early.predictions, full.predictions)
    np.testing.assert_array_equal(early.steps, full.steps)


def test_early_exit_refills_halted_slots():
    model = _model()
    with torch.no_grad():  # halt immediately for every sequence
        model.halting.head.bias.copy_(torch.tensor([5.0, -5.0]))
    x = np.random.default_rng(2).integers(0, 11, (10, 16)).astype(np.int32)
    res = infer(model, x, None, batch_size=4, early_exit=True)
    assert (res.steps == 1).all()
    assert res.segments_run == 3  # 10 sequences through 4 slots, one segment each
    one_by_one = [model.solve(torch.as_tensor(x[i : i + 1]), max_steps=1).predictions[0].numpy() for i in range(10)]
    np.testing.assert_array_equal(res.predictions, np.stack(one_by_one))


def test_max_steps_beyond_the_training_maximum():
    model = _model()
    x = np.random.default_rng(3).integers(0, 11, (3, 16)).astype(np.int32)
    res = infer(model, x, None, batch_size=2, max_steps=7)
    assert (res.steps == 7).all() and model.halting.max_steps == 4


@pytest.fixture()
def checkpoint(tmp_path):
    model = _model()
    path = save_checkpoint(
        tmp_path / "run",
        5,
        spec_json=model.spec.model_dump_json(),
        model_state=model.state_dict(),
        trainer_state={"step": 5},
    )
    return model, path


def test_eval_command_writes_metrics(tmp_path, checkpoint, capsys):
    model, path = checkpoint
    data = make_dataset(tmp_path / "data")
    out = tmp_path / "m.json"
    assert (
        main(
            [
                "eval",
                str(tmp_path / "run"),
                "--data",
                str(data),
                "--limit",
                "10",
                "--batch-size",
                "4",
                "--max-steps",
                "6",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    metrics = json.loads(out.read_text())
    assert metrics["count"] == 10 and metrics["mean_steps"] == 6.0 and metrics["step"] == 5
    assert set(metrics) >= {"exact_accuracy", "token_accuracy", "mean_steps", "count"}
    direct, _, _ = evaluate(model, data, "test", limit=10, batch_size=4, max_steps=6)
    assert direct["token_accuracy"] == pytest.approx(metrics["token_accuracy"])
    assert main(["eval", str(tmp_path / "run"), "--data", str(data), "--early-exit", "--limit", "4"]) == 0
    assert (path / "eval-test-early-exit.json").is_file()


def test_eval_bad_inputs(tmp_path, checkpoint, capsys):
    assert main(["eval", str(tmp_path / "run"), "--data", str(tmp_path / "nope")]) == 4  # a DataError
    assert "data directory" in capsys.readouterr().err
    data = make_dataset(tmp_path / "data", seq_len=9)
    assert main(["eval", str(tmp_path / "run"), "--data", str(data)]) == 4
    assert "seq_len 9 (model: 16)" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "elsewhere"), "--data", str(data)]) == 5  # a CheckpointError
    assert "does not exist" in capsys.readouterr().err


def test_predict_command_and_python_call(tmp_path, checkpoint):
    model, _ = checkpoint
    puzzles = tmp_path / "p.csv"
    with open(puzzles, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "question", "answer", "rating"])
        w.writerow(["x", "1.3..2..4..3.1..", "1234341221434321", "0"])
        w.writerow(["y", "................", "1234341221434321", "0"])
    out = tmp_path / "preds.csv"
    assert main(["predict", str(tmp_path / "run"), "--input", str(puzzles), "--out", str(out)]) == 0
    rows = list(csv.DictReader(open(out)))
    assert [r["source"] for r in rows] == ["x", "y"] and all(len(r["prediction"]) == 16 for r in rows)
    assert rows[0]["prediction"] == solve_puzzle(model, "1.3..2..4..3.1..")
    tokens = solve_puzzle(model, np.ones(16, np.int32))
    assert tokens.shape == (16,)
    with pytest.raises(ValueError, match="puzzle has 3 cells but the model takes 16"):
        solve_puzzle(model, "123")


def test_max_steps_below_one_is_refused(tmp_path, checkpoint, capsys):
    model, _ = checkpoint
    with pytest.raises(ValueError, match="max_steps must be at least 1"):
        infer(model, np.ones((2, 16), np.int32), max_steps=0)
    data = make_dataset(tmp_path / "data")
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(tmp_path / "run"), "--data", str(data), "--max-steps", "0"])
    assert exit_info.value.code == 2
    assert "--max-steps: must be at least 1, got 0" in capsys.readouterr().err


def test_eval_on_a_device_this_machine_lacks(tmp_path, checkpoint, capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    data = make_dataset(tmp_path / "data")
    assert main(["eval", str(tmp_path / "run"), "--data", str(data), "--device", "cuda"]) == 2
    assert "CUDA is not available" in capsys.readouterr().err


def test_predict_rows_with_empty_answer_or_wrong_length(tmp_path, checkpoint):
    from reasonkit.eval.predict import predict_csv

    model, _ = checkpoint
    puzzles = tmp_path / "p.csv"
    puzzles.write_text("source,question,answer\nx,1.3..2..4..3.1..,1234341221434321\ny,................\n")
    summary = predict_csv(model, puzzles, tmp_path / "out.csv")  # row y gives no answer: nothing to compare
    rows = list(csv.DictReader(open(tmp_path / "out.csv")))
    assert summary["count"] == 2 and summary["answered"] == 1 and rows[1]["correct"] == ""
    assert rows[0]["correct"] in ("0", "1")
    puzzles.write_text("source,question,answer\nx,1.3..2..4..3.1..,\ny,1.3..2..4..3.1...,\n")
    with pytest.raises(ValueError, match=r"p\.csv, row 3: puzzle has 17 cells but the model takes 16"):
        predict_csv(model, puzzles, tmp_path / "out.csv")


def test_predict_keeps_the_spaces_of_a_maze_answer(tmp_path):
    """A maze whose border cells are open starts or ends with spaces: they are cells, not padding."""
    from reasonkit.eval.predict import predict_csv

    model = build("trm-tiny", vocab_size=6, seq_len=9, task="maze")
    mazes = tmp_path / "m.csv"
    mazes.write_text('source,question,answer\nx,"   S   G ","   So  G "\n')
    summary = predict_csv(model, mazes, tmp_path / "out.csv")
    row = next(csv.DictReader(open(tmp_path / "out.csv")))
    assert summary["answered"] == 1 and len(row["prediction"]) == 9 and row["correct"] in ("0", "1")


def test_eval_help_names_both_default_outputs(capsys):
    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "eval-<split>.json" in text and "eval-<split>-early-exit.json" in text
