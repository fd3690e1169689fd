"""The Reasoner and its root spec (the registered kinds it is composed of live in :mod:`reasonkit.blocks`)."""

from .embedding import EmbeddingSpec, InputEmbedding
from .reasoner import Batch, Carry, Reasoner, SegmentOutput, Solution
from .spec import DTYPES, ReasonerSpec

__all__ = [
    "Carry",
    "Reasoner",
    "SegmentOutput",
    "Solution",
    "Batch",
    "ReasonerSpec",
    "EmbeddingSpec",
    "InputEmbedding",
    "DTYPES",
]
