"""Specs: strict validation with paths, JSON round trips, dotted overrides, every way to name a model."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reasonkit import build, get_spec
from reasonkit.errors import ConfigError, SpecError
from reasonkit.models import ReasonerSpec

SIZES = {  # preset counts of the reference (puzzle table excluded), hrm.md
    "sudoku": ({}, 27_275_266),
    "maze": ({"vocab_size": 6, "seq_len": 900}, 27_270_146),
    "arc": ({"vocab_size": 12, "seq_len": 900, "num_puzzle_ids": 5}, 27_276_290),
}


@pytest.mark.parametrize("task", sorted(SIZES))
def test_hrm_27m_parameter_counts_match_reference(task):
    overrides, count = SIZES[task]
    model = build("hrm-27m", **overrides)
    assert model.num_parameters() == count
    assert model.num_parameters(include_puzzle_table=True) == count + model.embedding.puzzle.weight.numel()


@given(
    h_cycles=st.integers(1, 4),
    l_cycles=st.integers(1, 4),
    max_steps=st.integers(1, 32),
    positions=st.sampled_from(["rope", "learned", "none"]),
    gradient=st.sampled_from(["one_step", "bptt", "last_cycle"]),
    dtype=st.sampled_from(["float32", "bfloat16"]),
    exploration=st.floats(0, 1),
)
def test_spec_json_round_trip(h_cycles, l_cycles, max_steps, positions, gradient, dtype, exploration):
    spec = get_spec(
        "hrm-tiny",
        forward_dtype=dtype,
        gradient=gradient,
        **{
            "core.h_cycles": h_cycles,
            "core.l_cycles": l_cycles,
            "halting.max_steps": max_steps,
            "halting.exploration": exploration,
            "embedding.positions": positions,
        },
    )
    again = ReasonerSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.core.h_cycles == h_cycles and again.halting.max_steps == max_steps


def test_every_source_builds_the_same_spec(tmp_path):
    spec = get_spec("hrm-tiny", **{"halting.max_steps": 7})
    path = tmp_path / "spec.json"
    path.write_text(spec.model_dump_json())
    dumped = json.loads(spec.model_dump_json())
    assert get_spec(spec) == get_spec(dumped) == get_spec(str(path)) == get_spec(path) == spec
    assert build(path).spec == spec


def test_dotted_and_top_level_overrides_validate_again():
    spec = get_spec("hrm-27m", seq_len=900, vocab_size=6, halting="fixed", **{"core.high.layers": 2})
    assert (spec.seq_len, spec.vocab_size, spec.halting.kind, spec.core.high.layers) == (900, 6, "fixed", 2)
    assert spec.core.low.layers == 4  # untouched siblings stay
    with pytest.raises(SpecError, match=r"'core.hihg' is not a sub-spec.*Did you mean 'high'"):
        get_spec("hrm-tiny", **{"core.hihg.layers": 2})


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"halting.max_step": 8}, r"halting.max_step: unknown field. Did you mean 'max_steps'"),
        ({"hidden_sise": 8}, r"hidden_sise: unknown field. Did you mean 'hidden_size'"),
        (
            {"halting": {"kind": "q_actt"}},
            r"halting: unknown halting kind 'q_actt'; known kinds: .*Did you mean 'q_act'",
        ),
        ({"gradient": {"max_steps": 2}}, r"gradient: a gradient spec needs a 'kind' key"),
        ({"hidden_size": 0}, r"hidden_size: Input should be greater than 0"),
        ({"core.l_cycles": -1}, r"core.l_cycles: Input should be greater than 0"),
        ({"core.high.num_heads": 3}, r"core.high: num_heads=3 does not divide hidden_size=64"),
        ({"embedding.puzzle_dim": 200, "embedding.puzzle_len": 2}, r"puzzle_dim=200 does not fit"),
        ({"forward_dtype": "float8"}, r"forward_dtype: Input should be 'float32', 'bfloat16' or 'float16'"),
    ],
)
def test_bad_specs_name_the_problem(overrides, message):
    with pytest.raises(SpecError, match=message):
        get_spec("hrm-tiny", **overrides)


def test_unknown_preset_and_missing_file():
    with pytest.raises(KeyError, match=r"unknown preset 'hrm-27'.*Did you mean 'hrm-27m'"):
        build("hrm-27")
    with pytest.raises(ConfigError, match="does not exist"):
        build("specs/nowhere.json")


def test_specs_are_frozen():
    spec = get_spec("hrm-tiny")
    with pytest.raises(Exception, match="frozen"):
        spec.hidden_size = 8  # type: ignore[misc]
