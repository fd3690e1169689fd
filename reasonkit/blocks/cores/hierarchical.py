"""The hierarchical core of HRM (Wang et al. 2025, arXiv 2506.21734).

Two levels: a fast low level updated ``l_cycles`` times per high-level update, and a slow high level updated
``h_cycles`` times per segment. Low update: ``z_l = L(inject(z_l, z_h, x))``; high update:
``z_h = H(inject(z_h, z_l))``; the high level never sees the input directly. The heads read ``z_h``.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ...registry import register
from ...spec import BuildContext, Kind, Spec
from .base import TINY_CELL, RecurrentCore, State, Update

__all__ = ["HierarchicalSpec", "HierarchicalCore"]


class HierarchicalCore(RecurrentCore):
    """HRM's H/L schedule: for each of ``h_cycles``: ``l_cycles`` low updates, then one high update."""

    readout = "z_h"
    latent = "z_l"  # the low level, the analogue of TRM's latent z
    level_names = {"z_h": "high level z_H", "z_l": "low level z_L"}
    #: How the reference HRM code names what this core holds (see reasonkit.interop).
    REFERENCE_LEVELS = {"H_level": "high", "L_level": "low", "H_init": "z_h_init", "L_init": "z_l_init"}

    def __init__(
        self,
        high: nn.Module,
        low: nn.Module,
        high_injection: nn.Module,
        low_injection: nn.Module,
        h_cycles: int,
        l_cycles: int,
        hidden_size: int,
    ) -> None:
        super().__init__(("z_h", "z_l"), hidden_size)
        self.high, self.low = high, low
        self.high_injection, self.low_injection = high_injection, low_injection
        self.schedule = tuple(Update(level, h) for h in range(h_cycles) for level in ("z_l",) * l_cycles + ("z_h",))

    def update(self, index: int, state: State, x: torch.Tensor) -> State:
        z_h, z_l = state["z_h"], state["z_l"]
        if self.schedule[index].level == "z_l":
            return {"z_h": z_h, "z_l": self.low(self.low_injection(z_l, z_h, x))}
        return {"z_h": self.high(self.high_injection(z_h, z_l)), "z_l": z_l}


@register("core")
class HierarchicalSpec(Spec):
    """HRM's two-level schedule with separate high and low networks."""

    kind: Literal["hierarchical"] = "hierarchical"
    h_cycles: PositiveInt = Field(2, description="high-level updates per segment (N in the HRM paper)")
    l_cycles: PositiveInt = Field(2, description="low-level updates per high-level update (T in the HRM paper)")
    high: Kind("cell") = Field(default_factory=lambda: {"kind": "transformer"}, description="the high-level network")
    low: Kind("cell") = Field(default_factory=lambda: {"kind": "transformer"}, description="the low-level network")
    injection: Kind("injection") = Field(
        default_factory=lambda: {"kind": "add"}, description="how inputs enter both levels"
    )

    @classmethod
    def tiny(cls) -> HierarchicalSpec:
        return cls(h_cycles=2, l_cycles=2, high=TINY_CELL, low=TINY_CELL)

    def build(self, ctx: BuildContext) -> HierarchicalCore:
        return HierarchicalCore(
            high=self.high.build(ctx),
            low=self.low.build(ctx),
            high_injection=self.injection.build(ctx, num_inputs=1),
            low_injection=self.injection.build(ctx, num_inputs=2),
            h_cycles=self.h_cycles,
            l_cycles=self.l_cycles,
            hidden_size=ctx.hidden_size,
        )
