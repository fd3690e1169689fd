"""How a training step's time grows with the batch size and the sequence length, with fitted exponents (goal 4).

    python benchmarks/cost_growth.py [--preset hrm-27m] [--batches 1,2,4,8,16,32,64] [--seqs 81,324,900]

Times ``Trainer.train_step`` (eager: a compiled step would recompile for every shape) for each batch size at
``--batch-seq`` tokens, and for each sequence length at ``--seq-batch`` sequences; each point is the median of
``--reps`` steps after one warm-up step. Fits ``time = c * x^k`` by least squares on the logarithms and reports
``k`` and ``c`` for both sweeps, so that the cost of a run can be predicted: at fixed length the time grows as
``batch^k_batch``; at fixed batch as ``seq^k_seq`` (between 1 for the linear layers and 2 for attention). FLOPs
per step are counted too (``torch.utils.flop_counter``), so the achieved GFLOP/s of each point shows where small
steps lose efficiency. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import count_flops, load_average, machine, random_batches  # noqa: E402

from reasonkit import build  # noqa: E402
from reasonkit.train import Trainer  # noqa: E402


def step_time(preset: str, batch: int, seq: int, reps: int, device: str) -> tuple[float, int]:
    torch.manual_seed(0)
    model = build(preset, seq_len=seq, forward_dtype="float32").to(device)
    trainer = Trainer(model, total_steps=10**6, lr=1e-4, weight_decay=1.0, device=device, compile=False)
    trainer.check_batches = False
    data = random_batches(1, batch, seq, model.vocab_size)[0]
    flops = count_flops(lambda: trainer.train_step(data, batch))  # also the warm-up step
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        trainer.train_step(data, batch)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times), flops


def fit_power(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """``(k, c)`` of the least-squares fit ``log y = log c + k log x``."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    var = sum((x - mx) ** 2 for x in lx)
    k = sum((x - mx) * (y - my) for x, y in zip(lx, ly)) / var if var else 0.0
    return k, math.exp(my - k * mx)


def sweep(name: str, values: list[int], fixed: int, args) -> dict:
    points = []
    for v in values:
        batch, seq = (v, fixed) if name == "batch" else (fixed, v)
        seconds, flops = step_time(args.preset, batch, seq, args.reps, args.device)
        gflop = flops / 1e9
        points.append(
            {name: v, "seconds": round(seconds, 4), "gflop": float(f"{gflop:.4g}"), "gflops": round(gflop / seconds, 1)}
        )
        print(json.dumps({"point": points[-1], "load": load_average()}), file=sys.stderr)
    entry: dict = {"fixed": {"seq" if name == "batch" else "batch": fixed}, "points": points}
    if len(values) > 1:
        k, c = fit_power(values, [p["seconds"] for p in points])
        entry["exponent"], entry["coefficient_s"] = round(k, 3), round(c, 5)
        if len(values) > 2:  # the exponent of the upper half alone, where fixed costs no longer dominate
            upper = values[len(values) // 2 :]
            entry["exponent_upper"] = round(fit_power(upper, [p["seconds"] for p in points[len(values) // 2 :]])[0], 3)
    return entry


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="hrm-27m")
    p.add_argument("--batches", default="1,2,4,8,16,32,64")
    p.add_argument("--batch-seq", type=int, default=81, help="tokens per example in the batch sweep")
    p.add_argument("--seqs", default="81,324,900")
    p.add_argument("--seq-batch", type=int, default=4, help="sequences per batch in the length sweep")
    p.add_argument("--reps", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    result = {
        "benchmark": "cost_growth",
        "date": date.today().isoformat(),
        "preset": args.preset,
        "machine": machine(args.threads),
        "load_before": load_average(),
    }
    if args.batches:
        result["batch"] = sweep("batch", [int(v) for v in args.batches.split(",")], args.batch_seq, args)
    if args.seqs:
        result["seq"] = sweep("seq", [int(v) for v in args.seqs.split(",")], args.seq_batch, args)
    result["load_after"] = load_average()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
