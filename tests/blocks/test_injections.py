"""Injections: add, gated (starts as add), concat_proj (normalise, concatenate, project)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reasonkit.layers.norm import rms_norm
from reasonkit.registry import list_kinds, lookup
from reasonkit.spec import BuildContext

CTX = BuildContext(hidden_size=8, seq_len=5)


def injection(kind: str, num_inputs: int):
    torch.manual_seed(0)
    return lookup("injection", kind).model_validate({"kind": kind}).build(CTX, num_inputs=num_inputs)


@pytest.mark.parametrize("kind", list_kinds("injection"))
@settings(max_examples=5)
@given(num_inputs=st.integers(1, 3), batch=st.integers(1, 3))
def test_shape_and_batch_independence(kind, num_inputs, batch):
    module = injection(kind, num_inputs)
    state = torch.randn(batch + 1, 5, 8)
    injected = [torch.randn(batch + 1, 5, 8) for _ in range(num_inputs)]
    out = module(state, *injected)
    assert out.shape == state.shape
    torch.testing.assert_close(out[:1], module(state[:1], *(t[:1] for t in injected)))


def test_gated_starts_as_add():
    gated, add = injection("gated", 2), injection("add", 2)
    state, a, b = (torch.randn(2, 5, 8) for _ in range(3))
    torch.testing.assert_close(gated(state, a, b), add(state, a, b))


def test_gated_and_concat_proj_learn():
    for kind in ("gated", "concat_proj"):
        module = injection(kind, 2)
        out = module(*(torch.randn(2, 5, 8) for _ in range(3)))
        out.square().sum().backward()
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in module.parameters()), kind


def test_concat_proj_is_a_projection_of_normalised_inputs():
    module = injection("concat_proj", 1)
    state, x = torch.randn(2, 5, 8) * 10, torch.randn(2, 5, 8)
    expected = module.proj(torch.cat((rms_norm(state, 1e-5), rms_norm(x, 1e-5)), dim=-1))
    torch.testing.assert_close(module(state, x), expected)


@pytest.mark.parametrize("kind", ["gated", "concat_proj"])
def test_wrong_number_of_inputs_is_an_error(kind):
    with pytest.raises(ValueError, match="built for 2 inputs"):
        injection(kind, 2)(torch.randn(1, 5, 8), torch.randn(1, 5, 8))
