"""Gradient estimators: which recurrent updates of a segment carry gradient."""
from .base import GradientEstimator
from .bptt import BPTTGradient, BPTTSpec
from .last_cycle import LastCycleGradient, LastCycleSpec
from .one_step import OneStepGradient, OneStepSpec
from .truncated import TruncatedGradient, TruncatedSpec

__all__ = [
    "GradientEstimator",
    "BPTTGradient", "BPTTSpec",
    "LastCycleGradient", "LastCycleSpec",
    "OneStepGradient", "OneStepSpec",
    "TruncatedGradient", "TruncatedSpec",
]
