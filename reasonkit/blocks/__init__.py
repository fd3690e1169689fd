"""Registered block kinds, one group per sub-package. Importing this package registers every built-in kind."""

from ..registry import import_submodules

import_submodules(__name__)
