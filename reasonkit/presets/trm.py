"""TRM presets (Jolicoeur-Martineau 2025, arXiv 2510.04871), configured for Sudoku-Extreme by default.

``trm-7m`` is TRM-Att (6,828,034 parameters) and ``trm-mlp-5m`` TRM-MLP (5,028,866), both as counted by the
reference code with the puzzle-embedding table excluded. Maze: ``vocab_size=6, seq_len=900`` and
``core.latent_updates=4``; ARC: ``vocab_size=12, seq_len=900, num_puzzle_ids=<from the data set>``.
"""

from __future__ import annotations

from ..models.spec import ReasonerSpec
from . import preset


def _trm(
    hidden: int,
    heads: int,
    layers: int,
    cycles: int,
    latent: int,
    max_steps: int,
    mlp: bool,
    seq_len: int = 81,
    puzzle_len: int = 16,
) -> ReasonerSpec:
    if mlp:
        cell = {"kind": "mlp_mixer", "layers": layers, "expansion": 4}
    else:
        cell = {"kind": "transformer", "layers": layers, "num_heads": heads, "expansion": 4}
    return ReasonerSpec(
        vocab_size=11,
        seq_len=seq_len,
        num_puzzle_ids=1,
        hidden_size=hidden,
        embedding={"positions": "none" if mlp else "rope", "puzzle_len": puzzle_len},
        core={"kind": "recursive", "cycles": cycles, "latent_updates": latent, "cell": cell},
        gradient={"kind": "last_cycle"},
        halting={"kind": "q_halt", "max_steps": max_steps, "exploration": 0.1},
    )


@preset("trm-7m")
def trm_7m() -> ReasonerSpec:
    """TRM-Att: hidden 512, 8 heads, 2 layers, T=3, n=6, 16 prefix tokens, q_halt up to 16 segments."""
    return _trm(hidden=512, heads=8, layers=2, cycles=3, latent=6, max_steps=16, mlp=False)


@preset("trm-mlp-5m")
def trm_mlp_5m() -> ReasonerSpec:
    """TRM-MLP (Sudoku): the attention replaced by a sequence-axis SwiGLU, positions none; otherwise trm-7m."""
    return _trm(hidden=512, heads=8, layers=2, cycles=3, latent=6, max_steps=16, mlp=True)


@preset("trm-tiny")
def trm_tiny() -> ReasonerSpec:
    """A CPU-sized TRM-Att for tests and demos: hidden 64, 2 heads, 1 layer, T=2, n=2, 4 segments."""
    return _trm(hidden=64, heads=2, layers=1, cycles=2, latent=2, max_steps=4, mlp=False, puzzle_len=1)


@preset("trm-mlp-tiny")
def trm_mlp_tiny() -> ReasonerSpec:
    """A CPU-sized TRM-MLP: hidden 64, 1 layer, T=2, n=2, 4 segments."""
    return _trm(hidden=64, heads=2, layers=1, cycles=2, latent=2, max_steps=4, mlp=True, puzzle_len=1)
