"""Seeing the reasoning: one puzzle's prediction after every segment (or every recurrent update) as a strip of
grids and an animated GIF, drawn the way the model's task is read (Sudoku, Maze, ARC; a token grid otherwise).

As in HRM's step-by-step figures (arXiv 2506.21734, Fig. 7), each panel is the answer the readout state stands
for at that point, titled with its segment and the halting policy's confidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..errors import ConfigError
from ..eval.evaluate import check_data_fits_model, resolve_task
from ..eval.output import check_writable
from . import draw_arc, draw_grid, draw_maze, draw_sudoku
from ._data import read_examples
from .strip import save_gif, save_strip
from .trace import trace

__all__ = ["draw_reasoning", "DRAWINGS"]

#: The picture of each task's grids; any other task gets the generic token grid (:mod:`.draw_grid`).
DRAWINGS = {"sudoku": draw_sudoku.panels, "maze": draw_maze.panels, "arc": draw_arc.panels}


def _titles(tr, inner: bool) -> list[str]:
    conf = None if tr.confidence is None else tr.confidence[:, 0]

    def halt(s: int) -> str:
        return "" if conf is None else f"halt {conf[s]:.2f}"

    if not inner:
        return [", ".join(filter(None, (f"segment {s + 1}", halt(s)))) for s in range(tr.segments)]
    per = len(tr.schedule)
    return [
        f"segment {s + 1}, update {i + 1}/{per}\n" + ", ".join(filter(None, (u.level, halt(s) if i == per - 1 else "")))
        for s in range(tr.segments)
        for i, u in enumerate(tr.schedule)
    ]


def draw_reasoning(
    model,
    data_dir: str | Path,
    index: int,
    out: str | Path,
    *,
    split: str = "test",
    inner: bool = False,
    task: Optional[str] = None,
    segments: Optional[int] = None,
) -> tuple[Path, Path]:
    """Run example ``index`` of ``split`` through ``model`` for ``segments`` segments (default: its maximum) and
    draw its prediction after each segment (with ``inner``, after each recurrent update, the readout state read
    through the LM head) as ``out`` (a PNG) and the same steps as an animated GIF beside it; returns both paths.

    The drawing follows ``task`` if given, else the model's task, else the data set's builder.
    """
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"the picture is a PNG: give an output path ending in .png, got {out}")
    gif = out.with_suffix(".gif")
    for path in (out, gif):
        check_writable(path)
    example = read_examples(data_dir, split, [index])
    check_data_fits_model(model, example.meta, data_dir)
    kind = resolved.kind if (resolved := resolve_task(model, data_dir, task)) is not None else None
    tr = trace(model, example.inputs, example.puzzle_identifiers, segments=segments, inner=inner)
    steps = list((tr.inner_predictions if inner else tr.predictions)[:, 0])
    context, panels = DRAWINGS.get(kind, draw_grid.panels)(example, steps, _titles(tr, inner))
    return save_strip(context, panels, out), save_gif(context, panels, gif)
