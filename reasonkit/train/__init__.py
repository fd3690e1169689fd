"""Training: deep-supervision loop, losses, optimizers, schedule, checkpoints, distributed, logging.

Recipes wire these parts together; :func:`reasonkit.train.run.train` is the whole run from a :class:`TrainConfig`.
"""
from .checkpoint import CheckpointError, latest_checkpoint, load_checkpoint, load_model, save_checkpoint
from .config import TrainConfig
from .distributed import World, init_distributed
from .losses import IGNORE_LABEL, LossHead, softmax_cross_entropy, stablemax_cross_entropy
from .optim import AdamAtan2, SparseSignSGD, create_optimizer
from .schedule import WarmupCosine
from .trainer import NonFiniteLossError, Trainer

__all__ = [
    "TrainConfig", "Trainer", "NonFiniteLossError", "LossHead", "IGNORE_LABEL", "stablemax_cross_entropy",
    "softmax_cross_entropy", "AdamAtan2", "SparseSignSGD", "create_optimizer", "WarmupCosine", "World",
    "init_distributed", "save_checkpoint", "load_checkpoint", "latest_checkpoint", "load_model", "CheckpointError",
]
