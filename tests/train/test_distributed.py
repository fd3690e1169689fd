"""Two processes with gloo on the CPU (torchrun) give the same parameters as one process on the same global batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from toy_data import make_dataset

from reasonkit.checkpoint import load_checkpoint

SCRIPT = Path(__file__).parent / "train_script.py"


def _config(data, out):
    # exploration 0: each rank draws its own exploration randomness, which a single process cannot reproduce.
    return json.dumps(
        dict(
            data_dir=str(data),
            model="hrm-tiny",
            out_dir=str(out),
            global_batch_size=8,
            total_steps=4,
            lr=1e-3,
            weight_decay=0.1,
            puzzle_lr=1e-2,
            lr_warmup_steps=1,
            progress=False,
            precision="float32",
            model_overrides={"halting.exploration": 0.0, "seq_len": 16},
        )
    )


def test_two_gloo_processes_equal_one_process(tmp_path):
    data = make_dataset(tmp_path / "data", num_ids=3)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    single = subprocess.run(
        [sys.executable, str(SCRIPT), _config(data, tmp_path / "one")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert single.returncode == 0, single.stderr[-3000:]
    double = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc-per-node",
            "2",
            str(SCRIPT),
            _config(data, tmp_path / "two"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert double.returncode == 0, double.stderr[-3000:]
    one, two = load_checkpoint(tmp_path / "one"), load_checkpoint(tmp_path / "two")
    assert two.meta["world_size"] == 2 and one.meta["step"] == two.meta["step"] == 4
    for key, value in one.model_state.items():
        torch.testing.assert_close(
            two.model_state[key], value, atol=2e-5, rtol=1e-4, msg=lambda m, key=key: f"{key}: {m}"
        )
    assert not torch.equal(
        one.model_state["embedding.puzzle.weight"], torch.zeros_like(one.model_state["embedding.puzzle.weight"])
    )
    # The carry saved by the two ranks, concatenated, equals the single process's carry.
    for key, value in one.trainer_state["carry"].items():
        torch.testing.assert_close(two.trainer_state["carry"][key].to(value.dtype), value, atol=2e-5, rtol=1e-4)
    # Only rank 0 wrote: one metrics file, one line per step.
    records = [json.loads(line) for line in (tmp_path / "two" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if r["kind"] == "train"] == [1, 2, 3, 4]


def test_batch_not_divisible_by_world_size_is_a_clear_error(tmp_path, monkeypatch):
    from reasonkit.train import Recipe, TrainConfig

    monkeypatch.setenv("WORLD_SIZE", "2")
    cfg = TrainConfig(**{**json.loads(_config(tmp_path / "data", tmp_path / "x")), "global_batch_size": 7})
    with pytest.raises(ValueError, match="global_batch_size 7 is not divisible by the 2 processes"):
        Recipe(cfg).run()
    assert not (tmp_path / "x").exists()
