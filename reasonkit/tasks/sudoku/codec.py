"""Sudoku's token codec (the reference's, HRM arXiv 2506.21734) and its string form.

Tokens: pad 0, blank 1, digit d -> d + 1 (vocab n + 2, sequence n * n, row-major). Strings follow the
Sudoku-Extreme CSV convention: one character per cell, ``'.'`` (or ``'0'``) blank, digits ``1``-``9``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["encode", "decode", "parse", "format_grid"]


def encode(grid: np.ndarray) -> np.ndarray:
    """Digits (0 blank) to tokens: blank 1, digit d -> d + 1."""
    return np.asarray(grid, np.uint8) + 1


def decode(tokens: np.ndarray) -> np.ndarray:
    """Tokens to digits (0 blank); pad tokens become 0 as well."""
    t = np.asarray(tokens).astype(np.int64)
    return np.where(t > 0, t - 1, 0).astype(np.uint8)


def parse(text: str) -> np.ndarray:
    """A puzzle string to digits (0 blank); ValueError naming any other character."""
    text = text.strip()
    bad = sorted({c for c in text if not (c == "." or c.isdigit())})
    if bad:
        raise ValueError(f"puzzle string has characters other than '.' and digits: {''.join(bad)!r}")
    return np.array([0 if c in ".0" else int(c) for c in text], dtype=np.uint8)


def format_grid(digits: np.ndarray) -> str:
    """Digits (0 blank) to a puzzle string ('.' blank)."""
    return "".join("." if d == 0 else str(int(d)) for d in np.asarray(digits).reshape(-1))
