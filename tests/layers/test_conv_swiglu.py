"""ConvSwiGLU (URM, arXiv 2512.14693): widths, storage dtype, and the reach of the depthwise convolution."""

from __future__ import annotations

import pytest
import torch

from reasonkit.layers.conv_swiglu import ConvSwiGLU


def test_widths_and_parameter_count_match_urm():
    """hidden 512, expansion 4: width 1536; the conv adds 1536 x 2 weights and 1536 biases (4,608) per block."""
    with torch.device("meta"):
        layer = ConvSwiGLU(512, 4.0)
    assert layer.gate_up_proj.weight.shape == (3072, 512) and layer.down_proj.weight.shape == (512, 1536)
    assert layer.dwconv.weight.shape == (1536, 1, 2) and layer.dwconv.bias.shape == (1536,)
    assert sum(p.numel() for p in layer.parameters()) == 2_363_904


@pytest.mark.parametrize("conv_dtype, stored", [("bfloat16", torch.bfloat16), ("forward", torch.float32)])
def test_conv_dtype(conv_dtype, stored):
    torch.manual_seed(0)
    layer = ConvSwiGLU(16, 2.0, conv_dtype=conv_dtype)
    assert layer.dwconv.weight.dtype == stored and layer.gate_up_proj.weight.dtype == torch.float32
    x = torch.randn(2, 5, 16)
    out = layer(x)
    # bfloat16: the down projection runs in bfloat16 like the reference; forward: float32 throughout.
    assert out.dtype == stored and out.shape == x.shape
    out.float().sum().backward()
    assert all(p.grad is not None and p.grad.dtype == p.dtype for p in layer.parameters())


@pytest.mark.parametrize("kernel, reach", [(1, (0, 0)), (2, (-1, 0)), (3, (-1, 1)), (4, (-2, 1))])
def test_each_position_mixes_only_its_window(kernel, reach):
    """Padding kernel // 2 on both sides and keeping the first seq outputs: kernel 2 (URM) sees t - 1 and t."""
    torch.manual_seed(0)
    layer = ConvSwiGLU(8, 2.0, kernel=kernel, conv_dtype="forward").double()
    x = torch.randn(1, 7, 8, dtype=torch.float64, requires_grad=True)
    layer(x)[0, 3].sum().backward()
    touched = [t - 3 for t in range(7) if x.grad[0, t].abs().sum() > 0]
    assert (touched[0], touched[-1]) == reach and touched == list(range(reach[0], reach[1] + 1))
