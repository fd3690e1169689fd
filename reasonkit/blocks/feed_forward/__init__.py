"""Feed-forwards: the position-wise sub-layer of a transformer cell's blocks (one kind per module)."""

from ...registry import import_submodules

import_submodules(__name__)
