"""Injections: how the input and the other level's state enter a cell."""

from ...registry import import_submodules

import_submodules(__name__)
