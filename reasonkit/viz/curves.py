"""Curves of a run: the learning curve (loss and exact accuracy against steps), the inference-time scaling curve
(exact accuracy against the segments allowed), and an ablation's results as bars with their spread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._mpl import pyplot, save_figure

__all__ = ["read_metrics", "running_mean", "plot_learning_curve", "plot_scaling", "plot_ablation", "save_run_plots"]


def read_metrics(run_dir: str | Path) -> list[dict[str, Any]]:
    """The records of a run's metrics.jsonl (a torn last line, from a killed run, is skipped)."""
    out = []
    path = Path(run_dir) / "metrics.jsonl"
    if not path.is_file():
        return out
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def running_mean(values: Sequence[float], weights: Sequence[float] | None = None, window: int = 1) -> np.ndarray:
    """The (weighted) mean of each value and the ``window - 1`` before it (fewer at the start)."""
    v = np.asarray(values, np.float64)
    w = np.ones_like(v) if weights is None else np.asarray(weights, np.float64)
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if w.shape != v.shape:
        raise ValueError(f"{len(v)} values but {len(w)} weights")
    sums = np.cumsum(np.concatenate([[0.0], v * w]))
    mass = np.cumsum(np.concatenate([[0.0], w]))
    lo = np.maximum(np.arange(1, len(v) + 1) - window, 0)
    hi = np.arange(1, len(v) + 1)
    return (sums[hi] - sums[lo]) / np.maximum(mass[hi] - mass[lo], 1e-12)


def plot_learning_curve(records: Sequence[dict[str, Any]], out: str | Path) -> Path:
    """Training loss and exact accuracy (of halted sequences) against steps, test exact accuracy as points.

    Each logged line is drawn faintly, and over it their running mean over 1% of the lines (the accuracy weighted
    by the sequences each line counted), so that a small batch's step-to-step noise does not hide the trend.
    """
    plt = pyplot()
    train = [r for r in records if r.get("kind") == "train" and "loss" in r]
    evals = [r for r in records if r.get("kind") in ("eval", "final") and "exact_accuracy" in r]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    window = max(1, len(train) // 100)
    steps = [r["step"] for r in train]
    loss = [r["loss"] for r in train]
    ax_loss.plot(steps, loss, lw=0.6, alpha=0.3, color="C0")
    ax_loss.plot(steps, running_mean(loss, window=window), lw=1.2, color="C0", label=f"mean of {window} lines")
    ax_loss.set(xlabel="step", ylabel="loss", yscale="log", title="training loss")
    ax_loss.legend(loc="upper right")
    counted = [r for r in train if "exact_accuracy" in r]  # lines whose steps halted some sequence
    acc_steps = [r["step"] for r in counted]
    acc = [r["exact_accuracy"] for r in counted]
    ax_acc.plot(acc_steps, acc, lw=0.6, alpha=0.3, color="C0")
    smooth = running_mean(acc, [r.get("count", 1.0) for r in counted], window=max(1, len(counted) // 100))
    ax_acc.plot(acc_steps, smooth, lw=1.2, color="C0", label="train (halted sequences)")
    if evals:
        ax_acc.plot([r["step"] for r in evals], [r["exact_accuracy"] for r in evals], "o-", color="C1", label="test")
    ax_acc.set(xlabel="step", ylabel="exact accuracy", ylim=(0, 1.02), title="exact accuracy")
    ax_acc.legend(loc="lower right")
    fig.tight_layout()
    return save_figure(fig, out)


def plot_scaling(scaling: dict[str, dict[str, Any]], out: str | Path, trained_max: int | None = None) -> Path:
    """Exact accuracy against the number of segments allowed at inference."""
    plt = pyplot()
    ks = sorted(int(k) for k in scaling)
    fig, ax = plt.subplots(figsize=(5, 3.6))
    ax.plot(ks, [scaling[str(k)]["exact_accuracy"] for k in ks], "o-")
    if trained_max:
        ax.axvline(trained_max, color="grey", ls="--", lw=0.8, label="training maximum")
        ax.legend(loc="lower right")
    ax.set(
        xlabel="segments allowed", ylabel="exact accuracy", xscale="log", ylim=(0, 1.02), title="inference-time scaling"
    )
    ticks = sorted({k for k in ks if k & (k - 1) == 0} | {ks[0], ks[-1]} | ({trained_max} if trained_max else set()))
    ax.set_xticks(ticks, [str(k) for k in ticks])  # powers of two, the ends and the training maximum: no overlaps
    ax.minorticks_off()
    fig.tight_layout()
    return save_figure(fig, out)


def plot_ablation(summary: Sequence[dict[str, Any]], keys: Sequence[str], out: str | Path) -> Path:
    """Exact accuracy (mean and standard deviation over seeds) of each ablation cell, as bars."""
    plt = pyplot()
    labels = ["\n".join(str(row[k]) for k in keys) for row in summary]
    means = [row.get("exact_accuracy") or 0.0 for row in summary]
    stds = [row.get("exact_accuracy_std") or 0.0 for row in summary]
    fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(summary)), 3.8))
    ax.bar(range(len(summary)), means, yerr=stds, capsize=3)
    ax.set_xticks(range(len(summary)), labels, fontsize=8)
    ax.set(ylabel="exact accuracy", ylim=(0, 1.02), title=" x ".join(keys))
    fig.tight_layout()
    return save_figure(fig, out)


def save_run_plots(run_dir: str | Path, trained_max: int | None = None) -> list[Path]:
    """learning_curve.png and, when the final evaluation has one, scaling.png in the run directory, marking
    ``trained_max``, the segments allowed in training (default: those of the full-length evaluation)."""
    run_dir = Path(run_dir)
    paths = [plot_learning_curve(read_metrics(run_dir), run_dir / "learning_curve.png")]
    final = run_dir / "final_eval.json"
    if final.is_file():
        result = json.loads(final.read_text())
        if result.get("scaling"):
            trained = trained_max or (result.get("full") or {}).get("max_steps")
            paths.append(plot_scaling(result["scaling"], run_dir / "scaling.png", trained))
    return paths
