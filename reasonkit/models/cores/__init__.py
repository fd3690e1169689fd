"""Cores: the schedules of recurrent updates (registered in the ``core`` group)."""
from .base import RecurrentCore, State, Update
from .hierarchical import HierarchicalCore, HierarchicalSpec

__all__ = ["RecurrentCore", "State", "Update", "HierarchicalCore", "HierarchicalSpec"]
