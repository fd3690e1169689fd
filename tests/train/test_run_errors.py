"""Bad input to a training run fails with a clear message before any work starts."""
from __future__ import annotations

import pytest

from reasonkit.train import CheckpointError, NonFiniteLossError, TrainConfig
from reasonkit.train.run import train
from toy_data import ToyLoader, make_dataset


def _cfg(tmp_path, data, **extra):
    base = dict(data_dir=str(data), model="hrm-tiny", out_dir=str(tmp_path / "run"), global_batch_size=8,
                total_steps=2, lr=1e-3, progress=False)
    return TrainConfig(**{**base, **extra})


def test_missing_data_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="data directory .*nope does not exist"):
        train(_cfg(tmp_path, tmp_path / "nope"), loader_factory=ToyLoader)
    assert not (tmp_path / "run").exists()


def test_data_that_does_not_fit_the_model(tmp_path):
    data = make_dataset(tmp_path / "data")
    with pytest.raises(ValueError, match=r"does not fit the model: vocab_size 11 \(model: 12\), seq_len 16 \(model: 20\)"):
        train(_cfg(tmp_path, data, model_overrides={"vocab_size": 12, "seq_len": 20}), loader_factory=ToyLoader)
    assert not (tmp_path / "run").exists()


def test_unknown_config_key():
    with pytest.raises(ValueError, match="lr_warmup"):
        TrainConfig(lr_warmup=3)


def test_resume_with_another_model_is_refused(tmp_path):
    data = make_dataset(tmp_path / "data")
    train(_cfg(tmp_path, data), loader_factory=ToyLoader)
    with pytest.raises(CheckpointError, match="written for another model .*hidden_size"):
        train(_cfg(tmp_path, data, total_steps=4, model_overrides={"hidden_size": 32}), loader_factory=ToyLoader)


def test_non_finite_loss_stops_naming_the_step(tmp_path, monkeypatch):
    import torch

    from reasonkit.train import losses

    data = make_dataset(tmp_path / "data")
    real = losses.stablemax_cross_entropy
    calls = {"n": 0}

    def poisoned(logits, labels, ignore_index=-100):
        calls["n"] += 1
        out = real(logits, labels, ignore_index)
        return out * torch.nan if calls["n"] == 3 else out

    monkeypatch.setitem(losses.LOSSES, "stablemax", poisoned)
    with pytest.raises(NonFiniteLossError, match="at step 3;.*the last good checkpoint is .*step_000000002"):
        train(_cfg(tmp_path, data, total_steps=5, checkpoint_every=2), loader_factory=ToyLoader)
