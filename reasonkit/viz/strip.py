"""A strip of grid pictures, one per reasoning step, and the same steps as an animated GIF.

A picture is a list of panels, each a title and a function that draws on a matplotlib axes. The context panels
(the puzzle; for ARC the demonstration pairs and the test input) come first, on a row of their own; the step
panels follow, ``columns`` to a row. The GIF has one frame per step: the context beside that step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ._mpl import pil_image, pyplot, save_figure

__all__ = ["Panel", "save_strip", "save_gif", "render"]

#: A titled drawing: ``(title, draw)`` where ``draw(ax)`` draws on a matplotlib axes.
Panel = tuple[str, Callable[..., None]]

PANEL_INCHES = 1.7
DPI = 100


def render(fig) -> np.ndarray:
    """The figure's pixels [height, width, 3] (uint8 RGB, Agg)."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def _draw(ax, panel: Panel) -> None:
    title, draw = panel
    draw(ax)
    ax.set_title(title, fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])


def _figure(rows: Sequence[Sequence[Panel]], columns: int):
    plt = pyplot()
    fig = plt.figure(figsize=(columns * PANEL_INCHES, len(rows) * (PANEL_INCHES + 0.3)), dpi=DPI)
    for r, row in enumerate(rows):
        for c, panel in enumerate(row):
            _draw(fig.add_subplot(len(rows), columns, r * columns + c + 1), panel)
    fig.tight_layout(pad=0.4)
    return fig


def save_strip(context: Sequence[Panel], steps: Sequence[Panel], out: str | Path, columns: int = 8) -> Path:
    """The context panels on the first row, then the step panels ``columns`` to a row, as one PNG."""
    width = max(len(context), min(columns, len(steps)), 1)
    rows = ([list(context)] if context else []) + [list(steps[i : i + width]) for i in range(0, len(steps), width)]
    return save_figure(_figure(rows, width), out, dpi=DPI)


def save_gif(context: Sequence[Panel], steps: Sequence[Panel], out: str | Path, frame_ms: int = 700) -> Path:
    """One frame per step panel, the context panels beside it; the last frame is held three times as long."""
    image = pil_image()
    frames = []
    for step in steps:
        fig = _figure([[*context, step]], len(context) + 1)
        frames.append(image.fromarray(render(fig)).convert("P", palette=image.Palette.ADAPTIVE, colors=64))
        pyplot().close(fig)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    durations = [frame_ms] * (len(frames) - 1) + [3 * frame_ms]
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=True)
    return out
