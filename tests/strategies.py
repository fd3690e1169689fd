"""Shared hypothesis strategies: one per registered kind, each drawing valid overrides of a tiny reasoner.

``KIND_STRATEGIES[(group, kind)]`` draws a dict of overrides for :data:`BASE` that puts that kind in use. A kind
without an entry here fails ``tests/test_every_kind.py``, so every new kind arrives with a strategy.
"""
from __future__ import annotations

from hypothesis import strategies as st

#: The tiny model every kind is exercised in: hrm-tiny shrunk to 8 tokens and hidden 32.
BASE_PRESET = "hrm-tiny"
BASE = {"seq_len": 8, "hidden_size": 32, "num_puzzle_ids": 2}

cycles = st.integers(1, 2)


def transformer_cell() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({
        "kind": st.just("transformer"), "layers": st.integers(1, 2), "num_heads": st.sampled_from([1, 2, 4]),
        "expansion": st.sampled_from([2.0, 4.0]), "attention": st.sampled_from(["sdpa", "math"]),
    })


def with_cell(cell: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    """Overrides that use ``cell`` for both levels of a one-cycle hierarchical core."""
    return cell.map(lambda c: {"core": {"kind": "hierarchical", "h_cycles": 1, "l_cycles": 1, "high": c, "low": c}})


def with_injection(injection: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    return injection.map(lambda i: {"core.injection": i})


def at(path: str, spec: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    return spec.map(lambda s: {path: s})


KIND_STRATEGIES: dict[tuple[str, str], st.SearchStrategy[dict]] = {
    ("core", "hierarchical"): st.fixed_dictionaries({
        "core": st.fixed_dictionaries({"kind": st.just("hierarchical"), "h_cycles": cycles, "l_cycles": cycles,
                                       "high": transformer_cell(), "low": transformer_cell()}),
    }),
    ("cell", "transformer"): with_cell(transformer_cell()),
    ("injection", "add"): with_injection(st.just({"kind": "add"})),
    ("gradient", "one_step"): at("gradient", st.just({"kind": "one_step"})),
    ("gradient", "bptt"): at("gradient", st.just({"kind": "bptt"})),
    ("gradient", "last_cycle"): at("gradient", st.just({"kind": "last_cycle"})),
    ("gradient", "truncated"): at("gradient", st.builds(lambda k: {"kind": "truncated", "k": k}, st.integers(1, 8))),
    ("halting", "fixed"): at("halting", st.builds(lambda m: {"kind": "fixed", "max_steps": m}, st.integers(1, 4))),
    ("halting", "q_act"): at("halting", st.builds(
        lambda m, e: {"kind": "q_act", "max_steps": m, "exploration": e}, st.integers(1, 4), st.floats(0, 1))),
}
