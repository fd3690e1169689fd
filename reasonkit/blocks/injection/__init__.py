"""Injections: how the input and the other level's state enter a cell."""
from .add import AddInjection, AddInjectionSpec
from .concat_proj import ConcatProjInjection, ConcatProjInjectionSpec
from .gated import GatedInjection, GatedInjectionSpec

__all__ = ["AddInjection", "AddInjectionSpec", "ConcatProjInjection", "ConcatProjInjectionSpec", "GatedInjection",
           "GatedInjectionSpec"]
