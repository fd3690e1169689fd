"""Halting policies: how many segments a sequence runs, and the halting terms of the loss."""
from .act import ACTHalting, ACTSpec
from .base import HaltDecision, HaltingPolicy
from .fixed import FixedHalting, FixedSpec
from .q_act import QActHalting, QActSpec
from .ponder import PonderHalting, PonderSpec
from .q_halt import QHaltHalting, QHaltSpec

__all__ = ["HaltDecision", "HaltingPolicy", "FixedHalting", "FixedSpec", "QActHalting", "QActSpec", "QHaltHalting", "QHaltSpec",
           "ACTHalting", "ACTSpec", "PonderHalting", "PonderSpec"]
