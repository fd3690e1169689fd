"""The recursive core of TRM (Jolicoeur-Martineau 2025, "Less is More: Recursive Reasoning with Tiny Networks",
arXiv 2510.04871).

Two states, a latent ``z`` (``z_L`` in the reference code) and an answer ``y`` (``z_H``), and ONE network for
both. A cycle updates the latent ``latent_updates`` times from the input, the answer and itself,
``z = net(inject(z, y, x))``, then the answer once from the latent, ``y = net(inject(y, z))``; a segment runs
``cycles`` cycles. With the additive injection this is ``z_L + (z_H + input_embeddings)`` and ``z_H + z_L``,
summed in the reference's order, and with the ``last_cycle`` gradient it is the reference TRM exactly. The
heads read ``y``. Setting ``answer_cell`` gives ``y`` its own network (the "separate networks" ablation).
"""

from __future__ import annotations

from typing import Literal, Optional

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ...registry import register
from ...spec import BuildContext, Kind, Spec
from .base import TINY_CELL, RecurrentCore, State, Update

__all__ = ["RecursiveSpec", "RecursiveCore"]


class RecursiveCore(RecurrentCore):
    """TRM's schedule: for each of ``cycles``: ``latent_updates`` latent updates, then one answer update."""

    readout = "y"
    latent = "z"  # PTRM perturbs TRM's z (z_L)
    level_names = {"y": "answer y", "z": "latent z"}

    def __init__(
        self,
        net: nn.Module,
        latent_injection: nn.Module,
        answer_injection: nn.Module,
        cycles: int,
        latent_updates: int,
        hidden_size: int,
        answer_net: nn.Module | None = None,
    ) -> None:
        super().__init__(("y", "z"), hidden_size)
        self.net = net
        self.answer_net = answer_net
        self.latent_injection, self.answer_injection = latent_injection, answer_injection
        self.schedule = tuple(Update(level, c) for c in range(cycles) for level in ("z",) * latent_updates + ("y",))

    @property
    def REFERENCE_LEVELS(self) -> dict[str, str]:  # noqa: N802  (the name reasonkit.interop looks for)
        """How the reference TRM names this core's parts; only the shared-network form has a reference."""
        if self.answer_net is not None:
            return {}
        return {"L_level": "net", "H_init": "y_init", "L_init": "z_init"}

    def update(self, index: int, state: State, x: torch.Tensor) -> State:
        y, z = state["y"], state["z"]
        if self.schedule[index].level == "z":
            return {"y": y, "z": self.net(self.latent_injection(z, y, x))}
        net = self.net if self.answer_net is None else self.answer_net
        return {"y": net(self.answer_injection(y, z)), "z": z}


@register("core")
class RecursiveSpec(Spec):
    """TRM's recursion: one network refines a latent n times, then the answer, T times per segment."""

    kind: Literal["recursive"] = "recursive"
    cycles: PositiveInt = Field(3, description="cycles per segment (T in the TRM paper, H_cycles in its code)")
    latent_updates: PositiveInt = Field(
        6, description="latent updates per cycle (n in the TRM paper, L_cycles in its code)"
    )
    cell: Kind("cell") = Field(
        default_factory=lambda: {"kind": "transformer", "layers": 2},
        description="the network shared by the latent and the answer updates",
    )
    answer_cell: Optional[Kind("cell")] = Field(
        None, description="a separate network for the answer update (TRM's 'separate networks' ablation); None = share"
    )
    injection: Kind("injection") = Field(
        default_factory=lambda: {"kind": "add"}, description="how inputs enter both updates"
    )

    @classmethod
    def tiny(cls) -> RecursiveSpec:
        return cls(cycles=2, latent_updates=2, cell=TINY_CELL)

    def build(self, ctx: BuildContext) -> RecursiveCore:
        return RecursiveCore(
            net=self.cell.build(ctx),
            latent_injection=self.injection.build(ctx, num_inputs=2),
            answer_injection=self.injection.build(ctx, num_inputs=1),
            cycles=self.cycles,
            latent_updates=self.latent_updates,
            hidden_size=ctx.hidden_size,
            answer_net=self.answer_cell.build(ctx) if self.answer_cell is not None else None,
        )
