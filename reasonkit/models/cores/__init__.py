"""Cores: the schedules of recurrent updates (registered in the ``core`` group)."""
from .base import RecurrentCore, State, Update
from .flat import FlatCore, FlatSpec
from .hierarchical import HierarchicalCore, HierarchicalSpec
from .recursive import RecursiveCore, RecursiveSpec

__all__ = ["RecurrentCore", "State", "Update", "HierarchicalCore", "HierarchicalSpec", "FlatCore", "FlatSpec",
           "RecursiveCore", "RecursiveSpec"]
