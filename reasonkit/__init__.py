"""reasonkit: interchangeable building blocks for recurrent reasoning models (HRM, TRM, UT-ACT, PonderNet, RRN).

The public API::

    from reasonkit import build, get_spec, list_presets, list_kinds, register
    model = build("hrm-27m")                      # a preset
    model = build("hrm-27m", **{"halting.max_steps": 8}, gradient="bptt")   # an ablation in one line
"""

from . import blocks as _blocks  # noqa: F401  (registers the built-in kinds)
from . import tasks as _tasks  # noqa: F401  (registers the built-in tasks)
from ._version import __version__
from .builder import build, get_spec, list_presets
from .models import Carry, Reasoner, ReasonerSpec, SegmentOutput, Solution
from .registry import list_kinds, register
from .spec import BuildContext, Kind, Spec

__all__ = [
    "build",
    "get_spec",
    "list_presets",
    "list_kinds",
    "register",
    "Reasoner",
    "ReasonerSpec",
    "Carry",
    "SegmentOutput",
    "Solution",
    "Spec",
    "Kind",
    "BuildContext",
    "__version__",
]
