"""One command for a CUDA machine: the CUDA tests and the training-step benchmark against the reference (goal 6).

    python benchmarks/gpu_check.py [--out gpu_check.json] [--budget 480]

1. ``pytest -m cuda tests/``: a bfloat16 training step with float32 master weights, the SDPA and xformers attention
   backends (xformers where installed), ``compile=True`` against eager, two NCCL ranks against one process (when
   two GPUs exist; skipped otherwise).
2. ``benchmarks/train_vs_reference.py`` for hrm-27m at the HRM paper's per-GPU batch (global 768 on 8 GPUs: 96) and
   trm-7m at TRM's (global 768 on one GPU: 768), in bfloat16 as both papers train: reasonkit's default training
   path against the reference's own compiled one, printing sequences per second and the ratio.

Needs the project installed and a CUDA device; installs nothing. The reference checkouts are looked up in
``--reference-root`` (holding ``hrm/``, ``trm/`` and ``reference-cpu/``), by default where
train_vs_reference.py looks (``.ref/``, then /work/ref); HRM also needs ``flash_attn`` or the stand-in in
``reference-cpu/``, which runs SDPA on CUDA too. Without a checkout only reasonkit is timed. Each part runs in its
own process with a share of ``--budget`` seconds (8 minutes by default), so one slow part cannot stop the rest.
Writes one JSON file (``--out``, default ``$OUT/gpu_check.json`` when ``$OUT`` is set, else ``gpu_check.json``) and
prints it; exits 1 if a part failed, 2 without a GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: (preset, per-GPU batch of the paper's run, reference family)
MODELS = (("hrm-27m", 96, "hrm"), ("trm-7m", 768, "trm"))


def run(cmd: list[str], timeout: float) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=max(timeout, 1))
        return done.returncode, done.stdout, done.stderr, time.perf_counter() - start
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else err.stdout or ""
        return 124, out, f"timed out after {timeout:.0f} s", time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_out = str(Path(os.environ["OUT"]) / "gpu_check.json") if os.environ.get("OUT") else "gpu_check.json"
    p.add_argument("--out", default=default_out)
    p.add_argument("--budget", type=float, default=480.0, help="seconds for everything (default 8 minutes)")
    p.add_argument("--reference-root", default=None, help="folder holding hrm/, trm/, reference-cpu/")
    p.add_argument("--sides", default="reasonkit,reference-compile", help="sides of train_vs_reference.py")
    p.add_argument("--skip-tests", action="store_true")
    args = p.parse_args()

    import torch

    result: dict = {"benchmark": "gpu_check", "date": time.strftime("%Y-%m-%d"), "torch": torch.__version__}
    if not torch.cuda.is_available():
        result["error"] = (
            "no CUDA device: torch.cuda.is_available() is False "
            f"(torch {torch.__version__}, built for CUDA {torch.version.cuda}); run this on a GPU machine"
        )
        Path(args.out).write_text(json.dumps(result, indent=1))
        print(f"gpu_check: {result['error']}", file=sys.stderr)
        return 2
    result["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    start = time.perf_counter()
    remaining = lambda: args.budget - (time.perf_counter() - start)  # noqa: E731
    failed = False

    if not args.skip_tests:
        code, out, err, took = run(
            [sys.executable, "-m", "pytest", "-m", "cuda", "-q", "-rs", "tests/"], 0.3 * args.budget
        )
        tail = (out + err).strip().splitlines()
        summary = next((line for line in reversed(tail) if re.search(r"\d+ (passed|failed|skipped|error)", line)), "")
        result["tests"] = {"returncode": code, "summary": summary.strip("= "), "seconds": round(took, 1)}
        if code != 0:
            failed = True
            result["tests"]["output_tail"] = "\n".join(tail[-40:])
        print(f"gpu_check: cuda tests: {summary or code}", file=sys.stderr)

    sys.path.insert(0, str(HERE))
    from _common import default_reference_path, default_shim

    result["train_step"] = {}
    for i, (preset, batch, family) in enumerate(MODELS):
        share = remaining() / (len(MODELS) - i)
        cmd = [sys.executable, str(HERE / "train_vs_reference.py"), "--model", preset, "--batch", str(batch)]
        cmd += ["--device", "cuda", "--dtype", "bfloat16", "--rounds", "2", "--reps", "5", "--no-flops"]
        root = Path(args.reference_root) if args.reference_root else None
        reference = root / family if root else Path(default_reference_path(family) or REPO / ".ref" / family)
        shim = root / "reference-cpu" if root else default_shim()
        if (reference / "models").is_dir():
            cmd += ["--sides", args.sides, "--reference", str(reference), "--shim", str(shim)]
        else:
            cmd += ["--sides", "reasonkit"]
        code, out, err, took = run(cmd, share)
        entry: dict = {"batch": batch, "returncode": code, "seconds": round(took, 1)}
        if not (reference / "models").is_dir():
            entry["note"] = f"no reference checkout at {reference}: reasonkit alone"
        try:
            bench = json.loads(out)
            entry["sequences_per_s"] = {k: v["sequences_per_s"] for k, v in bench["sides"].items()}
            entry["first_step_s"] = {k: v["first_step_s"] for k, v in bench["sides"].items()}
            entry["max_loss_diff"] = {k: v["max_loss_diff"] for k, v in bench["sides"].items()}
            entry["ratios"] = bench.get("ratios", {})
            entry["reference_optimizer"] = bench.get("reference_optimizer")
        except (json.JSONDecodeError, KeyError):
            failed = True
            entry["output_tail"] = (out + err)[-3000:]
        result["train_step"][preset] = entry
        print(
            f"gpu_check: {preset} batch {batch}: {entry.get('sequences_per_s')} {entry.get('ratios')}", file=sys.stderr
        )

    result["seconds"] = round(time.perf_counter() - start, 1)
    result["ok"] = not failed
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
