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
