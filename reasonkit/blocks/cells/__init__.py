"""Cells: the network applied at one recurrent update."""
from .transformer import TransformerCell, TransformerCellSpec

__all__ = ["TransformerCell", "TransformerCellSpec"]
