"""ARC's test-time symmetries on token canvases: a colour permutation (0 fixed) and a dihedral transform, the group
its builder augments with (HRM, arXiv 2506.21734; TRM votes over the same group)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...data.augment import Augmentation
from .canvas import SEQ_LEN, crop_prediction, encode
from .identifiers import task_augmentation

__all__ = ["CanvasSymmetry", "canvas_symmetries"]


@dataclass(frozen=True)
class CanvasSymmetry(Augmentation):
    """A grid augmentation applied to the grid of each token canvas [..., 900]: the grid is cropped at its EOS
    marker as the evaluator crops a prediction, transformed, and written back top-left with its markers.

    Exact on well-formed canvases with the grid top-left (every test input); a prediction comes back well formed.
    """

    aug: Augmentation

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.shape[-1] != SEQ_LEN:
            raise ValueError(f"ARC canvases have {SEQ_LEN} tokens, got sequences of {x.shape[-1]}")
        flat = x.reshape(-1, SEQ_LEN)
        out = [encode(self.aug(crop_prediction(canvas))).reshape(-1) for canvas in flat]
        return np.stack(out).astype(x.dtype).reshape(x.shape) if out else x.copy()

    def inverse(self) -> CanvasSymmetry:
        return CanvasSymmetry(self.aug.inverse())

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "arc_canvas", "aug": self.aug.to_dict()}


def canvas_symmetries(rng: np.random.Generator, count: int) -> list[CanvasSymmetry]:
    """``count`` random symmetries of ARC canvases, drawn as the builder draws its augmentations."""
    return [CanvasSymmetry(task_augmentation(rng)) for _ in range(count)]
