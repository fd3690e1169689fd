"""Resumable checkpoints: a run killed with SIGKILL while writing a checkpoint resumes from the previous one and,
on the CPU, continues with exactly the same per-step losses as an uninterrupted run."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from toy_data import make_dataset

from reasonkit.checkpoint import (
    FORMAT_VERSION,
    CheckpointError,
    clean_partial,
    latest_checkpoint,
    list_checkpoints,
    load_checkpoint,
    load_model,
    save_checkpoint,
)

SCRIPT = Path(__file__).parent / "train_script.py"
TOTAL = 10


def _config(data, out, **extra):
    cfg = dict(
        data_dir=str(data),
        model="hrm-tiny",
        out_dir=str(out),
        global_batch_size=8,
        total_steps=TOTAL,
        checkpoint_every=3,
        keep_last=2,
        lr=1e-3,
        weight_decay=0.1,
        puzzle_lr=1e-2,
        lr_warmup_steps=2,
        lr_min_ratio=0.1,
        progress=False,
        precision="float32",
        ema=0.9,
        model_overrides={"halting.exploration": 0.5},
    )
    cfg.update(extra)
    return json.dumps(cfg)


def _run(cfg, env=None, wait=True):
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), cfg], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if wait:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
    return proc


def _losses(run_dir):
    seen: dict[int, list[float]] = {}
    for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec["kind"] == "train":
            seen.setdefault(rec["step"], []).append(rec["loss"])
    return seen


def test_kill_during_checkpoint_write_then_resume_gives_identical_losses(tmp_path):
    data = make_dataset(tmp_path / "data")
    _run(_config(data, tmp_path / "a"))
    reference = _losses(tmp_path / "a")
    assert sorted(reference) == list(range(1, TOTAL + 1))

    marker = tmp_path / "marker"
    proc = _run(
        _config(data, tmp_path / "b"), env={"RK_TEST_SLOW_RENAME_STEP": "6", "RK_TEST_MARKER": str(marker)}, wait=False
    )
    deadline = time.time() + 240
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read()[-3000:]
        assert time.time() < deadline, "the run never reached the checkpoint of step 6"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The step-6 checkpoint was fully written to a temporary directory but never renamed: it does not count.
    assert Path(marker.read_text()).exists()
    assert [s for s, _ in list_checkpoints(tmp_path / "b")] == [3]

    _run(_config(data, tmp_path / "b"))  # resume=auto
    resumed = _losses(tmp_path / "b")
    assert sorted(resumed) == sorted(reference)
    for step, values in resumed.items():
        assert all(v == reference[step][0] for v in values), (step, values, reference[step])
    assert not any(p.name.startswith(".tmp-") for p in (tmp_path / "b" / "checkpoints").iterdir())
    assert [s for s, _ in list_checkpoints(tmp_path / "b")] == [9, 10]  # keep_last=2
    a, b = load_checkpoint(tmp_path / "a"), load_checkpoint(tmp_path / "b")
    for key, value in a.model_state.items():
        assert torch.equal(value, b.model_state[key]), key


def _tiny_checkpoint(tmp_path, **overrides):
    from reasonkit import build

    model = build("hrm-tiny", seq_len=16, **overrides)
    path = save_checkpoint(
        tmp_path, 1, spec_json=model.spec.model_dump_json(), model_state=model.state_dict(), trainer_state={"step": 1}
    )
    return model, path


def test_checkpoint_rebuilds_its_model_without_unpickling(tmp_path):
    model, path = _tiny_checkpoint(tmp_path)
    loaded, ckpt = load_model(tmp_path)
    assert ckpt.path == path and loaded.spec == model.spec
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key])
    # trainer.pt is read with weights_only=True: an arbitrary pickled object is refused, and the message never
    # advises weights_only=False (which would run the payload).
    torch.save({"step": 1, "evil": _Evil()}, path / "trainer.pt")
    with pytest.raises(CheckpointError, match="trainer.pt has .* bytes, .* were written: it is damaged"):
        load_checkpoint(path)
    meta = json.loads((path / "meta.json").read_text())
    meta["files"]["trainer.pt"] = {
        "bytes": (path / "trainer.pt").stat().st_size,
        "sha256": hashlib.sha256((path / "trainer.pt").read_bytes()).hexdigest(),
    }
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="objects other than tensors and plain values") as info:
        load_checkpoint(path)
    assert "weights_only" not in str(info.value)


class _Evil:
    pass


def test_newer_format_version_is_a_clear_error(tmp_path):
    _, path = _tiny_checkpoint(tmp_path)
    meta = json.loads((path / "meta.json").read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="newer than this reasonkit supports"):
        load_checkpoint(path)


def test_checkpoint_of_another_model_is_a_clear_error(tmp_path):
    from reasonkit import build
    from reasonkit.checkpoint import check_weights

    _, path = _tiny_checkpoint(tmp_path)
    other = build("hrm-tiny", seq_len=16, hidden_size=32, **{"core.high.num_heads": 2})
    with pytest.raises(CheckpointError, match="from another model"):
        check_weights(other, load_checkpoint(path).model_state, path)


def test_partial_checkpoints_are_ignored_and_cleaned(tmp_path):
    _, path = _tiny_checkpoint(tmp_path)
    partial = path.parent / ".tmp-step_000000002-123"
    partial.mkdir()
    (partial / "model.safetensors").write_bytes(b"\0" * 10)
    assert latest_checkpoint(tmp_path) == path
    clean_partial(tmp_path)
    assert not partial.exists()
