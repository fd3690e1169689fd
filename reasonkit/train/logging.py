"""Run logging: progress (loss, accuracy, steps/s, ETA), a JSONL file of metrics, optional sinks.

In a terminal the progress is a bar; when standard error is a file or a pipe it is plain, sparse lines (about
every 5% of the run or every minute, whichever comes first, each the mean since the previous line), not thousands
of carriage returns. TensorBoard and Weights & Biases are optional: they are imported only when asked for, and a
clear error says which package to install when they are missing. Only rank 0 logs.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError

__all__ = ["RunLogger", "MissingSinkError", "check_sinks"]

#: The metrics a progress bar or line shows.
_SHOWN = ("loss", "accuracy", "exact_accuracy")


class MissingSinkError(MissingDependencyError):
    """A logging sink was requested but its package is not installed."""


def _summary_writer_class():
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as err:
        raise MissingSinkError(
            "tensorboard logging was requested but the 'tensorboard' package is not installed; "
            "pip install tensorboard (or reasonkit[tensorboard]) or set tensorboard=false"
        ) from err
    return SummaryWriter


def _wandb_module():
    try:
        import wandb
    except ImportError as err:
        raise MissingSinkError(
            "wandb logging was requested but the 'wandb' package is not installed; "
            "pip install wandb (or reasonkit[wandb]) or set wandb=false"
        ) from err
    return wandb


def check_sinks(*, tensorboard: bool = False, wandb: bool = False) -> None:
    """Raise :class:`MissingSinkError` now if a requested sink's package is missing (a run checks this at startup)."""
    if tensorboard:
        _summary_writer_class()
    if wandb:
        _wandb_module()


def _tensorboard(log_dir: Path):
    return _summary_writer_class()(str(log_dir))


def _wandb(project: str, name: str, config: dict):
    return _wandb_module().init(project=project, name=name, config=config, resume="allow")


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


class RunLogger:
    """Writes metrics of a run to ``metrics.jsonl`` (appending, so a resumed run continues the file)."""

    def __init__(
        self,
        run_dir: str | Path,
        total_steps: int,
        *,
        enabled: bool = True,
        progress: bool = True,
        tensorboard: bool = False,
        wandb: bool = False,
        wandb_project: str = "reasonkit",
        config: dict | None = None,
        initial_step: int = 0,
    ) -> None:
        self.enabled = enabled
        self.run_dir = Path(run_dir)
        self.bar = None
        self.tb = self.wb = None
        self._start = time.perf_counter()
        self._start_step = initial_step
        if not enabled:
            return
        # Sinks first: a missing package fails before any file is written.
        if tensorboard:
            self.tb = _tensorboard(self.run_dir / "tensorboard")
        if wandb:
            self.wb = _wandb(wandb_project, self.run_dir.name, config or {})
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.file = open(self.run_dir / "metrics.jsonl", "a", buffering=1)
        self.total_steps = total_steps
        self.lines = progress and not sys.stderr.isatty()
        self._line_every = max(1, total_steps // 20)
        self._window: dict[str, tuple[float, int]] = {}
        self._last_line = time.perf_counter()
        if progress and not self.lines:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total_steps, initial=initial_step, unit="step", dynamic_ncols=True)

    def log(self, step: int, metrics: dict[str, Any], kind: str = "train") -> None:
        if not self.enabled:
            return
        record = {"step": step, "kind": kind, **{k: _plain(v) for k, v in metrics.items()}}
        self.file.write(json.dumps(record) + "\n")
        if self.tb is not None:
            for k, v in record.items():
                if isinstance(v, (int, float)) and k != "step":
                    self.tb.add_scalar(f"{kind}/{k}", v, step)
        if self.wb is not None:
            self.wb.log({f"{kind}/{k}": v for k, v in record.items() if k not in ("step", "kind")}, step=step)
        if kind != "train":
            return
        shown = {k: float(record[k]) for k in _SHOWN if isinstance(record.get(k), (int, float))}
        post = {k: f"{v:.4g}" for k, v in shown.items()}
        if self.bar is not None:
            self.bar.n = step
            self.bar.set_postfix(post, refresh=False)
            self.bar.refresh()
        elif self.lines:
            for k, v in shown.items():  # a line shows the mean of the records since the previous line
                total, count = self._window.get(k, (0.0, 0))
                self._window[k] = (total + v, count + 1)
            now = time.perf_counter()
            if step % self._line_every == 0 or step == self.total_steps or now - self._last_line > 60:
                self._last_line = now
                rate = self.steps_per_second(step)
                eta = (self.total_steps - step) / max(rate, 1e-9)
                fields = " ".join(f"{k} {total / count:.4g}" for k, (total, count) in self._window.items())
                self._window = {}
                print(
                    f"step {step}/{self.total_steps} {fields} {rate:.2f} steps/s eta {eta / 60:.1f} min",
                    file=sys.stderr,
                    flush=True,
                )

    def message(self, text: str) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.write(text)
        else:
            print(text, file=sys.stderr, flush=True)

    def steps_per_second(self, step: int) -> float:
        return (step - self._start_step) / max(1e-9, time.perf_counter() - self._start)

    def close(self) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.close()
        self.file.close()
        if self.tb is not None:
            self.tb.close()
        if self.wb is not None:
            self.wb.finish()
