"""The configuration of a run: what data to build, which model, how to train and how to evaluate.

One strict pydantic model (unknown keys are errors, booleans are not numbers) shared by ``reasonkit train``, every
recipe and the ablation runner, and stored in every checkpoint's meta.json. ``key=value`` strings override it
through one router (:func:`config_from_overrides`): ``model.<path>=v`` overrides the model spec, ``task=<kind>``
and ``task.<field>=v`` the data set, every other key a field. Defaults are HRM's Sudoku-Extreme-1k settings
(arXiv 2506.21734): Adam-atan2, lr 1e-4, betas (0.9, 0.95), weight decay 1.0, puzzle-embedding sign-SGD lr 1e-4
and weight decay 1.0, warmup 2,000 steps then constant (``lr_min_ratio=1.0``), global batch 768, 20,000 epochs.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Mapping, Optional, Sequence, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    model_validator,
)

from ..errors import ConfigError
from ..registry import closest
from ..spec import Kind, parse_overrides

__all__ = ["TrainConfig", "config_from_overrides", "check_target"]


def check_target(target: str, task: Optional[Any]) -> None:
    """ConfigError unless ``task`` (a Task spec, or None when unknown) can give the training ``target``."""
    if target == "least_loss" and (task is None or not task.several_answers):
        what = f"task {task.kind} has one answer per puzzle" if task is not None else "no task is known for the data"
        raise ConfigError(
            f"target=least_loss trains toward the correct answer nearest each prediction, but {what}; use target=label"
        )


class TrainConfig(BaseModel):
    """Everything a run needs besides the model spec; stored in every checkpoint's meta.json."""

    model_config = ConfigDict(extra="forbid", strict=True)

    task: Optional[Kind("task")] = Field(
        None,
        description="the data set to build if data_dir holds none (e.g. {'kind': 'sudoku', 'size': 6}); "
        "None = use data_dir as it is",
    )
    data_dir: Optional[str] = Field(
        None, description="data set root holding train/ and test/ (reference format); None = data/<task>"
    )
    model: str = Field("hrm-27m", description="preset name or path to a spec JSON")
    model_overrides: dict[str, Any] = Field(
        default_factory=dict, description="dotted spec overrides, e.g. {'halting.max_steps': 8}"
    )
    out_dir: Optional[str] = Field(
        None, description="run directory (checkpoints/, metrics.jsonl); None = runs/<data set>-<model>"
    )
    seed: int = 0
    device: str = Field("auto", description="auto (CUDA if available, else CPU), cpu, cuda, cuda:N or mps")
    precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto",
        description="forward dtype: auto = bfloat16 where it is fast (CUDA; CPUs with bf16 kernels), else float32",
    )
    threads: Optional[PositiveInt] = Field(
        None, description="torch CPU threads; None = the usable cores / processes on this machine"
    )

    global_batch_size: PositiveInt = 768
    epochs: PositiveInt = 20000
    total_steps: Optional[PositiveInt] = Field(
        None, description="optimizer steps; default epochs * groups * mean examples / batch"
    )
    eval_every: Optional[PositiveInt] = Field(None, description="evaluate on the test split every N steps")
    eval_every_epochs: Optional[PositiveInt] = Field(
        None, description="evaluate every N epochs (converted to steps; not with eval_every)"
    )
    eval_limit: Optional[PositiveInt] = Field(None, description="evaluate on at most N test examples")
    eval_batch_size: Optional[PositiveInt] = Field(
        None, description="sequences evaluated at once (rank 0); default the training batch per process"
    )
    checkpoint_every: Optional[PositiveInt] = Field(
        None, description="write a checkpoint every N steps (and always at the end)"
    )
    keep_last: PositiveInt = 3
    resume: str = Field(
        "auto", description="auto (continue the newest checkpoint of out_dir), never, or a checkpoint path"
    )

    optimizer: str = Field(
        "adam_atan2",
        description="adam_atan2, muon (Muon for 2-D weights, AdamW for the rest) or any timm optimizer name",
    )
    lr: PositiveFloat = 1e-4
    lr_min_ratio: float = Field(1.0, ge=0.0, le=1.0)
    lr_warmup_steps: NonNegativeInt = 2000
    betas: tuple[float, float] = (0.9, 0.95)
    weight_decay: NonNegativeFloat = 1.0
    puzzle_lr: NonNegativeFloat = 1e-4
    puzzle_weight_decay: NonNegativeFloat = 1.0
    grad_clip: Optional[PositiveFloat] = Field(None, description="clip the dense gradients' global norm")
    target: Literal["label", "least_loss"] = Field(
        "label",
        description="what each segment's loss is measured against: the stored label, or least_loss, the correct "
        "answer nearest the prediction (tasks with several answers per puzzle, e.g. any shortest maze path; "
        "MinLoss, Nandwani et al. 2021)",
    )
    ema: Optional[float] = Field(None, gt=0.0, lt=1.0, description="EMA decay of the weights (TRM: 0.999); None = off")
    compile: Union[bool, Literal["auto"]] = Field(
        "auto",
        description="torch.compile the training segment, its loss and the optimizer update; auto = models of "
        ">= 2M parameters trained >= 500 steps",
    )

    final_eval: bool = Field(
        True, description="evaluate on the test split at the end (every segment run to the maximum)"
    )
    early_exit: bool = Field(
        True, description="the final evaluation also stops each sequence when the halting policy decides"
    )
    scaling: list[PositiveInt] = Field(
        default_factory=list, description="segment limits for the final inference-time scaling curve, e.g. [1, 2, 4, 8]"
    )
    plots: bool = Field(
        False, description="save the learning and scaling curves as PNG in the run directory (needs the viz extra)"
    )

    log_every: PositiveInt = 1
    progress: bool = True
    tensorboard: bool = False
    wandb: bool = False
    wandb_project: str = "reasonkit"

    @model_validator(mode="before")
    @classmethod
    def _json_lists_as_tuples(cls, data: Any) -> Any:
        # JSON has no tuples: accept [b1, b2] for betas in strict mode (the only tuple field).
        if isinstance(data, dict) and isinstance(data.get("betas"), list):
            data = {**data, "betas": tuple(data["betas"])}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> TrainConfig:
        if self.data_dir is None and self.task is None:
            raise ValueError("give data_dir (an existing data set) or task (the data set to build)")
        if self.eval_every is not None and self.eval_every_epochs is not None:
            raise ValueError("give eval_every (steps) or eval_every_epochs, not both")
        if self.resume not in ("auto", "never") and not self.resume:
            raise ValueError("resume must be auto, never or a checkpoint path")
        if self.task is not None:
            check_target(self.target, self.task)
        return self

    @property
    def resolved_data_dir(self) -> str:
        """``data_dir``, or ``data/<the task's directory name>``."""
        return self.data_dir if self.data_dir is not None else f"data/{self.task.dir_name()}"

    @property
    def resolved_out_dir(self) -> str:
        """``out_dir``, or ``runs/<data set name>-<model>``."""
        if self.out_dir is not None:
            return self.out_dir
        from pathlib import Path

        model = Path(self.model).stem if self.model.endswith(".json") else self.model
        return f"runs/{Path(self.resolved_data_dir).name}-{model}"


