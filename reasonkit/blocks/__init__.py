"""Registered block kinds. Importing this package registers every built-in kind."""
from . import cells, grad, halting, injection  # noqa: F401  (imported for registration)
