"""Training steps of reasonkit against the reference implementation, in one run, as ratios (goals 1 and 2).

    python benchmarks/train_vs_reference.py --model hrm-27m --batch 16 [--sides ...] [--rounds 3 --reps 2]

A step is what the reference's pretrain.py does per batch: the ACT segment (with HRM's Q-target forward), the loss,
backward, the dense optimizer, the puzzle table's sign-SGD and the metrics pulled to the host. Every side starts
from the same weights (the reference's, loaded into reasonkit with ``load_reference_state_dict``), takes the same
batches and the same seed before each step, so their losses must agree step for step: the largest difference is
printed (``max_loss_diff``). After one untimed step each (compilation), sides run in alternating rounds of
``--reps`` timed steps so that the load of a shared machine hits all alike; ``ratios`` compares medians,
``paired_ratios`` the steps of the same round. A plain 2048x2048 matmul of the same dtype is timed
in every round too, so that the achieved FLOP/s of each side (FLOPs of one reasonkit step counted with
``torch.utils.flop_counter.FlopCounterMode``) can be given as a fraction of it.

Sides: ``reasonkit`` (Trainer.train_step with its defaults), ``reasonkit-eager`` (``compile=False``),
``reasonkit-compile`` (``compile=True``), ``reasonkit-compile-unfused`` (compiled segment, eager optimizer update),
``reasonkit-compile-core`` (only the core compiled: ``compile=true`` before the whole segment was), ``reference``
(eager) and ``reference-compile`` (its own torch.compile path). The reference's dense optimizer is reasonkit's
AdamAtan2, eager as its pretrain.py would run it (its adam_atan2 package is CUDA-only; on CUDA, where that
package is installed, the reference gets it).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    REFERENCE_CONFIGS,
    ReferenceStep,
    count_flops,
    default_reference_path,
    default_shim,
    load_average,
    machine,
    matmul_flops,
    matmul_seconds,
    random_batches,
)

from reasonkit import build  # noqa: E402
from reasonkit.interop import load_reference_state_dict  # noqa: E402
from reasonkit.train import Trainer  # noqa: E402

SIDES = (
    "reasonkit",
    "reasonkit-eager",
    "reasonkit-compile",
    "reasonkit-compile-unfused",
    "reasonkit-compile-core",
    "reference",
    "reference-compile",
)
SETTINGS = dict(lr=1e-4, weight_decay=1.0, puzzle_lr=1e-4, puzzle_weight_decay=1.0)


class OurStep:
    def __init__(self, model, compile: bool | None, device: str) -> None:
        kwargs = {} if compile is None else {"compile": compile}
        self.trainer = Trainer(
            model,
            total_steps=10**6,
            lr=SETTINGS["lr"],
            weight_decay=SETTINGS["weight_decay"],
            puzzle_lr=SETTINGS["puzzle_lr"],
            puzzle_weight_decay=SETTINGS["puzzle_weight_decay"],
            device=device,
            **kwargs,
        )
        self.trainer.check_batches = False  # as Recipe.train: the data set is checked once at load

    def __call__(self, batch, global_batch_size: int) -> float:
        return self.trainer.train_step(batch, global_batch_size)["loss"]


def make_side(name: str, args, weights: dict[str, torch.Tensor], reference_weights: bool = True):
    if name.startswith("reference"):
        side = ReferenceStep(
            args.model,
            args.batch,
            args.reference,
            args.shim,
            compile=name == "reference-compile",
            dtype=args.dtype,
            device=args.device,
            **SETTINGS,
        )
        side.model.load_state_dict(weights)
        return side
    model = build(args.model, forward_dtype=args.dtype, seq_len=args.seq)
    if reference_weights:
        load_reference_state_dict(model, weights)
    else:
        model.load_state_dict(weights)
    model.to(args.device)
    compile = {"reasonkit": None, "reasonkit-eager": False, "reasonkit-compile-core": False}.get(name, True)
    side = OurStep(model, compile, args.device)
    if name == "reasonkit-compile-unfused":  # the compiled segment with the eager optimizer update
        side.trainer.optimizers[0].fused = False
    if name == "reasonkit-compile-core":  # what compile=true did before the whole segment was compiled
        model.core.run = torch.compile(model.core.run)
    return side


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="hrm-27m", choices=sorted(REFERENCE_CONFIGS))
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seq", type=int, default=81, help="tokens per example (the reference's config follows)")
    p.add_argument("--sides", default="reasonkit,reference-compile,reference", help=f"comma-separated: {SIDES}")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--reps", type=int, default=1, help="timed steps per side per round")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    p.add_argument("--device", default="cpu")
    p.add_argument("--reference", default=None, help="checkout of the reference (default: .ref/ or /work/ref/)")
    p.add_argument("--shim", default=None, help="folder with the CPU flash_attn_interface stand-in (HRM)")
    p.add_argument("--no-flops", action="store_true", help="skip the FLOP count and the matmul rate")
    args = p.parse_args()
    names = [s for s in args.sides.split(",") if s]
    unknown = [s for s in names if s not in SIDES]
    if unknown:
        p.error(f"unknown sides {unknown}; known: {', '.join(SIDES)}")
    family = REFERENCE_CONFIGS[args.model][0]
    args.reference = args.reference or default_reference_path(family)
    args.shim = default_shim() if args.shim is None else args.shim
    if any(s.startswith("reference") for s in names) and not args.reference:
        p.error("the reference sides need --reference (a checkout holding models/ and utils/)")
    if not any(s.startswith("reference") for s in names):
        args.reference = ""  # reasonkit alone: its own initialisation
    REFERENCE_CONFIGS[args.model][1]["seq_len"] = args.seq
    torch.set_num_threads(args.threads)
    load_before = load_average()

    # The weights: the reference's initialisation when it is present, else reasonkit's own.
    torch.manual_seed(0)
    from_reference = bool(args.reference)
    if from_reference:
        weights = ReferenceStep(args.model, args.batch, args.reference, args.shim, compile=False, **SETTINGS)
        weights = {k: v.clone() for k, v in weights.state_dict().items()}
    else:
        weights = build(args.model, forward_dtype=args.dtype, seq_len=args.seq).state_dict()
    sides = {name: make_side(name, args, weights, from_reference) for name in names}
    vocab = REFERENCE_CONFIGS[args.model][1]["vocab_size"]
    batches = random_batches(4, args.batch, args.seq, vocab)
    gbs = args.batch

    losses: dict[str, list[float]] = {n: [] for n in names}
    times: dict[str, list[float]] = {n: [] for n in names}
    first: dict[str, float] = {}

    def run(name: str, timed: bool) -> None:
        k = len(losses[name])
        torch.manual_seed(1000 + k)  # the same exploration draws for step k on every side
        start = time.perf_counter()
        losses[name].append(sides[name](batches[k % len(batches)], gbs))
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        if timed:
            times[name].append(elapsed)
        elif name not in first:
            first[name] = elapsed

    flops = None
    if not args.no_flops and names:
        probe = make_side("reasonkit-eager", args, weights, from_reference)
        flops = count_flops(lambda: probe(batches[0], gbs))
        del probe
    for name in names:  # one untimed step each: compilation, first-touch allocations
        run(name, timed=False)
    matmul: list[float] = []
    for _ in range(args.rounds):
        for name in names:
            for _ in range(args.reps):
                run(name, timed=True)
        if not args.no_flops:
            matmul.append(matmul_seconds(getattr(torch, args.dtype), device=args.device))

    steps = min(len(v) for v in losses.values()) if losses else 0
    base = names[0] if names else None
    result = {
        "benchmark": "train_vs_reference",
        "date": date.today().isoformat(),
        "model": args.model,
        "batch": args.batch,
        "seq": args.seq,
        "dtype": args.dtype,
        "machine": machine(args.threads),
        "load_before": load_before,
        "load_after": load_average(),
        "sides": {},
    }
    matmul_rate = matmul_flops() / statistics.median(matmul) if matmul else None
    if matmul_rate:
        result["matmul_gflops"] = round(matmul_rate / 1e9, 1)
    if flops:
        result["step_gflop"] = round(flops / 1e9, 2)
    for name in names:
        if name.startswith("reference"):
            result["reference_optimizer"] = sides[name].optimizer
        med = statistics.median(times[name]) if times[name] else float("nan")
        entry = {
            "median_s": round(med, 4),
            "min_s": round(min(times[name]), 4) if times[name] else None,
            "n": len(times[name]),
            "first_step_s": round(first.get(name, float("nan")), 2),
            "sequences_per_s": round(args.batch / med, 2),
            "max_loss_diff": max(abs(a - b) for a, b in zip(losses[name][:steps], losses[base][:steps]))
            if steps
            else None,
        }
        if flops and matmul_rate:
            entry["gflops"] = round(flops / med / 1e9, 1)
            entry["fraction_of_matmul"] = round(flops / med / matmul_rate, 3)
        result["sides"][name] = entry
    ours = [n for n in names if n.startswith("reasonkit")]
    refs = [n for n in names if n.startswith("reference")]
    pairs = [(o, r) for o in ours for r in refs] or [(o, names[0]) for o in names[1:]]
    if pairs:
        # Speed of the first over the second: the ratio of the medians, and the median of the ratios of the
        # same round's steps (paired, so that load changes between rounds cancel).
        result["ratios"] = {
            f"{o}/{r}": round(statistics.median(times[r]) / statistics.median(times[o]), 3) for o, r in pairs
        }
        result["paired_ratios"] = {
            f"{o}/{r}": round(statistics.median(b / a for a, b in zip(times[o], times[r])), 3) for o, r in pairs
        }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
