"""Halting policies: how many segments a sequence runs, and the halting terms of the loss (one kind per module)."""

from ...registry import import_submodules

import_submodules(__name__)
