"""The machine a run is on: the device, torch's thread settings, and whether bfloat16 is fast here.

On small CPUs thread oversubscription is easy (a 2-core machine under load once ran 60x slower with torch's
default threads than with one), so entry points that run for long set the threads deliberately with
:func:`configure_threads`.
"""

from __future__ import annotations

import os
import time
import warnings
from functools import cache

import torch

from .errors import ConfigError

__all__ = ["resolve_device", "configure_threads", "cpu_count", "bf16_speed", "resolve_precision", "compiler_available"]


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


@cache
def bf16_speed(device: str = "cpu") -> tuple[bool, str]:
    """Whether ``device`` runs bfloat16 matrix products faster than float32, and the measured reason.

    CUDA: when the device supports bfloat16. Other devices (MPS): no, the CPU probe says nothing about them. CPU: a
    quick probe (512x512 matrix products, best of three) in both dtypes; CPUs without bfloat16 kernels run it far
    slower than float32 (0.3 against 170 GFLOP/s seen on an AVX2 machine), CPUs with them faster (525 against 117
    on an AVX-512 BF16 EPYC). A first bfloat16 product slower than 50 ms ends the probe early. Measured once per
    process.
    """
    dev = torch.device(device)
    if dev.type == "cuda":
        fast = torch.cuda.is_bf16_supported()
        return fast, f"{torch.cuda.get_device_name(dev)} {'supports' if fast else 'lacks'} bfloat16"
    if dev.type != "cpu":  # the CPU probe says nothing about another device (MPS): stay with float32 there
        return False, f"reasonkit has no bfloat16 speed probe for {dev.type} devices"
    size, rates = 512, {}
    for dtype in (torch.bfloat16, torch.float32):
        a = torch.randn(size, size, generator=torch.Generator().manual_seed(0)).to(dtype)
        best = float("inf")
        for _ in range(4):  # the first product warms up
            start = time.perf_counter()
            a @ a
            best = min(best, time.perf_counter() - start)
            if dtype == torch.bfloat16 and best > 0.05:
                break
        rates[dtype] = 2 * size**3 / max(best, 1e-9) / 1e9
    fast = rates[torch.bfloat16] > rates[torch.float32]
    reason = (
        f"a bfloat16 matrix product runs at {rates[torch.bfloat16]:.1f} GFLOP/s against "
        f"{rates[torch.float32]:.1f} in float32 on this CPU"
    )
    return fast, reason


@cache
def compiler_available(device: str = "cpu") -> bool:
    """Whether ``torch.compile``'s default backend can build kernels for ``device`` here: a C++ compiler for the
    CPU, Triton for CUDA; never for other devices (MPS). Checked once per process."""
    kind = torch.device(device).type
    try:
        if kind == "cuda":
            from torch.utils._triton import has_triton

            return has_triton()
        if kind == "cpu":
            from torch._inductor.cpp_builder import get_cpp_compiler

            get_cpp_compiler()  # raises when no C++ compiler is found
            return True
    except Exception:  # a missing toolchain, or a torch whose private helpers moved: stay eager
        return False
    return False


def resolve_precision(precision: str, device: torch.device) -> str:
    """The forward dtype for ``precision`` (auto, float32, bfloat16) on ``device``.

    ``auto`` picks bfloat16 only where it is fast (:func:`bf16_speed`); asking for bfloat16 where it is slow warns
    once with the measured reason.
    """
    if precision == "float32":
        return precision
    fast, reason = bf16_speed(str(device))
    if precision == "auto":
        return "bfloat16" if fast else "float32"
    if not fast:
        _warn_once(f"precision=bfloat16 is slow here: {reason}; precision=auto or float32 would be faster")
    return precision


@cache
def _warn_once(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)
