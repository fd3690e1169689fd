"""Pictures and analyses of the reasoning: learning and scaling curves (needs the ``viz`` extra)."""

from .curves import plot_ablation, plot_learning_curve, plot_scaling, read_metrics, save_run_plots

__all__ = ["plot_learning_curve", "plot_scaling", "plot_ablation", "read_metrics", "save_run_plots"]
