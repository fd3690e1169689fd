"""Callbacks of the recipe engine: logging, checkpoints and periodic evaluation, each a small object.

A callback sees the :class:`~reasonkit.train.recipe.Recipe` at three moments: ``on_train_start`` (after setup,
before the first step), ``on_step_end(step, metrics)`` after every optimizer step, and ``on_train_end`` (after
the last step, before the final evaluation). Pass your own to ``Recipe(config, callbacks=[...])`` to hook in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import torch
import torch.distributed as dist

from ..checkpoint import save_checkpoint
from .distributed import World

if TYPE_CHECKING:  # callbacks receive the recipe; annotations only
    from .recipe import Recipe

__all__ = ["Callback", "LogMetrics", "Checkpointer", "PeriodicEval", "gather_rows"]


class Callback:
    """Base class: every hook does nothing."""

    def on_train_start(self, recipe: Recipe) -> None:
        """After setup, before the first step (``recipe.trainer.step`` > 0 when resuming)."""

    def on_step_end(self, recipe: Recipe, step: int, metrics: dict[str, float]) -> None:
        """After optimizer step ``step`` with its metrics (means over the global batch)."""

    def on_train_end(self, recipe: Recipe) -> None:
        """After the last step."""


class LogMetrics(Callback):
    """Logs the training metrics every ``every`` steps and at the last step, averaged over the steps since the last.

    Losses are means over the steps. The metrics counted over halted sequences (accuracy, exact accuracy, steps and
    the halting policy's) are weighted by each step's ``count`` and left out of a line whose steps halted nothing
    (with fixed halting the whole batch halts on the same step, so most single steps count no sequence); ``count``
    is the total over the steps and ``lr`` the last step's.
    """

    def __init__(self, every: int) -> None:
        self.every = every
        self._steps, self._count, self._sums = 0, 0.0, {}

    def on_step_end(self, recipe: Recipe, step: int, metrics: dict[str, float]) -> None:
        count = metrics.get("count", 0.0)
        self._steps += 1
        self._count += count
        for key, value in metrics.items():
            if key in ("count", "lr"):
                continue
            if key.endswith("loss"):
                self._sums[key] = self._sums.get(key, 0.0) + value
            elif count > 0:
                self._sums[key] = self._sums.get(key, 0.0) + count * value
        if step % self.every == 0 or step == recipe.total_steps:
            line = {
                k: v / (self._steps if k.endswith("loss") else self._count)
                for k, v in self._sums.items()
                if k.endswith("loss") or self._count > 0
            }
            line.update(count=self._count, lr=metrics["lr"], steps_per_second=recipe.logger.steps_per_second(step))
            recipe.logger.log(step, line)
            self._steps, self._count, self._sums = 0, 0.0, {}


def gather_rows(tensors: dict[str, torch.Tensor], world: World) -> dict[str, torch.Tensor]:
    """Concatenate each rank's per-slot tensors along the batch dimension (rank order)."""
    if not world.distributed:
        return tensors
    out = {}
    for key, value in tensors.items():
        send = value.to(torch.uint8) if value.dtype == torch.bool else value
        parts = [torch.empty_like(send) for _ in range(world.size)]
        dist.all_gather(parts, send.contiguous())
        out[key] = torch.cat(parts).to(value.dtype)
    return out


def _gather_rng(world: World) -> list[torch.Tensor]:
    state = torch.get_rng_state()
    if not world.distributed:
        return [state]
    parts = [torch.empty_like(state) for _ in range(world.size)]
    dist.all_gather(parts, state)
    return parts


class Checkpointer(Callback):
    """Writes a checkpoint every ``every`` steps (if set) and after the last step; remembers the newest path."""

    def __init__(self, every: Optional[int], keep_last: int, last_path: Optional[Path] = None) -> None:
        self.every = every
        self.keep_last = keep_last
        self.last_path = last_path

    def save(self, recipe: Recipe) -> None:
        """Write a checkpoint of the recipe's current state (every rank takes part; rank 0 writes)."""
        world, trainer = recipe.world, recipe.trainer
        loader = recipe.loader
        state = trainer.state_dict(loader.state_dict() if hasattr(loader, "state_dict") else None)
        state["carry"] = gather_rows(state["carry"], world) if state["carry"] is not None else None
        state["rng"]["torch_per_rank"] = _gather_rng(world)
        del state["rng"]["torch"]
        if world.is_main:
            ema = trainer.ema.module.state_dict() if trainer.ema is not None else None
            self.last_path = save_checkpoint(
                recipe.run_dir,
                trainer.step,
                spec_json=recipe.spec.model_dump_json(),
                model_state=recipe.model.state_dict(),
                trainer_state=state,
                ema_state=ema,
                keep_last=self.keep_last,
                meta={
                    "config": recipe.config.model_dump(mode="json"),
                    "world_size": world.size,
                    "total_steps": recipe.total_steps,
                    "data_dir": recipe.data_dir,
                },
            )
        if world.distributed:
            dist.barrier()

    def on_step_end(self, recipe: Recipe, step: int, metrics: dict[str, float]) -> None:
        if self.every and step % self.every == 0 and step < recipe.total_steps:
            self.save(recipe)

    def on_train_end(self, recipe: Recipe) -> None:
        if self.last_path is None or not self.last_path.name.endswith(f"{recipe.trainer.step:09d}"):
            self.save(recipe)


class PeriodicEval(Callback):
    """Evaluates on the test split every ``every`` steps (rank 0; the other ranks wait)."""

    def __init__(self, every: int, limit: Optional[int]) -> None:
        self.every = every
        self.limit = limit
        self.last: Optional[dict[str, Any]] = None

    def on_step_end(self, recipe: Recipe, step: int, metrics: dict[str, float]) -> None:
        if step % self.every == 0 and step < recipe.total_steps:
            self.last = recipe.evaluate_split(limit=self.limit, log=True)
