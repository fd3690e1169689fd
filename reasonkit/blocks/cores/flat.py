"""The flat core: one state and one cell applied repeatedly (the Universal Transformer, Dehghani et al. 2019,
arXiv 1807.03819; a recurrent relational network, Palm et al. 2018, with a graph cell; the Universal Reasoning
Model, Gao et al. 2025, arXiv 2512.14693).

Each update is ``h = cell(inject(h, x))``: the input re-enters at every step, as in the UT's per-step input
and the RRN's node MLP over ``[messages, x]``. The heads read ``h``. Each update is its own cycle, so
``last_cycle`` and ``one_step`` both give gradient through the last update only. With the additive injection and
a transformer cell this is URM's inner iteration ``h = blocks(h + e)`` exactly; URM's ``H_cycles x L_cycles``
iterations are ``cycles = H_cycles * L_cycles`` here, and its truncated backprop is the ``burn_in`` gradient.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ...registry import register
from ...spec import BuildContext, Kind, Spec
from ..cells.transformer import TransformerCell
from .base import TINY_CELL, RecurrentCore, State, Update

__all__ = ["FlatSpec", "FlatCore"]


class FlatCore(RecurrentCore):
    """``cycles`` applications of one cell to one state per segment."""

    readout = "h"
    latent = "h"
    level_names = {"h": "state h"}

    def __init__(self, cell: nn.Module, injection: nn.Module, cycles: int, hidden_size: int) -> None:
        super().__init__(("h",), hidden_size)
        self.cell = cell
        self.injection = injection
        self.schedule = tuple(Update("h", c) for c in range(cycles))

    @property
    def REFERENCE_LEVELS(self) -> dict[str, str]:  # noqa: N802  (the name reasonkit.interop looks for)
        """How the reference URM names this core's parts; only a transformer cell has a reference."""
        if not isinstance(self.cell, TransformerCell):
            return {}
        return {"layers": "cell.layers", "init_hidden": "h_init"}

    def update(self, index: int, state: State, x: torch.Tensor) -> State:
        return {"h": self.cell(self.injection(state["h"], x))}


@register("core")
class FlatSpec(Spec):
    """One state, one shared cell, applied ``cycles`` times per segment (Universal Transformer / RRN)."""

    kind: Literal["flat"] = "flat"
    cycles: PositiveInt = Field(4, description="cell applications per segment (recurrent steps T in the UT paper)")
    cell: Kind("cell") = Field(
        default_factory=lambda: {"kind": "transformer", "layers": 2}, description="the shared cell"
    )
    injection: Kind("injection") = Field(
        default_factory=lambda: {"kind": "add"}, description="how the input enters each step"
    )

    @classmethod
    def tiny(cls) -> FlatSpec:
        return cls(cycles=3, cell=TINY_CELL)

    def build(self, ctx: BuildContext) -> FlatCore:
        return FlatCore(self.cell.build(ctx), self.injection.build(ctx, num_inputs=1), self.cycles, ctx.hidden_size)
