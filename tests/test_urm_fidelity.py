"""URM fidelity: a flat core with a ConvSwiGLU transformer cell and the ``burn_in`` gradient equals the reference
URM (UbiquantAI/URM, Gao et al. 2025, arXiv 2512.14693) bit for bit on the CPU in float32.

The fixture tests/fixtures/urm_small (see its README; recorded by ``make_urm_fixtures.py``) holds a reference URM's
randomised weights, batches and outputs for six training segments (early halts, exploration-blocked halts,
max-step halts and resets), the ACTLossHead loss and every gradient of segment 0, three evaluation segments, and
two more from an evaluation with ``loops + 2`` (pretrain.py's first evaluation runs ``loops + 8``). Everything is
compared exactly: same operations in the same order give the same bits.
"""

from __future__ import annotations

import pytest
import torch
from reference_fixtures import batch, output, reference_model

from reasonkit import build
from reasonkit.interop import load_reference_state_dict, reference_key_map
from reasonkit.train.losses import LossHead

METRICS = ("count", "accuracy", "exact_accuracy", "q_halt_accuracy", "steps", "lm_loss", "q_halt_loss")


@pytest.fixture(autouse=True)
def one_thread():
    """The fixture was recorded with one intra-op thread (README). Other tests may leave torch with more, and with
    two the LM head's gradient, a sum over batch and positions, is reduced in another order (last-bit changes)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def fixture():
    return reference_model("urm_small")


def same(ours: torch.Tensor, ref: torch.Tensor, what: str, rtol: float = 0.0) -> None:
    assert ours.dtype == ref.dtype, f"{what}: dtype {ours.dtype} vs {ref.dtype}"
    torch.testing.assert_close(ours, ref, atol=0, rtol=rtol, msg=lambda m: f"{what}: {m}")


def check_loss(model, carry, out, tensors, prefix: str) -> torch.Tensor:
    """The engine's LossHead against the reference ACTLossHead. The float64 loss terms may differ in the last bit:
    the reference sums the [batch, seq] token losses in one ``sum()``, LossHead per sequence and then over the batch."""
    loss, metrics = LossHead("stablemax")(model.halting, carry, out)
    same(loss, tensors[f"{prefix}.loss"], f"{prefix} loss", rtol=1e-14)
    for key in METRICS:
        ref = tensors[f"{prefix}.metrics.{key}"]
        same(metrics[key].to(ref.dtype), ref, f"{prefix} {key}", rtol=1e-14 if ref.is_floating_point() else 0.0)
    assert "q_continue_loss" not in metrics and f"{prefix}.metrics.q_continue_loss" not in tensors
    return loss


def test_parameter_count_matches_reference(fixture):
    record, _, model = fixture
    assert model.num_parameters() == record["param_count"] == 134_146


def test_fixture_exercises_every_halting_path(fixture):
    record, _, _ = fixture
    counts = record["halting_counts"]
    assert counts["early_halts"] and counts["exploration_blocked"] and counts["max_step_halts"], counts
    assert any(s["metrics"]["exact_accuracy"] for s in record["segments"]), "no exactly-correct sequence recorded"


def test_training_segments_match_reference(fixture):
    record, tensors, model = fixture
    model.train()
    carry = model.initial_carry(batch(tensors, "seg0"))
    torch.manual_seed(record["seeds"]["rng_seed"])
    for t in range(record["num_segments"]):
        p = f"seg{t}"
        carry, out = model(carry, batch(tensors, p))
        for key in ("logits", "q_halt_logits", "q_continue_logits"):
            same(output(out, key), tensors[f"{p}.{key}"], f"{p} {key}")
        assert out.halting.target_q_continue is None and f"{p}.target_q_continue" not in tensors
        same(carry.state["h"], tensors[f"{p}.carry.current_hidden"], f"{p} h")
        same(carry.steps, tensors[f"{p}.carry.steps"], f"{p} steps")
        same(carry.halted, tensors[f"{p}.carry.halted"], f"{p} halted")
        for key in ("inputs", "labels", "puzzle_identifiers"):
            same(carry.data[key], tensors[f"{p}.carry.current_data.{key}"], f"{p} {key}")
        with torch.no_grad():
            check_loss(model, carry, out, tensors, p)


def test_loss_and_gradients_match_reference(fixture):
    record, tensors, model = fixture
    model.train()
    model.zero_grad(set_to_none=True)
    carry = model.initial_carry(batch(tensors, "seg0"))
    torch.manual_seed(record["seeds"]["rng_seed"])
    carry, out = model(carry, batch(tensors, "seg0"))
    check_loss(model, carry, out, tensors, "seg0").backward()

    mapping = reference_key_map(model)
    params = dict(model.named_parameters())
    checked = set()
    for key, ref_grad in tensors.items():
        if key.startswith("grad.inner."):
            name = mapping[key[len("grad.inner.") :]]
            same(params[name].grad, ref_grad, f"grad of {name}")
            checked.add(name)
    # The reference's puzzle table gets its gradient through a per-batch copy (local_weights, local_ids).
    table = model.embedding.puzzle.weight
    expected = torch.zeros_like(table).index_add_(
        0, tensors["grad.puzzle_emb.local_ids"], tensors["grad.puzzle_emb.local_weights"]
    )
    same(table.grad.to_dense(), expected, "puzzle table grad")
    checked.add("embedding.puzzle.weight")
    assert checked == set(params), set(params) - checked
    model.zero_grad(set_to_none=True)


def test_eval_segments_match_reference(fixture):
    """Eval runs every sequence to ``loops`` segments; with ``max_steps`` raised (pretrain.py mutates
    ``config.loops`` for its first evaluation) the run continues exactly like the reference's."""
    record, tensors, model = fixture
    model.eval()
    first = batch(tensors, "seg0")
    long_loops = record["long_eval_loops"]
    try:
        with torch.no_grad():
            for limit in (None, long_loops):
                carry = model.initial_carry(first)
                torch.manual_seed(record["seeds"]["rng_seed"])
                for t in range(limit or record["num_eval_segments"]):
                    carry, out = model(carry, first, max_steps=limit)
                    p = f"eval{t}" if t < record["num_eval_segments"] else f"evallong{t}"
                    for key in ("logits", "q_halt_logits", "q_continue_logits"):
                        same(output(out, key), tensors[f"{p}.{key}"], f"{p} ({limit}) {key}")
                    if limit is None or p.startswith("evallong"):
                        same(carry.halted, tensors[f"{p}.carry.halted"], f"{p} halted")
                        same(carry.steps, tensors[f"{p}.carry.steps"], f"{p} steps")
                    if limit is None:
                        check_loss(model, carry, out, tensors, p)
    finally:
        model.train()


