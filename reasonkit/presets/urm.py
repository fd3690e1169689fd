"""URM presets (Gao et al. 2025, "Universal Reasoning Model", arXiv 2512.14693; code UbiquantAI/URM), configured for
Sudoku-Extreme by default.

A Universal Transformer: one stack of 4 post-norm blocks with ConvSwiGLU feed-forwards, applied to a single state
with the input re-added before every pass (a flat core), ``H_cycles x L_cycles = 2 x 6 = 12`` passes per segment
of which the first 6 run without gradient (``burn_in``), one puzzle-embedding token, rotary positions, and TRM's
q_halt halting over up to 16 segments. ``urm-14m`` has 13,662,210 parameters (Sudoku, vocab 11) as counted by
the reference code, puzzle table excluded; ARC: ``vocab_size=12, seq_len=900, num_puzzle_ids=<from the data
set>`` gives 13,663,234. The reference computes the depthwise convolution in bfloat16 even in a float32 model
(``conv_dtype="bfloat16"``, see ``reasonkit.layers.conv_swiglu``).
"""

from __future__ import annotations

from ..models.spec import ReasonerSpec
from . import preset


def _urm(hidden: int, heads: int, layers: int, h_cycles: int, l_cycles: int, max_steps: int) -> ReasonerSpec:
    cell = {
        "kind": "transformer",
        "layers": layers,
        "num_heads": heads,
        "expansion": 4,
        "feed_forward": {"kind": "conv_swiglu", "kernel": 2},
    }
    return ReasonerSpec(
        vocab_size=11,
        seq_len=81,
        num_puzzle_ids=1,
        hidden_size=hidden,
        embedding={"positions": "rope"},
        core={"kind": "flat", "cycles": h_cycles * l_cycles, "cell": cell, "injection": {"kind": "add"}},
        gradient={"kind": "burn_in", "updates": (h_cycles - 1) * l_cycles},
        halting={"kind": "q_halt", "max_steps": max_steps, "exploration": 0.1},
        loss="stablemax",
    )


@preset("urm-14m")
def urm_14m() -> ReasonerSpec:
    """The paper's URM: hidden 512, 8 heads, 4 blocks, 2 x 6 passes per segment (6 without gradient), 16 segments."""
    return _urm(hidden=512, heads=8, layers=4, h_cycles=2, l_cycles=6, max_steps=16)


@preset("urm-tiny")
def urm_tiny() -> ReasonerSpec:
    """A CPU-sized URM for tests and demos: hidden 64, 2 heads, 1 block, 2 x 2 passes (2 without grad), 4 segments."""
    return _urm(hidden=64, heads=2, layers=1, h_cycles=2, l_cycles=2, max_steps=4)
