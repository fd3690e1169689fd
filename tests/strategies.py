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


# --- the block zoo (issue 3) ---------------------------------------------------------------------------------
def mlp_mixer_cell() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"kind": st.just("mlp_mixer"), "layers": st.integers(1, 2),
                                  "expansion": st.sampled_from([1.0, 2.0, 4.0])})


def graph_cell() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"kind": st.just("graph"), "message_layers": st.integers(1, 3),
                                  "update": st.sampled_from(["gru", "lstm"])})


#: A task with a constraint graph and a sequence length it fits: a 3x3 grid (maze) or a 4x4 Sudoku.
graph_task = st.sampled_from([{"task": "grid", "seq_len": 9}, {"task": "maze", "seq_len": 16}, {"task": "sudoku", "seq_len": 16}])


def _merge(*parts: dict) -> dict:
    out: dict = {}
    for part in parts:
        out.update(part)
    return out


KIND_STRATEGIES.update({
    ("core", "recursive"): st.fixed_dictionaries({
        "core": st.fixed_dictionaries({"kind": st.just("recursive"), "cycles": cycles, "latent_updates": st.integers(1, 3),
                                       "cell": transformer_cell()}),
    }),
    ("core", "flat"): st.fixed_dictionaries({
        "core": st.fixed_dictionaries({"kind": st.just("flat"), "cycles": st.integers(1, 3), "cell": transformer_cell()}),
    }),
    ("cell", "mlp_mixer"): st.builds(_merge, with_cell(mlp_mixer_cell()),
                                     st.sampled_from([{"embedding.positions": "none"}, {"embedding.positions": "learned"}])),
    ("cell", "graph"): st.builds(_merge, with_cell(graph_cell()), graph_task),
    ("injection", "gated"): with_injection(st.just({"kind": "gated"})),
    ("injection", "concat_proj"): with_injection(st.just({"kind": "concat_proj"})),
    ("halting", "q_halt"): at("halting", st.builds(
        lambda m, e: {"kind": "q_halt", "max_steps": m, "exploration": e}, st.integers(1, 4), st.floats(0, 1))),
    ("halting", "act"): at("halting", st.builds(
        lambda m, b, w: {"kind": "act", "max_steps": m, "init_bias": b, "ponder_weight": w},
        st.integers(1, 4), st.floats(-4, 2), st.floats(0, 0.1))),
    ("halting", "ponder"): at("halting", st.builds(
        lambda m, p, b: {"kind": "ponder", "max_steps": m, "prior": p, "beta": b},
        st.integers(1, 4), st.floats(0.05, 0.95), st.floats(0, 0.1))),
})
