"""Additive injection (HRM, arXiv 2506.21734): the cell's input is ``state + (sum of injected tensors)``."""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from ...registry import register
from ...spec import BuildContext, Spec

__all__ = ["AddInjectionSpec", "AddInjection"]


class AddInjection(nn.Module):
    """Adds the injected tensors to the state; no parameters."""

    def forward(self, state: torch.Tensor, *injected: torch.Tensor) -> torch.Tensor:
        total = injected[0]
        for extra in injected[1:]:
            total = total + extra
        return state + total


@register("injection")
class AddInjectionSpec(Spec):
    """``state + sum(injected)``, as in HRM and TRM."""

    kind: Literal["add"] = "add"

    @classmethod
    def tiny(cls) -> AddInjectionSpec:
        return cls()

    def build(self, ctx: BuildContext, num_inputs: int) -> AddInjection:
        return AddInjection()
