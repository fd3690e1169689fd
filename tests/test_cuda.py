"""CUDA-only checks, marked ``cuda`` and skipped without a CUDA device (tests/conftest.py).

``python benchmarks/gpu_check.py`` runs them on a GPU machine (``pytest -m cuda``): a bfloat16 training step with
float32 master weights, the attention backends (SDPA, and xformers where installed) against the explicit softmax,
``compile=True`` against eager, and two NCCL ranks against one process when two GPUs exist.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from reasonkit import build
from reasonkit.layers.attention import attention
from reasonkit.train import Trainer

pytestmark = pytest.mark.cuda

SCRIPT = Path(__file__).parent / "train" / "train_script.py"


def _batch(seed: int, n: int = 8, seq: int = 16, ids: int = 4) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(1, 11, (n, seq), generator=g, dtype=torch.int32)
    return {
        "inputs": x,
        "labels": x.flip(-1).long(),
        "puzzle_identifiers": torch.randint(0, ids, (n,), generator=g, dtype=torch.int32),
    }


def _trainer(compile: bool, dtype: str = "float32", **spec) -> Trainer:
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=16, num_puzzle_ids=4, forward_dtype=dtype, **spec).cuda()
    return Trainer(model, total_steps=100, lr=1e-3, puzzle_lr=1e-2, device="cuda", compile=compile)


def test_bfloat16_training_step_keeps_float32_master_weights():
    trainer = _trainer(compile=False, dtype="bfloat16")
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    for step in range(3):
        assert torch.isfinite(torch.tensor(trainer.train_step(_batch(step), 8)["loss"]))
    assert {p.dtype for p in trainer.model.parameters()} == {torch.float32}
    assert all(p.device.type == "cuda" for p in trainer.model.parameters())
    assert {v.dtype for v in trainer.carry.state.values()} == {torch.bfloat16}  # activations in the forward dtype
    changed = [k for k, v in trainer.model.state_dict().items() if not torch.equal(v, before[k])]
    assert "lm_head.weight" in changed and "embedding.puzzle.weight" in changed


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("backend", ["sdpa", "xformers"])
def test_attention_backends_agree_with_the_explicit_softmax(backend, dtype):
    if backend == "xformers" and importlib.util.find_spec("xformers") is None:
        pytest.skip("xformers is not installed")
    g = torch.Generator(device="cuda").manual_seed(0)
    q, k, v = (torch.randn(2, 37, 4, 32, device="cuda", generator=g).to(dtype) for _ in range(3))
    out = attention(q, k, v, backend)
    assert out.shape == q.shape and out.dtype == dtype
    tol = 1e-4 if dtype == torch.float32 else 2e-2
    torch.testing.assert_close(out.float(), attention(q, k, v, "math").float(), atol=tol, rtol=tol)
    trainer = _trainer(
        compile=False, dtype="bfloat16", **{"core.high.attention": backend, "core.low.attention": backend}
    )
    assert torch.isfinite(torch.tensor(trainer.train_step(_batch(0), 8)["loss"]))


def test_compiled_training_step_matches_eager():
    """compile=True on CUDA: the same losses as eager within float32 rounding over a few steps (halts included)."""
    losses = {}
    for compile in (False, True):
        trainer = _trainer(compile=compile)
        assert trainer.compiled == compile
        torch.manual_seed(1)
        losses[compile] = [trainer.train_step(_batch(step), 8)["loss"] for step in range(4)]
    torch.testing.assert_close(losses[True], losses[False], atol=1e-4, rtol=1e-4)


def test_two_nccl_ranks_equal_one_process(tmp_path):
    if torch.cuda.device_count() < 2:
        pytest.skip("needs two CUDA devices")
    from toy_data import make_dataset

    from reasonkit.checkpoint import load_checkpoint

    data = make_dataset(tmp_path / "data", num_ids=3)

    def config(out: Path) -> str:
        return json.dumps(
            dict(
                data_dir=str(data),
                model="hrm-tiny",
                out_dir=str(out),
                device="cuda",
                global_batch_size=8,
                total_steps=2,
                lr=1e-3,
                puzzle_lr=1e-2,
                lr_warmup_steps=1,
                progress=False,
                precision="float32",
                compile=False,
                model_overrides={"halting.exploration": 0.0, "seq_len": 16},
            )
        )

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = dict(env=env, capture_output=True, text=True, timeout=300)
    single = subprocess.run([sys.executable, str(SCRIPT), config(tmp_path / "one")], **run)
    assert single.returncode == 0, single.stderr[-3000:]
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    double = subprocess.run(launcher + [str(SCRIPT), config(tmp_path / "two")], **run)
    assert double.returncode == 0, double.stderr[-3000:]
    one, two = load_checkpoint(tmp_path / "one"), load_checkpoint(tmp_path / "two")
    assert two.meta["world_size"] == 2
    for key, value in one.model_state.items():
        torch.testing.assert_close(two.model_state[key], value, atol=2e-5, rtol=1e-4, msg=lambda m, k=key: f"{k}: {m}")
