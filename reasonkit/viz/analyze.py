"""The analyses of HRM (arXiv 2506.21734) for any model, over a sample of a data set's puzzles.

1. Hierarchical convergence (Fig. 3): each level's forward residual at every recurrent update.
2. The dimensionality hierarchy (Fig. 8): the participation ratio of each level's states (the states after the
   last segment, one vector per puzzle and position), for the trained model beside the same architecture
   freshly initialised.
3. Accuracy against the number of segments allowed (the prediction after segment k equals a run with
   ``max_steps=k``, since without early exit nothing halts before the last segment).

Every core works; its levels are named by the core (``level_names``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from ..builder import build
from ..errors import ConfigError, OutputError
from ..eval.evaluate import check_data_fits_model, resolve_task
from ..eval.output import write_text
from ..eval.scaling import score_segments
from ._data import read_examples, split_size
from .curves import plot_scaling
from .pr import participation_ratio, plot_participation
from .residuals import plot_residuals, residual_summary
from .trace import Trace, trace

__all__ = ["analyze", "FILES"]

#: What :func:`analyze` writes in its output directory.
FILES = ("analysis.json", "residuals.png", "participation_ratio.png", "accuracy_vs_segments.png")


def _participation(tr: Trace) -> dict[str, float]:
    return {lv: participation_ratio(s.reshape(-1, s.shape[-1])) for lv, s in tr.states.items()}


def analyze(
    model,
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    split: str = "test",
    sample: int = 64,
    segments: Optional[int] = None,
    batch_size: int = 64,
    seed: int = 0,
    task: Optional[str] = None,
) -> dict[str, Any]:
    """Analyse ``model`` on ``sample`` puzzles of ``split`` drawn with ``seed`` (all of them if fewer), run
    ``segments`` segments (default: the model's maximum), and write :data:`FILES` into ``out_dir``; returns
    what analysis.json holds. The untrained model is ``build(model.spec)`` under ``torch.manual_seed(seed)``.
    """
    if model.spec is None:
        raise ConfigError("the analysis compares with a fresh model of the same spec; this model has no spec")
    if sample < 1:
        raise ConfigError(f"sample must be at least 1, got {sample}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file; give a directory for the analysis")
    total = split_size(data_dir, split)
    rows = np.sort(np.random.default_rng(seed).choice(total, size=min(sample, total), replace=False))
    ex = read_examples(data_dir, split, rows)
    check_data_fits_model(model, ex.meta, data_dir)
    resolved = resolve_task(model, data_dir, task)
    tr = trace(model, ex.inputs, ex.puzzle_identifiers, segments=segments, states=True, batch_size=batch_size)
    with torch.random.fork_rng(devices=[]):  # the caller's random state is left as it was
        torch.manual_seed(seed)
        fresh = build(model.spec).to(next(model.parameters()).device)
    tr0 = trace(fresh, ex.inputs, ex.puzzle_identifiers, segments=segments, states=True, batch_size=batch_size)

    accuracy = score_segments(
        {k: tr.predictions[k - 1] for k in range(1, tr.segments + 1)}, ex.inputs, ex.labels, resolved
    )
    result = {
        "core": model.spec.core.kind,
        "levels": dict(tr.level_names),
        "readout": tr.readout,
        "split": split,
        "sample": len(rows),
        "segments": tr.segments,
        "updates_per_segment": len(tr.schedule),
        "schedule": [u.level for u in tr.schedule],
        "residuals": residual_summary(tr),
        "participation_ratio": {"trained": _participation(tr), "untrained": _participation(tr0)},
        "accuracy_vs_segments": accuracy,
    }
    plot_residuals(result["residuals"], len(tr.schedule), out_dir / "residuals.png")
    plot_participation(result["participation_ratio"], tr.level_names, out_dir / "participation_ratio.png")
    plot_scaling(accuracy, out_dir / "accuracy_vs_segments.png", model.halting.max_steps)
    text = json.dumps(result, indent=2)
    write_text(out_dir / "analysis.json", lambda f: f.write(text + "\n"))
    return result
