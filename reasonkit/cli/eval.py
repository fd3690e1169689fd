"""``reasonkit eval`` and ``reasonkit predict``: evaluate a checkpoint on a data set, solve puzzles from a CSV."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import DataError
from ._args import non_negative_float, non_negative_int, positive_int

__all__ = ["register"]


def _load(args: argparse.Namespace):
    from ..checkpoint import load_model
    from ..runtime import resolve_device

    return load_model(args.checkpoint, ema=not args.no_ema, device=resolve_device(args.device))


def _test_time(args: argparse.Namespace):
    from ..eval.test_time import TestTime

    return TestTime(
        rollouts=args.rollouts,
        noise=args.noise,
        select=args.select,
        tta=args.tta,
        noise_state=args.noise_state,
        seed=args.seed,
    )


def _suffix(args: argparse.Namespace) -> str:
    """The default output's name for the options: eval-test-early-exit-rollouts16-noise0.3-max_q-tta8.json."""
    out = ""
    if args.rollouts > 1 or args.noise > 0:
        out += f"-rollouts{args.rollouts}-noise{args.noise:g}-{args.select}"
        out += f"-{args.noise_state}" if args.noise_state else ""
    out += f"-tta{args.tta}" if args.tta > 1 else ""
    out += f"-seed{args.seed}" if out and args.seed else ""
    return ("-early-exit" if args.early_exit else "") + out


def _eval(args: argparse.Namespace) -> int:
    from ..eval.evaluate import evaluate, resolve_task
    from ..eval.output import check_writable, write_text

    if not Path(args.data).is_dir():  # before loading anything
        raise DataError(f"data directory {args.data} does not exist")
    test_time = _test_time(args)
    if args.out:
        check_writable(args.out)
    model, ckpt = _load(args)
    task = resolve_task(model, args.data, args.task)
    default_out = ckpt.path / f"eval-{args.split}{_suffix(args)}.json"
    check_writable(args.out or default_out)
    metrics, _, _ = evaluate(
        model,
        args.data,
        args.split,
        limit=args.limit,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        early_exit=args.early_exit,
        progress=args.progress,
        task=task,
        vote=args.vote,
        test_time=test_time,
    )
    metrics["checkpoint"] = str(ckpt.path)
    metrics["step"] = ckpt.meta.get("step")
    text = json.dumps(metrics, indent=2, default=str)
    print(text)
    write_text(args.out or default_out, lambda f: f.write(text + "\n"))
    return 0


def _predict(args: argparse.Namespace) -> int:
    from ..eval.output import check_writable
    from ..eval.predict import predict_csv
    from ..tasks.base import get_task

    if not Path(args.input).is_file():
        raise DataError(f"{args.input}: no such file")
    test_time = _test_time(args)
    check_writable(args.out)
    model, _ = _load(args)
    summary = predict_csv(
        model,
        args.input,
        args.out,
        task=get_task(args.task) if args.task else None,
        batch_size=args.batch_size,
        max_steps=args.max_steps,
        early_exit=args.early_exit,
        test_time=test_time,
    )
    print(json.dumps(summary, indent=2))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="a checkpoint directory, or a run directory (its newest checkpoint)")
    p.add_argument(
        "--max-steps",
        type=positive_int,
        default=None,
        help="segments per sequence (default: the model's maximum; larger values scale inference)",
    )
    p.add_argument("--batch-size", type=positive_int, default=256)
    p.add_argument(
        "--early-exit",
        action="store_true",
        help="stop each sequence when the halting policy decides, refilling the batch",
    )
    p.add_argument("--task", default=None, help="the task whose codec and check to use (default: the model's)")
    t = p.add_argument_group("test-time compute (see docs/evaluation.md)")
    t.add_argument(
        "--rollouts", type=positive_int, default=1, metavar="K", help="noisy copies of each puzzle (PTRM); default 1"
    )
    t.add_argument(
        "--noise",
        type=non_negative_float,
        default=0.0,
        metavar="SIGMA",
        help="scale of the Gaussian noise added to the latent state before every segment but the first",
    )
    t.add_argument(
        "--select",
        choices=("max_q", "vote"),
        default="max_q",
        help="the rollout with the highest halting confidence (max_q), or the most frequent answer (vote)",
    )
    t.add_argument(
        "--tta",
        type=positive_int,
        default=1,
        metavar="N",
        help="vote over the identity and N-1 random symmetries of the task; default 1 (none)",
    )
    t.add_argument(
        "--noise-state", default=None, metavar="NAME", help="the core state that gets the noise (default: its latent)"
    )
    t.add_argument(
        "--seed", type=non_negative_int, default=0, help="seed of the rollouts' noise and of the symmetries drawn"
    )
    p.add_argument("--no-ema", action="store_true", help="use the raw weights even if the checkpoint has EMA ones")
    p.add_argument("--device", default="auto")


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("eval", help="evaluate a checkpoint on a data set split and write JSON metrics")
    _common(e)
    e.add_argument("--data", required=True, help="data set directory (reference format)")
    e.add_argument("--split", default="test")
    e.add_argument("--limit", type=positive_int, default=None, help="evaluate the first N examples only")
    e.add_argument(
        "--out",
        default=None,
        help="JSON output (default: <checkpoint>/eval-<split>.json, eval-<split>-early-exit.json, with the "
        "test-time options in the name: eval-<split>-rollouts16-noise0.3-max_q-tta8.json)",
    )
    e.add_argument(
        "--vote",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="vote over augmented test variants and report pass@1/2/10 (default: on for ARC data sets)",
    )
    e.add_argument("--progress", action="store_true")
    e.set_defaults(func=_eval)
    p = sub.add_parser("predict", help="solve the puzzles of a CSV (column 'question') and write predictions")
    _common(p)
    p.add_argument("--input", required=True, help="CSV with a 'question' column in the task's string form")
    p.add_argument("--out", required=True, help="CSV to write (the input's columns plus prediction, steps, ...)")
    p.set_defaults(func=_predict)
