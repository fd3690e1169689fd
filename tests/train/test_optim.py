"""Adam-atan2 against a hand-written update; sign-SGD with repeated ids; timm optimizers by name; the schedule."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from reasonkit.train.optim import AdamAtan2, SparseSignSGD, create_optimizer
from reasonkit.train.schedule import WarmupCosine


def test_adam_atan2_matches_hand_written_update():
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(5, 3))
    ref = p.detach().clone().double()
    m = torch.zeros_like(ref)
    v = torch.zeros_like(ref)
    lr, wd, b1, b2 = 0.01, 0.1, 0.9, 0.95
    opt = AdamAtan2([p], lr=lr, betas=(b1, b2), weight_decay=wd)
    for t in range(1, 6):
        g = torch.randn(5, 3)
        p.grad = g.clone()
        opt.step()
        g = g.double()
        ref = ref * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        update = torch.tensor(
            [
                [math.atan2(mi / (1 - b1**t), math.sqrt(vi / (1 - b2**t))) for mi, vi in zip(mr, vr)]
                for mr, vr in zip(m.tolist(), v.tolist())
            ],
            dtype=torch.float64,
        )
        ref = ref - lr * update
    torch.testing.assert_close(p.detach().double(), ref, atol=1e-6, rtol=0)


def test_fused_adam_atan2_equals_the_eager_update():
    """The compiled one-kernel update follows the eager one within float32 rounding, as lr and step change."""
    torch.manual_seed(0)
    shapes = [(7, 5), (3,), (2, 3, 4)]
    eager = [torch.nn.Parameter(torch.randn(s)) for s in shapes]
    fused = [torch.nn.Parameter(p.detach().clone()) for p in eager]
    opts = [AdamAtan2(ps, lr=0.01, weight_decay=0.1, fused=f) for ps, f in ((eager, False), (fused, True))]
    for t in range(4):
        grads = [torch.randn(s) for s in shapes]
        for opt, ps in zip(opts, (eager, fused)):
            opt.param_groups[0]["lr"] = 0.01 / (t + 1)
            for p, g in zip(ps, grads):
                p.grad = g.clone()
            opt.step()
    for a, b in zip(eager, fused):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)
    assert opts[1].state[fused[0]]["step"] == 4


def test_adam_atan2_has_no_epsilon_and_bounded_steps():
    p = torch.nn.Parameter(torch.zeros(3))
    opt = AdamAtan2([p], lr=1.0)
    p.grad = torch.tensor([1e-12, -5.0, 0.0])
    opt.step()
    # atan2(m, sqrt(v)) = atan2(g, |g|) = +-pi/4 at the first step, even for tiny gradients; 0 for a zero gradient.
    torch.testing.assert_close(p.detach(), torch.tensor([-math.pi / 4, math.pi / 4, 0.0]))


def test_sign_sgd_sums_repeated_ids_and_touches_only_batch_rows():
    table = torch.nn.Parameter(torch.ones(5, 2))
    ids = torch.tensor([1, 3, 1, 1])
    # Row 1 gets +1 from one slot and -0.75 from two others: the sum is -0.5, so its sign is -1.
    upstream = torch.tensor([[1.0, 1.0], [2.0, -2.0], [-0.25, -0.25], [-0.5, 2.0]])
    (F.embedding(ids, table, sparse=True) * upstream).sum().backward()
    assert table.grad.is_sparse
    lr, wd = 0.1, 0.5
    SparseSignSGD([table], lr=lr, weight_decay=wd).step()
    expected = torch.ones(5, 2)
    expected[1] = 1 * (1 - lr * wd) - lr * torch.tensor([1.0, 1.0])  # sums: 0.25, 2.75 -> signs +, +
    expected[3] = 1 * (1 - lr * wd) - lr * torch.tensor([1.0, -1.0])
    torch.testing.assert_close(table.detach(), expected)


def test_sign_sgd_zero_gradient_only_decays():
    table = torch.nn.Parameter(torch.full((3, 2), 2.0))
    F.embedding(torch.tensor([2]), table, sparse=True).sum().mul(0).backward()
    SparseSignSGD([table], lr=0.1, weight_decay=1.0).step()
    torch.testing.assert_close(table.detach()[2], torch.full((2,), 2.0 * 0.9))
    torch.testing.assert_close(table.detach()[:2], torch.full((2, 2), 2.0))


@pytest.mark.parametrize("name", ["adamw", "lamb", "lion", "sgd"])
def test_timm_optimizers_by_name(name):
    p = torch.nn.Parameter(torch.randn(4, 4))
    opt = create_optimizer([p], name, lr=1e-3, weight_decay=0.1)
    before = p.detach().clone()
    p.grad = torch.randn(4, 4)
    opt.step()
    assert not torch.equal(before, p.detach())


def test_unknown_optimizer_names_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'adamw'"):
        create_optimizer([torch.nn.Parameter(torch.zeros(1))], "adamww", lr=1e-3, weight_decay=0.0)


def test_schedule_values_at_chosen_steps():
    s = WarmupCosine(warmup_steps=10, total_steps=110, min_ratio=0.1)
    assert s.factor(0) == 0.0
    assert s.factor(5) == pytest.approx(0.5)
    assert s.factor(10) == pytest.approx(1.0)
    assert s.factor(60) == pytest.approx(0.1 + 0.9 * 0.5)  # half-way through the cosine
    assert s.factor(110) == pytest.approx(0.1)
    assert s.factor(200) >= 0.1
    hrm = WarmupCosine(warmup_steps=2000, total_steps=26041, min_ratio=1.0)  # warmup then constant
    assert hrm.factor(1) == pytest.approx(1 / 2000)
    assert all(hrm.factor(k) == pytest.approx(1.0) for k in (2000, 10000, 26041))


def test_schedule_sets_learning_rates():
    p = torch.nn.Parameter(torch.zeros(1))
    opts = [torch.optim.SGD([p], lr=1.0), torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)]
    WarmupCosine(4, 8).apply(opts, [1e-3, 1e-2], 2)
    assert opts[0].param_groups[0]["lr"] == pytest.approx(5e-4)
    assert opts[1].param_groups[0]["lr"] == pytest.approx(5e-3)


def _urm_dense():
    import reasonkit

    torch.manual_seed(0)
    model = reasonkit.build("urm-tiny")
    return model, {id(p): n for n, p in model.named_parameters() if p is not model.embedding.puzzle.weight}


@pytest.mark.parametrize("source", ["torch", "timm"])
def test_muon_takes_the_2d_weights_and_adamw_the_rest(source, monkeypatch):
    """URM's ARC-AGI-2 optimizer: the two groups partition the dense parameters (2-D weights to Muon, biases and
    the bfloat16 depthwise convolutions to AdamW; the puzzle table to neither), and one step changes both."""
    if source == "timm":
        monkeypatch.delattr(torch.optim, "Muon", raising=False)
    model, names = _urm_dense()
    lr = 1e-3
    opt = create_optimizer(model.dense_parameters(), "muon", lr=lr, weight_decay=0.0)
    if source == "torch":
        assert [type(o) for o in opt.optimizers] == [torch.optim.Muon, torch.optim.AdamW]
    else:
        assert type(opt).__module__.startswith("timm") and opt.param_groups[1]["use_fallback"]
    muon, adamw = ([names[id(p)] for p in g["params"]] for g in opt.param_groups)
    assert sorted(muon + adamw) == sorted(names.values()) and not set(muon) & set(adamw)
    params = dict(model.named_parameters())
    assert sorted(muon) == sorted(n for n in names.values() if params[n].ndim == 2)
    assert {"embedding.tokens.weight", "lm_head.weight", "halting.head.weight"} <= set(muon)
    assert {"halting.head.bias", "core.cell.layers.0.mlp.dwconv.weight"} <= set(adamw)

    before = {n: p.detach().clone() for n, p in params.items()}
    b = {"inputs": torch.randint(0, 11, (2, 81)), "labels": torch.randint(1, 11, (2, 81))}
    b["puzzle_identifiers"] = torch.zeros(2, dtype=torch.long)
    _, out = model(model.initial_carry(b), b)
    (out.logits.float().square().mean() + out.halting.logits.float().square().mean()).backward()
    opt.step()
    changed = {n for n, p in params.items() if not torch.equal(p.detach(), before[n])}
    assert {"core.cell.layers.0.self_attn.qkv_proj.weight", "halting.head.bias"} <= changed
    assert "embedding.puzzle.weight" not in changed
    # Moonlight's scaling (URM's too): an orthogonalised step times 0.2 sqrt(max(rows, cols)) has an RMS of ~0.2 lr.
    name = "core.cell.layers.0.mlp.down_proj.weight"
    rms = (params[name].detach() - before[name]).square().mean().sqrt().item()
    assert 0.1 * lr < rms < 0.3 * lr, rms


def test_muon_state_round_trips_and_resumes_identically():
    model, _ = _urm_dense()
    opt = create_optimizer(model.dense_parameters(), "muon", lr=1e-3, weight_decay=0.1)
    for p in model.dense_parameters():
        p.grad = torch.randn_like(p)
    opt.step()
    import io

    buffer = io.BytesIO()
    torch.save(opt.state_dict(), buffer)
    buffer.seek(0)
    twin_model, _ = _urm_dense()
    twin_model.load_state_dict(model.state_dict())
    twin = create_optimizer(twin_model.dense_parameters(), "muon", lr=1e-3, weight_decay=0.1)
    twin.load_state_dict(torch.load(buffer, weights_only=True))
    for a, b in zip(model.dense_parameters(), twin_model.dense_parameters()):
        a.grad = torch.randn_like(a)
        b.grad = a.grad.clone()
    opt.step()
    twin.step()
    for a, b in zip(model.dense_parameters(), twin_model.dense_parameters()):
        assert torch.equal(a, b)
