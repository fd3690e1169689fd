"""The participation ratio of known covariances (HRM arXiv 2506.21734, Fig. 8's measure)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from reasonkit.errors import DataError
from reasonkit.viz import participation_ratio


def _with_variances(variances) -> np.ndarray:
    """States whose covariance is exactly diag(variances): +-sqrt(v_i) along axis i, one pair per axis."""
    d = len(variances)
    rows = np.zeros((2 * d, d))
    for i, v in enumerate(variances):
        rows[2 * i, i], rows[2 * i + 1, i] = np.sqrt(v), -np.sqrt(v)
    return rows


@pytest.mark.parametrize("d", [1, 3, 16])
def test_isotropic_states_span_every_dimension(d):
    assert participation_ratio(_with_variances(np.ones(d))) == pytest.approx(d)


def test_rank_one_states_span_one_dimension():
    rng = np.random.default_rng(0)
    states = np.outer(rng.standard_normal(200), rng.standard_normal(12)) + rng.standard_normal(12)
    assert participation_ratio(states) == pytest.approx(1.0)


def test_a_diagonal_covariance_gives_the_formula():
    lam = np.array([4.0, 2.0, 1.0, 0.5, 0.0])
    want = lam.sum() ** 2 / (lam**2).sum()
    assert participation_ratio(_with_variances(lam)) == pytest.approx(want)
    rotation, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((5, 5)))
    assert participation_ratio(_with_variances(lam) @ rotation) == pytest.approx(want), "PR ignores the basis"
    assert want != pytest.approx(len(lam)) and want != pytest.approx(1.0)


def test_more_samples_than_units_and_the_reverse_agree():
    x = np.random.default_rng(2).standard_normal((7, 30))
    assert participation_ratio(x) == pytest.approx(participation_ratio(torch.tensor(x, requires_grad=True)))
    lam = np.linalg.eigvalsh(np.cov(x, rowvar=False))
    assert participation_ratio(x) == pytest.approx(lam.sum() ** 2 / (lam**2).sum())


def test_constant_states_and_bad_shapes():
    assert participation_ratio(np.ones((5, 3))) == 0.0
    with pytest.raises(DataError, match=r"states \[n, d\] with n >= 2"):
        participation_ratio(np.ones((1, 3)))
    with pytest.raises(DataError, match=r"states \[n, d\]"):
        participation_ratio(np.ones(3))
