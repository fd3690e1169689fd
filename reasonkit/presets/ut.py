"""Universal Transformer with ACT (Dehghani et al. 2019, arXiv 1807.03819; ACT from Graves 2016), as a flat core.

One shared transformer block applied ``cycles`` times per segment with full backpropagation through the
segment, halted per sequence by ACT over up to 16 segments (halting bias -3, which the Sudoku-Extreme UT runs
needed) with 16 puzzle-prefix positions acting as memory tokens. Configured for Sudoku-Extreme.
"""

from __future__ import annotations

from ..models.spec import ReasonerSpec
from . import preset


def _ut(hidden: int, heads: int, layers: int, cycles: int, max_steps: int, puzzle_len: int) -> ReasonerSpec:
    return ReasonerSpec(
        vocab_size=11,
        seq_len=81,
        num_puzzle_ids=1,
        hidden_size=hidden,
        embedding={"positions": "rope", "puzzle_len": puzzle_len},
        core={
            "kind": "flat",
            "cycles": cycles,
            "cell": {"kind": "transformer", "layers": layers, "num_heads": heads, "expansion": 4},
        },
        gradient={"kind": "bptt"},
        halting={"kind": "act", "max_steps": max_steps, "init_bias": -3.0},
    )


@preset("ut-act")
def ut_act() -> ReasonerSpec:
    """UT-ACT: hidden 512, 8 heads, one shared block applied 8 times per segment, ACT up to 16 segments."""
    return _ut(hidden=512, heads=8, layers=1, cycles=8, max_steps=16, puzzle_len=16)


@preset("ut-act-tiny")
def ut_act_tiny() -> ReasonerSpec:
    """A CPU-sized UT-ACT: hidden 64, 2 heads, one block applied twice per segment, ACT up to 4 segments."""
    return _ut(hidden=64, heads=2, layers=1, cycles=2, max_steps=4, puzzle_len=1)
