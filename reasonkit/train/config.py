"""The training configuration: a strict pydantic model (unknown keys are errors), ``key=value`` overridable.

Defaults are HRM's Sudoku-Extreme-1k settings (arXiv 2506.21734): Adam-atan2, lr 1e-4, betas (0.9, 0.95),
weight decay 1.0, puzzle-embedding sign-SGD lr 1e-4 and weight decay 1.0, warmup 2,000 steps then constant
(``lr_min_ratio=1.0``), global batch 768, 20,000 epochs.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt

__all__ = ["TrainConfig", "recipe_from_overrides", "reuse_data"]


class TrainConfig(BaseModel):
    """Everything a training run needs besides the model spec; stored in every checkpoint's meta.json."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Optional[str] = Field(None, description="data set root holding train/ and test/ (reference format)")
    model: str = Field("hrm-27m", description="preset name or path to a spec JSON")
    model_overrides: dict[str, Any] = Field(default_factory=dict, description="dotted spec overrides, e.g. {'halting.max_steps': 8}")
    out_dir: str = Field("runs/run", description="run directory: checkpoints/, metrics.jsonl")
    seed: int = 0
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="forward dtype: auto = bfloat16 on CUDA, float32 elsewhere")

    global_batch_size: PositiveInt = 768
    epochs: PositiveInt = 20000
    total_steps: Optional[PositiveInt] = Field(None, description="optimizer steps; default epochs * groups * mean examples / batch")
    eval_every: Optional[PositiveInt] = Field(None, description="evaluate on the test split every N steps (and at the end)")
    eval_limit: Optional[PositiveInt] = Field(None, description="evaluate on at most N test examples")
    checkpoint_every: Optional[PositiveInt] = Field(None, description="write a checkpoint every N steps (and at the end)")
    keep_last: PositiveInt = 3
    resume: str = Field("auto", description="auto (continue the newest checkpoint of out_dir), never, or a checkpoint path")

    optimizer: str = Field("adam_atan2", description="adam_atan2 or any timm optimizer name (adamw, lamb, lion, muon, ...)")
    lr: PositiveFloat = 1e-4
    lr_min_ratio: float = Field(1.0, ge=0.0, le=1.0)
    lr_warmup_steps: NonNegativeInt = 2000
    betas: tuple[float, float] = (0.9, 0.95)
    weight_decay: NonNegativeFloat = 1.0
    puzzle_lr: NonNegativeFloat = 1e-4
    puzzle_weight_decay: NonNegativeFloat = 1.0
    grad_clip: Optional[PositiveFloat] = Field(None, description="clip the dense gradients' global norm")
    ema: Optional[float] = Field(None, gt=0.0, lt=1.0, description="EMA decay of the weights (TRM: 0.999); None = off")
    compile: bool = Field(False, description="torch.compile the recurrent core")

    log_every: PositiveInt = 1
    progress: bool = True
    tensorboard: bool = False
    wandb: bool = False
    wandb_project: str = "reasonkit"


def recipe_from_overrides(recipe_cls: type[BaseModel], defaults: dict[str, Any], items: list[str]) -> BaseModel:
    """Build a recipe config from its defaults and ``key=value`` strings.

    A recipe is a pydantic model whose field ``train`` is a :class:`TrainConfig`. Keys naming one of the recipe's
    own fields set it; ``model.<path>=v`` goes to ``train.model_overrides``; every other key is a TrainConfig
    field (unknown ones are errors from validation).
    """
    from ..presets.cli import parse_overrides

    unknown = [item for item in items if item.startswith("--")]
    if unknown:
        raise SystemExit(f"unknown option(s) {unknown}; use key=value overrides")
    values = json.loads(json.dumps(defaults))
    train = values.pop("train")
    for key, value in parse_overrides(items).items():
        if key in recipe_cls.model_fields and key != "train":
            values[key] = value
        elif key.startswith("model."):
            train.setdefault("model_overrides", {})[key[len("model."):]] = value
        else:
            train[key] = value
    return recipe_cls(**values, train=TrainConfig(**train))


def reuse_data(data_dir: str | os.PathLike, builder: str, requested: dict[str, tuple[str, Any]]) -> bool:
    """Whether a recipe can use the data set already in ``data_dir`` instead of building it.

    ``requested`` maps each recipe key to ``(the builder's argument name, the value the recipe would build with)``.
    Returns False when ``data_dir`` holds no data set (build it), True when it holds one whose ``build.json``
    records the same builder and values (or that has no build record, e.g. one built by the reference: used as is),
    and raises ValueError naming the differing keys otherwise, since the recipe would silently train on other data.
    """
    from ..data.format import load_build_info

    root = Path(data_dir)
    if not (root / "train" / "dataset.json").is_file():
        return False
    info = load_build_info(root)
    if info is None:
        return True
    fix = f"choose another data_dir, or delete {root} to rebuild it with these settings"
    if info.get("builder") != builder:
        raise ValueError(f"{root} holds a data set built by the {info.get('builder')!r} builder, not {builder!r}; {fix}")
    built = info.get("args") or {}
    differ = [f"{key} (built with {built.get(arg)!r}, requested {value!r})"
              for key, (arg, value) in requested.items() if built.get(arg) != value]
    if differ:
        raise ValueError(f"{root} already holds a data set built with other settings: {'; '.join(differ)}; {fix}")
    return True
