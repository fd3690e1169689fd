"""Cells: the network applied at one recurrent update."""
from .mlp_mixer import MlpMixerCell, MlpMixerSpec
from .transformer import TransformerCell, TransformerCellSpec

__all__ = ["TransformerCell", "TransformerCellSpec", "MlpMixerCell", "MlpMixerSpec"]
