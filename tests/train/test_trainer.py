"""The training step is generic over every registered halting policy and gradient estimator."""

from __future__ import annotations

import pytest
import torch

import reasonkit
from reasonkit import build
from reasonkit.train import Trainer


def _batch(seed=0, n=4, seq=8):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 11, (n, seq), generator=g, dtype=torch.int32)
    return {
        "inputs": x,
        "labels": x.flip(-1).long(),
        "puzzle_identifiers": torch.randint(0, 2, (n,), generator=g, dtype=torch.int32),
    }


@pytest.mark.parametrize("halting", reasonkit.list_kinds("halting"))
def test_every_halting_policy_trains(halting):
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=8, num_puzzle_ids=2, halting={"kind": halting, "max_steps": 2})
    trainer = Trainer(model, total_steps=3, lr=1e-3, puzzle_lr=1e-2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for step in range(3):
        metrics = trainer.train_step(_batch(step), 4)
        assert torch.isfinite(torch.tensor(metrics["loss"]))
        assert "lm_loss" in metrics and "exact_accuracy" in metrics
    changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
    assert "embedding.puzzle.weight" in changed and "lm_head.weight" in changed


@pytest.mark.parametrize("gradient", reasonkit.list_kinds("gradient"))
def test_every_gradient_estimator_trains(gradient):
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=8, num_puzzle_ids=2, gradient=gradient, **{"halting.max_steps": 2})
    trainer = Trainer(model, total_steps=2, lr=1e-3)
    for step in range(2):
        assert torch.isfinite(torch.tensor(trainer.train_step(_batch(step), 4)["loss"]))


def test_compile_option_wraps_the_segment_and_keeps_weight_names():
    model = build("hrm-tiny", seq_len=8)
    names = list(model.state_dict())
    trainer = Trainer(model, total_steps=1, compile=True)
    assert trainer.compiled and trainer._forward is not trainer._segment_loss  # the compiled segment and loss
    assert trainer.optimizers[0].fused
    assert list(model.state_dict()) == names
    assert not Trainer(build("hrm-tiny", seq_len=8), total_steps=1, compile=False).compiled


def test_compile_auto_compiles_only_large_long_runs(monkeypatch):
    from reasonkit.train import trainer as trainer_module
    from reasonkit.train.trainer import COMPILE_MIN_STEPS, resolve_compile

    tiny, large = build("hrm-tiny", seq_len=8), build("trm-7m")
    monkeypatch.setattr(trainer_module, "compiler_available", lambda device: device == "cpu")
    assert not resolve_compile("auto", tiny, 10**6)  # compiling costs more than it saves over a demo
    assert resolve_compile("auto", large, COMPILE_MIN_STEPS)
    assert not resolve_compile("auto", large, COMPILE_MIN_STEPS - 1)
    assert not resolve_compile("auto", large, 10**6, device="mps")  # no toolchain there: eager
    assert resolve_compile(True, tiny, 1) and not resolve_compile(False, large, 10**6)
    with pytest.raises(ValueError, match="compile must be"):
        resolve_compile("yes", tiny, 1)


def test_ema_is_trms_constant_decay_average_and_leaves_the_puzzle_table_as_trained():
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=8, num_puzzle_ids=2, **{"halting.max_steps": 2})
    trainer = Trainer(model, total_steps=3, lr=1e-2, puzzle_lr=1e-2, ema=0.5)
    shadow = {k: v.detach().clone() for k, v in model.named_parameters()}  # TRM's EMAHelper.register
    for step in range(3):
        trainer.train_step(_batch(step), 4)
        for k, v in model.named_parameters():  # TRM's EMAHelper.update with mu = 0.5
            shadow[k] = 0.5 * v.detach() + 0.5 * shadow[k]
    ema = dict(trainer.eval_model().named_parameters())
    assert trainer.eval_model() is not model
    assert not torch.equal(ema["lm_head.weight"], model.lm_head.weight)
    torch.testing.assert_close(ema["lm_head.weight"], shadow["lm_head.weight"])
    # TRM keeps the puzzle table as a buffer outside its EMA: the EMA copy uses the trained table
    assert torch.equal(ema["embedding.puzzle.weight"], model.embedding.puzzle.weight)
    assert not torch.equal(ema["embedding.puzzle.weight"], shadow["embedding.puzzle.weight"])


def test_bfloat16_forward_keeps_float32_master_weights():
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=8, num_puzzle_ids=2, forward_dtype="bfloat16", **{"halting.max_steps": 2})
    trainer = Trainer(model, total_steps=2, lr=1e-3)
    for step in range(2):
        assert torch.isfinite(torch.tensor(trainer.train_step(_batch(step), 4)["loss"]))
    assert {p.dtype for p in model.parameters()} == {torch.float32}


def test_gradient_clipping_bounds_the_update():
    torch.manual_seed(0)
    model = build("hrm-tiny", seq_len=8, num_puzzle_ids=2, **{"halting.max_steps": 2})
    trainer = Trainer(model, total_steps=1, optimizer="momentum", lr=1.0, grad_clip=1e-3)
    before = [p.detach().clone() for p in trainer.dense_params]
    trainer.train_step(_batch(), 4)
    moved = torch.cat([(p.detach() - b).reshape(-1) for p, b in zip(trainer.dense_params, before)])
    assert 0 < moved.norm() <= 1e-3 + 1e-6  # first momentum-SGD step with lr 1 = the clipped gradient


def test_state_dict_has_no_unused_ema_step():
    model = build("hrm-tiny", seq_len=8, num_puzzle_ids=2, **{"halting.max_steps": 2})
    trainer = Trainer(model, total_steps=1, lr=1e-2, ema=0.5)
    trainer.train_step(_batch(0), 4)
    assert "ema_step" not in trainer.state_dict()
