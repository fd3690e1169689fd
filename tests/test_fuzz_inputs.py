"""Fuzzing the boundaries: damaged data sets and checkpoints end as one clear reasonkit error, never a traceback,
and nothing outside the run directory is written.

Each example copies a good data set and checkpoint, damages one file (truncation, a flipped byte, an edited or
removed JSON field, a removed file) and runs the command line on it. The command either succeeds (a flipped byte
inside the token data can leave a valid data set) or fails with one line and the exit code of a ReasonkitError.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reasonkit import build
from reasonkit.checkpoint import save_checkpoint
from reasonkit.cli import main
from reasonkit.errors import EXIT_CODES
from reasonkit.tasks import get_task

CODES = set(EXIT_CODES.values())


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A tiny 4x4 Sudoku data set and a checkpoint of a tiny model for it."""
    root = tmp_path_factory.mktemp("good")
    get_task("sudoku", size=4, train_size=12, test_size=6, aug=1).build(root / "data", progress=False)
    torch.manual_seed(0)
    model = build("hrm-tiny", vocab_size=6, seq_len=16, task="sudoku", **{"halting.max_steps": 2})
    save_checkpoint(
        root / "run",
        1,
        spec_json=model.spec.model_dump_json(),
        model_state=model.state_dict(),
        trainer_state={"step": 1},
    )
    return root


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _damage(path: Path, how: str, data) -> None:
    """Damage one file in place."""
    raw = path.read_bytes()
    if how == "truncate":
        path.write_bytes(raw[: data.draw(st.integers(0, max(0, len(raw) - 1)), label="length")])
    elif how == "flip":
        if not raw:
            return
        at = data.draw(st.integers(0, len(raw) - 1), label="offset")
        bit = 1 << data.draw(st.integers(0, 7), label="bit")
        path.write_bytes(raw[:at] + bytes([raw[at] ^ bit]) + raw[at + 1 :])
    elif how == "remove":
        path.unlink()
    elif how == "edit":
        try:
            record = json.loads(raw)
        except ValueError:
            return
        if not isinstance(record, dict) or not record:
            return
        key = data.draw(st.sampled_from(sorted(record)), label="key")
        value = data.draw(
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(-3, 10**6),
                st.floats(allow_nan=True),
                st.text(max_size=5),
                st.lists(st.integers(), max_size=2),
            ),
            label="value",
        )
        if data.draw(st.booleans(), label="drop key"):
            del record[key]
        else:
            record[key] = value
        path.write_text(json.dumps(record))


def _run(argv: list[str], capsys) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 0 or code in CODES, (code, err)
    if code:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"reasonkit {argv[0]}: error: "), err


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.data())
def test_damaged_data_set(good, data, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(good / "data", work / "data")
        files = sorted(p for p in (work / "data").rglob("*") if p.is_file())
        target = data.draw(st.sampled_from(files), label="file")
        how = data.draw(st.sampled_from(["truncate", "flip", "remove", "edit"]), label="damage")
        _damage(target, how, data)
        before = _snapshot(work / "data")
        _run(["eval", str(good / "run"), "--data", str(work / "data"), "--out", str(work / "out" / "m.json")], capsys)
        assert _snapshot(work / "data") == before, "the data set was changed"
        assert {p.name for p in work.iterdir()} <= {"data", "out"}, "something was written outside the output"


@FUZZ
@given(data=st.data())
def test_damaged_checkpoint(good, data, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(good / "run", work / "run")
        files = sorted(p for p in (work / "run").rglob("*") if p.is_file())
        target = data.draw(st.sampled_from(files), label="file")
        how = data.draw(st.sampled_from(["truncate", "flip", "remove", "edit"]), label="damage")
        _damage(target, how, data)
        before = _snapshot(work / "run")
        _run(["eval", str(work / "run"), "--data", str(good / "data"), "--out", str(work / "out" / "m.json")], capsys)
        assert _snapshot(work / "run") == before, "the checkpoint was changed"
        assert {p.name for p in work.iterdir()} <= {"run", "out"}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_training_on_a_damaged_data_set(good, data, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(good / "data", work / "data")
        files = sorted(p for p in (work / "data").rglob("*") if p.is_file() and p.suffix in (".npy", ".json"))
        target = data.draw(st.sampled_from(files), label="file")
        _damage(target, data.draw(st.sampled_from(["truncate", "flip", "remove", "edit"]), label="damage"), data)
        before = _snapshot(work / "data")
        _run(
            [
                "train",
                f"data_dir={work / 'data'}",
                f"out_dir={work / 'runs' / 'r'}",
                "model=hrm-tiny",
                "total_steps=1",
                "global_batch_size=4",
                "progress=false",
                "model.halting.max_steps=1",
            ],
            capsys,
        )
        assert _snapshot(work / "data") == before
        assert {p.name for p in work.iterdir()} <= {"data", "runs"}
