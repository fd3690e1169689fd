"""Batched inference with early exit and refill.

The reference evaluates a batch by running every sequence for the maximum number of segments. Here a pool of
``batch_size`` slots is kept full: each segment, the slots whose sequence has halted take the next waiting
sequences (the Reasoner's carry already swaps fresh examples into halted slots), so with ``early_exit`` the
throughput rises with the fraction of sequences that stop early. Without ``early_exit`` every sequence runs
``max_steps`` segments and the result equals the reference's evaluation. ``max_steps`` may exceed the training
maximum (inference-time scaling, no retraining).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from ..errors import ConfigError, DataError

__all__ = ["InferenceResult", "infer"]


@dataclass
class InferenceResult:
    """Per sequence: predicted tokens, segments used, the halting policy's confidence at the halting segment (None
    for a policy without one); timings and the number of segments run over the whole batch."""

    predictions: np.ndarray
    steps: np.ndarray
    confidence: Optional[np.ndarray]
    seconds: float
    segments_run: int

    @property
    def sequences_per_second(self) -> float:
        return len(self.predictions) / max(self.seconds, 1e-9)


@torch.no_grad()
def infer(
    model,
    inputs: np.ndarray | torch.Tensor,
    puzzle_identifiers: np.ndarray | torch.Tensor | None = None,
    *,
    batch_size: int = 256,
    max_steps: Optional[int] = None,
    early_exit: bool = False,
    device: torch.device | str | None = None,
    progress: bool = False,
) -> InferenceResult:
    """Solve every row of ``inputs`` [N, seq] with slots refilled as sequences halt.

    Token and puzzle ids are checked against the model once, before the first segment.
    """
    if max_steps is not None and max_steps < 1:
        raise ConfigError(f"max_steps must be at least 1 (or None for the model's maximum), got {max_steps}")
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    inputs = torch.as_tensor(np.asarray(inputs), dtype=torch.int32)
    n, seq = inputs.shape
    ids = (
        torch.zeros(n, dtype=torch.int32)
        if puzzle_identifiers is None
        else torch.as_tensor(np.asarray(puzzle_identifiers), dtype=torch.int32)
    )
    if n == 0:
        raise DataError("no puzzles to solve (an empty input)")
    model.check_batch({"inputs": inputs, "puzzle_identifiers": ids})
    limit = model.halting.max_steps if max_steps is None else max_steps
    batch_size = max(1, min(batch_size, n))
    preds = torch.zeros(n, seq, dtype=torch.int32)
    steps = torch.zeros(n, dtype=torch.int32)
    conf: Optional[torch.Tensor] = None

    was_training = model.training
    model.eval()
    start = time.perf_counter()
    slot_example = torch.full((batch_size,), -1, dtype=torch.long)  # which example each slot runs (-1: idle)
    batch = {
        "inputs": torch.zeros(batch_size, seq, dtype=torch.int32, device=device),
        "puzzle_identifiers": torch.zeros(batch_size, dtype=torch.int32, device=device),
    }
    carry = model.initial_carry(batch)
    next_example, done, segments = 0, 0, 0
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="seq", dynamic_ncols=True)
    try:
        while done < n:
            free = carry.halted.cpu()
            slots = free.nonzero().squeeze(-1)
            take = slots[: max(0, min(len(slots), n - next_example))]
            slot_example[slots] = -1
            if len(take):
                rows = torch.arange(next_example, next_example + len(take))
                next_example += len(take)
                slot_example[take] = rows
                batch["inputs"][take.to(device)] = inputs[rows].to(device)
                batch["puzzle_identifiers"][take.to(device)] = ids[rows].to(device)
            carry, out = model(carry, batch, max_steps=max_steps, early_exit=early_exit, check=False)
            segments += 1
            halted = carry.halted.cpu() & (slot_example >= 0)
            finished = halted.nonzero().squeeze(-1)
            if len(finished):
                rows = slot_example[finished]
                fin = finished.to(device)
                preds[rows] = out.logits[fin].argmax(-1).to(torch.int32).cpu()
                steps[rows] = carry.steps[fin].cpu()
                confidence = model.halting.confidence(out.halting)
                if confidence is not None:
                    if conf is None:
                        conf = torch.zeros(n, dtype=torch.float32)
                    conf[rows] = confidence[fin].float().cpu()
                done += len(finished)
                if bar is not None:
                    bar.update(len(finished))
            if segments > limit * (n // batch_size + 2) + limit:
                raise RuntimeError("inference did not finish: the halting policy never halted some sequences")
    finally:
        model.train(was_training)
        if bar is not None:
            bar.close()
    return InferenceResult(
        preds.numpy(), steps.numpy(), conf.numpy() if conf is not None else None, time.perf_counter() - start, segments
    )
