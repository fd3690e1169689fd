"""The deep-supervision training loop with a persistent carry (HRM, arXiv 2506.21734, section 3.3).

Each call of :meth:`Trainer.train_step` runs one segment: slots of the carry that halted take the incoming batch's
rows, the others continue their example; the segment's loss (LM loss + the halting policy's terms) is divided by
the global batch size and back-propagated; dense gradients are summed over ranks; the dense optimizer and the
puzzle table's sign-SGD take one step. Nothing here knows which halting policy, core or gradient estimator the
model uses.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Iterable, Optional

import torch
from torch import nn

from ..errors import CheckpointError, NonFiniteLossError
from ..models.reasoner import Carry, Reasoner
from ..runtime import compiler_available
from .distributed import World, all_reduce_grads, reduce_sum
from .losses import LossHead
from .optim import ADAM_ATAN2_NAMES, SparseSignSGD, create_optimizer
from .schedule import WarmupCosine

__all__ = ["Trainer", "carry_to_dict", "carry_from_dict", "resolve_compile"]

#: ``compile="auto"`` compiles models with at least this many dense parameters, for runs of at least
#: COMPILE_MIN_STEPS steps: compiling hrm-27m takes 1-3 minutes on a 2-core CPU and saves ~8% of a multi-second
#: step, while for the tiny demo models the compile time exceeds what it saves over a whole run.
COMPILE_MIN_PARAMS = 2_000_000
COMPILE_MIN_STEPS = 500


def resolve_compile(compile: bool | str, model: Reasoner, total_steps: int, device: torch.device | str = "cpu") -> bool:
    """Whether to compile: ``True``/``False`` as given; ``"auto"`` for models of at least COMPILE_MIN_PARAMS
    dense parameters trained for at least COMPILE_MIN_STEPS steps, on a CPU or CUDA device whose compiler
    toolchain is present (:func:`reasonkit.runtime.compiler_available`)."""
    if compile == "auto":
        large = sum(p.numel() for p in model.dense_parameters()) >= COMPILE_MIN_PARAMS
        return total_steps >= COMPILE_MIN_STEPS and large and compiler_available(str(torch.device(device)))
    if not isinstance(compile, bool):
        raise ValueError(f"compile must be True, False or 'auto', got {compile!r}")
    return compile


def carry_to_dict(carry: Carry) -> dict[str, torch.Tensor]:
    out = {"steps": carry.steps, "halted": carry.halted}
    for group, values in (("state", carry.state), ("data", carry.data), ("halting", carry.halting)):
        out.update({f"{group}.{k}": v for k, v in values.items()})
    return {k: v.detach().cpu().clone() for k, v in out.items()}


def carry_from_dict(d: dict[str, torch.Tensor], device: torch.device) -> Carry:
    groups: dict[str, dict[str, torch.Tensor]] = {"state": {}, "data": {}, "halting": {}}
    for key, value in d.items():
        group, _, name = key.partition(".")
        if name:
            groups[group][name] = value.to(device)
    return Carry(groups["state"], d["steps"].to(device), d["halted"].to(device), groups["data"], groups["halting"])


class Trainer:
    """Owns the model, optimizers, schedule, optional EMA and the persistent carry of one training run.

    ``relabel`` (a task's :meth:`~reasonkit.tasks.Task.least_loss_labels`) trains each segment against the correct
    answer nearest the prediction instead of the stored label (see :class:`LossHead`).
    """

    def __init__(
        self,
        model: Reasoner,
        *,
        total_steps: int,
        optimizer: str = "adam_atan2",
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.95),
        weight_decay: float = 0.0,
        puzzle_lr: float = 1e-4,
        puzzle_weight_decay: float = 0.0,
        warmup_steps: int = 0,
        lr_min_ratio: float = 1.0,
        grad_clip: Optional[float] = None,
        ema: Optional[float] = None,
        loss: Optional[str] = None,
        relabel: Optional[Callable[..., torch.Tensor]] = None,
        world: World = World(),
        device: torch.device | str = "cpu",
        compile: bool | str = "auto",
    ) -> None:
        self.model = model
        self.world = world
        self.device = torch.device(device)
        self.total_steps = total_steps
        self.loss_head = LossHead(loss or (model.spec.loss if model.spec is not None else "stablemax"), relabel=relabel)
        self.dense_params = model.dense_parameters()
        #: Whether the segment, its loss and the Adam-atan2 update run compiled (see :func:`resolve_compile`).
        self.compiled = resolve_compile(compile, model, total_steps, self.device)
        fused = {"fused": True} if self.compiled and optimizer in ADAM_ATAN2_NAMES else {}
        self.optimizers: list[torch.optim.Optimizer] = [
            create_optimizer(self.dense_params, optimizer, lr=lr, weight_decay=weight_decay, betas=betas, **fused)
        ]
        self.base_lrs = [lr]
        puzzle = model.puzzle_parameters()
        if puzzle:
            self.optimizers.append(
                SparseSignSGD(puzzle, lr=puzzle_lr, weight_decay=puzzle_weight_decay, world_size=world.size)
            )
            self.base_lrs.append(puzzle_lr)
        self.schedule = WarmupCosine(warmup_steps, total_steps, lr_min_ratio)
        self.grad_clip = grad_clip
        self.ema = None
        if ema is not None:
            from timm.utils import ModelEmaV3

            self.ema = ModelEmaV3(model, decay=ema)
        #: The segment and its loss, compiled whole with ``compile=True`` (see :meth:`_segment_loss`).
        self._forward = self._segment_loss
        if self.compiled:
            # One graph for the carry reset, the core, the heads, the Q-target pass, the halting decision and the
            # loss (the backward is compiled with it). Only the puzzle table's lookup runs eagerly (inductor cannot
            # compile a sparse gradient; see PuzzleEmbedding), and a relabel target (a graph break). fallback_random
            # keeps the exploration draws those of eager torch, so a seeded compiled run halts where the eager one
            # does. Weights keep their names.
            self._forward = torch.compile(self._segment_loss, dynamic=False, options={"fallback_random": True})
        self.step = 0
        self.carry: Optional[Carry] = None
        #: Check every batch's token and puzzle ids against the model (a host sync); off once the data set was
        #: validated against the model at load time.
        self.check_batches = True

    # ------------------------------------------------------------------------------------------------------------
    def train_step(self, batch: dict[str, torch.Tensor], global_batch_size: int) -> dict[str, float]:
        """One segment and one optimizer step; returns the step's metrics reduced over ranks (means)."""
        model = self.model
        model.train()
        batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
        if self.carry is None:
            self.carry = model.initial_carry(batch)
        self.step += 1
        if self.check_batches:
            model.check_batch(batch)
        self.carry, loss, metrics = self._forward(self.carry, batch)
        (loss / global_batch_size).backward()
        all_reduce_grads(self.dense_params, self.world)

        keys = sorted(metrics)
        values = torch.stack([metrics[k].detach().double() for k in keys] + [loss.detach().double()])
        values = reduce_sum(values, self.world).tolist()
        total = values.pop()
        if not torch.isfinite(torch.tensor(total)):
            for opt in self.optimizers:
                opt.zero_grad(set_to_none=True)
            raise NonFiniteLossError(
                f"non-finite loss ({total}) at step {self.step}; stopping without updating the weights"
            )

        if self.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(self.dense_params, self.grad_clip)
        factor = self.schedule.apply(self.optimizers, self.base_lrs, self.step)
        for opt in self.optimizers:
            opt.step()
            opt.zero_grad(set_to_none=True)
        if self.ema is not None:
            self._update_ema()

        reduced = dict(zip(keys, values))
        count = max(reduced.get("count", 0.0), 1.0)
        out = {k: v / (global_batch_size if k.endswith("loss") else count) for k, v in reduced.items() if k != "count"}
        out["count"] = reduced.get("count", 0.0)
        out["loss"] = total / global_batch_size
        out["lr"] = self.base_lrs[0] * factor
        return out

    def _segment_loss(self, carry: Carry, batch: dict[str, torch.Tensor]):
        """One segment and its loss: ``(new carry, loss summed over the batch, metrics)``; no host sync, except in a
        ``relabel`` target (see :class:`LossHead`)."""
        carry, output = self.model(carry, batch, check=False)
        loss, metrics = self.loss_head(self.model.halting, carry, output)
        return carry, loss, metrics

    @torch.no_grad()
    def _update_ema(self) -> None:
        """TRM's EMA (arXiv 2510.04871): a constant-decay average of the dense weights from the initial ones.

        The puzzle table is not averaged: TRM keeps it as a buffer outside its EMA, so the EMA copy evaluates with
        the table as trained.
        """
        self.ema.update(self.model)
        puzzle = self.model.puzzle_parameters()
        if puzzle:
            self.ema.module.embedding.puzzle.weight.copy_(puzzle[0])

    def eval_model(self) -> nn.Module:
        """The weights to evaluate: the EMA copy if the run keeps one, else the model."""
        return self.ema.module if self.ema is not None else self.model

    # ------------------------------------------------------------------------------------------------------------
    def state_dict(self, loader_state: Any = None) -> dict[str, Any]:
        """Everything but the weights needed to continue exactly: optimizers, step, carry, RNG, loader position."""
        state: dict[str, Any] = {
            "step": self.step,
            "optimizers": [opt.state_dict() for opt in self.optimizers],
            "carry": carry_to_dict(self.carry) if self.carry is not None else None,
            "rng": {"torch": torch.get_rng_state(), "python": list(_python_state())},
            "loader": loader_state,
        }
        if torch.cuda.is_available() and self.device.type == "cuda":
            state["rng"]["cuda"] = torch.cuda.get_rng_state(self.device)
        return state

    def load_state_dict(self, state: dict[str, Any], ema_weights: Optional[dict[str, torch.Tensor]] = None) -> None:
        self.step = int(state["step"])
        if len(state["optimizers"]) != len(self.optimizers):
            raise CheckpointError(
                "the checkpoint's optimizers do not match this run's (a puzzle table in one only?); "
                "resume with the same model and optimizer, or start a new run"
            )
        for opt, sd in zip(self.optimizers, state["optimizers"]):
            opt.load_state_dict(sd)
        self.carry = carry_from_dict(state["carry"], self.device) if state.get("carry") is not None else None
        torch.set_rng_state(state["rng"]["torch"])
        _set_python_state(state["rng"]["python"])
        if "cuda" in state["rng"] and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["rng"]["cuda"], self.device)
        if self.ema is not None and ema_weights is not None:
            self.ema.module.load_state_dict(ema_weights)


def _python_state() -> tuple:
    version, internal, gauss = random.getstate()
    return version, list(internal), gauss


def _set_python_state(state: Iterable) -> None:
    version, internal, gauss = state
    random.setstate((version, tuple(internal), gauss))
