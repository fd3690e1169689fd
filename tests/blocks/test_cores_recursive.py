"""The recursive core (TRM): schedule, shared network, exact reference parameter counts, spec checks."""

from __future__ import annotations

import pytest
import torch

import reasonkit
from reasonkit.blocks.cores.base import Update


@pytest.mark.parametrize("name, count", [("trm-7m", 6_828_034), ("trm-mlp-5m", 5_028_866)])
def test_trm_presets_match_reference_counts(name, count):
    assert reasonkit.build(name).num_parameters() == count


@pytest.mark.parametrize(
    "name, overrides, count",
    [
        ("trm-7m", {"vocab_size": 6, "seq_len": 900, "core.latent_updates": 4}, 6_822_914),  # Maze
        ("trm-mlp-5m", {"vocab_size": 6, "seq_len": 900, "core.latent_updates": 4}, 18_795_522),  # Maze, MLP
        ("trm-7m", {"vocab_size": 12, "seq_len": 900, "num_puzzle_ids": 10}, 6_829_058),  # ARC
    ],
)
def test_trm_task_overrides_match_reference_counts(name, overrides, count):
    with torch.device("meta"):
        assert reasonkit.build(name, **overrides).num_parameters() == count


def test_schedule_is_n_latent_then_one_answer_per_cycle():
    model = reasonkit.build("trm-tiny", **{"core.cycles": 3, "core.latent_updates": 2})
    assert model.core.schedule == tuple(Update(lv, c) for c in range(3) for lv in ("z", "z", "y"))
    assert model.core.readout == "y"
    # last_cycle: gradient through the last cycle's three updates only
    assert model.first_grad == 6


def test_one_network_is_shared_unless_answer_cell_is_given():
    shared = reasonkit.build("trm-tiny")
    separate = reasonkit.build("trm-tiny", **{"core.answer_cell": {"kind": "transformer", "layers": 1, "num_heads": 2}})
    assert shared.core.answer_net is None
    extra = sum(p.numel() for p in separate.core.answer_net.parameters())
    assert separate.num_parameters() == shared.num_parameters() + extra
    assert separate.core.REFERENCE_LEVELS == {}


def test_update_order_matches_reference_formula():
    """z = net(z + (y + x)); y = net(y + z), with one network."""
    torch.manual_seed(0)
    model = reasonkit.build("trm-tiny", **{"core.cycles": 1, "core.latent_updates": 1})
    core = model.core
    y, z, x = (torch.randn(2, 82, 64) for _ in range(3))
    state = core.update(0, {"y": y, "z": z}, x)
    torch.testing.assert_close(state["z"], core.net(z + (y + x)), rtol=0, atol=0)
    state = core.update(1, state, x)
    torch.testing.assert_close(state["y"], core.net(y + state["z"]), rtol=0, atol=0)


def test_mlp_mixer_rejects_other_sequence_lengths():
    with pytest.raises(ValueError, match="built for 50 positions"):
        reasonkit.get_spec("trm-mlp-tiny", **{"core.cell.seq_len": 50})
    with pytest.raises(ValueError, match="rotary"):
        reasonkit.get_spec("trm-mlp-tiny", **{"embedding.positions": "rope"})
    model = reasonkit.build("trm-mlp-tiny")
    with pytest.raises(ValueError, match="built for 82 positions"):
        model.core.net(torch.zeros(1, 10, 64))
