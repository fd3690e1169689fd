"""Early exit with refill vs. the reference's fixed-length evaluation: accuracy, mean segments, throughput.

    python benchmarks/eval_early_exit.py CHECKPOINT --data DIR [--limit N] [--batch-size B] [--max-steps M]

Runs the same checkpoint on the same examples twice, in one process: every sequence for the maximum number of
segments (the reference's evaluation), then with ``--halt`` semantics (each sequence stops when its halting policy
decides and its slot takes the next waiting sequence). Prints one JSON line per mode and the throughput ratio.
"""

from __future__ import annotations

import argparse
import json
import platform

import torch

from reasonkit.checkpoint import load_model
from reasonkit.eval import evaluate


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--data", required=True)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model, ckpt = load_model(args.checkpoint)
    common = dict(limit=args.limit, batch_size=args.batch_size, max_steps=args.max_steps)
    evaluate(
        model, args.data, limit=min(args.batch_size, args.limit or args.batch_size), batch_size=args.batch_size
    )  # warm-up
    rows = {}
    for mode, early in (("full", False), ("halt", True)):
        m, _, _ = evaluate(model, args.data, early_exit=early, **common)
        rows[mode] = {
            k: m[k]
            for k in (
                "exact_accuracy",
                "token_accuracy",
                "mean_steps",
                "count",
                "seconds",
                "sequences_per_second",
                "segments_run",
            )
        }
        print(json.dumps({"mode": mode, **rows[mode]}))
    print(
        json.dumps(
            {
                "checkpoint": str(ckpt.path),
                "speedup": rows["halt"]["sequences_per_second"] / rows["full"]["sequences_per_second"],
                "machine": f"{platform.processor() or platform.machine()}, {args.threads} threads, "
                f"torch {torch.__version__}",
            }
        )
    )


if __name__ == "__main__":
    main()
