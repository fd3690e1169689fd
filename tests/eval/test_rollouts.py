"""Parallel noisy rollouts (PTRM, arXiv 2605.19943): one noise-free rollout is plain inference for every core and
halting policy with a confidence; seeds reproduce and differ; the noise skips the first segment and goes into the
named state; selection; early exit and refill keep one answer per puzzle within the allowed segments; bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny_models import tiny_spec

from reasonkit.errors import ConfigError
from reasonkit.eval import TestTime, infer
from reasonkit.registry import list_kinds
from reasonkit.tasks import get_task

SEQ = 16


def _model(core: str = "hierarchical", halting: str = "q_act", seed: int = 0, bias=0.0):
    """A tiny model whose halting head reads the state (random weights), so confidences vary with it; ``bias``
    is the head's bias (a number, or one per logit)."""
    torch.manual_seed(seed)
    model = tiny_spec(core, halting=halting).build().eval()
    if model.halting.head is not None:
        with torch.no_grad():
            model.halting.head.weight.normal_(0.0, 1.0)
            model.halting.head.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    return model


def _inputs(n: int = 7, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 6, (n, SEQ)).astype(np.int32)


def _halting_with_confidence() -> list[str]:
    return [k for k in list_kinds("halting") if tiny_spec(halting=k).build().halting.head is not None]


@pytest.mark.parametrize("halting", _halting_with_confidence())
@pytest.mark.parametrize("core", list_kinds("core"))
def test_one_noise_free_rollout_is_plain_inference(core, halting):
    model = _model(core, halting)
    x = _inputs()
    ids = np.arange(7) % 2
    for early_exit in (False, True):
        plain = infer(model, x, ids, batch_size=3, early_exit=early_exit)
        one = infer(model, x, ids, batch_size=3, early_exit=early_exit, test_time=TestTime(1, 0.0, seed=5))
        for field in ("predictions", "steps", "confidence", "candidates", "candidate_steps"):
            np.testing.assert_array_equal(getattr(one, field), getattr(plain, field))
        assert one.segments_run == plain.segments_run
        # and both equal the whole batch solved at once, without the slot pool
        whole = infer(model, x, ids, batch_size=7, early_exit=early_exit, test_time=TestTime(1, 0.0, "vote"))
        sol = model.solve(torch.as_tensor(x), torch.as_tensor(ids, dtype=torch.int32), early_exit=early_exit)
        np.testing.assert_array_equal(whole.predictions, sol.predictions.numpy())
        np.testing.assert_array_equal(whole.steps, sol.steps.numpy())
        np.testing.assert_array_equal(whole.confidence, sol.confidence.numpy())


@pytest.mark.parametrize("core", list_kinds("core"))
def test_every_core_names_a_latent_state(core):
    model = tiny_spec(core).build()
    assert model.core.latent in model.core.state_names
    assert TestTime(noise=0.1).noise_target(model) == model.core.latent


def test_rollouts_reproduce_for_a_seed_and_differ_across_seeds():
    model, x = _model(), _inputs()
    runs = [infer(model, x, batch_size=8, test_time=TestTime(4, 1.0, seed=s)) for s in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0].candidates, runs[1].candidates)
    np.testing.assert_array_equal(runs[0].candidate_confidence, runs[1].candidate_confidence)
    assert not np.array_equal(runs[0].candidate_confidence, runs[2].candidate_confidence)
    assert not np.array_equal(runs[0].candidates, runs[2].candidates)
    # the copies of one puzzle differ from each other (each has its own generator)
    assert all(len(set(c.tolist())) > 1 for c in runs[0].candidate_confidence)


def test_noise_is_not_added_before_the_first_segment():
    model, x = _model(), _inputs()
    plain = infer(model, x, max_steps=1)
    noisy = infer(model, x, max_steps=1, test_time=TestTime(3, 10.0))
    np.testing.assert_array_equal(noisy.candidates, np.repeat(plain.predictions[:, None], 3, 1))
    np.testing.assert_array_equal(noisy.candidate_confidence, np.repeat(plain.confidence[:, None], 3, 1))
    two, plain = infer(model, x, max_steps=2, test_time=TestTime(3, 10.0)), infer(model, x, max_steps=2)
    assert not np.array_equal(two.candidate_confidence, np.repeat(plain.confidence[:, None], 3, 1))


