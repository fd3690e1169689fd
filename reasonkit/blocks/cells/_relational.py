"""Message passing of the recurrent relational network (Palm et al. 2018, arXiv 1711.08028) on torch-geometric.

Kept apart from ``graph.py`` so that importing reasonkit does not import torch-geometric.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from ...errors import MissingDependencyError

with warnings.catch_warnings():  # torch-geometric scripts helpers with the deprecated torch.jit at import time
    warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated", category=FutureWarning)
    try:
        from torch_geometric.nn import MessagePassing
    except ImportError:
        raise MissingDependencyError("the graph cell needs torch-geometric: pip install 'reasonkit[graph]'") from None

from ...layers.linear import CastedLinear

__all__ = ["RelationalMessages", "mlp"]


def mlp(inputs: int, width: int, layers: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    for i in range(layers):
        mods.append(CastedLinear(inputs if i == 0 else width, width, bias=True))
        if i < layers - 1:
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)


class RelationalMessages(MessagePassing):
    """Sum over incoming edges of ``MLP([h_target, h_source])``, batched over a leading axis."""

    def __init__(self, hidden_size: int, layers: int) -> None:
        super().__init__(aggr="add", node_dim=-2)
        self.mlp = mlp(2 * hidden_size, hidden_size, layers)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        return self.propagate(edge_index, x=x)

    def message(self, x_i: torch.Tensor, x_j: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat((x_i, x_j), dim=-1))
