"""Cells: the network applied at one recurrent update."""

from ...registry import import_submodules

import_submodules(__name__)