def test_the_noise_goes_into_the_named_state():
    model, x = _model(), _inputs()  # hierarchical: states z_h and z_l, latent z_l
    run = lambda **kw: infer(model, x, test_time=TestTime(2, 1.0, seed=3, **kw))  # noqa: E731
    default, low, high = run(), run(noise_state="z_l"), run(noise_state="z_h")
    np.testing.assert_array_equal(default.candidate_confidence, low.candidate_confidence)
    assert not np.array_equal(low.candidate_confidence, high.candidate_confidence)
    with pytest.raises(ConfigError, match=r"noise_state 'y' is not a state of the HierarchicalCore: \('z_h', 'z_l'\)"):
        run(noise_state="y")


def test_max_q_takes_the_most_confident_rollout_and_vote_the_most_frequent():
    model, x = _model(), _inputs()
    best = infer(model, x, test_time=TestTime(5, 1.0, "max_q", seed=4))
    pick = best.candidate_confidence.argmax(-1)
    np.testing.assert_array_equal(best.predictions, best.candidates[np.arange(7), pick])
    np.testing.assert_array_equal(best.confidence, best.candidate_confidence.max(-1))
    mode = infer(model, x, test_time=TestTime(5, 1.0, "vote", seed=4))
    np.testing.assert_array_equal(mode.candidates, best.candidates)  # the selection does not change the run
    for i in range(7):
        counts = [sum(np.array_equal(a, b) for b in mode.candidates[i]) for a in mode.candidates[i]]
        assert sum(np.array_equal(mode.predictions[i], b) for b in mode.candidates[i]) == max(counts)


@pytest.mark.parametrize("early_exit", [False, True])
def test_early_exit_and_refill_keep_one_answer_per_puzzle_within_the_segments(early_exit):
    model = _model(bias=(0.0, 3.0))  # q_halt, q_continue: most sequences halt at once, some run on
    x, limit = _inputs(9), 3
    tt = TestTime(3, 0.5, "max_q", tta=2, seed=1)
    res = infer(model, x, batch_size=5, max_steps=limit, early_exit=early_exit, test_time=tt, task=get_task("sudoku"))
    assert res.predictions.shape == (9, SEQ) and res.steps.shape == res.confidence.shape == (9,)
    assert res.candidates.shape == (9, 6, SEQ) and res.candidate_steps.shape == (9, 6)
    assert ((res.candidate_steps >= 1) & (res.candidate_steps <= limit)).all()
    assert (res.segments_per_puzzle <= tt.candidates * limit).all()
    assert res.segments_run <= limit * (9 * tt.candidates // 5 + 2)
    if early_exit:
        assert (res.candidate_steps < limit).any() and (res.candidate_steps == limit).any()
        assert res.segments_run < limit * -(-9 * tt.candidates // 5)  # refill ran fewer batched segments
    else:
        assert (res.candidate_steps == limit).all()


def test_select_max_q_without_a_confidence_is_an_error_and_vote_works():
    model, x = _model(halting="fixed"), _inputs()
    with pytest.raises(ConfigError, match="select=max_q needs a halting confidence.*use select=vote"):
        infer(model, x, test_time=TestTime(2, 0.5))
    res = infer(model, x, test_time=TestTime(2, 0.5, "vote"))
    assert res.confidence is None and res.candidate_confidence is None and res.predictions.shape == (7, SEQ)
    infer(model, x, test_time=TestTime(1, 0.5))  # one rollout: nothing to choose between


@pytest.mark.parametrize(
    "options, message",
    [
        ({"rollouts": 0}, "rollouts must be a whole number of at least 1, got 0"),
        ({"rollouts": 2.5}, "rollouts must be a whole number of at least 1, got 2.5"),
        ({"tta": 0}, "tta must be a whole number of at least 1, got 0"),
        ({"noise": -0.1}, "noise must be at least 0"),
        ({"noise": float("nan")}, "noise must be a finite number"),
        ({"select": "best"}, "select must be one of max_q, vote, got 'best'"),
        ({"seed": -1}, "seed must be a whole number of at least 0"),
    ],
)
def test_bad_options_are_one_line_config_errors(options, message):
    with pytest.raises(ConfigError, match=message) as info:
        TestTime(**options)
    assert "\n" not in str(info.value)


def test_tta_needs_a_task_with_enough_symmetries():
    model, x = _model(), _inputs()
    with pytest.raises(ConfigError, match="tta needs the task's symmetries"):
        infer(model, x, test_time=TestTime(tta=2))
    with pytest.raises(ConfigError, match="the maze task has 7 symmetries besides the identity: tta must be at most 8"):
        infer(model, x, test_time=TestTime(tta=9), task=get_task("maze"))
