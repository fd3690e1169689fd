"""Logging: JSONL records, optional sinks fail clearly when their package is missing."""

from __future__ import annotations

import importlib.util
import json

import pytest

from reasonkit.train.logging import MissingSinkError, RunLogger


def test_jsonl_records_append(tmp_path):
    log = RunLogger(tmp_path, total_steps=3, progress=True)
    log.log(1, {"loss": 1.5, "accuracy": 0.25})
    log.log(2, {"loss": float("nan")})
    log.close()
    log = RunLogger(tmp_path, total_steps=3, progress=False, initial_step=2)
    log.log(3, {"loss": 1.0}, kind="eval")
    log.close()
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [(r["step"], r["kind"]) for r in lines] == [(1, "train"), (2, "train"), (3, "eval")]
    assert lines[1]["loss"] == "nan"


@pytest.mark.skipif(importlib.util.find_spec("tensorboard") is not None, reason="tensorboard is installed")
def test_tensorboard_missing_is_a_clear_error(tmp_path):
    with pytest.raises(MissingSinkError, match="pip install tensorboard"):
        RunLogger(tmp_path / "run", total_steps=1, tensorboard=True)
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(importlib.util.find_spec("wandb") is not None, reason="wandb is installed")
def test_wandb_missing_is_a_clear_error(tmp_path):
    with pytest.raises(MissingSinkError, match="pip install wandb"):
        RunLogger(tmp_path / "run", total_steps=1, wandb=True)


def test_only_rank_zero_writes(tmp_path):
    log = RunLogger(tmp_path / "run", total_steps=1, enabled=False, tensorboard=True, wandb=True)
    log.log(1, {"loss": 1.0})
    log.close()
    assert not (tmp_path / "run").exists()


def test_log_lines_average_their_window_and_weight_counted_metrics(tmp_path):
    from types import SimpleNamespace

    from reasonkit.train import LogMetrics

    log = RunLogger(tmp_path, total_steps=4, progress=False)
    recipe = SimpleNamespace(logger=log, total_steps=4)
    callback = LogMetrics(every=2)
    steps = [  # fixed halting: only some steps halt sequences
        {"loss": 2.0, "lm_loss": 1.0, "exact_accuracy": 0.0, "count": 0.0, "lr": 1e-3},
        {"loss": 1.0, "lm_loss": 0.5, "exact_accuracy": 0.5, "count": 4.0, "lr": 2e-3},
        {"loss": 3.0, "lm_loss": 1.5, "exact_accuracy": 0.0, "count": 0.0, "lr": 3e-3},
        {"loss": 1.0, "lm_loss": 0.5, "exact_accuracy": 0.0, "count": 0.0, "lr": 4e-3},
    ]
    for step, metrics in enumerate(steps, 1):
        callback.on_step_end(recipe, step, metrics)
    log.close()
    one, two = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert (one["step"], one["loss"], one["lm_loss"], one["count"], one["lr"]) == (2, 1.5, 0.75, 4.0, 2e-3)
    assert one["exact_accuracy"] == 0.5  # the count-weighted mean, not diluted by the step that halted nothing
    assert (two["step"], two["loss"], two["count"]) == (4, 2.0, 0.0)
    assert "exact_accuracy" not in two  # nothing halted in this window: no accuracy rather than a false 0


def test_plain_lines_in_a_file_are_sparse_and_show_the_mean_since_the_previous_line(tmp_path, capsys):
    log = RunLogger(tmp_path, total_steps=40, progress=True)  # standard error is captured: not a terminal
    log.log(1, {"loss": 1.0, "accuracy": 0.5, "exact_accuracy": 0})
    log.log(2, {"loss": 3.0})  # a step where no sequence halted has no accuracy: the line keeps step 1's
    log.log(3, {"loss": 5.0, "accuracy": 1.0})
    log.log(4, {"loss": 7.0, "accuracy": 0.0})
    log.close()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "\r" not in "".join(lines)
    assert lines[0].startswith("step 2/40 loss 2 accuracy 0.5 exact_accuracy 0 ")
    assert lines[1].startswith("step 4/40 loss 6 accuracy 0.5 ")
    assert "exact_accuracy" not in lines[1] and "steps/s eta" in lines[1]
