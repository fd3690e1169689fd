"""The inference-time scaling curve from one run equals evaluating each segment limit on its own."""

from __future__ import annotations

import pytest
import torch
from toy_data import SEQ, VOCAB, make_dataset

from reasonkit import build
from reasonkit.errors import ConfigError
from reasonkit.eval import evaluate, scaling_curve

KEYS = ("exact_accuracy", "label_exact_accuracy", "token_accuracy", "mean_steps", "count")


@pytest.mark.parametrize("halting", ["q_act", "act", "ponder", "fixed"])
def test_one_run_curve_equals_separate_evaluations(halting, tmp_path):
    data = make_dataset(tmp_path / "data", n_test=10)
    torch.manual_seed(0)
    model = build(
        "hrm-tiny", vocab_size=VOCAB, seq_len=SEQ, num_puzzle_ids=3, halting={"kind": halting, "max_steps": 3}
    )
    limits = [1, 2, 3, 5]  # beyond the training maximum too
    curve = scaling_curve(model, data, limits, batch_size=4)
    assert list(curve) == ["1", "2", "3", "5"]
    for k in limits:
        separate, _, _ = evaluate(model, data, max_steps=k, batch_size=3)
        assert {key: curve[str(k)][key] for key in KEYS} == {key: separate[key] for key in KEYS}, k
    assert len({curve[str(k)]["token_accuracy"] for k in limits}) > 1, "the segments changed nothing: a weak test"
    assert model.training, "the model's mode was not restored"


def test_bad_limits_are_rejected(tmp_path):
    data = make_dataset(tmp_path / "data", n_test=4)
    model = build("hrm-tiny", vocab_size=VOCAB, seq_len=SEQ, num_puzzle_ids=3)
    with pytest.raises(ConfigError, match="segment limits must be at least 1"):
        scaling_curve(model, data, [0, 2])
