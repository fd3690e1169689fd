"""reasonkit: interchangeable building blocks for recurrent reasoning models (HRM, TRM, UT-ACT, PonderNet, RRN).

The public API::

    from reasonkit import build, get_spec, list_presets, list_kinds, register
    model = build("hrm-27m")                      # a preset
    model = build("hrm-27m", **{"halting.max_steps": 8}, gradient="bptt")   # an ablation in one line
"""
from . import blocks as _blocks  # noqa: F401  (registers the built-in kinds)
from . import models as _models  # noqa: F401  (registers the built-in cores)
from .builder import build, get_spec, list_presets
from .models import Carry, Reasoner, ReasonerSpec, Solution
from .registry import list_kinds, register
from .spec import BuildContext, Kind, Spec

__version__ = "0.1.0"

__all__ = [
    "build",
    "get_spec",
    "list_presets",
    "list_kinds",
    "register",
    "Reasoner",
    "ReasonerSpec",
    "Carry",
    "Solution",
    "Spec",
    "Kind",
    "BuildContext",
    "__version__",
]
