"""The learning curve's running mean: equal to the direct windowed (weighted) mean."""

import numpy as np
import pytest

from reasonkit.viz import plot_learning_curve
from reasonkit.viz.curves import running_mean


def test_running_mean_is_the_weighted_mean_of_the_last_window():
    rng = np.random.default_rng(0)
    v, w = rng.random(37), rng.integers(1, 9, 37).astype(float)
    out = running_mean(v, w, window=5)
    for i in range(37):
        lo = max(0, i - 4)
        assert out[i] == pytest.approx(np.average(v[lo : i + 1], weights=w[lo : i + 1]))
    assert np.allclose(running_mean(v, window=1), v)
    with pytest.raises(ValueError, match="window must be at least 1"):
        running_mean(v, window=0)
    with pytest.raises(ValueError, match="37 values but 36 weights"):
        running_mean(v, w[:-1], window=2)


def test_learning_curve_draws_the_raw_lines_and_their_mean(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("PIL")
    records = [
        {"kind": "train", "step": s, "loss": 1.0 / s, "exact_accuracy": (s % 2) * 1.0, "count": 8}
        for s in range(1, 401)
    ]
    records.append({"kind": "final", "step": 400, "exact_accuracy": 0.9})
    out = plot_learning_curve(records, tmp_path / "curve.png")
    from PIL import Image

    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    right = image[:, image.shape[1] // 2 :]
    solid = (np.abs(right - np.array([31, 119, 180])).sum(-1) < 30).sum(1)  # matplotlib's C0, fully opaque
    # accuracy alternates 0, 1 on every line: only its running mean over 4 lines (0.5) is a long opaque horizontal
    # line, and it lies halfway between the axis' 0 and 1
    row = int(solid.argmax())
    assert solid[row] > 150
    frame = np.nonzero((right < 60).all(-1).sum(1) > 200)[0]  # the axes' top and bottom edges
    top, bottom = frame.min(), frame.max()
    assert abs((bottom - row) / (bottom - top) - 0.5 / 1.02) < 0.05
