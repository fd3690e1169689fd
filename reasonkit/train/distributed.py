"""Data parallelism with torch.distributed, started by ``torchrun`` (NCCL on GPUs, gloo on CPUs).

Each rank runs its share of the global batch; the loss is divided by the *global* batch size and the dense
gradients are summed over ranks, so the update equals a single-process step on the global batch (HRM's scheme).
The puzzle table's sparse rows are gathered by :class:`~reasonkit.train.optim.SparseSignSGD`. Only rank 0 writes.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from ..runtime import resolve_device

__all__ = ["World", "init_distributed", "all_reduce_grads", "broadcast_parameters", "reduce_sum"]


@dataclass(frozen=True)
class World:
    """This process's place in the job: ``rank`` of ``size`` processes, ``local_rank`` on its machine."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1


def init_distributed(device: str = "auto") -> tuple[World, torch.device]:
    """Join the process group if started by torchrun (``WORLD_SIZE`` > 1), and pick this rank's device."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    dev = resolve_device(device)
    if dev.type == "cuda":
        dev = torch.device("cuda", local)
        torch.cuda.set_device(dev)
    if size > 1 and not dist.is_initialized():
        backend = "nccl" if dev.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, rank=rank, world_size=size, timeout=datetime.timedelta(minutes=30))
    return World(rank, size, local), dev


def broadcast_parameters(module: nn.Module, world: World) -> None:
    """Make every rank start from rank 0's parameters and buffers."""
    if world.distributed:
        for tensor in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(tensor.data, src=0)


def all_reduce_grads(params: list[nn.Parameter], world: World) -> None:
    """Sum dense gradients over ranks (the loss is already divided by the global batch size)."""
    if not world.distributed:
        return
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def reduce_sum(values: torch.Tensor, world: World) -> torch.Tensor:
    """Sum a tensor over ranks (every rank gets the result)."""
    if world.distributed:
        values = values.clone()
        dist.all_reduce(values)
    return values
