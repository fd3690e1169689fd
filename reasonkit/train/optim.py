"""Optimizers: Adam-atan2 (HRM), Muon with AdamW (URM's ARC-AGI-2 run), sign-SGD for the sparse puzzle-embedding
table, and timm's factory by name.

Adam-atan2 (Everett et al. 2024, "Scaling exponents across parameterizations and optimizers") replaces
``m / (sqrt(v) + eps)`` by ``atan2(m, sqrt(v))``: no epsilon, bounded updates. The HRM reference uses a
CUDA-compiled package for it; no pip library provides a portable version, so it is written here by hand.
Likewise the puzzle table's sign-SGD on the rows a batch touches (HRM's ``CastedSparseEmbeddingSignSGD_Distributed``)
exists in no library. Muon (Jordan et al. 2024; Liu et al. 2025, "Muon is Scalable for LLM Training", arXiv
2502.16982) is torch's own ``torch.optim.Muon`` (torch >= 2.9), else timm's. Every other optimizer comes from
``timm.optim.create_optimizer_v2`` by name.
"""

from __future__ import annotations

import functools
import math
from typing import Iterable

import torch
import torch.distributed as dist
from torch import nn

__all__ = [
    "ADAM_ATAN2_NAMES",
    "AdamAtan2",
    "CombinedOptimizer",
    "SparseSignSGD",
    "create_muon",
    "create_optimizer",
    "gather_sparse_rows",
]


#: The names create_optimizer accepts for AdamAtan2.
ADAM_ATAN2_NAMES = ("adam_atan2", "adam-atan2", "adamatan2")


