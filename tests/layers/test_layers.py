"""Property tests of the unregistered primitives: shapes, dtypes, batch independence, numerics."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from reasonkit.layers import (
    CastedLinear,
    RotaryEmbedding,
    SwiGLU,
    apply_rotary,
    attention,
    rms_norm,
    swiglu_width,
    trunc_normal_,
)
from reasonkit.layers.attention import SelfAttention, check_backend

dims = st.sampled_from([8, 16, 32])


@given(
    batch=st.integers(1, 3),
    seq=st.integers(1, 9),
    heads=st.sampled_from([1, 2, 4]),
    head_dim=st.sampled_from([2, 4, 8]),
)
def test_attention_backends_agree(batch, seq, heads, head_dim):
    g = torch.Generator().manual_seed(batch * 100 + seq)
    q, k, v = (torch.randn(batch, seq, heads, head_dim, generator=g) for _ in range(3))
    torch.testing.assert_close(attention(q, k, v, "sdpa"), attention(q, k, v, "math"), atol=1e-5, rtol=1e-5)


def test_attention_is_non_causal_and_permutation_equivariant():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 5, 2, 4, generator=g) for _ in range(3))
    perm = torch.tensor([4, 2, 0, 1, 3])
    out = attention(q, k, v, "math")
    torch.testing.assert_close(attention(q[:, perm], k[:, perm], v[:, perm], "math"), out[:, perm])


def test_xformers_backend_is_an_error_without_cuda_never_a_switch():
    with pytest.raises(ValueError, match="xformers"):
        check_backend("xformers")
    with pytest.raises(ValueError, match="xformers"):
        SelfAttention(16, 2, "xformers")
    with pytest.raises(ValueError, match="unknown attention backend 'flash'"):
        check_backend("flash")


@given(hidden=dims, dtype=st.sampled_from([torch.float32, torch.bfloat16]))
def test_rms_norm_unit_rms_in_input_dtype(hidden, dtype):
    x = (torch.randn(3, 5, hidden) * 7).to(dtype)
    y = rms_norm(x, 1e-5)
    assert y.dtype == dtype and y.shape == x.shape
    expected = x.float() / torch.sqrt(x.float().square().mean(-1, keepdim=True) + 1e-5)
    torch.testing.assert_close(y.float(), expected, atol=1e-2 if dtype == torch.bfloat16 else 1e-6, rtol=1e-2)


def test_swiglu_width_follows_the_reference_rounding():
    assert swiglu_width(512, 4) == 1536
    assert swiglu_width(64, 4) == 256
    assert swiglu_width(97, 4) == 512  # TRM-MLP token mixing over 81 + 16 positions


@given(hidden=dims, batch=st.integers(1, 4))
def test_swiglu_and_linear_shapes_dtypes_batch_independence(hidden, batch):
    torch.manual_seed(0)
    mlp, lin = SwiGLU(hidden, 4), CastedLinear(hidden, 3, bias=True)
    x = torch.randn(batch, 6, hidden)
    y = mlp(x)
    assert y.shape == x.shape and lin(x).shape == (batch, 6, 3)
    torch.testing.assert_close(mlp(x[:1]), y[:1], atol=1e-5, rtol=1e-5)
    assert mlp(x.bfloat16()).dtype == torch.bfloat16 and mlp.down_proj.weight.dtype == torch.float32


def test_truncated_normal_has_the_requested_std_and_bounds():
    t = trunc_normal_(torch.empty(200_000), std=0.5)
    assert abs(t.std().item() - 0.5) < 0.01
    assert t.abs().max().item() <= 2 * 0.5 / 0.8796256610342398 + 1e-6
    assert torch.equal(trunc_normal_(torch.ones(3), std=0), torch.zeros(3))


@given(seq=st.integers(1, 12), head_dim=st.sampled_from([2, 4, 8]))
def test_rotary_preserves_norms_and_is_relative(seq, head_dim):
    rope = RotaryEmbedding(head_dim, seq)
    cos, sin = rope()
    x = torch.randn(2, seq, 3, head_dim)
    y = apply_rotary(x, cos, sin)
    torch.testing.assert_close(y.norm(dim=-1), x.norm(dim=-1), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(y[:, 0], x[:, 0])  # position 0 is not rotated
    # scores depend only on the offset: the same vector at positions (i, j) and (i + 1, j + 1)
    if seq >= 3:
        q = torch.randn(head_dim).expand(1, seq, 1, head_dim)
        r = apply_rotary(q, cos, sin)[0, :, 0]
        assert math.isclose((r[0] @ r[1]).item(), (r[1] @ r[2]).item(), rel_tol=1e-4, abs_tol=1e-5)


def test_rotary_needs_an_even_head_dim():
    with pytest.raises(ValueError, match="even head dimension"):
        RotaryEmbedding(3, 4)
