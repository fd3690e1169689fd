"""Tasks: puzzle families as registered kinds (one sub-package per task). See :mod:`reasonkit.tasks.base`."""

from ..registry import import_submodules
from .base import DataShape, Task, TestVariant, get_task

import_submodules(__name__)

__all__ = ["Task", "DataShape", "TestVariant", "get_task"]
