"""Ablations: a grid over model-spec or training fields on any recipe, each run resumable and skipped when done,
and one results table (CSV and Markdown, mean and spread over seeds) with a plot.

    reasonkit ablate recipes/sudoku_extreme.py --demo gradient=one_step,last_cycle,bptt \\
        halting=fixed,q_act,q_halt seed=0,1 total_steps=400 --jobs 2 --out runs/ablate-sudoku

A setting with commas is an axis of the grid; one without is fixed for every run. Keys are TrainConfig fields
(``lr``, ``seed``), ``task.<field>``, or model-spec paths with or without the ``model.`` prefix (``gradient``,
``halting.max_steps``). Switching a kind (``halting=fixed``) keeps the fields the new kind shares with the old one
(``max_steps``), so an ablation changes one thing. Run ``k`` of the grid writes to ``<out>/<axis values>/``; a run
whose ``final_eval.json`` exists is skipped, an interrupted one resumes from its checkpoints. ``--jobs N`` runs N
at a time in separate processes, the cores divided among them (on a small CPU, two one-thread runs of a tiny model
get more done than one two-thread run).
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError
from ..registry import lookup
from ..spec import KindGroup, parse_overrides
from .config import TrainConfig, config_from_overrides
from .main import RecipeSettings, resolve_config
from .recipe import build_spec

__all__ = ["Ablation", "grid_from_settings", "run_ablation", "summarise"]

#: The columns of the results table, read from each run's final evaluation.
METRICS = ("exact_accuracy", "token_accuracy", "mean_steps", "early_exit_accuracy", "early_exit_steps")


def _route(key: str) -> str:
    """Where a grid key goes: a TrainConfig field, a task option, or the model spec."""
    if key in TrainConfig.model_fields or key.startswith(("task", "model.")):
        return key
    return f"model.{key}"


def grid_from_settings(items: Sequence[str]) -> tuple[dict[str, list[Any]], list[str]]:
    """Split ``key=a,b,c`` axes from fixed ``key=value`` settings."""
    axes: dict[str, list[Any]] = {}
    fixed: list[str] = []
    for item in items:
        key, sep, value = item.partition("=")
        if sep and "," in value and not value.lstrip().startswith(("[", "{")):
            axes[_route(key)] = [parse_overrides([f"v={v}"])["v"] for v in value.split(",") if v]
        else:
            fixed.append(f"{_route(key)}={value}" if sep else item)
    if not axes:
        raise ConfigError("an ablation needs at least one axis, e.g. gradient=one_step,bptt or seed=0,1")
    return axes, fixed


def _kind_switch(base: TrainConfig, path: str, kind: str) -> Any:
    """``{"kind": kind, ...}`` keeping the fields of the current sub-spec at ``path`` that the new kind has, when
    ``path`` names a registered group's field; else ``kind`` unchanged (a plain string setting)."""
    from ..models.spec import ReasonerSpec

    spec = build_spec(base, task=base.task.kind if base.task is not None else None)  # graph cells need the task
    node: Any = json.loads(spec.model_dump_json())
    cls: Any = ReasonerSpec
    group = None
    for part in path.split("."):
        info = getattr(cls, "model_fields", {}).get(part)
        if info is None or not isinstance(node, dict):
            return kind
        node = node.get(part)
        group = next((m.group for m in info.metadata if isinstance(m, KindGroup)), None)
        cls = lookup(group, node["kind"]) if group and isinstance(node, dict) and "kind" in node else info.annotation
    if group is None or not isinstance(node, dict):
        return kind
    fields = lookup(group, kind).model_fields
    return {"kind": kind, **{k: v for k, v in node.items() if k in fields and k != "kind"}}


class Ablation:
    """The runs of a grid on a recipe's base config."""

    def __init__(self, base: TrainConfig, axes: dict[str, list[Any]], out_dir: str | Path) -> None:
        self.base, self.axes, self.out = base, axes, Path(out_dir)

    def runs(self) -> list[tuple[dict[str, Any], TrainConfig]]:
        """Every point of the grid with its config (its own out_dir; the data set is shared)."""
        out = []
        keys = list(self.axes)
        for values in itertools.product(*(self.axes[k] for k in keys)):
            point = dict(zip(keys, values))
            items = []
            for key, value in point.items():
                if key.startswith("model.") and isinstance(value, str):
                    value = _kind_switch(self.base, key[len("model.") :], value)
                items.append(f"{key}={json.dumps(value)}")
            name = "-".join(f"{k.split('.')[-1]}={_short(v)}" for k, v in point.items())
            items.append(f"out_dir={json.dumps(str(self.out / name))}")
            items.append(f"data_dir={json.dumps(self.base.resolved_data_dir)}")
            out.append((point, config_from_overrides(self.base, items)))
        return out


def _short(value: Any) -> str:
    return value.get("kind", "spec") if isinstance(value, dict) else str(value)


