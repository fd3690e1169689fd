"""Maze-Hard's characters and tokens (HRM, arXiv 2506.21734).

``#`` wall, space open, ``S`` start, ``G`` goal, ``o`` path, mapped to tokens 1-5 (pad 0, vocab 6, sequence
size * size, row-major). A label is its question with the cells of a shortest S-G path (S and G excluded) marked
``o``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CHARSET", "TOKENS", "WALL", "OPEN", "START", "GOAL", "PATH", "encode", "decode", "as_grid"]

CHARSET = "# SGo"
WALL, OPEN, START, GOAL, PATH = (ord(c) for c in CHARSET)
#: Each character's token id.
TOKENS = {c: i for i, c in enumerate(CHARSET, 1)}
_CHAR2ID = np.zeros(256, np.uint8)
_CHAR2ID[[ord(c) for c in TOKENS]] = list(TOKENS.values())
_ID2CHAR = np.frombuffer(("\0" + CHARSET).encode(), np.uint8)


def encode(chars: np.ndarray) -> np.ndarray:
    """Character codes (uint8 ASCII) to tokens 1-5."""
    return _CHAR2ID[np.asarray(chars, np.uint8)]


def decode(tokens: np.ndarray) -> np.ndarray:
    """Tokens to character codes; pad becomes NUL."""
    return _ID2CHAR[np.asarray(tokens, np.int64)]


def as_grid(x) -> np.ndarray:
    """A maze as a [side, side] array of character codes, from a string or an array."""
    if isinstance(x, str):
        n = int(round(len(x) ** 0.5))
        return np.frombuffer(x.encode(), np.uint8).reshape(n, n)
    return np.asarray(x, np.uint8)
