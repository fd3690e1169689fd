"""Cores: the schedules of recurrent updates (registered in the ``core`` group; one kind per module)."""

from ...registry import import_submodules

import_submodules(__name__)
