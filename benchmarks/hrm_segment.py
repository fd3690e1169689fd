"""One HRM training segment, reasonkit against the reference implementation, in one run (ratio).

A segment is what the reference's training loop does per optimizer step: the ACT forward (including the Q-target
forward), the loss, backward and an AdamW step. Both models get the same weights and the same batches; their
runs alternate so that machine noise hits both alike.

    python benchmarks/hrm_segment.py --reference /path/to/HRM --shim /path/to/reference-cpu [--batch 8 --reps 5]

``--reference`` is a checkout of sapientinc/HRM (read, never copied); ``--shim`` a folder holding a stand-in
``flash_attn_interface`` module for the CPU. Without ``--reference`` only reasonkit is timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from reasonkit import build
from reasonkit.interop import load_reference_state_dict


def reference_model(path: str, shim: str, batch: int, dtype: str):
    sys.path[:0] = [shim, path]
    from models.hrm.hrm_act_v1 import HierarchicalReasoningModel_ACTV1  # type: ignore[import-not-found]

    config = dict(
        batch_size=batch,
        seq_len=81,
        puzzle_emb_ndim=512,
        num_puzzle_identifiers=1,
        vocab_size=11,
        H_cycles=2,
        L_cycles=2,
        H_layers=4,
        L_layers=4,
        hidden_size=512,
        expansion=4,
        num_heads=8,
        pos_encodings="rope",
        halt_max_steps=16,
        halt_exploration_prob=0.1,
        forward_dtype=dtype,
    )
    return HierarchicalReasoningModel_ACTV1(config)


def step(model, carry, data, optimizer, reference: bool):
    if reference:
        carry, out = model(carry=carry, batch=data)
    else:
        carry, out = model(carry, data)
    loss = F.cross_entropy(out["logits"].float().transpose(1, 2), data["labels"].long())
    loss = loss + F.binary_cross_entropy_with_logits(out["q_continue_logits"], out["target_q_continue"])
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return carry


def timed(model, data, reference: bool, reps: int) -> list[float]:
    model.train()
    # The reference keeps its puzzle table out of parameters(); ours has sparse gradients and its own optimizer.
    params = list(model.parameters()) if reference else model.dense_parameters()
    optimizer = torch.optim.AdamW(params, lr=1e-4)
    carry = model.initial_carry(data)
    carry = step(model, carry, data, optimizer, reference)  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        carry = step(model, carry, data, optimizer, reference)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", help="checkout of sapientinc/HRM")
    parser.add_argument("--shim", default="", help="folder with the flash_attn_interface stand-in")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    args = parser.parse_args()

    torch.manual_seed(0)
    ours = build("hrm-27m", forward_dtype=args.dtype)
    g = torch.Generator().manual_seed(0)
    data = {
        "inputs": torch.randint(0, 11, (args.batch, 81), generator=g, dtype=torch.int32),
        "labels": torch.randint(1, 11, (args.batch, 81), generator=g, dtype=torch.int32),
        "puzzle_identifiers": torch.zeros(args.batch, dtype=torch.int32),
    }
    models = {"reasonkit": ours}
    if args.reference:
        ref = reference_model(args.reference, args.shim, args.batch, args.dtype)
        load_reference_state_dict(ours, ref.state_dict())
        models["reference"] = ref
    results: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(2):  # alternate rounds so drift affects both
        for name, model in models.items():
            results[name] += timed(model, data, name == "reference", args.reps)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, batch {args.batch}, dtype {args.dtype}")
    for name, times in results.items():
        print(f"{name:10s} median {statistics.median(times):.3f} s/segment  (min {min(times):.3f}, n={len(times)})")
    if "reference" in results:
        ratio = statistics.median(results["reference"]) / statistics.median(results["reasonkit"])
        print(f"speed ratio reference/reasonkit: {ratio:.3f} (> 1 means reasonkit is faster)")


if __name__ == "__main__":
    main()
