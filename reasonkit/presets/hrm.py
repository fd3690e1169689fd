"""HRM presets (Wang et al. 2025, arXiv 2506.21734), configured for Sudoku-Extreme by default.

Override the task dimensions for other tasks: Maze ``vocab_size=6, seq_len=900``; ARC ``vocab_size=12,
seq_len=900, num_puzzle_ids=<from the data set>``.
"""

from __future__ import annotations

from ..models.spec import ReasonerSpec
from . import preset


def _hrm(hidden: int, heads: int, layers: int, h_cycles: int, l_cycles: int, max_steps: int) -> ReasonerSpec:
    cell = {"kind": "transformer", "layers": layers, "num_heads": heads, "expansion": 4}
    return ReasonerSpec(
        vocab_size=11,
        seq_len=81,
        num_puzzle_ids=1,
        hidden_size=hidden,
        core={"kind": "hierarchical", "h_cycles": h_cycles, "l_cycles": l_cycles, "high": cell, "low": cell},
        gradient={"kind": "one_step"},
        halting={"kind": "q_act", "max_steps": max_steps, "exploration": 0.1},
    )


@preset("hrm-27m")
def hrm_27m() -> ReasonerSpec:
    """The paper's HRM: hidden 512, 8 heads, 4+4 layers, N=2, T=2, ACT up to 16 segments."""
    return _hrm(hidden=512, heads=8, layers=4, h_cycles=2, l_cycles=2, max_steps=16)


@preset("hrm-tiny")
def hrm_tiny() -> ReasonerSpec:
    """A CPU-sized HRM for tests and demos: hidden 64, 2 heads, 1+1 layers, ACT up to 4 segments."""
    return _hrm(hidden=64, heads=2, layers=1, h_cycles=2, l_cycles=2, max_steps=4)
