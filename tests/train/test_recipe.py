"""recipes/sudoku_extreme.py: typed config with paper defaults, --demo, key=value overrides, a tiny end-to-end run."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("sudoku_recipe", Path(__file__).parents[2] / "recipes" / "sudoku_extreme.py")
recipe = importlib.util.module_from_spec(_spec)
sys.modules["sudoku_recipe"] = recipe  # pydantic resolves the config's annotations through the module
_spec.loader.exec_module(recipe)


def test_defaults_are_the_papers():
    r = recipe.make_recipe([])
    t = r.train
    assert (t.model, t.global_batch_size, t.epochs, t.lr, t.betas, t.weight_decay) == ("hrm-27m", 768, 20000, 1e-4, (0.9, 0.95), 1.0)
    assert (t.puzzle_lr, t.puzzle_weight_decay, t.lr_warmup_steps, t.lr_min_ratio, t.optimizer) == (1e-4, 1.0, 2000, 1.0, "adam_atan2")
    assert (r.train_size, r.aug) == (1000, 1000)


def test_demo_and_overrides():
    r = recipe.make_recipe(["--demo", "total_steps=7", "size=6", "model.halting.max_steps=2", "lr=0.01"])
    assert r.size == 6 and r.train.total_steps == 7 and r.train.lr == 0.01 and r.train.model == "hrm-tiny"
    assert r.train.model_overrides["halting.max_steps"] == 2 and r.train.model_overrides["loss"] == "softmax"
    with pytest.raises(ValueError):
        recipe.make_recipe(["--demo", "no_such_key=1"])


def _spy_load_model(monkeypatch):
    """Record the device each load_model call of a recipe passes."""
    from reasonkit.train import checkpoint

    real, devices = checkpoint.load_model, []

    def spy(path, **kwargs):
        devices.append(kwargs.get("device"))
        return real(path, **kwargs)

    monkeypatch.setattr(checkpoint, "load_model", spy)
    return devices


def test_tiny_end_to_end(tmp_path, monkeypatch):
    import torch

    devices = _spy_load_model(monkeypatch)
    result = recipe.main(["--demo", f"data_dir={tmp_path / 'data'}", f"out_dir={tmp_path / 'run'}", "train_size=20",
                          "test_size=10", "aug=1", "total_steps=4", "global_batch_size=8", "eval_every=2",
                          "checkpoint_every=2", "progress=false"])
    assert result["step"] == 4 and result["eval_full"]["count"] == 10 and result["eval_halt"]["count"] == 10
    assert devices == [torch.device("cpu")]  # the final evaluation runs where training ran (device=auto here)


def test_existing_data_is_reused_only_with_the_same_settings(tmp_path, monkeypatch):
    import reasonkit.data.sudoku as sudoku

    args = ["--demo", f"data_dir={tmp_path / 'data'}", "train_size=20", "test_size=10", "aug=1"]
    recipe.build_data(recipe.make_recipe(args))
    record = (tmp_path / "data" / "build.json").read_text()
    monkeypatch.setattr(sudoku, "build_sudoku", lambda *a, **k: pytest.fail("rebuilt a matching data set"))
    recipe.build_data(recipe.make_recipe(args))  # same settings: reused as is
    assert (tmp_path / "data" / "build.json").read_text() == record
    with pytest.raises(ValueError, match=r"built with other settings: aug \(built with 1, requested 2\); "
                                         r"data_seed \(built with 0, requested 3\); choose another data_dir, or "
                                         r"delete .*data to rebuild"):
        recipe.build_data(recipe.make_recipe(args + ["aug=2", "data_seed=3"]))
    with pytest.raises(ValueError, match=r"size \(built with 4, requested 6\)"):
        recipe.build_data(recipe.make_recipe(args + ["size=6"]))


def test_arc_recipe_smoke(tmp_path, monkeypatch):
    import json

    import numpy as np
    import torch

    devices = _spy_load_model(monkeypatch)

    spec = importlib.util.spec_from_file_location("arc_recipe", Path(__file__).parents[2] / "recipes" / "arc_agi.py")
    arc = importlib.util.module_from_spec(spec)
    sys.modules["arc_recipe"] = arc
    spec.loader.exec_module(arc)
    assert arc.make_recipe([]).train.puzzle_lr == 1e-2
    rng = np.random.default_rng(0)
    for split in ("training", "evaluation"):
        (tmp_path / "src" / split).mkdir(parents=True)
        x = rng.integers(0, 10, (3, 3))
        pair = {"input": x.tolist(), "output": x.T.tolist()}
        (tmp_path / "src" / split / f"{split}.json").write_text(json.dumps({"train": [pair, pair], "test": [pair]}))
    result = arc.main([f"data_dir={tmp_path / 'arc'}", f"sources={json.dumps([str(tmp_path / 'src')])}", "aug=1",
                       "model=hrm-tiny", "global_batch_size=4", "total_steps=2", f"out_dir={tmp_path / 'run'}",
                       "progress=false", "model.halting.max_steps=1", "eval_every_epochs=null"])
    assert result["arc_full"]["arc_tasks"] == 1 and "pass@2" in result["arc_halt"]
    assert devices == [torch.device("cpu")]
    with pytest.raises(ValueError, match=r"aug \(built with 1, requested 2\)"):
        arc.main([f"data_dir={tmp_path / 'arc'}", f"sources={json.dumps([str(tmp_path / 'src')])}", "aug=2",
                  f"out_dir={tmp_path / 'run2'}"])
    assert not (tmp_path / "run2").exists()
