"""Training: the recipe engine (setup / train / evaluate / cleanup with callbacks), the deep-supervision step,
losses, optimizers, schedule, distribution, logging, the run lock, dry-run plans and ablations.

``Recipe(TrainConfig(...)).run()`` is a whole run; ``recipes/*.py`` are typed configs around it. See
docs/training.md.
"""

from .callbacks import Callback, Checkpointer, LogMetrics, PeriodicEval
from .config import TrainConfig, config_from_overrides
from .distributed import World, init_distributed
from .losses import LossHead, softmax_cross_entropy, stablemax_cross_entropy
from .main import RecipeSettings, recipe_main
from .optim import AdamAtan2, SparseSignSGD, create_optimizer
from .recipe import Recipe
from .schedule import WarmupCosine
from .trainer import Trainer

__all__ = [
    "TrainConfig",
    "config_from_overrides",
    "Recipe",
    "RecipeSettings",
    "recipe_main",
    "Callback",
    "LogMetrics",
    "Checkpointer",
    "PeriodicEval",
    "Trainer",
    "LossHead",
    "stablemax_cross_entropy",
    "softmax_cross_entropy",
    "AdamAtan2",
    "SparseSignSGD",
    "create_optimizer",
    "WarmupCosine",
    "World",
    "init_distributed",
]
