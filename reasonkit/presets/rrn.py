"""Recurrent relational network for Sudoku (Palm, Paquet and Winther 2018, arXiv 1711.08028) as a flat core
with a graph cell on Sudoku's constraint graph (each cell linked to its 20 peers, 1,620 directed edges).

As in the paper: 96 hidden units, a 4-layer message MLP, an LSTM node update, one shared step applied 32 times
with a loss after every step (here: one step per segment, a fixed 32 segments of deep supervision; run
``solve(..., max_steps=64)`` for the paper's 64 test steps). Learned positions stand in for the paper's row and
column embeddings, and the concat_proj injection for its ``MLP([x, h])`` input mixing. Differences: the
digit/position input MLP is a single embedding, and the carry between steps is detached (the paper
backpropagates through all 32 steps).
"""

from __future__ import annotations

from ..models.spec import ReasonerSpec
from . import preset


def _rrn(hidden: int, message_layers: int, max_steps: int) -> ReasonerSpec:
    return ReasonerSpec(
        vocab_size=11,
        seq_len=81,
        num_puzzle_ids=1,
        task="sudoku",
        hidden_size=hidden,
        loss="softmax",
        embedding={"positions": "learned", "puzzle_dim": 0},
        core={
            "kind": "flat",
            "cycles": 1,
            "injection": {"kind": "concat_proj"},
            "cell": {"kind": "graph", "message_layers": message_layers, "update": "lstm"},
        },
        gradient={"kind": "bptt"},
        halting={"kind": "fixed", "max_steps": max_steps},
    )


@preset("rrn-sudoku")
def rrn_sudoku() -> ReasonerSpec:
    """The RRN of Palm et al. for 9x9 Sudoku: 96 units, 4-layer messages, LSTM update, 32 steps."""
    return _rrn(hidden=96, message_layers=4, max_steps=32)


@preset("rrn-sudoku-tiny")
def rrn_sudoku_tiny() -> ReasonerSpec:
    """A CPU-sized RRN: 32 units, 2-layer messages, 4 steps."""
    return _rrn(hidden=32, message_layers=2, max_steps=4)
