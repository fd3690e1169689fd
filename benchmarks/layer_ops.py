"""Single operations of a training step, before and after a change, in one run, as ratios.

    python benchmarks/layer_ops.py [rotary] [optimizer] [--batch 16 --rounds 5 --threads 2 --preset hrm-27m]

``rotary``: queries and keys of hrm-27m ([batch, 82, 8, 64]) rotated the reference's way (``x*cos +
cat(-x2, x1)*sin``) and reasonkit's (:func:`reasonkit.layers.rope.rotate`: ``x*cos + cat(x2, x1)*sin_signed``),
forward+backward and forward without gradient; the results are compared bit for bit. ``optimizer``: one
Adam-atan2 step over the dense parameters of ``--preset`` (hrm-27m: 27M values), eager (nine passes per tensor)
against ``fused=True`` (one compiled kernel per tensor); the largest difference of the parameters after the steps
is printed. The two forms alternate within each round. Prints one JSON line per comparison.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_average, machine  # noqa: E402

from reasonkit import build  # noqa: E402
from reasonkit.layers.rope import RotaryEmbedding, rotate  # noqa: E402
from reasonkit.train.optim import AdamAtan2  # noqa: E402


def _reference_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos.unsqueeze(-2) + torch.cat((-x2, x1), dim=-1) * sin.unsqueeze(-2)


def rotary(args) -> dict:
    rope = RotaryEmbedding(64, 82)
    forms = {
        "reference": lambda q, k: (_reference_rotary(q, rope.cos, rope.sin), _reference_rotary(k, rope.cos, rope.sin)),
        "reasonkit": lambda q, k: (rotate(q, *rope.tables()), rotate(k, *rope.tables())),
    }
    qkv = torch.randn(args.batch, 82, 3, 8, 64)
    out = {}
    for grad in (True, False):
        times: dict[str, list[float]] = {name: [] for name in forms}
        for _ in range(args.rounds):
            for name, fn in forms.items():
                x = qkv.clone().requires_grad_(grad)
                start = time.perf_counter()
                for _ in range(args.calls):
                    q, k, _ = x.unbind(2)
                    with torch.set_grad_enabled(grad):
                        rq, rk = fn(q, k)
                        if grad:
                            (rq.sum() + rk.sum()).backward()
                times[name].append((time.perf_counter() - start) / args.calls)
        key = "forward_backward" if grad else "forward_no_grad"
        ref, ours = statistics.median(times["reference"]), statistics.median(times["reasonkit"])
        out[key] = {
            "reference_ms": round(ref * 1e3, 3),
            "reasonkit_ms": round(ours * 1e3, 3),
            "ratio": round(ref / ours, 3),
        }
    q, k, _ = qkv.unbind(2)
    same = all(torch.equal(a, b) for a, b in zip(forms["reference"](q, k), forms["reasonkit"](q, k)))
    return {"op": "rotary", "batch": args.batch, "bit_identical": same, **out}


def optimizer(args) -> dict:
    torch.manual_seed(0)
    params = build(args.preset).dense_parameters()
    g = torch.Generator().manual_seed(1)
    grads = [torch.randn(p.shape, generator=g) * 1e-3 for p in params]
    copies, opts = {}, {}
    for fused in (False, True):
        copies[fused] = [torch.nn.Parameter(p.detach().clone()) for p in params]
        opts[fused] = AdamAtan2(copies[fused], lr=1e-4, weight_decay=1.0, fused=fused)
    times: dict[bool, list[float]] = {False: [], True: []}
    for i in range(args.rounds + 1):  # the first round compiles the fused kernel
        for fused in (False, True):
            for p, grad in zip(copies[fused], grads):
                p.grad = grad * (i + 1)
            start = time.perf_counter()
            opts[fused].step()
            if i:
                times[fused].append(time.perf_counter() - start)
    diff = max((a - b).abs().max().item() for a, b in zip(copies[False], copies[True]))
    eager, fused = statistics.median(times[False]), statistics.median(times[True])
    return {
        "op": "adam_atan2_step",
        "preset": args.preset,
        "values": sum(p.numel() for p in params),
        "eager_s": round(eager, 4),
        "fused_s": round(fused, 4),
        "ratio": round(eager / fused, 3),
        "max_param_diff": diff,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # No argparse choices: Python 3.11 checks a nargs="*" positional's default list against them and fails.
    p.add_argument("which", nargs="*", help="rotary, optimizer (default: both)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--calls", type=int, default=20, help="calls per round (rotary)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--preset", default="hrm-27m", help="whose dense parameters the optimizer updates")
    args = p.parse_args()
    unknown = sorted(set(args.which) - {"rotary", "optimizer"})
    if unknown:
        p.error(f"unknown comparisons {unknown}; known: rotary, optimizer")
    args.which = args.which or ["rotary", "optimizer"]
    torch.set_num_threads(args.threads)
    for which in args.which:
        load = load_average()
        result = {"rotary": rotary, "optimizer": optimizer}[which](args)
        print(
            json.dumps({**result, "load_before": load, "load_after": load_average(), "machine": machine(args.threads)})
        )


if __name__ == "__main__":
    main()
