"""Batched inference with early exit and refill, and test-time rollouts and augmentation voting.

The reference evaluates a batch by running every sequence for the maximum number of segments. Here a pool of
``batch_size`` slots is kept full: each segment, the slots whose sequence has halted take the next waiting
sequences (the Reasoner's carry already swaps fresh examples into halted slots), so with ``early_exit`` the
throughput rises with the fraction of sequences that stop early. Without ``early_exit`` every sequence runs
``max_steps`` segments and the result equals the reference's evaluation. ``max_steps`` may exceed the training
maximum (inference-time scaling, no retraining).

With :class:`~reasonkit.eval.test_time.TestTime` options each puzzle becomes ``tta`` variants x ``rollouts`` noisy
copies (PTRM, arXiv 2605.19943; augmentation voting as in HRM/TRM), all rows of the same slot pool; every
candidate is mapped back to the puzzle's frame and returned, and one is selected (:mod:`reasonkit.eval.select`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from ..data.augment import grid_key
from ..errors import ConfigError, DataError
from .noise import RolloutNoise
from .select import select_candidates
from .test_time import TestTime

__all__ = ["InferenceResult", "infer"]


@dataclass
class InferenceResult:
    """Per puzzle: the selected answer's tokens, its segments and its halting confidence (None for a policy without
    one); timings and the number of batched segments run.

    ``candidates`` [N, tta * rollouts, seq] holds every candidate in the puzzle's frame (variant-major; the
    identity variant first), with ``candidate_steps`` and ``candidate_confidence``; plain inference has one.
    """

    predictions: np.ndarray
    steps: np.ndarray
    confidence: Optional[np.ndarray]
    seconds: float
    segments_run: int
    candidates: Optional[np.ndarray] = None
    candidate_steps: Optional[np.ndarray] = None
    candidate_confidence: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        if self.candidates is None:
            self.candidates = self.predictions[:, None]
            self.candidate_steps = np.asarray(self.steps)[:, None]
            self.candidate_confidence = None if self.confidence is None else self.confidence[:, None]

    @property
    def sequences_per_second(self) -> float:
        """Puzzles solved per second."""
        return len(self.predictions) / max(self.seconds, 1e-9)

    @property
    def segments_per_puzzle(self) -> np.ndarray:
        """The cost of each puzzle: the segments run by all its candidates together [N]."""
        return self.candidate_steps.sum(-1)


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
    test_time: Optional[TestTime] = None,
    task=None,
) -> InferenceResult:
    """Solve every row of ``inputs`` [N, seq] with slots refilled as sequences halt.

    ``test_time`` adds rollouts and augmentation voting (:class:`TestTime`); ``task`` gives the symmetries for
    ``tta > 1`` and, for votes, which answers are the same (:meth:`Task.answer_of`). Token and puzzle ids and the
    options are checked against the model once, before the first segment.
    """
    if max_steps is not None and max_steps < 1:
        raise ConfigError(f"max_steps must be at least 1 (or None for the model's maximum), got {max_steps}")
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    tt = test_time if test_time is not None else TestTime()
    device = torch.device(device) if device is not None else next(model.parameters()).device
    inputs = _numpy(inputs).astype(np.int32)
    if inputs.size == 0:
        raise DataError("no puzzles to solve (an empty input)")
    ids = np.zeros(len(inputs), np.int32) if puzzle_identifiers is None else _numpy(puzzle_identifiers)
    ids = ids.astype(np.int32)
    model.check_batch({"inputs": torch.as_tensor(inputs), "puzzle_identifiers": torch.as_tensor(ids)})
    n, seq = inputs.shape
    tt.check_select(model)
    name = tt.noise_target(model)
    variants = tt.variants(task, seq)
    k, t = tt.rollouts, tt.tta
    rows = np.repeat(np.stack([v(inputs) for v in variants], 1), k, axis=1).reshape(n * t * k, seq)
    noise = None
    if name is not None:
        noise = RolloutNoise(name, float(tt.noise), device, lambda r: tt.row_seed(r // (t * k), (r // k) % t, r % k))
    start = time.perf_counter()
    preds, steps, conf, segments = _solve_rows(
        model,
        torch.as_tensor(rows),
        torch.as_tensor(np.repeat(ids, t * k)),
        batch_size=batch_size,
        max_steps=max_steps,
        early_exit=early_exit,
        device=device,
        progress=progress,
        noise=noise,
    )
    preds = preds.reshape(n, t, k, seq)
    candidates = np.stack([v.inverse()(preds[:, i]) for i, v in enumerate(variants)], 1).reshape(n, t * k, seq)
    steps = steps.reshape(n, t * k)
    conf = None if conf is None else conf.reshape(n, t * k)
    answer_key = grid_key if task is None else (lambda answer: grid_key(task.answer_of(answer)))
    chosen, chosen_steps, chosen_conf = select_candidates(
        candidates, steps, conf, rollouts=k, tta=t, select=tt.select, answer_key=answer_key
    )
    return InferenceResult(
        chosen, chosen_steps, chosen_conf, time.perf_counter() - start, segments, candidates, steps, conf
    )


def _numpy(x) -> np.ndarray:
    return np.asarray(x.cpu() if isinstance(x, torch.Tensor) else x)


def _solve_rows(
    model,
    inputs: torch.Tensor,
    ids: torch.Tensor,
    *,
    batch_size: int,
    max_steps: Optional[int],
    early_exit: bool,
    device: torch.device,
    progress: bool,
    noise: Optional[RolloutNoise],
) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray], int]:
    """Run every row through the slot pool: (predictions, steps, confidences or None, batched segments run)."""
    n, seq = inputs.shape
    batch_size = max(1, min(batch_size, n))
    preds = torch.zeros(n, seq, dtype=torch.int32)
    steps = torch.zeros(n, dtype=torch.int32)
    conf: Optional[torch.Tensor] = None

    was_training = model.training
    model.eval()
    limit = model.inference_steps if max_steps is None else max_steps
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
                if noise is not None:
                    for row in rows.tolist():
                        noise.start(row)
            carry, out = model(carry, batch, max_steps=max_steps, early_exit=early_exit, check=False)
            segments += 1
            halted = carry.halted.cpu()
            finished = (halted & (slot_example >= 0)).nonzero().squeeze(-1)
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
                if noise is not None:
                    for row in rows.tolist():
                        noise.stop(row)
                if bar is not None:
                    bar.update(len(finished))
            if noise is not None:
                running = (~halted & (slot_example >= 0)).nonzero().squeeze(-1)
                if len(running):
                    carry.state = noise(carry.state, running, slot_example[running])
            if segments > limit * (n // batch_size + 2) + limit:
                raise RuntimeError("inference did not finish: the halting policy never halted some sequences")
    finally:
        model.train(was_training)
        if bar is not None:
            bar.close()
    return preds.numpy(), steps.numpy(), None if conf is None else conf.numpy(), segments
