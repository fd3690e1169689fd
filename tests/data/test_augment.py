"""Every augmentation composed with its inverse is the identity; dihedral numbering matches the reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reasonkit.data.augment import (
    AxisPermutation,
    ColourPermutation,
    Compose,
    Dihedral,
    Identity,
    Translation,
    augmentation_from_dict,
)

from .strategies import composes, grids, permutations, shape_free_augs


@settings(max_examples=60, deadline=None)
@given(aug=shape_free_augs(), x=grids())
def test_shape_free_inverse(aug, x):
    assert np.array_equal(aug.inverse()(aug(x)), x)
    assert np.array_equal(aug(aug.inverse()(x)), x)


@settings(max_examples=60, deadline=None)
@given(aug=composes(), x=grids())
def test_compose_inverse(aug, x):
    assert np.array_equal(aug.inverse()(aug(x)), x)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=st.integers(1, 7), m=st.integers(1, 7))
def test_axis_permutation_inverse(data, n, m):
    aug = AxisPermutation(data.draw(permutations(n)), data.draw(permutations(m)))
    x = np.arange(n * m).reshape(n, m)
    assert np.array_equal(aug.inverse()(aug(x)), x)


@settings(max_examples=60, deadline=None)
@given(h=st.integers(1, 10), w=st.integers(1, 10), canvas=st.integers(10, 14), data=st.data())
def test_translation_inverse_within_canvas(h, w, canvas, data):
    x = np.zeros((canvas, canvas), np.int64)
    x[:h, :w] = 2 + np.arange(h * w).reshape(h, w) % 10
    aug = Translation(data.draw(st.integers(0, canvas - h)), data.draw(st.integers(0, canvas - w)))
    assert np.array_equal(aug.inverse()(aug(x)), x)


def test_translation_refuses_to_lose_content():
    x = np.zeros((5, 5), np.int64)
    x[4, 4] = 3
    with pytest.raises(ValueError, match="out of the 5x5 canvas"):
        Translation(1, 0)(x)


def test_dihedral_numbering_matches_reference():
    a = np.arange(12).reshape(3, 4)
    expected = [
        a,
        np.rot90(a, 1),
        np.rot90(a, 2),
        np.rot90(a, 3),
        np.fliplr(a),
        np.flipud(a),
        a.T,
        np.fliplr(np.rot90(a, 1)),
    ]
    for k, e in enumerate(expected):
        assert np.array_equal(Dihedral(k)(a), e), k


def test_batched_application_matches_single():
    x = np.random.default_rng(0).integers(0, 10, size=(5, 4, 6))
    aug = Compose([Dihedral(7), ColourPermutation(tuple(np.random.default_rng(1).permutation(10)))])
    assert np.array_equal(aug(x), np.stack([aug(g) for g in x]))


@settings(max_examples=30, deadline=None)
@given(aug=composes())
def test_dict_round_trip(aug):
    assert augmentation_from_dict(aug.to_dict()) == aug
    assert augmentation_from_dict(Identity().to_dict()) == Identity()


def test_bad_parameters():
    with pytest.raises(ValueError):
        Dihedral(8)
    with pytest.raises(ValueError):
        ColourPermutation((0, 0, 1))
