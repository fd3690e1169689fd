"""Cells: the network applied at one recurrent update."""
from .graph import GraphCell, GraphCellSpec
from .mlp_mixer import MlpMixerCell, MlpMixerSpec
from .transformer import TransformerCell, TransformerCellSpec

__all__ = ["TransformerCell", "TransformerCellSpec", "MlpMixerCell", "MlpMixerSpec", "GraphCell", "GraphCellSpec"]
