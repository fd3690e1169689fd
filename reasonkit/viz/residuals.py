"""Hierarchical convergence: each level's forward residual ``||z_t - z_{t-1}|| / ||z_t||`` at its updates.

HRM (arXiv 2506.21734, Fig. 3) shows it for its two levels: within each cycle the low level converges (its
residual falls), then the high level updates, which resets the low level's target and makes its residual spike,
while the high level itself converges slowly over the cycles; a plain recurrent network instead converges once
and stalls. The residual of a level is taken only at the updates that write it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import numpy as np

from ._mpl import pyplot, save_figure
from .trace import Trace

__all__ = ["residual_summary", "plot_residuals"]


def residual_summary(trace: Trace) -> dict[str, dict[str, Any]]:
    """Per level: the run's update numbers (1-based) that write it, and the mean, 10th and 90th percentile of its
    forward residual over the traced puzzles at each."""
    out = {}
    for level in trace.levels:
        index = trace.updates_of(level)
        values = trace.residuals[level][index]
        out[level] = {
            "name": trace.level_names[level],
            "update": (index + 1).tolist(),
            "mean": values.mean(1).tolist(),
            "p10": np.percentile(values, 10, axis=1).tolist(),
            "p90": np.percentile(values, 90, axis=1).tolist(),
        }
    return out


def plot_residuals(
    summary: dict[str, dict[str, Any]], updates_per_segment: int, out: str | Path, title: Optional[str] = None
) -> Path:
    """The residual of each level (mean line, 10-90% band) against the update number, segment boundaries
    dotted, on a log scale."""
    plt = pyplot()
    last = max(max(s["update"]) for s in summary.values())
    fig, ax = plt.subplots(figsize=(min(12, 4 + 0.08 * last), 3.6))
    for b in range(updates_per_segment, last, updates_per_segment):
        ax.axvline(b + 0.5, color="grey", lw=0.5, ls=":")
    for s in summary.values():
        (line,) = ax.plot(s["update"], s["mean"], "o-", ms=2.5, lw=1.0, label=s["name"])
        ax.fill_between(s["update"], s["p10"], s["p90"], color=line.get_color(), alpha=0.2, lw=0)
    ax.set(
        xlabel=f"recurrent update ({updates_per_segment} per segment)",
        ylabel="||z_t - z_{t-1}|| / ||z_t||",
        yscale="log",
        title=title or "forward residual of each level",
    )
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out)
