"""Pictures and analyses of the reasoning (needs the ``viz`` extra): learning and scaling curves, one puzzle's
prediction step by step (:func:`draw_reasoning`), and HRM's analyses for any model (:func:`analyze`): hierarchical
convergence from :func:`trace` and the participation ratio (arXiv 2506.21734)."""

from .analyze import analyze
from .curves import plot_ablation, plot_learning_curve, plot_scaling, read_metrics, save_run_plots
from .pr import participation_ratio, plot_participation
from .reasoning import draw_reasoning
from .residuals import plot_residuals, residual_summary
from .trace import Trace, forward_residual, trace

__all__ = [
    "plot_learning_curve",
    "plot_scaling",
    "plot_ablation",
    "read_metrics",
    "save_run_plots",
    "draw_reasoning",
    "analyze",
    "trace",
    "Trace",
    "forward_residual",
    "participation_ratio",
    "plot_participation",
    "residual_summary",
    "plot_residuals",
]