class AdamAtan2(torch.optim.Optimizer):
    """Adam with ``atan2`` in place of the division, decoupled weight decay, no epsilon.

    Per step ``t``: ``p *= 1 - lr * wd``; ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g^2``;
    ``p -= lr * atan2(m / (1 - b1^t), sqrt(v / (1 - b2^t)))``. Defaults are HRM's: betas (0.9, 0.95).

    With ``fused=True`` each parameter's update is one ``torch.compile``d kernel (read p, g, m, v once, write
    p, m, v once) instead of nine eager passes: the same formula, rounded within a few float32 ulps of the eager
    form (the compiler may contract multiplies and adds). The eager form is the default.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.95),
        weight_decay: float = 0.0,
        fused: bool = False,
    ) -> None:
        if lr < 0 or weight_decay < 0 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"invalid Adam-atan2 settings: lr={lr}, betas={betas}, weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay))
        self.fused = fused

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            scalars: dict[tuple[int, torch.device], torch.Tensor] = {}
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
                if self.fused and p.is_contiguous() and g.is_contiguous():
                    key = (t, p.device)
                    if key not in scalars:  # one small tensor per step: the compiled kernel never recompiles
                        values = [1 - lr * wd, 1 - beta1, beta2, 1 - beta2, 1 - beta1**t, math.sqrt(1 - beta2**t), lr]
                        scalars[key] = torch.tensor(values, dtype=torch.float32, device=p.device)
                    _fused_kernel()(p.view(-1), g.view(-1), m.view(-1), v.view(-1), scalars[key])
                    continue
                p.mul_(1 - lr * wd)
                m.lerp_(g, 1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                p.add_(torch.atan2(m / (1 - beta1**t), v.sqrt() / math.sqrt(1 - beta2**t)), alpha=-lr)
        return loss


def _adam_atan2_update(p, g, m, v, s):
    """One Adam-atan2 update in place on flat views; ``s`` holds (decay, 1-b1, b2, 1-b2, bias1, sqrt bias2, lr)."""
    decay, one_minus_b1, beta2, one_minus_b2, bias1, bias2_sqrt, lr = s.unbind()
    m_new = m.lerp(g, one_minus_b1)
    v_new = v * beta2 + one_minus_b2 * (g * g)
    p.copy_(p * decay - lr * torch.atan2(m_new / bias1, v_new.sqrt() / bias2_sqrt))
    m.copy_(m_new)
    v.copy_(v_new)


@functools.cache
def _fused_kernel():
    # Flat views of every size share one graph (dynamic shapes); the scalars are a tensor, so a changing
    # learning rate or step count never recompiles.
    return torch.compile(_adam_atan2_update, dynamic=True, fullgraph=True)


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


class CombinedOptimizer:
    """Optimizers over disjoint parameters, stepped, scheduled and checkpointed as one.

    ``param_groups`` lists every inner optimizer's groups (the same dicts), so a schedule that sets ``lr`` on each
    group reaches all of them; ``state_dict()`` holds one state dict per inner optimizer.
    """

    def __init__(self, optimizers: list[torch.optim.Optimizer]) -> None:
        self.optimizers = optimizers

    @property
    def param_groups(self) -> list[dict]:
        return [group for opt in self.optimizers for group in opt.param_groups]

    def step(self) -> None:
        for opt in self.optimizers:
            opt.step()

    def zero_grad(self, set_to_none: bool = True) -> None:
        for opt in self.optimizers:
            opt.zero_grad(set_to_none=set_to_none)

    def state_dict(self) -> dict:
        return {"optimizers": [opt.state_dict() for opt in self.optimizers]}

    def load_state_dict(self, state: dict) -> None:
        if len(state["optimizers"]) != len(self.optimizers):
            raise ValueError(
                f"the saved state holds {len(state['optimizers'])} optimizers, this one {len(self.optimizers)}"
            )
        for opt, inner in zip(self.optimizers, state["optimizers"]):
            opt.load_state_dict(inner)


def create_muon(
    params: list[nn.Parameter], lr: float, weight_decay: float, betas: tuple[float, float] = (0.9, 0.95)
) -> torch.optim.Optimizer | CombinedOptimizer:
    """URM's optimizer for ARC-AGI-2 (``use_muon=True``): Muon for every 2-D weight matrix, AdamW for the rest.

    Muon takes the parameters with ``ndim == 2``: in a reasonkit model the token embedding, the LM head, the halting
    head's weight, and every linear weight of the cells (URM puts its embedding and heads in Muon too). AdamW takes
    all the others: biases (the halting head's), the depthwise convolutions of ``conv_swiglu``, learned 1-D
    parameters. Both use ``lr`` and ``weight_decay`` (URM: 1e-4 and 0.1 for both groups); Muon has momentum 0.95 with
    Nesterov and scales its step by ``0.2 * sqrt(max(rows, cols))`` (Moonlight's rule, as URM); AdamW uses ``betas``
    and eps 1e-8. ``params`` are the dense parameters: the puzzle table stays with the trainer's sign-SGD.

    With ``torch.optim.Muon`` (torch >= 2.9) this is that and ``torch.optim.AdamW`` in a :class:`CombinedOptimizer`;
    otherwise timm's Muon with its AdamW fallback for the second group. Both differ from URM's own Muon
    (``models/muon.py``) in the Newton-Schulz iteration: five steps of the fixed quintic (3.4445, -4.7750, 2.0315)
    where URM uses five different coefficient triples per step, starting at (7.2086, -15.5131, 9.0178).
    """
    matrices = [p for p in params if p.ndim == 2]
    others = [p for p in params if p.ndim != 2]
    if hasattr(torch.optim, "Muon"):
        muon = torch.optim.Muon(
            matrices, lr=lr, weight_decay=weight_decay, momentum=0.95, nesterov=True, adjust_lr_fn="match_rms_adamw"
        )
        if not others:
            return muon
        adamw = torch.optim.AdamW(others, lr=lr, betas=betas, eps=1e-8, weight_decay=weight_decay)
        return CombinedOptimizer([muon, adamw])
    try:
        from timm.optim import Muon
    except ImportError:
        raise ValueError(
            "optimizer=muon needs torch >= 2.9 (torch.optim.Muon) or a timm with timm.optim.Muon"
        ) from None
    groups = [{"params": matrices}] + ([{"params": others, "use_fallback": True}] if others else [])
    return Muon(
        groups,
        lr=lr,
        weight_decay=weight_decay,
        momentum=0.95,
        nesterov=True,
        adjust_lr_fn="match_rms_adamw",
        betas=betas,
    )


def create_optimizer(
    params: list[nn.Parameter],
    name: str,
    lr: float,
    weight_decay: float,
    betas: tuple[float, float] = (0.9, 0.95),
    **kwargs,
) -> torch.optim.Optimizer | CombinedOptimizer:
    """The dense optimizer by name: ``adam_atan2`` (HRM's), ``muon`` (URM's Muon + AdamW, :func:`create_muon`), or
    any other name of ``timm.optim.list_optimizers()``.

    Weight decay applies to every parameter (HRM decays all of them, biases included), so timm's
    bias/norm filtering is not used.
    """
    if name in ADAM_ATAN2_NAMES:
        return AdamAtan2(params, lr=lr, betas=betas, weight_decay=weight_decay, **kwargs)
    if name == "muon":
        return create_muon(params, lr=lr, weight_decay=weight_decay, betas=betas, **kwargs)
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
