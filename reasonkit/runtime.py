"""The machine a run is on: the device to use and torch's thread settings.

On small CPUs thread oversubscription is easy (a 2-core machine under load once ran 60x slower with torch's
default threads than with one), so entry points that run for long set the threads deliberately with
:func:`configure_threads`.
"""

from __future__ import annotations

import os

import torch

from .errors import ConfigError

__all__ = ["resolve_device", "configure_threads", "cpu_count"]


def cpu_count() -> int:
    """The CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def resolve_device(device: str = "auto") -> torch.device:
    """The device to run on: ``auto`` picks CUDA when available, else the CPU; an unavailable device is an error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ConfigError(f"unknown device {device!r}; use auto, cpu, cuda, cuda:N or mps") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"device {device!r} was requested but CUDA is not available on this machine; use device=auto or device=cpu"
        )
    if dev.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ConfigError(
            f"device {device!r} was requested but MPS is not available on this machine; use device=auto or device=cpu"
        )
    return dev


def configure_threads(threads: int | None = None, *, processes: int = 1) -> int:
    """Set torch's intra-op threads to ``threads`` (default: the usable cores divided among ``processes``).

    Inter-op threads are set to 1 where torch still allows it (before any parallel work). Returns the count.
    """
    count = threads if threads is not None else max(1, cpu_count() // max(1, processes))
    torch.set_num_threads(count)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # torch allows it only before the first inter-op parallel work
        pass
    return count
