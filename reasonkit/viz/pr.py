"""The participation ratio: the effective number of dimensions a set of states spans.

``PR = (sum_i lambda_i)^2 / sum_i lambda_i^2`` over the eigenvalues of the states' covariance: ``d`` when the
variance is spread evenly over ``d`` directions, 1 when it lies along one. HRM (arXiv 2506.21734, Fig. 8) compares
it between levels: after training the slow high level spans many more dimensions than the fast low level, which
a freshly initialised network does not show, as in the cortical dimensionality hierarchy of the brain.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..errors import DataError
from ._mpl import pyplot, save_figure

__all__ = ["participation_ratio", "plot_participation"]


def participation_ratio(states: np.ndarray | torch.Tensor) -> float:
    """The participation ratio of states ``[n, d]`` (n samples of d units), from their covariance; 0 when they do
    not vary. Computed as ``trace(C)^2 / trace(C @ C)``, which equals the eigenvalue formula without an
    eigendecomposition, in float64."""
    if isinstance(states, torch.Tensor):
        x = states.detach().to("cpu", torch.float64)
    else:
        x = torch.as_tensor(np.asarray(states), dtype=torch.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise DataError(f"the participation ratio needs states [n, d] with n >= 2, got shape {tuple(x.shape)}")
    x = x - x.mean(0)
    # the covariance's trace and squared Frobenius norm, from the smaller of the two Gram matrices
    gram = x @ x.T if x.shape[0] < x.shape[1] else x.T @ x
    total = torch.trace(gram)
    squares = (gram * gram).sum()
    return 0.0 if squares == 0 else float(total * total / squares)


def plot_participation(values: dict[str, dict[str, float]], names: dict[str, str], out: str | Path) -> Path:
    """Bars of each level's participation ratio, one group per model (``values[model][level]``, e.g. "trained"
    and "untrained"), with the numbers on the bars."""
    plt = pyplot()
    models, levels = list(values), list(names)
    width = 0.8 / len(models)
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(levels), 3.6))
    for k, model in enumerate(models):
        xs = np.arange(len(levels)) + (k - (len(models) - 1) / 2) * width
        bars = ax.bar(xs, [values[model][lv] for lv in levels], width, label=model)
        ax.bar_label(bars, fmt="%.1f", fontsize=7)
    ax.set_xticks(range(len(levels)), [names[lv] for lv in levels], fontsize=8)
    ax.set(ylabel="participation ratio", title="effective dimensionality of each level")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out)
