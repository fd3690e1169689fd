"""Every benchmark script runs for one tiny iteration and prints what it promises, so none can rot.

No timing is asserted: the figures belong in benchmarks/README.md, measured on a named machine. The reference
side of train_vs_reference.py runs when a reference checkout is found (``.ref/`` or /work/ref), else reasonkit
alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
from _common import default_reference_path  # noqa: E402

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(BENCH.parent)}


def run(script: str, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args], env=ENV, capture_output=True, text=True, timeout=timeout
    )
    return done


def json_out(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("[!_]*.py")))
def test_every_benchmark_has_help(script):
    done = run(script, "--help", timeout=120)
    assert done.returncode == 0 and "usage" in done.stdout, done.stderr[-2000:]


def test_train_vs_reference_runs_one_step_per_side():
    sides = "reasonkit,reasonkit-eager"
    if default_reference_path("hrm"):
        sides += ",reference"
    out = json_out(
        run(
            "train_vs_reference.py",
            *"--model hrm-tiny --batch 2 --rounds 1 --reps 1 --threads 1".split(),
            "--sides",
            sides,
        )
    )
    assert set(out["sides"]) == set(sides.split(","))
    assert out["step_gflop"] > 0 and out["matmul_gflops"] > 0
    for entry in out["sides"].values():
        assert entry["n"] == 1 and entry["max_loss_diff"] < 1e-4
    if "reference" in out["sides"]:
        assert "reasonkit/reference" in out["ratios"]


def test_profile_step_accounts_for_the_step():
    out = json_out(run("profile_step.py", "--model", "hrm-tiny", "--batch", "2", "--steps", "1", "--threads", "1"))
    assert out["share"] and 0 <= out["python_and_overhead_share"] <= 1


def test_memory_cycles_reports_every_estimator(tmp_path):
    plot = tmp_path / "memory.png"
    out = json_out(
        run("memory_cycles.py", *"--preset hrm-tiny --seq 8 --cycles 1,2 --threads 1".split(), "--plot", str(plot))
    )
    assert set(out["peak_mib"]) == {"one_step", "last_cycle", "truncated", "bptt"}
    peaks = out["peak_mib"]
    assert all(len(e["peak"]) == 2 and min(e["peak"]) > 0 for e in peaks.values())
    assert peaks["bptt"]["peak"][1] > peaks["bptt"]["peak"][0]  # backprop through every update keeps them all
    assert peaks["one_step"]["largest_over_smallest"] < peaks["bptt"]["largest_over_smallest"]
    assert plot.stat().st_size > 0


def test_cost_growth_fits_exponents():
    args = "--preset hrm-tiny --batches 1,4 --batch-seq 8 --seqs 8,32 --seq-batch 1 --reps 1 --threads 1"
    out = json_out(run("cost_growth.py", *args.split()))
    batch, seq = out["batch"]["points"], out["seq"]["points"]
    assert [p["batch"] for p in batch] == [1, 4] and [p["seq"] for p in seq] == [8, 32]
    assert 3.9 < batch[1]["gflop"] / batch[0]["gflop"] < 4.1  # FLOPs are linear in the batch
    assert seq[1]["gflop"] / seq[0]["gflop"] > 3  # and at least linear in the length
    assert all(isinstance(out[k]["exponent"], float) for k in ("batch", "seq"))


def test_layer_ops_compare_equal_results():
    done = run("layer_ops.py", *"--batch 1 --rounds 1 --calls 1 --threads 1 --preset hrm-tiny".split())
    assert done.returncode == 0, done.stderr[-3000:]
    rotary, optimizer = (json.loads(line) for line in done.stdout.splitlines())
    assert rotary["op"] == "rotary" and rotary["bit_identical"]
    assert optimizer["op"] == "adam_atan2_step" and optimizer["values"] == 132610 and optimizer["max_param_diff"] < 1e-6


def test_train_step_benchmark_runs():
    done = run("train_step.py", "--preset", "hrm-tiny", "--batch", "2", "--seq", "8", "--steps", "1", "--threads", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[0])["steps_per_second"] > 0


def test_data_generation_benchmark_runs(tmp_path):
    done = run("data_generation.py", "sudoku-hard", "--count", "2", "--min-rating", "0", "--workers", "1",
               "--out", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1])


def test_eval_early_exit_benchmark_runs(tmp_path):
    from toy_data import make_dataset

    data = make_dataset(tmp_path / "data", num_ids=3)
    config = dict(
        data_dir=str(data),
        model="hrm-tiny",
        out_dir=str(tmp_path / "run"),
        global_batch_size=8,
        total_steps=1,
        progress=False,
        precision="float32",
        final_eval=False,
        model_overrides={"seq_len": 16},
    )
    script = Path(__file__).parent / "train" / "train_script.py"
    trained = subprocess.run(
        [sys.executable, str(script), json.dumps(config)], env=ENV, capture_output=True, text=True, timeout=300
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    done = run("eval_early_exit.py", str(tmp_path / "run"), "--data", str(data), "--limit", "4", "--batch-size", "4",
               "--threads", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "speedup" in json.loads(done.stdout.splitlines()[-1])


def test_gpu_check_fails_clearly_without_a_gpu(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: benchmarks/gpu_check.py is run by hand there")
    done = run("gpu_check.py", "--out", str(tmp_path / "gpu.json"), timeout=120)
    assert done.returncode == 2 and "no CUDA device" in done.stderr
    assert "no CUDA device" in json.loads((tmp_path / "gpu.json").read_text())["error"]


def test_independent_mazes_are_long_enough_and_the_checker_accepts_only_shortest_paths(tmp_path):
    import csv

    styles = "prim,prim_loops,dfs,dfs_loops,division,open_walls,dense_walls"
    out = tmp_path / "m.csv"
    summary = json_out(run("independent_mazes.py", "generate", "--out", str(out), "--n", "14", "--styles", styles))
    assert set(summary) == set(styles.split(",")) and all(s["n"] == 2 for s in summary.values())
    assert min(s["mean_len"] for s in summary.values()) >= 20 and summary["prim"]["several_shortest"] == 0.0
    rows = list(csv.DictReader(out.open()))
    rows[0]["prediction"] = rows[0]["answer"].replace("o", " ", 1)  # one path cell missing
    rows[1]["prediction"] = rows[1]["answer"].replace(" ", "o", 1)  # one cell too many
    for row in rows[2:]:
        row["prediction"] = row["answer"]  # the label: one shortest path
    for row in rows:
        row["correct"] = "1"
    with (tmp_path / "p.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    scored = json_out(run("independent_mazes.py", "check", str(tmp_path / "p.csv")))
    assert scored["count"] == 14 and scored["exact"] == round(12 / 14, 4)
    assert scored["agrees_with_correct_column"] == [12, 14]
