"""Test-time compute on a checkpoint: noisy rollouts (PTRM, arXiv 2605.19943) and augmentation voting (TTA).

    python benchmarks/test_time.py RUN_OR_CHECKPOINT --data DIR [--limit N] [--rollouts 1,4,16,64]
        [--sigmas 0.1,0.3,1.0,2.0] [--tta 1,4,8] [--combine 16] [--seed 0] [--early-exit] [--table FILE]

On the test split of DIR (puzzles the model has not trained on) it measures, in one process and with fixed seeds:
a plain run; ``--rollouts K`` for every K and sigma (both ``max_q`` and ``vote`` selection, from the same
candidates); ``--tta N`` for every N; and rollouts combined with the largest N, at the sigma with the lowest
failure rate at ``--combine`` rollouts. Each line of output is JSON: the failure rate of the selected answer and
its ratio to the plain run's, pass@K over the candidates (the oracle), and the cost in segments per puzzle and
its ratio. ``--table`` also writes the figures as a markdown table. The sigma is chosen on the same puzzles it is
reported on, so the best row is optimistic by that choice; every sigma's row is printed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import torch

from reasonkit.checkpoint import load_model
from reasonkit.data.augment import grid_key
from reasonkit.errors import ConfigError
from reasonkit.eval import TestTime, evaluate, resolve_task, select_candidates


def _numbers(kind):
    return lambda text: [kind(v) for v in text.split(",") if v]


def _row(name, tt, exact, oracle, cost, plain, extra):
    """One figure: failure rates and cost, with their ratios to the plain run (``plain`` None for the plain run)."""
    fail, base = 1.0 - exact, plain or {"failure_rate": 1.0 - exact, "segments_per_puzzle": cost}
    return {
        "method": name,
        "rollouts": tt.rollouts,
        "noise": tt.noise,
        "select": tt.select,
        "tta": tt.tta,
        "exact_accuracy": exact,
        "failure_rate": fail,
        "failure_ratio": fail / base["failure_rate"] if base["failure_rate"] else None,
        "oracle_exact_accuracy": oracle,
        "segments_per_puzzle": cost,
        "cost_ratio": cost / base["segments_per_puzzle"],
        **extra,
    }


def measure(model, task, args, tt: TestTime, name: str, plain) -> list[dict]:
    """The rows of one run: the selection asked for, and for rollouts the other selection from the same run."""
    metrics, result, examples = evaluate(
        model,
        args.data,
        limit=args.limit,
        batch_size=args.batch_size,
        max_steps=args.max_steps,
        early_exit=args.early_exit,
        task=task,
        test_time=tt,
    )
    extra = {k: metrics[k] for k in ("count", "segments_run")} | {"seconds": round(metrics["seconds"], 3)}
    cost, oracle = metrics["segments_per_puzzle"], metrics["oracle_exact_accuracy"]
    rows = [_row(name, tt, metrics["exact_accuracy"], oracle, cost, plain, extra)]
    if tt.rollouts > 1 and result.candidate_confidence is not None:
        other = "vote" if tt.select == "max_q" else "max_q"
        pred, _, _ = select_candidates(
            result.candidates,
            result.candidate_steps,
            result.candidate_confidence,
            rollouts=tt.rollouts,
            tta=tt.tta,
            select=other,
            answer_key=lambda answer: grid_key(task.answer_of(answer)),
        )
        labelled = (examples.labels >= 0).any(-1)
        exact = float(task.is_correct(examples.inputs, pred, examples.labels)[labelled].mean())
        alt = TestTime(tt.rollouts, tt.noise, other, tt.tta, tt.noise_state, tt.seed)
        rows.append(_row(name, alt, exact, oracle, cost, plain, extra))
    for row in rows:
        print(json.dumps(row), flush=True)
    return rows


def table(rows: list[dict]) -> str:
    head = "| method | K | sigma | select | N | exact | failure | failure / plain | pass@K | segments / puzzle | cost |"
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        ratio = "-" if r["failure_ratio"] is None else f"{r['failure_ratio']:.2f}"
        lines.append(
            f"| {r['method']} | {r['rollouts']} | {r['noise']:g} | {r['select']} | {r['tta']} | "
            f"{r['exact_accuracy']:.3f} | {r['failure_rate']:.3f} | {ratio} | {r['oracle_exact_accuracy']:.3f} | "
            f"{r['segments_per_puzzle']:.1f} | {r['cost_ratio']:.1f}x |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("checkpoint", help="a run directory (its newest checkpoint) or a checkpoint directory")
    p.add_argument("--data", required=True, help="data set directory; its test split is measured")
    p.add_argument("--limit", type=int, default=None, help="the first N test puzzles only")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--max-steps", type=int, default=None, help="segments per sequence (default: the model's)")
    p.add_argument("--early-exit", action="store_true", help="let the halting policy stop sequences early")
    p.add_argument("--rollouts", type=_numbers(int), default=[1, 4, 16, 64])
    p.add_argument("--sigmas", type=_numbers(float), default=[0.1, 0.3, 1.0, 2.0])
    p.add_argument("--tta", type=_numbers(int), default=[1, 4, 8])
    p.add_argument("--combine", type=int, default=16, help="rollouts whose best sigma is combined with the largest N")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--table", default=None, help="also write the figures as a markdown table to this file")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, ckpt = load_model(args.checkpoint)
    task = resolve_task(model, args.data)
    if task is None:
        sys.exit(f"{args.data}: no task found for the data set; the benchmark needs the task's symmetries")
    select = "max_q" if model.halting.head is not None else "vote"
    plain = measure(model, task, args, TestTime(seed=args.seed), "plain", None)[0]
    rows = [plain]
    for sigma in args.sigmas:
        for k in args.rollouts:
            rows += measure(model, task, args, TestTime(k, sigma, select, seed=args.seed), "rollouts", plain)
    ttas, skipped = [], {}
    for n in (n for n in args.tta if n > 1):
        try:
            rows += measure(model, task, args, TestTime(tta=n, select=select, seed=args.seed), "tta", plain)
            ttas.append(n)
        except ConfigError as err:  # more variants than the task has symmetries (Maze: 8)
            skipped[n] = str(err)
    k = args.combine
    at_k = [r for r in rows if r["method"] == "rollouts" and r["rollouts"] == k and r["select"] == select]
    best = min(at_k, key=lambda r: (r["failure_rate"], r["noise"]))["noise"] if at_k else None
    if best is not None and ttas:
        tt = TestTime(k, best, select, tta=max(ttas), seed=args.seed)
        rows += measure(model, task, args, tt, "rollouts+tta", plain)
    summary = {
        "checkpoint": str(ckpt.path),
        "step": ckpt.meta.get("step"),
        "task": task.kind,
        "puzzles": plain.get("count"),
        "best_noise": best,
        "skipped_tta": skipped,
        "machine": f"{platform.processor() or platform.machine()}, {args.threads} threads, torch {torch.__version__}",
    }
    print(json.dumps(summary))
    if args.table:
        Path(args.table).write_text(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
