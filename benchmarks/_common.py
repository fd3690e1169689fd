"""Shared pieces of the benchmark scripts: the machine, a plain matmul's rate, FLOP counts, the reference models.

The reference implementations (sapientinc/HRM, SamsungSAILMontreal/TinyRecursiveModels) are imported from a
checkout given on the command line and never copied here. ``reference_side`` builds the reference's own training
step (``ACTLossHead(model)``, optionally ``torch.compile``d as its pretrain.py does, its sign-SGD for the puzzle
table, the metrics pulled to the host every step); the dense optimizer is reasonkit's ``AdamAtan2`` because the
reference's ``adam_atan2`` package is CUDA-only (on CUDA, where that package is installed, the reference gets it).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import torch

REPO = Path(__file__).resolve().parent.parent

#: What the reference configs below share: Sudoku dimensions, rotary positions, HRM's exploration.
_SUDOKU = dict(
    seq_len=81, vocab_size=11, num_puzzle_identifiers=1, expansion=4, pos_encodings="rope", halt_exploration_prob=0.1
)
#: TRM's switches on top of the HRM config (attention variant, no ACT continue loss).
_TRM = dict(H_layers=0, mlp_t=False, no_ACT_continue=True)


def _size(hidden: int, heads: int, steps: int, **rest) -> dict:
    return dict(_SUDOKU, puzzle_emb_ndim=hidden, hidden_size=hidden, num_heads=heads, halt_max_steps=steps, **rest)


#: The reference's config for each preset the benchmarks compare (Sudoku dimensions; the tiny ones for smoke tests).
REFERENCE_CONFIGS = {
    "hrm-27m": ("hrm", _size(512, 8, 16, H_layers=4, L_layers=4, H_cycles=2, L_cycles=2)),
    "hrm-tiny": ("hrm", _size(64, 2, 4, H_layers=1, L_layers=1, H_cycles=2, L_cycles=2)),
    "trm-tiny": ("trm", _size(64, 2, 4, **_TRM, L_layers=1, H_cycles=2, L_cycles=2, puzzle_emb_len=1)),
    "trm-7m": ("trm", _size(512, 8, 16, **_TRM, L_layers=2, H_cycles=3, L_cycles=6, puzzle_emb_len=16)),
}


def machine(threads: int) -> dict:
    """CPU model and the flags that matter for matmuls, cores, torch version, threads, load average."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("", platform.machine(), platform.processor()):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    wanted = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
    return {
        "cpu": model,
        "flags": [f for f in wanted if f in flags],
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "threads": threads,
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def load_average() -> Optional[float]:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def matmul_seconds(dtype: torch.dtype, size: int = 2048, reps: int = 3, device: str = "cpu") -> float:
    """Best time of one ``size x size`` matrix product in ``dtype`` (after one warm-up product)."""
    g = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=g).to(device=device, dtype=dtype)
    b = torch.randn(size, size, generator=g).to(device=device, dtype=dtype)
    best = float("inf")
    for i in range(reps + 1):
        _sync(device)
        start = time.perf_counter()
        a @ b
        _sync(device)
        if i:
            best = min(best, time.perf_counter() - start)
    return best


def matmul_flops(size: int = 2048) -> int:
    return 2 * size**3


