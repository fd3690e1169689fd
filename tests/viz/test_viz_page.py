"""The Python examples of docs/viz.md run as written."""

from __future__ import annotations

from test_docs import run_page


def test_the_viz_page_traces_and_hooks():
    ns = run_page("docs/viz.md")
    assert ns["tr"].inner_predictions.shape == (18, 8, 16)
    assert 1 <= ns["pr_high"] <= 32 and not ns["model"].core._update_hooks
