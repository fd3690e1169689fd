"""The Reasoner, its root spec and its cores."""
from . import cores  # noqa: F401  (registers the built-in cores)
from .embedding import EmbeddingSpec, InputEmbedding
from .reasoner import Carry, Reasoner, Solution
from .spec import DTYPES, ReasonerSpec

__all__ = ["Carry", "Reasoner", "Solution", "ReasonerSpec", "EmbeddingSpec", "InputEmbedding", "DTYPES"]
