"""``reasonkit train`` end to end with the data package's PuzzleLoader, then ``reasonkit eval`` on its checkpoint."""

from __future__ import annotations

import json

import pytest
from toy_data import make_dataset

from reasonkit.cli import main
from reasonkit.errors import ConfigError
from reasonkit.train import TrainConfig, config_from_overrides


def test_overrides_split_into_config_spec_and_task():
    cfg = config_from_overrides(
        {"data_dir": "d"},
        ["model=hrm-tiny", "lr=0.001", "model.halting.max_steps=2", "betas=[0.9,0.99]", "task=sudoku", "task.size=6"],
    )
    assert cfg.lr == 1e-3 and cfg.betas == (0.9, 0.99) and cfg.model_overrides == {"halting.max_steps": 2}
    assert cfg.task.kind == "sudoku" and cfg.task.size == 6
    with pytest.raises(ConfigError, match="unknown setting 'learnig_rate'"):
        config_from_overrides({"data_dir": "d"}, ["learnig_rate=1"])
    with pytest.raises(ConfigError, match=r"max_steps: Input should be greater than 0"):
        config_from_overrides({"data_dir": "d"}, ["task=sudoku", "task.max_steps=0"])
    with pytest.raises(ConfigError, match="global_batch_size: Input should be a valid integer"):
        config_from_overrides({"data_dir": "d"}, ["global_batch_size=true"])
    assert config_from_overrides(TrainConfig(data_dir="d", lr=3e-4), ["seed=2"]).lr == 3e-4


def test_train_then_eval(tmp_path, capsys):
    data = make_dataset(tmp_path / "data")
    run = tmp_path / "run"
    args = [
        "train",
        "--data",
        str(data),
        "model=hrm-tiny",
        f"out_dir={run}",
        "global_batch_size=8",
        "total_steps=3",
        "lr=0.001",
        "progress=false",
        "model.halting.max_steps=2",
    ]
    assert main(args) == 0
    assert "trained 3 steps" in capsys.readouterr().out
    final = json.loads((run / "final_eval.json").read_text())
    assert final["full"]["count"] == 24 and final["early_exit"]["early_exit"] is True
    assert main(["eval", str(run), "--data", str(data), "--max-steps", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["mean_steps"] == 3.0
    # A second call continues the finished run: nothing left to do, same checkpoint.
    assert main(args) == 0
    assert "trained 3 steps; checkpoint " + str(run / "checkpoints" / "step_000000003") in capsys.readouterr().out


def test_train_bad_key_is_a_clear_error(tmp_path, capsys):
    assert main(["train", "learning_rate=1"]) == 2
    err = capsys.readouterr().err
    assert "unknown setting 'learning_rate'" in err and len(err.strip().splitlines()) == 1


def test_train_help_lists_every_config_field(capsys):
    import pytest

    from reasonkit.train import TrainConfig

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "global_batch_size (default: 768)" in text
    assert "eval_every (default: null): evaluate on the test split" in text
    assert "--dry-run" in text
    assert all(f"  {name} (default: " in text for name in TrainConfig.model_fields)
