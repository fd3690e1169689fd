"""Curves of a run: the learning curve (loss and exact accuracy against steps), the inference-time scaling curve
(exact accuracy against the segments allowed), and an ablation's results as bars with their spread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from ._mpl import pyplot, save_figure

__all__ = ["read_metrics", "plot_learning_curve", "plot_scaling", "plot_ablation", "save_run_plots"]


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


def plot_learning_curve(records: Sequence[dict[str, Any]], out: str | Path) -> Path:
    """Training loss and exact accuracy (of halted sequences) against steps, test exact accuracy as points."""
    plt = pyplot()
    train = [r for r in records if r.get("kind") == "train" and "loss" in r]
    evals = [r for r in records if r.get("kind") in ("eval", "final") and "exact_accuracy" in r]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax_loss.plot([r["step"] for r in train], [r["loss"] for r in train], lw=0.8)
    ax_loss.set(xlabel="step", ylabel="loss", yscale="log", title="training loss")
    counted = [r for r in train if "exact_accuracy" in r]  # lines whose steps halted some sequence
    ax_acc.plot(
        [r["step"] for r in counted],
        [r["exact_accuracy"] for r in counted],
        lw=0.8,
        label="train (halted sequences)",
    )
    if evals:
        ax_acc.plot([r["step"] for r in evals], [r["exact_accuracy"] for r in evals], "o-", label="test")
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