def _sync(device: str) -> None:
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def count_flops(fn: Callable[[], object]) -> int:
    """FLOPs of one call of ``fn`` as torch.utils.flop_counter counts them (matmuls and attention)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def random_batches(count: int, batch: int, seq: int, vocab: int, seed: int = 0) -> list[dict[str, torch.Tensor]]:
    """``count`` batches of random tokens (labels never the ignore id), all with puzzle id 0."""
    g = torch.Generator().manual_seed(seed)
    return [
        {
            "inputs": torch.randint(1, vocab, (batch, seq), generator=g, dtype=torch.int32),
            "labels": torch.randint(1, vocab, (batch, seq), generator=g, dtype=torch.int32),
            "puzzle_identifiers": torch.zeros(batch, dtype=torch.int32),
        }
        for _ in range(count)
    ]


# ----------------------------------------------------------------------------------------------------------------
@functools.cache
def import_reference(family: str, path: str, shim: str = ""):
    """The reference's model class and ACTLossHead, imported from a checkout (``models/`` and ``utils/``)."""
    for name in [m for m in sys.modules if m == "models" or m.startswith("models.")]:
        del sys.modules[name]
    sys.path[:0] = [p for p in (shim, path) if p]
    from models.losses import ACTLossHead  # type: ignore[import-not-found]
    from models.sparse_embedding import CastedSparseEmbeddingSignSGD_Distributed  # type: ignore[import-not-found]

    if family == "hrm":
        from models.hrm.hrm_act_v1 import HierarchicalReasoningModel_ACTV1 as Model  # type: ignore[import-not-found]
    else:
        from models.recursive_reasoning.trm import (  # type: ignore[import-not-found]
            TinyRecursiveReasoningModel_ACTV1 as Model,
        )
    return Model, ACTLossHead, CastedSparseEmbeddingSignSGD_Distributed


def default_reference_path(family: str) -> str:
    for candidate in (REPO / ".ref" / family, Path("/work/ref") / family):
        if (candidate / "models").is_dir():
            return str(candidate)
    return ""


def default_shim() -> str:
    for candidate in (REPO / ".ref" / "reference-cpu", Path("/work/shared/tools/reference-cpu")):
        if (candidate / "flash_attn_interface.py").is_file():
            return str(candidate)
    return ""


class ReferenceStep:
    """The reference's training step (pretrain.py's ``train_batch`` without the CUDA calls)."""

    def __init__(
        self,
        preset: str,
        batch: int,
        path: str,
        shim: str,
        *,
        compile: bool,
        lr: float,
        weight_decay: float,
        puzzle_lr: float,
        puzzle_weight_decay: float,
        dtype: str = "float32",
        device: str = "cpu",
    ) -> None:
        from reasonkit.train.optim import AdamAtan2

        family, config = REFERENCE_CONFIGS[preset]
        Model, LossHead, SignSGD = import_reference(family, path, shim)
        with torch.device(device):
            self.model = Model(dict(config, batch_size=batch, forward_dtype=dtype))
        head = LossHead(self.model, loss_type="stablemax_cross_entropy")
        if compile:
            # HRM's pretrain.py: torch.compile(model, dynamic=False); TRM's: torch.compile(model).
            head = torch.compile(head, dynamic=False) if family == "hrm" else torch.compile(head)
        self.head = head
        self.device = device
        dense = AdamAtan2
        self.optimizer = "reasonkit.train.optim.AdamAtan2 (eager)"
        if str(device).startswith("cuda") and importlib.util.find_spec("adam_atan2") is not None:
            from adam_atan2 import AdamATan2  # type: ignore[import-not-found]

            dense = AdamATan2

            self.optimizer = "adam_atan2.AdamATan2 (the reference's own, CUDA)"
        self.optimizers = [
            SignSGD(self.model.puzzle_emb.buffers(), lr=puzzle_lr, weight_decay=puzzle_weight_decay, world_size=1),
            dense(head.parameters(), lr=lr, weight_decay=weight_decay, betas=(0.9, 0.95)),
        ]
        self.lrs = [puzzle_lr, lr]
        self.carry = None

    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.model.state_dict()

    def __call__(self, batch: dict[str, torch.Tensor], global_batch_size: int) -> float:
        batch = {k: v.to(self.device) for k, v in batch.items()}
        if self.carry is None:
            with torch.device(self.device):
                self.carry = self.head.initial_carry(batch)
        self.carry, loss, metrics, _, _ = self.head(carry=self.carry, batch=batch, return_keys=[])
        ((1 / global_batch_size) * loss).backward()
        for opt, lr in zip(self.optimizers, self.lrs):
            for group in opt.param_groups:
                group["lr"] = lr
            opt.step()
            opt.zero_grad()
        keys = sorted(metrics)
        values = torch.stack([metrics[k] for k in keys]).cpu().numpy()
        reduced = dict(zip(keys, values))
        return float(reduced["lm_loss"] + 0.5 * (reduced["q_halt_loss"] + reduced.get("q_continue_loss", 0.0))) / (
            global_batch_size
        )
