"""Unregistered primitives shared by blocks: one concept per file."""

from .attention import ATTENTION_BACKENDS, attention
from .conv_swiglu import ConvSwiGLU
from .embedding import CastedEmbedding, PuzzleEmbedding
from .init import lecun_normal_, trunc_normal_
from .linear import CastedLinear
from .norm import rms_norm
from .rope import RotaryEmbedding, apply_rotary
from .swiglu import SwiGLU, swiglu_width

__all__ = [
    "ATTENTION_BACKENDS",
    "attention",
    "ConvSwiGLU",
    "CastedEmbedding",
    "PuzzleEmbedding",
    "lecun_normal_",
    "trunc_normal_",
    "CastedLinear",
    "rms_norm",
    "RotaryEmbedding",
    "apply_rotary",
    "SwiGLU",
    "swiglu_width",
]
