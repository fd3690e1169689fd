"""The recurrent core: a schedule of updates over named states, run under a gradient estimator.

A core owns the networks and fixed initial states of its levels and describes one segment as a schedule of
updates, each tagged with the level it updates and the cycle it belongs to. A gradient estimator chooses from
which update on the schedule runs with autograd; everything before runs under ``no_grad``, so the memory a
segment keeps for backward depends only on the updates that carry gradient.

Update hooks (:meth:`RecurrentCore.register_update_hook`) see every level's state after every update, for
analyses such as HRM's hierarchical convergence (arXiv 2506.21734, Fig. 3); with none registered the loop does
no extra work.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, NamedTuple

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from ...layers.init import trunc_normal_

__all__ = ["Update", "RecurrentCore", "State", "UpdateHook", "TINY_CELL"]

State = dict[str, torch.Tensor]

#: The cell of the cores' tiny test instances.
TINY_CELL = {"kind": "transformer", "layers": 1, "num_heads": 2, "expansion": 2.0}


class Update(NamedTuple):
    """One recurrent update of a segment: which state it writes and the cycle it belongs to."""

    level: str
    cycle: int


#: ``hook(update, index, state)``: called after update ``index`` of the schedule with every level's new state.
UpdateHook = Callable[[Update, int, State], None]


class RecurrentCore(nn.Module):
    """Base of every core: fixed initial states, reset of halted sequences, and the schedule runner.

    Subclasses set ``schedule``, ``readout`` (the state the heads read), ``latent`` (the working state that
    test-time rollouts perturb by default, PTRM arXiv 2605.19943) and ``level_names`` (what each state is, for
    pictures and analyses) and implement ``update``.
    """

    schedule: tuple[Update, ...]
    readout: str
    latent: str
    level_names: dict[str, str] = {}

    def __init__(self, state_names: tuple[str, ...], hidden_size: int) -> None:
        super().__init__()
        self.state_names = state_names
        self._update_hooks: OrderedDict[int, UpdateHook] = OrderedDict()
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

    def level_name(self, name: str) -> str:
        """A readable name of state ``name`` ("high level z_H"), the state's own name if the core gives none."""
        return self.level_names.get(name, name)

    def register_update_hook(self, hook: UpdateHook) -> RemovableHandle:
        """Call ``hook(update, index, state)`` after every recurrent update of every :meth:`run` (a halting
        policy's second pass included); returns a handle whose ``remove()`` unregisters it.

        The hook sees the states the next update takes (inside ``no_grad`` for the updates before the gradient
        estimator's first); it must not modify them, and should ``detach()`` what it keeps.
        """
        handle = RemovableHandle(self._update_hooks)
        self._update_hooks[handle.id] = hook
        return handle

    def run(self, state: State, x: torch.Tensor, first_grad: int) -> State:
        """Run the whole schedule; updates before ``first_grad`` run without autograd."""
        with torch.no_grad():
            for i in range(first_grad):
                state = self._step(i, state, x)
        for i in range(first_grad, len(self.schedule)):
            state = self._step(i, state, x)
        return state

    def _step(self, index: int, state: State, x: torch.Tensor) -> State:
        state = self.update(index, state, x)
        for hook in self._update_hooks.values():  # empty unless traced: nothing runs, nothing syncs
            hook(self.schedule[index], index, state)
        return state