def test_loads_checkpoint_keys_as_the_reference_saves_them(fixture):
    """pretrain.py saves torch.compile(ACTLossHead(model)) (EMA weights): keys start with ``_orig_mod.model.``."""
    _, tensors, model = fixture
    state = {"_orig_mod.model." + k[len("state.") :]: v for k, v in tensors.items() if k.startswith("state.")}
    fresh = type(model.spec).model_validate(model.spec.model_dump()).build()
    load_reference_state_dict(fresh, state)
    for name, value in model.state_dict().items():
        same(fresh.state_dict()[name], value, name)
    same(fresh.halting.head.weight, tensors["ckpt_example._orig_mod.model.inner.q_head.weight"], "q_head")
    assert fresh.core.cell.layers[0].mlp.dwconv.weight.dtype == torch.bfloat16  # stored as the reference does


@pytest.mark.parametrize("overrides, count", [({}, 13_662_210), ({"vocab_size": 12, "seq_len": 900}, 13_663_234)])
def test_full_size_counts_match_the_reference(overrides, count):
    """The reference URM (scripts/URM_*.sh settings) counts 13,662,210 parameters for Sudoku and 13,663,234 for
    ARC, puzzle table excluded (printed by ``make_urm_fixtures.py --full-counts``)."""
    with torch.device("meta"):
        model = build("urm-14m", **overrides)
    assert model.num_parameters() == count
    assert model.first_grad == 6 and len(model.core.schedule) == 12
    assert model.prefix_len == 1
