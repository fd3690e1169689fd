"""The shortest S-G path a model is closest to: the training target when any shortest path is correct.

A maze with several shortest paths has several correct answers; a per-cell loss against one of them (fixed or
random) asks the model to reproduce an arbitrary choice. Training against the correct answer of least loss (the
MinLoss objective of Nandwani et al., "Neural Learning of One-of-Many Solutions for Combinatorial Problems in
Structured Output Spaces", ICLR 2021) lets the model settle on any shortest path. For a per-cell loss the answer
of least loss is a dynamic programme: a path's loss is a constant plus, for every cell it marks, ``loss(path
token) - loss(open token)`` at that cell, so the best shortest path is the least-cost walk from S to G over the
layers of a breadth-first search. Batched over mazes, one layer per iteration, on any device.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .codec import TOKENS

__all__ = ["least_cost_shortest_paths"]

_OPEN, _START, _GOAL, _PATH = (TOKENS[c] for c in " SGo")
# Neighbour offsets in a grid padded by one cell: up, down, left, right.
_SHIFTS = ((0, 1), (2, 1), (1, 0), (1, 2))
#: Breadth-first layers run between two checks (host syncs) of whether the search has ended.
_CHECK_EVERY = 8
#: The cost given to a cell whose cost is not finite (a path of 900 such cells still sums below float32's max).
_BIG = 1e30


def _neighbours(x: torch.Tensor, fill) -> torch.Tensor:
    """[4, B, H, W]: each cell's up, down, left and right neighbour's value (``fill`` outside the grid)."""
    h, w = x.shape[-2:]
    padded = F.pad(x, (1, 1, 1, 1), value=fill)
    return torch.stack([padded[:, r : r + h, c : c + w] for r, c in _SHIFTS])


@torch.no_grad()
def least_cost_shortest_paths(inputs: torch.Tensor, cost: torch.Tensor, side: int) -> torch.Tensor:
    """Labels [B, side * side]: each maze of ``inputs`` (token ids) with the shortest S-G path of least total
    ``cost`` (per cell [B, side * side], the cost of marking that cell; only open cells are summed) marked.

    Equal costs are broken by neighbour order (up, down, left, right from G). A maze without exactly one S and one
    G, or whose G cannot be reached, is returned unchanged. Non-finite costs count as +-1e30, so which cells are
    reachable never depends on ``cost``. The host is synchronised once every ``_CHECK_EVERY`` layers and once for
    the walk back.
    """
    b = inputs.shape[0]
    grid = inputs.reshape(b, side, side)
    free = (grid == _OPEN) | (grid == _START) | (grid == _GOAL)
    dtype = torch.promote_types(cost.dtype, torch.float32)  # stablemax's float64 losses stay float64
    # non-finite costs (from non-finite logits) become large finite ones, so that every reached cell has a finite best
    cost = torch.nan_to_num(cost.reshape(b, side, side).to(dtype), nan=_BIG, posinf=_BIG, neginf=-_BIG)
    cell_cost = torch.where(grid == _OPEN, cost, 0.0)
    valid = ((grid == _START).sum((1, 2)) == 1) & ((grid == _GOAL).sum((1, 2)) == 1)
    frontier = (grid == _START) & valid.view(b, 1, 1)
    goal = grid == _GOAL
    dist = torch.where(frontier, 0, -1)
    best = torch.where(frontier, 0.0, torch.inf).to(dtype)  # least cost of a shortest path from S to each cell
    reached = frontier.clone()
    layer = 0
    while True:
        # _CHECK_EVERY layers between host syncs; a layer after the search has ended changes nothing
        for _ in range(_CHECK_EVERY):
            layer += 1
            near = _neighbours(torch.where(frontier, best, torch.inf), torch.inf).amin(0)
            new = free & ~reached & torch.isfinite(near)  # every reached cell's best is finite (costs are)
            best = torch.where(new, near + cell_cost, best)
            dist = torch.where(new, layer, dist)
            reached |= new
            frontier = new
        if not bool(frontier.any()) or bool((reached | ~goal).all()):
            break

    # walk back from G, each step to the neighbour one layer closer to S with the least cost
    flat_dist = F.pad(dist, (1, 1, 1, 1), value=-1).reshape(b, -1)
    flat_best = F.pad(best, (1, 1, 1, 1), value=torch.inf).reshape(b, -1)
    width = side + 2
    offsets = torch.tensor([-width, width, -1, 1], device=inputs.device)
    goal_at = goal.reshape(b, -1).to(torch.uint8).argmax(-1)
    pos = goal_at // side * width + goal_at % side + width + 1  # in the padded grid
    rows = torch.arange(b, device=inputs.device)
    here = flat_dist[rows, pos]
    tracing = valid & (here > 0)
    path = torch.zeros_like(flat_dist, dtype=torch.bool)
    for _ in range(int(torch.where(tracing, here, 0).max())):  # one host sync for the walk
        nbr = pos.unsqueeze(-1) + offsets
        ok = flat_dist.gather(1, nbr) == (here - 1).unsqueeze(-1)
        step = torch.where(ok, flat_best.gather(1, nbr), torch.inf).argmin(-1)
        pos = torch.where(tracing, nbr[rows, step], pos)
        here = flat_dist[rows, pos]
        tracing &= here > 0
        path[rows, pos] |= tracing
    path = path.reshape(b, width, width)[:, 1:-1, 1:-1].reshape(b, -1)
    return torch.where(path, _PATH, inputs.long())
