"""What a run will cost, without building data or training: the ``--dry-run`` of every recipe.

The number of optimizer steps follows HRM's count from the data set's size (read from ``data_dir`` when it holds
the data set, else from the task's :meth:`~reasonkit.tasks.Task.data_shape`). GPU hours are scaled from the
reference's published wall times: the FLOPs of one training segment per sequence are counted with
``torch.utils.flop_counter.FlopCounterMode`` on shape-only (meta) tensors, for the configured model and for
hrm-27m on the same task, and the run's total is scaled by the reference run's GPU hours per FLOP. The anchors
(HRM, arXiv 2506.21734, and its README): Sudoku-Extreme-1k 10 minutes on 8 GPUs, Maze-Hard-1k 1 hour on 8 GPUs,
ARC-AGI 24 hours on 8 GPUs, each with the paper's settings (global batch 768; 20,000, 20,000 and 100,000 epochs).
It is an estimate for GPUs of the reference's class, in bfloat16.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import torch
from torch.utils.flop_counter import FlopCounterMode

from ..data.io import load_metadata
from ..tasks.base import DataShape
from .config import TrainConfig
from .recipe import build_spec, total_steps_for

__all__ = ["plan", "REFERENCE_RUNS", "segment_flops"]


def _arc1_shape() -> DataShape:
    from ..tasks.arc.task import ArcTaskSpec

    return ArcTaskSpec(version=1).data_shape()


#: Published reference runs: task -> GPU hours, epochs and the data set's shape (hrm-27m, global batch 768).
REFERENCE_RUNS: dict[str, dict[str, Any]] = {
    "sudoku": {
        "gpu_hours": 8 * 10 / 60,
        "epochs": 20000,
        "what": "HRM Sudoku-Extreme-1k: ~10 min on 8 GPUs",
        "shape": lambda: DataShape(11, 81, 1000),
    },
    "maze": {
        "gpu_hours": 8 * 1.0,
        "epochs": 20000,
        "what": "HRM Maze-Hard-1k: ~1 h on 8 GPUs",
        "shape": lambda: DataShape(6, 900, 1000),
    },
    "arc": {
        "gpu_hours": 8 * 24.0,
        "epochs": 100000,
        "what": "HRM ARC-AGI-1: ~24 h on 8 GPUs (ConceptARC left out)",
        "shape": _arc1_shape,
    },
}


def segment_flops(spec) -> int:
    """FLOPs of one training segment (forward, halting second pass, backward) for one sequence."""
    with torch.device("meta"):
        model = spec.build()
    model.train()
    batch = {
        "inputs": torch.zeros(1, spec.seq_len, dtype=torch.int32, device="meta"),
        "labels": torch.zeros(1, spec.seq_len, dtype=torch.int32, device="meta"),
        "puzzle_identifiers": torch.zeros(1, dtype=torch.int32, device="meta"),
    }
    counter = FlopCounterMode(display=False)
    with counter:
        _, out = model(model.initial_carry(batch), batch, check=False)
        loss = out.logits.float().sum()
        if out.halting.logits is not None:
            loss = loss + out.halting.logits.sum()
        loss.backward()
    return int(counter.get_total_flops())


def _shape(config: TrainConfig) -> tuple[DataShape, str]:
    data_dir = Path(config.resolved_data_dir)
    if (data_dir / "train" / "dataset.json").is_file():
        meta = load_metadata(data_dir, "train")
        return DataShape(meta.vocab_size, meta.seq_len, meta.total_groups, meta.mean_puzzle_examples), str(data_dir)
    if config.task is None:
        raise FileNotFoundError(f"data directory {data_dir} holds no data set and the config names no task")
    return config.task.data_shape(), f"{config.task.kind} task options (not built)"


def plan(config: TrainConfig) -> dict[str, Any]:
    """The resolved config, the model's parameter count, the optimizer steps and the estimated GPU hours."""
    shape, source = _shape(config)
    task = config.task.kind if config.task is not None else None
    meta = _Meta(shape)
    spec = build_spec(config, meta, "float32", task)  # type: ignore[arg-type]
    with torch.device("meta"):
        params = spec.build().num_parameters()
    steps = total_steps_for(config, shape.train_groups, shape.mean_puzzle_examples)
    out: dict[str, Any] = {
        "config": json.loads(config.model_dump_json()),
        "model": config.model,
        "parameters": params,
        "data_shape": {**shape.__dict__, "from": source},
        "optimizer_steps": steps,
        "sequences_per_step": config.global_batch_size,
    }
    reference = REFERENCE_RUNS.get(task or "")
    if reference is not None:
        ours = steps * config.global_batch_size * segment_flops(spec)
        anchor = reference["shape"]()
        anchor_spec = build_spec(TrainConfig(data_dir=".", model="hrm-27m"), _Meta(anchor), "float32", task)
        anchor_steps = reference["epochs"] * anchor.train_groups * anchor.mean_puzzle_examples / 768
        theirs = anchor_steps * 768 * segment_flops(anchor_spec)
        out["gpu_hours"] = round(reference["gpu_hours"] * ours / theirs, 2)
        out["gpu_hours_basis"] = f"scaled by FLOPs from {reference['what']} (hrm-27m, batch 768)"
    else:
        out["gpu_hours"] = None
        out["gpu_hours_basis"] = "no published reference wall time for this task"
    return out


class _Meta:
    """The parts of a DatasetMeta that build_spec reads, from a DataShape."""

    def __init__(self, shape: DataShape, num_puzzle_identifiers: Optional[int] = None) -> None:
        self.vocab_size = shape.vocab_size
        self.seq_len = shape.seq_len
        self.num_puzzle_identifiers = num_puzzle_identifiers or 1
