"""Graph cell: one step of a recurrent relational network (Palm, Paquet and Winther 2018, "Recurrent Relational
Networks", arXiv 1711.08028) over a task's constraint graph, with torch-geometric message passing.

A step computes messages ``m_ij = MLP([h_i, h_j])`` along the graph's edges, sums them at each node, mixes the
sum with the node's own vector, ``u_i = MLP([sum_j m_ij, h_i])``, and updates the node with a GRU or LSTM cell.
The node vector the cell receives already carries the input (the core's injection plays the role of the RRN's
``x`` in the node MLP). With the LSTM update the state vector holds ``[h, c]``, half the hidden size each.
Puzzle-prefix positions are linked to every task position in both directions, so the halting head (which reads
the first prefix position) sees the whole board. Edges are built once, at construction.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ...registry import lookup, register
from ...spec import BuildContext, Spec

__all__ = ["GraphCellSpec", "GraphCell"]


def _with_prefix(edges: torch.Tensor, prefix_len: int, task_len: int) -> torch.Tensor:
    """Task edges shifted past the prefix, plus prefix <-> task links in both directions."""
    shifted = edges + prefix_len
    if prefix_len == 0:
        return shifted
    prefix = torch.arange(prefix_len, device="cpu").repeat_interleave(task_len)
    task = torch.arange(task_len, device="cpu").repeat(prefix_len) + prefix_len
    return torch.cat((shifted, torch.stack((prefix, task)), torch.stack((task, prefix))), dim=1)


class GraphCell(nn.Module):
    """One recurrent-relational-network step over a fixed graph: messages, node MLP, GRU/LSTM update."""

    def __init__(
        self,
        hidden_size: int,
        edge_index: torch.Tensor,
        prefix_len: int,
        task_len: int,
        message_layers: int,
        update: str,
    ) -> None:
        super().__init__()
        # torch-geometric takes seconds to import; only models with a graph cell pay for it.
        from ._relational import RelationalMessages, mlp

        self.update_kind = update
        self.register_buffer("edge_index", _with_prefix(edge_index, prefix_len, task_len), persistent=False)
        self.messages = RelationalMessages(hidden_size, message_layers)
        self.node = mlp(2 * hidden_size, hidden_size, 2)
        if update == "gru":
            self.rnn: nn.Module = nn.GRUCell(hidden_size, hidden_size)
        else:
            self.rnn = nn.LSTMCell(hidden_size, hidden_size // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq, hidden = x.shape
        summed = self.messages(x, self.edge_index.to(x.device))  # a no-op but on the meta device (FLOP counts)
        u = self.node(torch.cat((summed, x), dim=-1)).reshape(-1, hidden).float()
        flat = x.reshape(-1, hidden).float()
        if self.update_kind == "gru":
            out = self.rnn(u, flat)
        else:
            h, c = flat.chunk(2, dim=-1)
            out = torch.cat(self.rnn(u, (h.contiguous(), c.contiguous())), dim=-1)
        return out.to(x.dtype).view(batch, seq, hidden)


@register("cell")
class GraphCellSpec(Spec):
    """A recurrent relational network step over the task's constraint graph (torch-geometric)."""

    kind: Literal["graph"] = "graph"
    tiny_root: ClassVar[dict] = {"task": "sudoku"}
    message_layers: PositiveInt = Field(4, description="layers of the message MLP (4 in the RRN paper)")
    update: Literal["gru", "lstm"] = Field("lstm", description="node update: an LSTM cell (RRN) or a GRU cell")
    graph: Optional[str] = Field(None, description="the task whose constraint graph to use; None = the model's task")

    def _graph(self, ctx: BuildContext) -> torch.Tensor:
        name = self.graph or ctx.task
        if name is None:
            raise ValueError(
                "a graph cell needs a constraint graph but the model names no task; set task=... "
                "(e.g. sudoku or maze) or the cell's graph field"
            )
        edges = lookup("task", name)().graph(ctx.task_seq_len)
        if edges is None:
            raise ValueError(f"task {name!r} defines no constraint graph for a graph cell")
        return edges

    def check(self, ctx: BuildContext) -> None:
        self._graph(ctx)
        if self.update == "lstm" and ctx.hidden_size % 2:
            raise ValueError(
                f"the lstm update keeps [h, c] in the state and needs an even hidden_size, got {ctx.hidden_size}"
            )

    @classmethod
    def tiny(cls) -> GraphCellSpec:
        return cls(message_layers=2, update="gru")

    def build(self, ctx: BuildContext) -> GraphCell:
        return GraphCell(
            ctx.hidden_size, self._graph(ctx), ctx.prefix_len, ctx.task_seq_len, self.message_layers, self.update
        )
