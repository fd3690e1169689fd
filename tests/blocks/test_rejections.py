"""Combinations that cannot work are rejected by the spec, with a message saying why."""

from __future__ import annotations

import pytest

import reasonkit
from reasonkit.errors import SpecError


@pytest.mark.parametrize(
    "preset, overrides, match",
    [
        ("rrn-sudoku-tiny", {"task": None}, "graph cell needs a constraint graph"),
        ("trm-tiny", {"core.cell": {"kind": "graph"}}, "graph cell needs a constraint graph"),
        ("trm-mlp-tiny", {"core.cell.seq_len": 81}, "mlp_mixer is built for 81 positions but the model has 82"),
        ("trm-mlp-tiny", {"seq_len": 16, "core.cell.seq_len": 82}, "built for 82 positions"),
        ("trm-mlp-tiny", {"embedding.positions": "rope"}, "no attention to apply rotary"),
        ("trm-tiny", {"gradient": {"kind": "truncated", "k": 0}}, "gradient.k: Input should be greater than 0"),
        ("trm-tiny", {"halting": {"kind": "act", "eps": 1.5}}, "halting.eps"),
        ("trm-tiny", {"halting": {"kind": "ponder", "prior": 0.0}}, "halting.prior"),
        ("trm-tiny", {"core.latent_updates": 0}, "core.latent_updates"),
        ("trm-tiny", {"core.cells": 3}, "core.cells: unknown field. Did you mean 'cell'"),
    ],
)
def test_impossible_combinations_are_rejected(preset, overrides, match):
    with pytest.raises((ValueError, SpecError)) as info:
        reasonkit.get_spec(preset, **overrides)
    assert match in str(info.value)


def test_check_errors_name_the_sub_spec():
    with pytest.raises(ValueError) as info:
        reasonkit.get_spec("trm-mlp-tiny", **{"core.cell.seq_len": 81})
    assert "core.cell" in str(info.value)
