"""``reasonkit train`` end to end with the data package's PuzzleLoader, then ``reasonkit eval`` on its checkpoint."""
from __future__ import annotations

import json

from reasonkit.cli import main
from reasonkit.train.cli import config_from_overrides
from toy_data import make_dataset


def test_overrides_split_into_config_and_spec():
    cfg = config_from_overrides(["model=hrm-tiny", "lr=0.001", "model.halting.max_steps=2", "betas=[0.9,0.99]"])
    assert cfg.lr == 1e-3 and cfg.betas == (0.9, 0.99) and cfg.model_overrides == {"halting.max_steps": 2}


def test_train_then_eval(tmp_path, capsys):
    data = make_dataset(tmp_path / "data")
    run = tmp_path / "run"
    assert main(["train", "--data", str(data), "model=hrm-tiny", f"out_dir={run}", "global_batch_size=8",
                 "total_steps=3", "lr=0.001", "progress=false", "model.halting.max_steps=2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["step"] == 3 and result["eval"]["count"] == 24
    assert main(["eval", str(run), "--data", str(data), "--max-steps", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["mean_steps"] == 3.0
    # A second call continues the finished run: nothing left to do, same checkpoint.
    assert main(["train", "--data", str(data), "model=hrm-tiny", f"out_dir={run}", "global_batch_size=8",
                 "total_steps=3", "lr=0.001", "progress=false", "model.halting.max_steps=2"]) == 0
    assert json.loads(capsys.readouterr().out)["step"] == 3


def test_train_bad_key_is_a_clear_error(tmp_path, capsys):
    assert main(["train", "learning_rate=1"]) == 2
    assert "learning_rate" in capsys.readouterr().err


def test_train_help_lists_every_config_field(capsys):
    import pytest

    from reasonkit.train import TrainConfig

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "global_batch_size (default: 768)" in text
    assert "eval_every (default: null): evaluate on the test split" in text
    assert all(f"  {name} (default: " in text for name in TrainConfig.model_fields)
