"""Peak memory of one training segment as the cycles grow, for each gradient estimator (goal 3).

    python benchmarks/memory_cycles.py [--preset hrm-27m --batch 1 --cycles 2,4,6,8] [--plot FILE.png]

For each gradient estimator (one_step, last_cycle, truncated, bptt) and each ``n`` in ``--cycles`` the model is built
with ``h_cycles = l_cycles = n`` (HRM's N x T) and one training segment runs: the forward (with the Q-target pass),
the loss and backward; the optimizer is left out, since its state does not depend on the cycles. The peak is the
largest sum of live torch CPU allocations during the segment above what was allocated before it, replayed from
``torch.profiler``'s allocation records (``torch.cuda.max_memory_allocated`` on CUDA). Expected: one_step and truncated
flat (the updates that keep activations for backward do not grow with the cycles), last_cycle growing with the
updates of the last cycle (``l_cycles + 1``), bptt linear in ``h_cycles * (l_cycles + 1)``. Prints one JSON object
with the peaks in MiB, the largest/smallest ratio of each estimator and the slope of a linear fit against the
number of updates; with ``--plot`` saves the curves.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_average, machine, random_batches  # noqa: E402

from reasonkit import build  # noqa: E402
from reasonkit.train.losses import LossHead  # noqa: E402

ESTIMATORS = ("one_step", "last_cycle", "truncated", "bptt")


def segment(model, batch) -> None:
    carry = model.initial_carry(batch)
    carry, out = model(carry, batch, check=False)
    loss, _ = LossHead("stablemax")(model.halting, carry, out)
    loss.backward()


def peak_bytes(model, batch, device: str) -> int:
    """Peak live bytes allocated by one segment above the level before it."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        segment(model, batch)
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() - base
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        segment(model, batch)
    # Every allocation and free is one "[memory]" record (bytes, negative for a free) in the raw results.
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events() if e.name() == "[memory]")
    live = peak = 0
    for _, delta in events:
        live += delta
        peak = max(peak, live)
    return peak


def fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Slope and R^2 of the least-squares line through ``(xs, ys)`` (R^2 is 1 for a flat, exact line)."""
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0
    total = sum((y - my) ** 2 for y in ys)
    residual = sum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, ys))
    return slope, 1.0 - residual / total if total > 1e-12 else 1.0


def plot(result: dict, path: str) -> None:
    """Draw each estimator's peak against the cycles (one_step and truncated coincide: dashed over solid)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {"one_step": ("o", "-"), "last_cycle": ("s", "-"), "truncated": ("x", "--"), "bptt": ("^", "-")}
    fig, ax = plt.subplots(figsize=(6, 4))
    for estimator, entry in result["peak_mib"].items():
        n = [int(c.split("x")[0]) for c in entry["cycles"]]
        marker, line = styles.get(estimator, ("o", "-"))
        ax.plot([k * k for k in n], entry["peak"], marker=marker, linestyle=line, label=estimator)
    ax.set_xlabel("H_cycles x L_cycles")
    ax.set_ylabel("peak memory of one training segment (MiB)")
    ax.set_title(f"{result['preset']}, batch {result['batch']}, seq {result['seq']}")
    ax.set_xticks([k * k for k in n], entry["cycles"])
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="hrm-27m", help="a preset with a hierarchical core")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq", type=int, default=81)
    p.add_argument("--cycles", default="2,4,6,8", help="comma-separated n for n x n cycles")
    p.add_argument("--estimators", default=",".join(ESTIMATORS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--plot", default=None, help="save the curves to this PNG (needs matplotlib)")
    p.add_argument("--replot", default=None, help="only draw --plot from a JSON result this script printed")
    args = p.parse_args()
    if args.replot:
        plot(json.loads(Path(args.replot).read_text()), args.plot or "memory_cycles.png")
        return
    torch.set_num_threads(args.threads)
    cycles = [int(c) for c in args.cycles.split(",")]
    load_before = load_average()
    result: dict = {
        "benchmark": "memory_cycles",
        "date": date.today().isoformat(),
        "preset": args.preset,
        "batch": args.batch,
        "seq": args.seq,
        "machine": machine(args.threads),
        "load_before": load_before,
        "peak_mib": {},
    }
    batch = None
    for estimator in args.estimators.split(","):
        peaks = []
        for n in cycles:
            torch.manual_seed(0)
            model = build(
                args.preset,
                seq_len=args.seq,
                gradient={"kind": estimator},
                **{"core.h_cycles": n, "core.l_cycles": n},
            ).to(args.device)
            model.train()
            if batch is None:
                batch = random_batches(1, args.batch, args.seq, model.vocab_size)[0]
            data = {k: v.to(args.device) for k, v in batch.items()}
            segment(model, data)  # warm-up: lazily created buffers and caches are not the segment's
            model.zero_grad(set_to_none=True)
            peaks.append(peak_bytes(model, data, args.device) / 2**20)
            del model
        updates = [n * (n + 1) for n in cycles]
        slope, r2 = fit_line(updates, peaks)
        result["peak_mib"][estimator] = {
            "cycles": [f"{n}x{n}" for n in cycles],
            "updates": updates,
            "peak": [round(v, 1) for v in peaks],
            "largest_over_smallest": round(max(peaks) / min(peaks), 3),
            "mib_per_update": round(slope, 2),
            "linear_fit_r2": round(r2, 4),
        }
    result["load_after"] = load_average()
    if args.plot:
        plot(result, args.plot)
        result["plot"] = args.plot
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
