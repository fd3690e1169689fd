"""``reasonkit eval`` and ``reasonkit predict``: evaluate a checkpoint on a data set, solve puzzles from a CSV."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["register"]


def _device(name: str) -> str:
    from ..train.distributed import resolve_device

    return str(resolve_device(name))


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _eval(args: argparse.Namespace) -> int:
    from ..train.checkpoint import load_model
    from .evaluate import evaluate

    if not Path(args.data).is_dir():  # before loading anything
        raise FileNotFoundError(f"data directory {args.data} does not exist")
    model, ckpt = load_model(args.checkpoint, ema=not args.no_ema, device=_device(args.device))
    metrics, result, examples = evaluate(model, args.data, args.split, limit=args.limit, max_steps=args.max_steps,
                                         batch_size=args.batch_size, early_exit=args.halt, progress=args.progress)
    if args.arc is None:  # ARC data sets (built by reasonkit or the reference) carry test_puzzles.json
        args.arc = args.split == "test" and (Path(args.data) / "test_puzzles.json").is_file()
    if args.arc:
        from .arc import arc_scores_for_examples

        metrics.update(arc_scores_for_examples(args.data, args.split, examples, result))
    metrics["checkpoint"] = str(ckpt.path)
    metrics["step"] = ckpt.meta.get("step")
    text = json.dumps(metrics, indent=2, default=str)
    print(text)
    out = Path(args.out) if args.out else ckpt.path / f"eval-{args.split}{'-halt' if args.halt else ''}.json"
    out.write_text(text + "\n")
    return 0


def _predict(args: argparse.Namespace) -> int:
    from ..train.checkpoint import load_model
    from .predict import predict_csv

    if not Path(args.input).is_file():
        raise FileNotFoundError(f"{args.input}: no such file")
    model, _ = load_model(args.checkpoint, ema=not args.no_ema, device=_device(args.device))
    summary = predict_csv(model, args.input, args.out, batch_size=args.batch_size, max_steps=args.max_steps,
                          early_exit=args.halt)
    print(json.dumps(summary, indent=2))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="a checkpoint directory, or a run directory (its newest checkpoint)")
    p.add_argument("--max-steps", type=_positive_int, default=None,
                   help="segments per sequence (default: the model's maximum; larger values scale inference)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--halt", action="store_true",
                   help="early exit: stop each sequence when the halting policy decides, refilling the batch")
    p.add_argument("--no-ema", action="store_true", help="use the raw weights even if the checkpoint has EMA ones")
    p.add_argument("--device", default="auto")


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("eval", help="evaluate a checkpoint on a data set split and write JSON metrics")
    _common(e)
    e.add_argument("--data", required=True, help="data set directory (reference format)")
    e.add_argument("--split", default="test")
    e.add_argument("--limit", type=int, default=None, help="evaluate the first N examples only")
    e.add_argument("--out", default=None, help="JSON output (default: <checkpoint>/eval-<split>.json, or eval-<split>-halt.json with --halt)")
    e.add_argument("--arc", action=argparse.BooleanOptionalAction, default=None,
                   help="vote over augmentations and report ARC pass@1/2/10 (default: on for ARC data sets)")
    e.add_argument("--progress", action="store_true")
    e.set_defaults(func=_eval)
    p = sub.add_parser("predict", help="solve the puzzles of a CSV (column 'question') and write predictions")
    _common(p)
    p.add_argument("--input", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=_predict)
