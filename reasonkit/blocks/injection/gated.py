"""Gated injection: each injected tensor enters through a learned sigmoid gate (after the input and forget
gates of LSTMs, Hochreiter and Schmidhuber 1997, and the gated residuals of Highway Networks, Srivastava et al.
2015, arXiv 1505.00387).

``out = state + sum_i 2 * sigmoid(W_i [state, injected_i] + b_i) * injected_i``. The gate weights start at zero,
so every gate starts at 1 and the block starts as the additive injection; training learns, per position and
channel, how much of the input and of the other level to let in.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from ...layers.linear import CastedLinear
from ...registry import register
from ...spec import BuildContext, Spec

__all__ = ["GatedInjectionSpec", "GatedInjection"]


class GatedInjection(nn.Module):
    """``state + sum_i gate_i * injected_i`` with one gate network per injected tensor."""

    def __init__(self, hidden_size: int, num_inputs: int) -> None:
        super().__init__()
        self.gates = nn.ModuleList(CastedLinear(2 * hidden_size, hidden_size, bias=True) for _ in range(num_inputs))
        with torch.no_grad():
            for gate in self.gates:
                gate.weight.zero_()

    def forward(self, state: torch.Tensor, *injected: torch.Tensor) -> torch.Tensor:
        if len(injected) != len(self.gates):
            raise ValueError(f"gated injection was built for {len(self.gates)} inputs, got {len(injected)}")
        out = state
        for gate, value in zip(self.gates, injected):
            out = out + 2 * torch.sigmoid(gate(torch.cat((state, value), dim=-1))) * value
        return out


@register("injection")
class GatedInjectionSpec(Spec):
    """A learned sigmoid gate per injected tensor, starting as the additive injection."""

    kind: Literal["gated"] = "gated"

    @classmethod
    def tiny(cls) -> GatedInjectionSpec:
        return cls()

    def build(self, ctx: BuildContext, num_inputs: int) -> GatedInjection:
        return GatedInjection(ctx.hidden_size, num_inputs)