def _row(point: dict[str, Any], final: dict[str, Any]) -> dict[str, Any]:
    full, early = final.get("full") or {}, final.get("early_exit") or {}
    return {
        **{k.removeprefix("model."): _short(v) for k, v in point.items()},
        "exact_accuracy": full.get("exact_accuracy"),
        "token_accuracy": full.get("token_accuracy"),
        "mean_steps": full.get("mean_steps"),
        "early_exit_accuracy": early.get("exact_accuracy"),
        "early_exit_steps": early.get("mean_steps"),
    }


def summarise(rows: list[dict[str, Any]], group_keys: list[str]) -> list[dict[str, Any]]:
    """Mean and standard deviation of every metric over the runs that differ only in ``seed``."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in group_keys), []).append(row)
    out = []
    for key, members in groups.items():
        entry: dict[str, Any] = dict(zip(group_keys, key))
        entry["runs"] = len(members)
        for metric in METRICS:
            values = [m[metric] for m in members if m.get(metric) is not None]
            mean = sum(values) / len(values) if values else None
            std = math.sqrt(sum((v - mean) ** 2 for v in values) / max(1, len(values) - 1)) if len(values) > 1 else 0.0
            entry[metric], entry[f"{metric}_std"] = mean, std if values else None
        out.append(entry)
    return out


def _markdown(summary: list[dict[str, Any]], group_keys: list[str]) -> str:
    head = group_keys + [
        "runs",
        "exact accuracy",
        "token accuracy",
        "segments",
        "early-exit accuracy",
        "early-exit segments",
    ]

    def cell(row, metric):
        mean, std = row.get(metric), row.get(f"{metric}_std")
        if mean is None:
            return "-"
        return f"{mean:.3f} ± {std:.3f}" if row["runs"] > 1 else f"{mean:.3f}"

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in summary:
        lines.append(
            "| "
            + " | ".join([str(row[k]) for k in group_keys] + [str(row["runs"])] + [cell(row, m) for m in METRICS])
            + " |"
        )
    return "\n".join(lines) + "\n"


def _run_one(config_json: str) -> None:
    """One run of the grid in a worker process (a top-level function: spawned workers import it)."""
    from .recipe import Recipe

    Recipe(TrainConfig.model_validate_json(config_json)).run()


def _run_parallel(configs: list[TrainConfig], jobs: int) -> None:
    """Run ``configs`` ``jobs`` at a time in spawned processes, each with the usable cores divided among the jobs
    (unless a run sets ``threads``); the data sets are built first, once, in this process."""
    import concurrent.futures
    import multiprocessing

    from ..runtime import cpu_count
    from .data import prepare_data

    built = set()
    for c in configs:
        key = (c.resolved_data_dir, c.task.model_dump_json() if c.task is not None else None)
        if key not in built:
            built.add(key)
            prepare_data(c.resolved_data_dir, c.task, progress=False)
    threads = max(1, cpu_count() // jobs)
    context = multiprocessing.get_context("spawn")  # a fresh torch per worker: no forked thread pools
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = [
            pool.submit(_run_one, (c if c.threads else c.model_copy(update={"threads": threads})).model_dump_json())
            for c in configs
        ]
        for future in futures:
            future.result()  # the first failed run's error, after the others have finished or failed


def run_ablation(
    recipe: RecipeSettings,
    argv: Sequence[str],
    out_dir: str | Path,
    *,
    dry_run: bool = False,
    plot: bool = True,
    jobs: int = 1,
) -> dict[str, Any]:
    """Run (or resume) every point of the grid that ``argv`` describes on ``recipe``, ``jobs`` runs at a time;
    write the results table."""
    if jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {jobs}")
    flags = [a for a in argv if a.startswith("--")]
    axes, fixed = grid_from_settings([a for a in argv if not a.startswith("--")])
    base, _ = resolve_config(flags + fixed, recipe)
    ablation = Ablation(base, axes, out_dir)
    runs = ablation.runs()
    if dry_run:
        return {
            "runs": [{"point": {k: _short(v) for k, v in p.items()}, "out_dir": c.resolved_out_dir} for p, c in runs]
        }
    from .recipe import Recipe

    def done(config: TrainConfig) -> Path:
        return Path(config.resolved_out_dir) / "final_eval.json"

    pending = [config for _, config in runs if not done(config).is_file()]
    for config in pending:
        print(f"ablation run {config.resolved_out_dir}", flush=True)
    if jobs > 1 and len(pending) > 1:
        _run_parallel(pending, min(jobs, len(pending)))
    else:
        for config in pending:
            Recipe(config).run()
    rows = [_row(point, json.loads(done(config).read_text())) for point, config in runs]
    group_keys = [k for k in rows[0] if k not in METRICS and k != "seed"]
    summary = summarise(rows, group_keys)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    (out / "results.md").write_text(_markdown(summary, group_keys))
    result = {"runs": rows, "summary": summary, "table": str(out / "results.md")}
    if plot:
        from ..viz.curves import plot_ablation

        result["plot"] = str(plot_ablation(summary, group_keys, out / "results.png"))
    return result
