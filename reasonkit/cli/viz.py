"""``reasonkit viz`` and ``reasonkit analyze``: one puzzle's reasoning as pictures, HRM's analyses of a model."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import DataError
from ._args import positive_int

__all__ = ["register"]


def _load(args: argparse.Namespace):
    from ..checkpoint import load_model
    from ..runtime import resolve_device

    if not Path(args.data).is_dir():  # before loading anything
        raise DataError(f"data directory {args.data} does not exist")
    return load_model(args.run, ema=not args.no_ema, device=resolve_device(args.device))


def _viz(args: argparse.Namespace) -> int:
    from ..viz.reasoning import draw_reasoning

    model, _ = _load(args)
    png, gif = draw_reasoning(
        model,
        args.data,
        args.index,
        args.out,
        split=args.split,
        inner=args.inner,
        task=args.task,
        segments=args.max_steps,
    )
    print(f"wrote {png} and {gif}")
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from ..viz.analyze import FILES, analyze

    model, ckpt = _load(args)
    result = analyze(
        model,
        args.data,
        args.out,
        split=args.split,
        sample=args.sample,
        segments=args.max_steps,
        batch_size=args.batch_size,
        seed=args.seed,
        task=args.task,
    )
    pr = result["participation_ratio"]
    for level, name in result["levels"].items():
        print(f"{name}: participation ratio {pr['trained'][level]:.2f} (untrained {pr['untrained'][level]:.2f})")
    last = result["accuracy_vs_segments"][str(result["segments"])]
    print(f"exact accuracy after {result['segments']} segments: {last['exact_accuracy']:.4f}")
    print(f"wrote {', '.join(FILES)} in {args.out} (checkpoint {ckpt.path})")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", help="a run directory (its newest checkpoint) or a checkpoint directory")
    p.add_argument("--data", required=True, help="data set directory (reference format)")
    p.add_argument("--split", default="test")
    p.add_argument(
        "--max-steps",
        type=positive_int,
        default=None,
        help="segments to run (default: the model's maximum; more show inference-time scaling)",
    )
    p.add_argument("--task", default=None, help="the task to read the puzzles as (default: the model's, the data's)")
    p.add_argument("--no-ema", action="store_true", help="use the raw weights even if the checkpoint has EMA ones")
    p.add_argument("--device", default="auto")


def register(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser("viz", help="draw one puzzle's prediction after every segment (PNG strip and GIF)")
    _common(v)
    v.add_argument("--index", type=int, required=True, help="the example's row in the split (from 0)")
    v.add_argument("--out", required=True, help="the PNG to write; the GIF is written beside it (.gif)")
    v.add_argument(
        "--inner",
        action="store_true",
        help="draw after every recurrent update (the readout state through the LM head), not only every segment",
    )
    v.set_defaults(func=_viz)
    a = sub.add_parser(
        "analyze", help="residuals of each level, participation ratios and accuracy against segments (plots, JSON)"
    )
    _common(a)
    a.add_argument("--out", required=True, help="directory for analysis.json and the plots")
    a.add_argument("--sample", type=positive_int, default=64, help="puzzles drawn from the split")
    a.add_argument("--batch-size", type=positive_int, default=64)
    a.add_argument("--seed", type=int, default=0, help="seed of the sample and of the untrained model")
    a.set_defaults(func=_analyze)
