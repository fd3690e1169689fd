"""The evaluations of a run: which weights, how many at once, and what the final one writes."""

from __future__ import annotations

import json

import pytest
from toy_data import ToyLoader, make_dataset

import reasonkit.train.recipe as recipe_module
from reasonkit.train import Recipe, TrainConfig


@pytest.mark.parametrize("eval_batch_size, expected", [(None, 8), (5, 5)])
def test_evaluations_run_at_the_eval_batch_size(tmp_path, monkeypatch, eval_batch_size, expected):
    seen = []
    real = recipe_module.evaluate

    def spy(*args, **kwargs):
        seen.append(kwargs["batch_size"])
        return real(*args, **kwargs)

    monkeypatch.setattr(recipe_module, "evaluate", spy)
    config = TrainConfig(
        data_dir=str(make_dataset(tmp_path / "data")),
        out_dir=str(tmp_path / "run"),
        model="hrm-tiny",
        model_overrides={"halting.max_steps": 2},
        global_batch_size=8,
        total_steps=2,
        eval_every=1,
        eval_batch_size=eval_batch_size,
        early_exit=True,
        progress=False,
    )
    Recipe(config, loader_factory=ToyLoader).run()
    assert seen == [expected] * 3  # the periodic evaluation after step 1, the final one, with early exit
    final = json.loads((tmp_path / "run" / "final_eval.json").read_text())
    assert final["full"]["count"] == 24
