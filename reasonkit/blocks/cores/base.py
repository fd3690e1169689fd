"""The recurrent core: a schedule of updates over named states, run under a gradient estimator.

A core owns the networks and fixed initial states of its levels and describes one segment as a schedule of
updates, each tagged with the level it updates and the cycle it belongs to. A gradient estimator chooses from
which update on the schedule runs with autograd; everything before runs under ``no_grad``, so the memory a
segment keeps for backward depends only on the updates that carry gradient.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ...layers.init import trunc_normal_

__all__ = ["Update", "RecurrentCore", "State", "TINY_CELL"]

State = dict[str, torch.Tensor]

#: The cell of the cores' tiny test instances.
TINY_CELL = {"kind": "transformer", "layers": 1, "num_heads": 2, "expansion": 2.0}


class Update(NamedTuple):
    """One recurrent update of a segment: which state it writes and the cycle it belongs to."""

    level: str
    cycle: int


class RecurrentCore(nn.Module):
    """Base of every core: fixed initial states, reset of halted sequences, and the schedule runner.

    Subclasses set ``schedule``, ``readout`` (the state the heads read) and ``latent`` (the working state that
    test-time rollouts perturb by default, PTRM arXiv 2605.19943) and implement ``update``.
    """

    schedule: tuple[Update, ...]
    readout: str
    latent: str

    def __init__(self, state_names: tuple[str, ...], hidden_size: int) -> None:
        super().__init__()
        self.state_names = state_names
        # Fixed, untrained initial states (truncated normal, std 1) broadcast to every position, as in HRM.
        for name in state_names:
            self.register_buffer(f"{name}_init", trunc_normal_(torch.empty(hidden_size), std=1.0), persistent=True)

    def init_vector(self, name: str) -> torch.Tensor:
        return getattr(self, f"{name}_init")

    def initial_state(self, batch_size: int, seq_len: int, dtype: torch.dtype) -> State:
        """Every state at its initial vector, shaped [batch, seq, hidden]."""
        return {n: self.init_vector(n).to(dtype).expand(batch_size, seq_len, -1).clone() for n in self.state_names}

    def reset(self, state: State, mask: torch.Tensor) -> State:
        """Return ``state`` with the sequences where ``mask`` is true put back to the initial vectors."""
        where = mask.view(-1, 1, 1)
        return {n: torch.where(where, self.init_vector(n).to(s.dtype), s) for n, s in state.items()}

    def update(self, index: int, state: State, x: torch.Tensor) -> State:
        """Apply update ``index`` of the schedule to ``state`` given the input embedding ``x``."""
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    def run(self, state: State, x: torch.Tensor, first_grad: int) -> State:
        """Run the whole schedule; updates before ``first_grad`` run without autograd."""
        with torch.no_grad():
            for i in range(first_grad):
                state = self.update(i, state, x)
        for i in range(first_grad, len(self.schedule)):
            state = self.update(i, state, x)
        return state
