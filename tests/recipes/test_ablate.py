"""reasonkit ablate: a grid on a recipe, each run in its own directory, skipped when done, one results table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from reasonkit.cli import main
from reasonkit.errors import ConfigError
from reasonkit.train.ablate import Ablation, grid_from_settings, summarise

RECIPE = str(Path(__file__).resolve().parents[2] / "recipes" / "sudoku_extreme.py")


def test_axes_and_fixed_settings_are_routed():
    axes, fixed = grid_from_settings(["gradient=one_step,bptt", "seed=0,1", "lr=3e-3", "halting.max_steps=2"])
    assert axes == {"model.gradient": ["one_step", "bptt"], "seed": [0, 1]}
    assert fixed == ["lr=3e-3", "model.halting.max_steps=2"]
    with pytest.raises(ConfigError, match="needs at least one axis"):
        grid_from_settings(["lr=1"])


def test_switching_a_kind_keeps_the_fields_both_kinds_have(tmp_path):
    from reasonkit.train import TrainConfig

    base = TrainConfig(data_dir="d", model="hrm-tiny", model_overrides={"halting.max_steps": 3})
    runs = Ablation(base, {"model.halting": ["fixed", "act"]}, tmp_path).runs()
    halting = [config.model_overrides["halting"] for _, config in runs]
    assert halting == [{"kind": "fixed", "max_steps": 3}, {"kind": "act", "max_steps": 3}]
    assert [Path(c.resolved_out_dir).name for _, c in runs] == ["halting=fixed", "halting=act"]


def test_summary_is_mean_and_spread_over_seeds():
    rows = [
        {
            "gradient": "a",
            "seed": s,
            "exact_accuracy": v,
            "token_accuracy": 1.0,
            "mean_steps": 2.0,
            "early_exit_accuracy": None,
            "early_exit_steps": None,
        }
        for s, v in ((0, 0.5), (1, 0.7))
    ]
    (entry,) = summarise(rows, ["gradient"])
    assert entry["runs"] == 2 and entry["exact_accuracy"] == pytest.approx(0.6)
    assert entry["exact_accuracy_std"] == pytest.approx(0.1414213, rel=1e-5) and entry["early_exit_accuracy"] is None


def _tiny_grid(tmp_path, *settings: str) -> list[str]:
    """``reasonkit ablate`` on the Sudoku demo over gradient=one_step,bptt, 2 steps on a tiny 4x4 data set."""
    task = json.dumps({"kind": "sudoku", "size": 4, "train_size": 12, "test_size": 6, "aug": 1})
    return [
        "ablate",
        RECIPE,
        "--demo",
        "gradient=one_step,bptt",
        f"task={task}",
        f"data_dir={tmp_path / 'data'}",
        "total_steps=2",
        "global_batch_size=4",
        "eval_every=null",
        "checkpoint_every=null",
        "progress=false",
        *settings,
    ]


def test_a_grid_runs_resumes_and_writes_the_table(tmp_path, capsys):
    argv = _tiny_grid(tmp_path, "seed=0,1", "--out", str(tmp_path / "grid"))
    assert main(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "| gradient | runs | exact accuracy |" in out
    with open(tmp_path / "grid" / "runs.csv") as f:
        runs = list(csv.DictReader(f))
    assert [(r["gradient"], r["seed"]) for r in runs] == [
        ("one_step", "0"),
        ("one_step", "1"),
        ("bptt", "0"),
        ("bptt", "1"),
    ]
    with open(tmp_path / "grid" / "results.csv") as f:
        summary = list(csv.DictReader(f))
    assert [(r["gradient"], r["runs"]) for r in summary] == [("one_step", "2"), ("bptt", "2")]
    assert (tmp_path / "grid" / "results.png").stat().st_size > 0
    assert (tmp_path / "grid" / "gradient=bptt-seed=1" / "final_eval.json").is_file()
    stamp = (tmp_path / "grid" / "gradient=bptt-seed=1" / "final_eval.json").stat().st_mtime_ns
    assert main(argv) == 0  # every run is done: skipped, the table written again
    assert "ablation run" not in capsys.readouterr().out
    assert (tmp_path / "grid" / "gradient=bptt-seed=1" / "final_eval.json").stat().st_mtime_ns == stamp


def test_jobs_run_the_grid_in_parallel_processes_with_the_sequential_results(tmp_path, capsys):
    common = _tiny_grid(tmp_path, "threads=1", "scaling=[1,2]", "--no-plot")
    assert main([*common, "--out", str(tmp_path / "seq")]) == 0
    assert main([*common, "--jobs", "2", "--out", str(tmp_path / "par")]) == 0, capsys.readouterr().err
    for name in ("gradient=one_step", "gradient=bptt"):
        seq = json.loads((tmp_path / "seq" / name / "final_eval.json").read_text())
        par = json.loads((tmp_path / "par" / name / "final_eval.json").read_text())
        assert seq["scaling"] == par["scaling"] and seq["full"]["exact_accuracy"] == par["full"]["exact_accuracy"]
    assert (tmp_path / "seq" / "runs.csv").read_text() == (tmp_path / "par" / "runs.csv").read_text()
    assert main([*common, "--jobs", "0", "--out", str(tmp_path / "bad")]) == 2
    assert "--jobs needs a whole number of at least 1, got '0'" in capsys.readouterr().err
