"""Hypothesis strategies for the data package's augmentations and grids."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reasonkit.data.augment import ColourPermutation, Compose, Dihedral


def permutations(n: int, fix_zero: bool = False):
    base = list(range(1, n)) if fix_zero else list(range(n))
    return st.permutations(base).map(lambda p: tuple([0] + list(p)) if fix_zero else tuple(p))


def grids(max_side: int = 8, max_value: int = 9, min_side: int = 1):
    return st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side), st.integers(0, 2**32 - 1)).map(
        lambda t: np.random.default_rng(t[2]).integers(0, max_value + 1, size=(t[0], t[1])).astype(np.int64)
    )


def dihedrals():
    return st.integers(0, 7).map(Dihedral)


def colour_permutations():
    return st.tuples(permutations(10), st.integers(0, 2)).map(lambda t: ColourPermutation(*t))


def shape_free_augs():
    """Augmentations that apply to a grid of any shape (no translation: it needs room on the canvas)."""
    return st.one_of(dihedrals(), colour_permutations())


def composes():
    return st.lists(shape_free_augs(), min_size=0, max_size=4).map(Compose)
