"""Bad input to a training run fails with a clear message before any work starts."""

from __future__ import annotations

import pytest
from toy_data import ToyLoader, make_dataset

from reasonkit.errors import CheckpointError, DataError, NonFiniteLossError
from reasonkit.train import Recipe, TrainConfig


def train(config: TrainConfig, loader_factory=None) -> dict:
    return Recipe(config, loader_factory=loader_factory).run()


def _cfg(tmp_path, data, **extra):
    base = dict(
        data_dir=str(data),
        model="hrm-tiny",
        out_dir=str(tmp_path / "run"),
        global_batch_size=8,
        total_steps=2,
        lr=1e-3,
        progress=False,
    )
    return TrainConfig(**{**base, **extra})


def test_missing_data_directory(tmp_path):
    with pytest.raises(DataError, match="data directory .*nope does not exist"):
        train(_cfg(tmp_path, tmp_path / "nope"), loader_factory=ToyLoader)
    assert not (tmp_path / "run").exists()


def test_data_that_does_not_fit_the_model(tmp_path):
    data = make_dataset(tmp_path / "data")
    with pytest.raises(
        ValueError, match=r"does not fit the model: vocab_size 11 \(model: 12\), seq_len 16 \(model: 20\)"
    ):
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


def _no_loader(*args, **kwargs):
    raise AssertionError("the loader was built before the configuration error was raised")


@pytest.mark.parametrize("key", ["eval_every", "eval_limit"])
def test_eval_settings_without_a_test_split(tmp_path, key):
    import shutil

    data = make_dataset(tmp_path / "data")
    shutil.rmtree(data / "test")
    with pytest.raises(ValueError, match=f"{key} set but the data set .* has no test split"):
        train(_cfg(tmp_path, data, **{key: 2}), loader_factory=_no_loader)
    assert not (tmp_path / "run").exists()
    train(_cfg(tmp_path, data), loader_factory=ToyLoader)  # without them, a train-only data set is fine


def test_resume_from_a_checkpoint_without_trainer_state(tmp_path):
    data = make_dataset(tmp_path / "data")
    result = train(_cfg(tmp_path, data), loader_factory=ToyLoader)
    (tmp_path / "run" / "checkpoints" / "step_000000002" / "trainer.pt").unlink()
    with pytest.raises(CheckpointError, match=r"step_000000002 is incomplete: trainer.pt is missing"):
        train(_cfg(tmp_path, data, total_steps=4, resume=result["checkpoint"]), loader_factory=ToyLoader)


def test_cuda_requested_without_cuda(tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    data = make_dataset(tmp_path / "data")
    with pytest.raises(ValueError, match="CUDA is not available.*device=auto or device=cpu"):
        train(_cfg(tmp_path, data, device="cuda"), loader_factory=_no_loader)
    assert not (tmp_path / "run").exists()


def test_missing_sink_fails_before_data_and_model(tmp_path, monkeypatch):
    import sys

    from reasonkit.train import recipe
    from reasonkit.train.logging import MissingSinkError

    data = make_dataset(tmp_path / "data")
    monkeypatch.setitem(sys.modules, "wandb", None)  # import wandb raises ImportError

    def no_metadata(*args, **kwargs):
        raise AssertionError("the data set was read before the missing sink was reported")

    monkeypatch.setattr(recipe, "verify_dataset", no_metadata)
    with pytest.raises(MissingSinkError, match="pip install wandb") as info:
        train(_cfg(tmp_path, data, wandb=True), loader_factory=_no_loader)
    assert isinstance(info.value, ImportError)
    assert not (tmp_path / "run").exists()
