"""Interoperability with the reference implementations' checkpoints."""

from .reference import load_reference_state_dict, reference_key_map

__all__ = ["load_reference_state_dict", "reference_key_map"]
