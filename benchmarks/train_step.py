"""Training throughput: optimizer steps per second of the deep-supervision step, eager vs torch.compile.

    python benchmarks/train_step.py [--preset hrm-tiny] [--batch 64] [--seq 16] [--steps 30] [--compile]

Measures the full step (segment, Q-target pass, loss, backward, Adam-atan2, puzzle sign-SGD) on random tokens,
after warm-up, in one process: ``compile=False``, and with ``--compile`` also ``compile=True`` (the whole
segment, its loss and the fused optimizer update). The warm-up (compilation) is reported separately from the
timed steps. For the comparison with the reference implementations see train_vs_reference.py.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from reasonkit import build
from reasonkit.train import Trainer


def run(preset: str, batch: int, seq: int, steps: int, compile: bool, threads: int) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(preset, seq_len=seq, num_puzzle_ids=4)
    trainer = Trainer(model, total_steps=steps + 5, lr=1e-4, weight_decay=0.1, puzzle_lr=1e-2, compile=compile)
    x = torch.randint(0, model.vocab_size, (batch, seq), dtype=torch.int32)
    b = {"inputs": x, "labels": x.long(), "puzzle_identifiers": torch.randint(0, 4, (batch,), dtype=torch.int32)}
    start = time.perf_counter()
    for _ in range(3):
        trainer.train_step(b, batch)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step(b, batch)
    sec = (time.perf_counter() - start) / steps
    return {
        "preset": preset,
        "batch": batch,
        "seq": seq,
        "compile": compile,
        "warmup_seconds": round(warm, 2),
        "seconds_per_step": round(sec, 4),
        "steps_per_second": round(1 / sec, 2),
        "machine": f"{platform.machine()}, {threads} threads, torch {torch.__version__}",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="hrm-tiny")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seq", type=int, default=16)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--compile", action="store_true", help="also measure with torch.compile of the segment")
    args = p.parse_args()
    print(json.dumps(run(args.preset, args.batch, args.seq, args.steps, False, args.threads)))
    if args.compile:
        print(json.dumps(run(args.preset, args.batch, args.seq, args.steps, True, args.threads)))


if __name__ == "__main__":
    main()
