"""Gradient estimators: which recurrent updates of a segment carry gradient."""

from ...registry import import_submodules

import_submodules(__name__)
