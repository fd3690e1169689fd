"""Where one training step's time goes: matmuls, attention, norms, rotary, SwiGLU, loss, optimizer, Python.

    python benchmarks/profile_step.py --model hrm-27m --batch 16 [--compile default|true|false] [--steps 2]

Profiles ``Trainer.train_step`` (after warm-up steps) with ``torch.profiler`` and sums the self CPU time of every
operator into a phase (forward, backward, optimizer) and a kind: ``matmul`` (mm, addmm, bmm), ``attention``
(scaled-dot-product kernels), ``compiled`` (inductor's fused kernels, timed as their compiled region),
``dispatch`` (the autograd engine's and optimizer wrappers' own time), and the elementwise rest attributed to
the source file that called it in the forward (``norm``, ``rope``, ``swiglu``, ``losses``, ...) or to the autograd
node that ran it in backward. ``python_and_overhead_share`` is wall time covered by no operator (the interpreter);
``waiting_share`` the time threads spent blocked on a lock, left out of the shares. Prints one JSON object; the
FLOP/s of the matmuls alone is given as a fraction of a plain 2048x2048 matmul.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import count_flops, load_average, machine, matmul_flops, matmul_seconds, random_batches  # noqa: E402

from reasonkit import build  # noqa: E402
from reasonkit.train import Trainer  # noqa: E402

MATMUL = {"aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "mkl::_mkl_linear", "mkldnn::_linear_pointwise"}
SOURCES = ("norm", "rope", "swiglu", "attention", "linear", "losses", "embedding", "reasoner", "q_act", "base")


def kind_of(event) -> str:
    name = event.name
    if name in MATMUL:
        return "matmul"
    if "scaled_dot_product" in name or "flash_attention" in name:
        return "attention"
    if name.startswith("cpp_fused") or "Torch-Compiled" in name or "CompiledFunction" in name:
        return "compiled"
    if name == "<built-in function kernel>":  # inductor's generated C++ kernels, called from its Python wrapper
        return "compiled"
    if name.startswith("<built-in method acquire"):  # a thread waiting on a lock: no work of the step
        return "wait"
    if name.startswith(("autograd::", "Optimizer.")):
        return "dispatch"
    return "elementwise"


def phase_and_node(event) -> tuple[str, str]:
    if event.name.startswith("autograd::engine::evaluate_function"):
        return "backward", event.name.split(":")[-1].strip()
    if event.name.startswith("Optimizer.step"):
        return "optimizer", event.name.split("#")[-1]
    node, parent = "", event.cpu_parent
    while parent is not None:
        if parent.name.startswith("Optimizer.step"):
            return "optimizer", parent.name.split("#")[-1]
        if parent.name.startswith("autograd::engine::evaluate_function"):
            node = parent.name.split(":")[-1].strip()
            return "backward", node
        parent = parent.cpu_parent
    return "forward", node


def source_of(event) -> str:
    """The innermost reasonkit file among the Python frames above an operator (with_stack records them)."""
    parent = event.cpu_parent
    while parent is not None:
        for source in SOURCES:
            if f"/{source}.py(" in parent.name:
                return source
        parent = parent.cpu_parent
    return "other"


def _trainer(args, kwargs: dict) -> Trainer:
    torch.manual_seed(0)
    model = build(args.model, seq_len=args.seq, forward_dtype="float32")
    trainer = Trainer(model, total_steps=10**6, lr=1e-4, weight_decay=1.0, puzzle_lr=1e-4, **kwargs)
    trainer.check_batches = False
    return trainer


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="hrm-27m")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seq", type=int, default=81)
    p.add_argument("--steps", type=int, default=2, help="profiled steps (after two warm-up steps)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--compile", default="default", choices=["default", "true", "false"])
    p.add_argument("--top", type=int, default=15, help="how many operators to list")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    load_before = load_average()
    batches = random_batches(2, args.batch, args.seq, build(args.model, seq_len=args.seq).vocab_size)
    flops = count_flops(lambda: _trainer(args, {"compile": False}).train_step(batches[0], args.batch))
    kwargs = {} if args.compile == "default" else {"compile": args.compile == "true"}
    trainer = _trainer(args, kwargs)
    for i in range(2):
        trainer.train_step(batches[i % 2], args.batch)

    with profile(activities=[ProfilerActivity.CPU], with_stack=True) as prof:
        start = time.perf_counter()
        for i in range(args.steps):
            trainer.train_step(batches[i % 2], args.batch)
        wall = (time.perf_counter() - start) / args.steps
    matmul_rate = matmul_flops() / matmul_seconds(torch.float32)

    totals: dict[str, float] = defaultdict(float)
    detail: dict[str, float] = defaultdict(float)
    ops: dict[str, float] = defaultdict(float)
    waiting = 0.0
    for event in prof.events():
        if event.self_cpu_time_total <= 0 or ".py(" in event.name:
            continue  # Python frames: their own time is the interpreter's, counted as overhead below
        seconds = event.self_cpu_time_total / 1e6 / args.steps
        phase, node = phase_and_node(event)
        kind = kind_of(event)
        if kind == "wait":
            waiting += seconds
            continue
        totals[f"{phase}/{kind}"] += seconds
        if kind == "elementwise":
            where = source_of(event) if phase == "forward" else (node or "other")
            detail[f"{phase}/{where}"] += seconds
        ops[event.name] += seconds
    covered = sum(totals.values())
    matmul_s = sum(v for k, v in totals.items() if k.endswith("/matmul"))
    result = {
        "benchmark": "profile_step",
        "date": date.today().isoformat(),
        "model": args.model,
        "batch": args.batch,
        "seq": args.seq,
        "compile": args.compile,
        "machine": machine(args.threads),
        "load_before": load_before,
        "load_after": load_average(),
        "step_s": round(wall, 4),
        "step_gflop": round(flops / 1e9, 2),
        "fraction_of_matmul": round(flops / wall / matmul_rate, 3),
        "matmul_ops_fraction_of_plain_matmul": round(flops / max(matmul_s, 1e-9) / matmul_rate, 3),
        "share": {k: round(v / wall, 4) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])},
        "python_and_overhead_share": round(max(0.0, wall - covered) / wall, 4),
        "waiting_share": round(waiting / wall, 4),
        "elementwise_share": {k: round(v / wall, 4) for k, v in sorted(detail.items(), key=lambda kv: -kv[1])[:20]},
        "top_ops_share": {k: round(v / wall, 4) for k, v in sorted(ops.items(), key=lambda kv: -kv[1])[: args.top]},
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
