"""Smoke test of benchmarks/test_time.py: one tiny iteration on a tiny checkpoint and data set (no timings)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import torch

from reasonkit import build
from reasonkit.checkpoint import save_checkpoint
from reasonkit.data import load_metadata
from reasonkit.tasks import get_task

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "test_time.py"


def test_the_benchmark_runs_and_writes_its_table(tmp_path, capsys):
    data = tmp_path / "data"
    get_task("sudoku").tiny().build(data, progress=False)
    meta = load_metadata(data, "test")
    torch.manual_seed(0)
    sizes = {"seq_len": meta.seq_len, "vocab_size": meta.vocab_size, "num_puzzle_ids": meta.num_puzzle_identifiers}
    model = build("hrm-tiny", task="sudoku", **sizes)
    state = model.state_dict()
    save_checkpoint(tmp_path / "run", 1, spec_json=model.spec.model_dump_json(), model_state=state, trainer_state={})
    spec = importlib.util.spec_from_file_location("bench_test_time", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    argv = [str(tmp_path / "run"), "--data", str(data), "--limit", "3", "--rollouts", "1,2", "--sigmas", "0.5"]
    argv += ["--tta", "1,2", "--combine", "2", "--max-steps", "2", "--table", str(tmp_path / "table.md")]
    assert bench.main(argv) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rows, summary = lines[:-1], lines[-1]
    methods = ["plain"] + ["rollouts"] * 3 + ["tta"] + ["rollouts+tta"] * 2  # K=2 rows: max_q and vote
    assert [r["method"] for r in rows] == methods
    assert rows[0]["failure_ratio"] in (1.0, None) and rows[0]["cost_ratio"] == 1.0
    assert {r["select"] for r in rows if r["rollouts"] == 2} == {"max_q", "vote"}
    assert rows[-1]["rollouts"] == 2 and rows[-1]["tta"] == 2 and rows[-1]["segments_per_puzzle"] == 4 * 2
    assert summary["best_noise"] == 0.5 and summary["task"] == "sudoku" and summary["puzzles"] == 3
    table = (tmp_path / "table.md").read_text().splitlines()
    assert table[0].startswith("| method |") and len(table) == 2 + len(rows)
