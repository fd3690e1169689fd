"""The ARC token canvas (HRM, arXiv 2506.21734): a grid of colours 0-9 in a 30x30 canvas.

A grid is placed at an offset (0, 0 unless translated), colours become tokens 2-11, an EOS token (1) marks the row
below and the column right of the grid (not their corner), everything else is pad (0). Sequence 900, vocab 12.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_SIZE", "PAD", "EOS", "COLOUR_OFFSET", "VOCAB_SIZE", "SEQ_LEN", "encode", "decode", "crop_prediction"]

MAX_SIZE = 30
PAD, EOS, COLOUR_OFFSET = 0, 1, 2
VOCAB_SIZE = 12
SEQ_LEN = MAX_SIZE * MAX_SIZE


def encode(grid: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """A grid of colours 0-9 (at most 30x30) as a [30, 30] uint8 token canvas, its top-left corner at ``offset``."""
    g = np.asarray(grid)
    h, w = g.shape
    r, c = offset
    if not (0 <= r and 0 <= c and r + h <= MAX_SIZE and c + w <= MAX_SIZE):
        raise ValueError(f"a {h}x{w} grid at offset {offset} does not fit the {MAX_SIZE}x{MAX_SIZE} canvas")
    canvas = np.zeros((MAX_SIZE, MAX_SIZE), np.uint8)
    canvas[r : r + h, c : c + w] = g.astype(np.uint8) + COLOUR_OFFSET
    if r + h < MAX_SIZE:
        canvas[r + h, c : c + w] = EOS
    if c + w < MAX_SIZE:
        canvas[r : r + h, c + w] = EOS
    return canvas


def decode(canvas: np.ndarray) -> np.ndarray:
    """The grid in a well-formed canvas (any offset); ValueError if the colour cells are not one rectangle."""
    t = np.asarray(canvas).reshape(MAX_SIZE, MAX_SIZE)
    colour = t >= COLOUR_OFFSET
    rows, cols = np.flatnonzero(colour.any(1)), np.flatnonzero(colour.any(0))
    if rows.size == 0:
        raise ValueError("canvas holds no grid")
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    if colour.sum() != (r1 - r0) * (c1 - c0):
        raise ValueError("canvas colour cells do not form one rectangle")
    return (t[r0:r1, c0:c1] - COLOUR_OFFSET).astype(np.uint8)


def crop_prediction(canvas: np.ndarray) -> np.ndarray:
    """The largest top-left rectangle of colour tokens in a predicted canvas (the reference evaluator's crop)."""
    t = np.asarray(canvas).reshape(MAX_SIZE, MAX_SIZE)
    ok = (t >= COLOUR_OFFSET) & (t < COLOUR_OFFSET + 10)
    best, size, width = 0, (0, 0), MAX_SIZE
    for r in range(MAX_SIZE):
        bad = np.flatnonzero(~ok[r, :width])
        width = int(bad[0]) if bad.size else width
        if (r + 1) * width > best:
            best, size = (r + 1) * width, (r + 1, width)
        if width == 0:
            break
    return (t[: size[0], : size[1]] - COLOUR_OFFSET).astype(np.uint8)
