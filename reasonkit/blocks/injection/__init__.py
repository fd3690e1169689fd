"""Injections: how the input and the other level's state enter a cell."""
from .add import AddInjection, AddInjectionSpec

__all__ = ["AddInjection", "AddInjectionSpec"]
