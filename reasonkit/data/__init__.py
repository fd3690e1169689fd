"""Puzzle data: the reference HRM on-disk format, builders (Sudoku, Maze, ARC), augmentations with exact inverses,
and the sampling loader. See docs/data.md.
"""
from .arc import build_arc
from .augment import (Augmentation, AxisPermutation, ColourPermutation, Compose, Dihedral, Identity, Translation,
                      augmentation_from_dict)
from .format import DatasetExistsError, DatasetMeta, SetArrays, load_identifiers, load_metadata, load_set
from .loader import IGNORE_LABEL_ID, PuzzleLoader
from .maze import build_maze
from .sudoku import build_sudoku

__all__ = [
    "PuzzleLoader", "IGNORE_LABEL_ID", "DatasetMeta", "SetArrays", "load_metadata", "load_set", "load_identifiers",
    "DatasetExistsError", "Augmentation", "Identity", "Dihedral", "ColourPermutation", "AxisPermutation",
    "Translation", "Compose", "augmentation_from_dict", "build_sudoku", "build_maze", "build_arc",
]
