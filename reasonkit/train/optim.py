"""Optimizers: Adam-atan2 (HRM), sign-SGD for the sparse puzzle-embedding table, and timm's factory by name.

Adam-atan2 (Everett et al. 2024, "Scaling exponents across parameterizations and optimizers") replaces
``m / (sqrt(v) + eps)`` by ``atan2(m, sqrt(v))``: no epsilon, bounded updates. The HRM reference uses a
CUDA-compiled package for it; no pip library provides a portable version, so it is written here by hand.
Likewise the puzzle table's sign-SGD on the rows a batch touches (HRM's ``CastedSparseEmbeddingSignSGD_Distributed``)
exists in no library. Every other optimizer comes from ``timm.optim.create_optimizer_v2`` by name.
"""

from __future__ import annotations

import math
from typing import Iterable

import torch
import torch.distributed as dist
from torch import nn

__all__ = ["AdamAtan2", "SparseSignSGD", "create_optimizer", "gather_sparse_rows"]


class AdamAtan2(torch.optim.Optimizer):
    """Adam with ``atan2`` in place of the division, decoupled weight decay, no epsilon.

    Per step ``t``: ``p *= 1 - lr * wd``; ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g^2``;
    ``p -= lr * atan2(m / (1 - b1^t), sqrt(v / (1 - b2^t)))``. Defaults are HRM's: betas (0.9, 0.95).
    """

    def __init__(
        self, params: Iterable, lr: float = 1e-4, betas: tuple[float, float] = (0.9, 0.95), weight_decay: float = 0.0
    ) -> None:
        if lr < 0 or weight_decay < 0 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"invalid Adam-atan2 settings: lr={lr}, betas={betas}, weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(
                        "AdamAtan2 does not take sparse gradients; train the puzzle table with SparseSignSGD"
                    )
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1  # a Python int: no host sync per parameter
                t = state["step"]
                m, v, g = state["exp_avg"], state["exp_avg_sq"], p.grad
                p.mul_(1 - lr * wd)
                m.lerp_(g, 1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                p.add_(torch.atan2(m / (1 - beta1**t), v.sqrt() / math.sqrt(1 - beta2**t)), alpha=-lr)
        return loss


def gather_sparse_rows(grad: torch.Tensor, world_size: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """``(ids, rows)``: the unique row ids of a sparse gradient and their summed rows, over all ranks.

    Rows of repeated ids are summed, within a rank and across ranks (ranks may touch different numbers of rows).
    """
    grad = grad.coalesce()
    ids, rows = grad.indices()[0], grad.values()
    if world_size > 1:
        count = torch.tensor([ids.numel()], device=ids.device)
        counts = [torch.zeros_like(count) for _ in range(world_size)]
        dist.all_gather(counts, count)
        longest = int(max(c.item() for c in counts))
        pad = longest - ids.numel()
        ids_padded = torch.cat([ids, ids.new_full((pad,), -1)])
        rows_padded = torch.cat([rows, rows.new_zeros((pad,) + rows.shape[1:])])
        all_ids = [torch.empty_like(ids_padded) for _ in range(world_size)]
        all_rows = [torch.empty_like(rows_padded) for _ in range(world_size)]
        dist.all_gather(all_ids, ids_padded)
        dist.all_gather(all_rows, rows_padded)
        ids, rows = torch.cat(all_ids), torch.cat(all_rows)
        keep = ids >= 0
        ids, rows = ids[keep], rows[keep]
    unique, inverse = ids.unique(return_inverse=True)
    summed = rows.new_zeros((unique.numel(),) + rows.shape[1:]).index_add_(0, inverse, rows)
    return unique, summed


class SparseSignSGD(torch.optim.Optimizer):
    """Sign-SGD on the rows of a table touched in the batch: ``w = w (1 - lr wd) - lr sign(g)`` on those rows only.

    Takes parameters with sparse gradients (``F.embedding(..., sparse=True)``); gradients of repeated ids are
    summed, and with ``world_size > 1`` gathered from every rank first, so every rank applies the same update.
    Rows not in any batch are untouched (no weight decay either), as in the reference.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, weight_decay: float = 0.0, world_size: int = 1) -> None:
        if lr < 0 or weight_decay < 0:
            raise ValueError(f"invalid sign-SGD settings: lr={lr}, weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay))
        self.world_size = world_size

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    if self.world_size > 1:
                        raise RuntimeError(
                            "a puzzle table got no gradient on this rank; every rank must run the same segments"
                        )
                    continue
                grad = p.grad if p.grad.is_sparse else p.grad.to_sparse()
                ids, rows = gather_sparse_rows(grad, self.world_size)
                w = p[ids]
                p[ids] = w * (1 - lr * wd) - lr * torch.sign(rows)
        return loss


def create_optimizer(
    params: list[nn.Parameter],
    name: str,
    lr: float,
    weight_decay: float,
    betas: tuple[float, float] = (0.9, 0.95),
    **kwargs,
) -> torch.optim.Optimizer:
    """The dense optimizer by name: ``adam_atan2`` (HRM's), or any name of ``timm.optim.list_optimizers()``.

    Weight decay applies to every parameter (HRM decays all of them, biases included), so timm's
    bias/norm filtering is not used.
    """
    if name in ("adam_atan2", "adam-atan2", "adamatan2"):
        return AdamAtan2(params, lr=lr, betas=betas, weight_decay=weight_decay)
    import timm.optim

    known = timm.optim.list_optimizers()
    if name not in known:
        from ..registry import closest

        raise ValueError(
            f"unknown optimizer {name!r}.{closest(name, list(known) + ['adam_atan2'])} "
            "Known: adam_atan2 and timm's (timm.optim.list_optimizers())"
        )
    import inspect

    if "betas" not in kwargs and "betas" in inspect.signature(timm.optim.get_optimizer_class(name)).parameters:
        kwargs["betas"] = betas
    return timm.optim.create_optimizer_v2(params, opt=name, lr=lr, weight_decay=weight_decay, **kwargs)
