"""Concatenate-and-project injection: normalise the state and each injected tensor, concatenate, project back
to the hidden size (the input mixing of recurrent relational networks, Palm et al. 2018, ``MLP([x, h])``, and of
GRU/LSTM-style cells, as a linear map).

``out = W [rmsnorm(state), rmsnorm(injected_1), ...] + b``. Unlike ``add`` the result does not keep the state
as a residual, so the cell decides what to keep.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import PositiveFloat
from torch import nn

from ...layers.linear import CastedLinear
from ...layers.norm import rms_norm
from ...registry import register
from ...spec import BuildContext, Spec

__all__ = ["ConcatProjInjectionSpec", "ConcatProjInjection"]


class ConcatProjInjection(nn.Module):
    """A linear map of the normalised, concatenated state and injected tensors."""

    def __init__(self, hidden_size: int, num_inputs: int, norm_eps: float) -> None:
        super().__init__()
        self.num_inputs = num_inputs
        self.norm_eps = norm_eps
        self.proj = CastedLinear((1 + num_inputs) * hidden_size, hidden_size, bias=True)

    def forward(self, state: torch.Tensor, *injected: torch.Tensor) -> torch.Tensor:
        if len(injected) != self.num_inputs:
            raise ValueError(f"concat_proj injection was built for {self.num_inputs} inputs, got {len(injected)}")
        parts = [rms_norm(t, self.norm_eps) for t in (state, *injected)]
        return self.proj(torch.cat(parts, dim=-1))


@register("injection")
class ConcatProjInjectionSpec(Spec):
    """Normalise, concatenate, project: a learned mix of the state and the injected tensors."""

    kind: Literal["concat_proj"] = "concat_proj"
    norm_eps: PositiveFloat = 1e-5

    @classmethod
    def tiny(cls) -> ConcatProjInjectionSpec:
        return cls()

    def build(self, ctx: BuildContext, num_inputs: int) -> ConcatProjInjection:
        return ConcatProjInjection(ctx.hidden_size, num_inputs, self.norm_eps)
