"""Tracing the reasoning: what every level of the core does at every recurrent update, over whole runs.

HRM (arXiv 2506.21734) reads its recurrence through the forward residual of each level at each update (Fig. 3,
hierarchical convergence), the dimensionality of the levels' states (Fig. 8, the participation ratio), and the
answer the readout state stands for along the way. :func:`trace` runs puzzles for a number of segments in eval
mode (every sequence runs them all, as the reference evaluates) with a core update hook
(:meth:`reasonkit.blocks.cores.base.RecurrentCore.register_update_hook`) registered for the duration. It keeps
small reductions rather than every state, so a sample of puzzles fits in memory, and leaves the model's outputs
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from ..blocks.cores.base import State, Update
from ..errors import ConfigError, DataError

__all__ = ["Trace", "trace", "forward_residual"]


@dataclass
class Trace:
    """What :func:`trace` recorded for a batch of puzzles over ``segments`` segments.

    ``residuals[level]`` [updates, batch]: the forward residual of each level after each update of the run
    (``segments * len(schedule)`` of them; 0 where an update leaves the level alone, see :meth:`updates_of`).
    ``inner_predictions`` [updates, batch, seq]: the readout state through the LM head after each update (with
    ``inner``). ``predictions`` [segments, batch, seq] and ``confidence`` [segments, batch] (None for a policy
    without one): each segment's output. ``states[level]`` [batch, seq, hidden]: each level's state at the task
    positions after the last update (with ``states``).
    """

    levels: tuple[str, ...]
    level_names: dict[str, str]
    readout: str
    schedule: tuple[Update, ...]
    segments: int
    residuals: dict[str, np.ndarray]
    predictions: np.ndarray
    confidence: Optional[np.ndarray]
    inner_predictions: Optional[np.ndarray] = None
    states: Optional[dict[str, np.ndarray]] = None

    def updates_of(self, level: str) -> np.ndarray:
        """Indices (into the run's updates) of the updates that write ``level``."""
        one = [i for i, u in enumerate(self.schedule) if u.level == level]
        return np.array([s * len(self.schedule) + i for s in range(self.segments) for i in one], dtype=np.int64)


def forward_residual(new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    """``||new - old|| / ||new||`` per sequence (over positions and hidden units), in float32 [batch]."""
    new, old = new.float().flatten(1), old.float().flatten(1)
    return (new - old).norm(dim=1) / new.norm(dim=1).clamp_min(torch.finfo(torch.float32).tiny)


class _Recorder:
    """The update hook of one traced batch: residuals against the previous update, readout predictions."""

    def __init__(self, model, previous: State, inner: bool) -> None:
        self.model, self.previous, self.inner = model, previous, inner
        self.residuals: dict[str, list[torch.Tensor]] = {name: [] for name in previous}
        self.predictions: list[torch.Tensor] = []
        self.last: State = previous

    def __call__(self, update: Update, index: int, state: State) -> None:
        for name, value in state.items():
            self.residuals[name].append(forward_residual(value, self.previous[name]))
        self.previous = self.last = {k: v.detach() for k, v in state.items()}
        if self.inner:
            z = self.last[self.model.core.readout]
            self.predictions.append(self.model.lm_head(z)[:, self.model.prefix_len :].argmax(-1).to(torch.int32))


def _trace_batch(model, inputs: torch.Tensor, ids: torch.Tensor, segments: int, inner: bool, states: bool):
    batch = {"inputs": inputs, "puzzle_identifiers": ids}
    carry = model.initial_carry(batch)
    recorder = _Recorder(model, dict(carry.state), inner)
    handle = model.core.register_update_hook(recorder)
    predictions, confidence = [], []
    try:
        for s in range(segments):
            carry, out = model(carry, batch, max_steps=segments, check=s == 0)
            predictions.append(out.logits.argmax(-1).to(torch.int32))
            conf = model.halting.confidence(out.halting)
            if conf is not None:
                confidence.append(conf.float())
    finally:
        handle.remove()
    return {
        "residuals": {k: torch.stack(v).cpu().numpy() for k, v in recorder.residuals.items()},
        "predictions": torch.stack(predictions).cpu().numpy(),
        "confidence": torch.stack(confidence).cpu().numpy() if confidence else None,
        "inner": torch.stack(recorder.predictions).cpu().numpy() if inner else None,
        "states": {k: v[:, model.prefix_len :].float().cpu().numpy() for k, v in recorder.last.items()}
        if states
        else None,
    }


def _join(parts: list, axis: int):
    if parts[0] is None:
        return None
    if isinstance(parts[0], dict):
        return {k: np.concatenate([p[k] for p in parts], axis=axis) for k in parts[0]}
    return np.concatenate(parts, axis=axis)


@torch.no_grad()
def trace(
    model,
    inputs: np.ndarray | torch.Tensor,
    puzzle_identifiers: np.ndarray | torch.Tensor | None = None,
    *,
    segments: Optional[int] = None,
    inner: bool = False,
    states: bool = False,
    batch_size: int = 64,
) -> Trace:
    """Run ``inputs`` [N, seq] for ``segments`` segments (default: the model's maximum; more scale inference)
    in batches of ``batch_size``, recording every recurrent update (see :class:`Trace`); ``inner`` adds the
    readout's prediction after each update and ``states`` the levels' final states. The module's training mode
    is restored afterwards.
    """
    segments = model.inference_steps if segments is None else segments
    if segments < 1 or batch_size < 1:
        raise ConfigError(f"segments and batch_size must be at least 1, got {segments} and {batch_size}")
    device = next(model.parameters()).device
    inputs = torch.as_tensor(np.asarray(inputs), dtype=torch.int32)
    if inputs.ndim != 2 or len(inputs) == 0:
        raise DataError(f"trace needs token ids [puzzles, seq] of at least one puzzle, got shape {tuple(inputs.shape)}")
    ids = (
        torch.zeros(len(inputs), dtype=torch.int32)
        if puzzle_identifiers is None
        else torch.as_tensor(np.asarray(puzzle_identifiers), dtype=torch.int32)
    )
    was_training = model.training
    model.eval()
    try:
        parts = []
        for i in range(0, len(inputs), batch_size):
            rows = slice(i, i + batch_size)
            parts.append(_trace_batch(model, inputs[rows].to(device), ids[rows].to(device), segments, inner, states))
    finally:
        model.train(was_training)
    core = model.core
    return Trace(
        levels=tuple(core.state_names),
        level_names={n: core.level_name(n) for n in core.state_names},
        readout=core.readout,
        schedule=tuple(core.schedule),
        segments=segments,
        residuals=_join([p["residuals"] for p in parts], 1),
        predictions=_join([p["predictions"] for p in parts], 1),
        confidence=_join([p["confidence"] for p in parts], 1),
        inner_predictions=_join([p["inner"] for p in parts], 1),
        states=_join([p["states"] for p in parts], 0),
    )
