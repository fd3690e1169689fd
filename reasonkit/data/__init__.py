"""Task-neutral puzzle data: the reference HRM on-disk format (schema, readers and writers), the atomic build
directory, the builders' shared skeleton, grid augmentations with exact inverses, and the sampling loader.
Task-specific builders live in :mod:`reasonkit.tasks`. See docs/data.md.
"""

from .augment import (
    Augmentation,
    AxisPermutation,
    ColourPermutation,
    Compose,
    Dihedral,
    FlatGrid,
    Identity,
    Translation,
    augmentation_from_dict,
)
from .builddir import AtomicDatasetDir, DatasetExistsError, check_output_dir
from .io import load_build_info, load_identifiers, load_metadata, load_set
from .loader import PuzzleLoader
from .schema import IGNORE_LABEL, DatasetMeta, SetArrays

__all__ = [
    "PuzzleLoader",
    "IGNORE_LABEL",
    "DatasetMeta",
    "SetArrays",
    "load_metadata",
    "load_set",
    "load_identifiers",
    "load_build_info",
    "DatasetExistsError",
    "AtomicDatasetDir",
    "check_output_dir",
    "Augmentation",
    "Identity",
    "Dihedral",
    "ColourPermutation",
    "AxisPermutation",
    "Translation",
    "Compose",
    "FlatGrid",
    "augmentation_from_dict",
]
