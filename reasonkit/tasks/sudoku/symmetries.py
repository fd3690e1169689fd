"""Sudoku's symmetries (the training augmentation of HRM, arXiv 2506.21734), with exact inverses.

A random augmentation (``sudoku_shuffle``) is a permutation of the digits, a transpose with probability 1/2 (only
when boxes are square: 4x4 and 9x9; a transpose would turn 6x6's 2x3 boxes into 3x2), a shuffle of the bands and
of the rows within each band, and of the stacks and the columns within each stack. Each maps a valid grid to a
valid grid and a puzzle with one solution to a puzzle with one solution (it is a symmetry of the constraints).
"""

from __future__ import annotations

import numpy as np

from ...data.augment import AxisPermutation, ColourPermutation, Compose, Dihedral, FlatGrid
from .rules import box_shape

__all__ = ["shuffle_params", "sudoku_shuffle", "augment_group", "token_symmetries"]


def shuffle_params(rng: np.random.Generator, n: int, count: int):
    """Parameters of ``count`` random Sudoku augmentations, drawn at once.

    Returns ``(digit_maps [count, n + 1], transpose [count], rows [count, n], cols [count, n])``: the digit map
    keeps 0 (blank) fixed; rows and cols are band- and stack-respecting permutations.
    """
    br, bc = box_shape(n)

    def block_perm(block: int) -> np.ndarray:
        outer = rng.permuted(np.tile(np.arange(n // block), (count, 1)), axis=1)
        inner = rng.permuted(np.tile(np.arange(block), (count, n // block, 1)), axis=2)
        return (outer[:, :, None] * block + inner).reshape(count, n)

    digits = np.concatenate(
        [np.zeros((count, 1), np.int64), rng.permuted(np.tile(np.arange(1, n + 1), (count, 1)), axis=1)], axis=1
    )
    transpose = rng.random(count) < 0.5
    if br != bc:
        transpose[:] = False
    return digits, transpose, block_perm(br), block_perm(bc)


def _compose(digits, transpose, rows, cols) -> Compose:
    augs = [Dihedral(6)] if transpose else []
    return Compose(augs + [AxisPermutation(tuple(rows), tuple(cols)), ColourPermutation(tuple(digits), offset=0)])


def sudoku_shuffle(rng: np.random.Generator, n: int = 9) -> Compose:
    """A random validity-preserving Sudoku augmentation (see the module docstring), with an exact inverse."""
    d, t, r, c = shuffle_params(rng, n, 1)
    return _compose(d[0], bool(t[0]), r[0], c[0])


def augment_group(
    puzzle: np.ndarray, solution: np.ndarray, n: int, num_aug: int, rng: np.random.Generator, return_augs: bool = False
):
    """The original puzzle and ``num_aug`` augmented copies: ``(inputs, labels)`` digit arrays [1 + num_aug, n*n].

    Vectorised over the copies; copy k equals ``sudoku_shuffle``'s Compose with the same parameters applied to
    the grids (returned as a third element when ``return_augs``).
    """
    p = np.asarray(puzzle).reshape(-1)
    s = np.asarray(solution).reshape(-1)
    d, t, r, c = shuffle_params(rng, n, num_aug)
    pos = np.where(t[:, None, None], c[:, None, :] * n + r[:, :, None], r[:, :, None] * n + c[:, None, :])
    pos = pos.reshape(num_aug, n * n)
    k = np.arange(num_aug)[:, None]
    inputs = np.concatenate([p[None], d[k, p[pos]]]).astype(np.uint8)
    labels = np.concatenate([s[None], d[k, s[pos]]]).astype(np.uint8)
    if return_augs:
        return inputs, labels, [_compose(d[i], bool(t[i]), r[i], c[i]) for i in range(num_aug)]
    return inputs, labels


def token_symmetries(n: int, rng: np.random.Generator, count: int) -> list[FlatGrid]:
    """``count`` random symmetries acting on token sequences [..., n*n] (blank token 1, digit d token d + 1)."""
    d, t, r, c = shuffle_params(rng, n, count)
    out = []
    for i in range(count):
        grid = _compose(d[i], bool(t[i]), r[i], c[i])
        digits = grid.augs[-1]
        tokens = Compose(grid.augs[:-1] + (ColourPermutation(digits.perm, offset=1),))
        out.append(FlatGrid(tokens, n, n))
    return out