def config_from_overrides(
    defaults: TrainConfig | Mapping[str, Any], items: Sequence[str], shortcuts: Optional[Mapping[str, str]] = None
) -> TrainConfig:
    """A TrainConfig from ``defaults`` and ``key=value`` strings (JSON values where they parse).

    ``model.<path>=v`` goes to ``model_overrides``; ``task=<kind>`` replaces the task and ``task.<field>=v`` sets
    one of its options; ``shortcuts`` maps a recipe's own short keys to full ones (``{"version": "task.version"}``);
    every other key is a TrainConfig field. Unknown keys are ConfigErrors naming the closest field.
    """
    values = (
        json.loads(defaults.model_dump_json())
        if isinstance(defaults, TrainConfig)
        else json.loads(json.dumps(dict(defaults)))
    )
    flags = [item for item in items if item.startswith("-")]
    if flags:
        raise ConfigError(f"unknown option(s) {' '.join(flags)}; settings are key=value (e.g. lr=3e-4)")
    for key, value in parse_overrides(list(items)).items():
        key = (shortcuts or {}).get(key, key)
        if key.startswith("model."):
            values.setdefault("model_overrides", {})[key[len("model.") :]] = value
        elif key == "task":
            values["task"] = value if isinstance(value, dict) or value is None else {"kind": value}
        elif key.startswith("task."):
            if not isinstance(values.get("task"), dict):
                raise ConfigError(
                    f"{key}={value!r} sets an option of the task, but this run builds no data set; "
                    "give task=<kind> first (e.g. task=sudoku)"
                )
            values["task"][key[len("task.") :]] = value
        elif key in TrainConfig.model_fields:
            values[key] = value
        else:
            known = list(TrainConfig.model_fields) + list(shortcuts or {})
            raise ConfigError(
                f"unknown setting {key!r}.{closest(key, known)} Known: {', '.join(known)}; "
                "model.<path>=v sets the model spec, task.<field>=v the data set"
            )
    try:
        return TrainConfig.model_validate(values)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {_message(e)}" for e in err.errors())
        raise ConfigError(f"invalid settings: {problems}") from None


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return error["msg"]
