"""The least-loss shortest path (MinLoss target): optimal against brute force, a valid shortest path, the label
when the cost favours it, mazes without a path unchanged; the loss head and the recipe use it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reasonkit import build
from reasonkit.data.schema import IGNORE_LABEL
from reasonkit.errors import ConfigError
from reasonkit.tasks.maze import bfs, decode, generate_maze, is_shortest_path
from reasonkit.tasks.maze.codec import TOKENS, encode
from reasonkit.tasks.maze.nearest import least_cost_shortest_paths
from reasonkit.tasks.maze.task import MazeTask
from reasonkit.tasks.sudoku import build_sudoku
from reasonkit.train import Recipe, TrainConfig, config_from_overrides
from reasonkit.train.losses import LossHead, softmax_cross_entropy


def _maze(seed: int, size: int):
    q, a = generate_maze(seed, size, size // 2, style="noise", ties=True)
    return encode(q).reshape(-1).astype(np.int64), encode(a).reshape(-1).astype(np.int64)


def _all_shortest_paths(question: np.ndarray, side: int) -> list[frozenset[int]]:
    grid = decode(question).reshape(side, side)
    s = tuple(np.argwhere(grid == ord("S"))[0])
    g = tuple(np.argwhere(grid == ord("G"))[0])
    dist = bfs(grid, s)[0]
    paths = []

    def walk(cell, inner):
        if dist[cell] == 0:
            paths.append(frozenset(inner))
            return
        r, c = cell
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < side and 0 <= nc < side and dist[nr, nc] == dist[cell] - 1:
                walk((nr, nc), inner if dist[nr, nc] == 0 else inner + [nr * side + nc])

    walk(g, [])
    return paths


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), size=st.integers(5, 8), cost_seed=st.integers(0, 2**31))
def test_least_cost_path_is_the_best_of_every_shortest_path(seed, size, cost_seed):
    q, _ = _maze(seed, size)
    cost = torch.randn(1, size * size, generator=torch.Generator().manual_seed(cost_seed))
    out = least_cost_shortest_paths(torch.as_tensor(q)[None], cost, size)[0].numpy()
    assert is_shortest_path(decode(q).reshape(size, size), decode(out).reshape(size, size))
    marked = frozenset(np.flatnonzero(out == TOKENS["o"]).tolist())
    best = min(float(cost[0, list(p)].sum()) if p else 0.0 for p in _all_shortest_paths(q, size))
    assert float(cost[0, list(marked)].sum()) == pytest.approx(best, abs=1e-5)
    assert np.array_equal(out[out != TOKENS["o"]], q[out != TOKENS["o"]])


def test_a_batch_gets_each_mazes_label_when_the_cost_favours_it():
    pairs = [_maze(seed, 15) for seed in range(12)]
    q = torch.as_tensor(np.stack([p[0] for p in pairs]))
    a = torch.as_tensor(np.stack([p[1] for p in pairs]))
    assert sum(len(_all_shortest_paths(x.numpy(), 15)) > 1 for x in q) >= 6  # the batch has ties
    out = least_cost_shortest_paths(q, torch.where(a == TOKENS["o"], -1.0, 0.0), 15)
    assert torch.equal(out, a)


def test_equal_costs_give_the_generators_fixed_tie_break_label():
    pairs = [_maze(seed, 11) for seed in range(16)]
    q = torch.as_tensor(np.stack([p[0] for p in pairs]))
    assert torch.equal(
        least_cost_shortest_paths(q, torch.zeros(q.shape), 11), torch.as_tensor(np.stack([p[1] for p in pairs]))
    )


def test_non_finite_costs_still_give_a_shortest_path_and_mixed_batches_are_independent():
    q, a = _maze(5, 9)
    x = torch.as_tensor(q)[None]
    cost = torch.zeros(1, 81)
    cost[0, torch.as_tensor(a) == TOKENS["o"]] = float("inf")  # the label's cells, and one NaN
    cost[0, int(np.flatnonzero(q == TOKENS[" "])[0])] = float("nan")
    out = least_cost_shortest_paths(x, cost, 9)[0].numpy()
    assert is_shortest_path(decode(q).reshape(9, 9), decode(out).reshape(9, 9))
    # a batch mixing that maze with mazes lacking S or G, or with two goals: each row as if alone
    bad = [np.where(q == TOKENS["S"], TOKENS[" "], q), np.where(q == TOKENS["G"], TOKENS[" "], q), q.copy()]
    bad[2][np.flatnonzero(q == TOKENS[" "])[:1]] = TOKENS["G"]
    batch = torch.as_tensor(np.stack([bad[0], q, bad[1], bad[2]]))
    costs = torch.randn(4, 81, generator=torch.Generator().manual_seed(1))
    mixed = least_cost_shortest_paths(batch, costs, 9)
    assert torch.equal(mixed[1], least_cost_shortest_paths(x, costs[1:2], 9)[0])
    assert torch.equal(mixed[[0, 2, 3]], batch[[0, 2, 3]].long())


def test_a_maze_without_a_path_or_without_a_goal_is_unchanged():
    rows = ["S# ", "## ", "  G"], ["S  ", "   ", "   "]
    q = torch.as_tensor(
        np.stack([encode(np.array([list(map(ord, r)) for r in m], np.uint8)).reshape(-1) for m in rows])
    )
    out = least_cost_shortest_paths(q.long(), torch.zeros(q.shape), 3)
    assert torch.equal(out, q.long())


def test_maze_task_costs_are_the_loss_difference_and_ignored_positions_stay():
    q, a = _maze(3, 9)
    x = torch.as_tensor(q)[None]
    labels = torch.as_tensor(a)[None].clone()
    labels[0, 0] = IGNORE_LABEL
    prefer = torch.zeros(1, 81)
    prefer[0, torch.as_tensor(a) == TOKENS["o"]] = -1.0  # the label's cells are the cheap ones to mark

    def token_loss(token):
        return prefer if token == TOKENS["o"] else torch.zeros(1, 81)

    out = MazeTask().least_loss_labels(x, labels, token_loss)
    assert out[0, 0] == IGNORE_LABEL and torch.equal(out[0, 1:], labels[0, 1:]) and out.dtype == labels.dtype
    labels[0, 0], labels[0, 1] = -1, IGNORE_LABEL  # another ignore label: only it is kept
    out = MazeTask().least_loss_labels(x, labels, token_loss, ignore_index=-1)
    assert out[0, 0] == -1 and out[0, 1] == torch.as_tensor(a)[1]


def test_loss_head_with_relabel_is_the_loss_against_the_least_loss_labels():
    torch.manual_seed(0)
    pairs = [_maze(seed, 7) for seed in range(4)]
    x = torch.as_tensor(np.stack([p[0] for p in pairs])).int()
    labels = torch.as_tensor(np.stack([p[1] for p in pairs])).int()
    model = build("ut-act-tiny", vocab_size=6, seq_len=49, loss="softmax", halting={"kind": "fixed", "max_steps": 1})
    batch = {"inputs": x, "labels": labels, "puzzle_identifiers": torch.zeros(4, dtype=torch.int32)}
    carry, out = model(model.initial_carry(batch), batch)
    task = MazeTask()
    _, metrics = LossHead("softmax", relabel=task.least_loss_labels)(model.halting, carry, out)
    cost = softmax_cross_entropy(out.logits, torch.full_like(labels, TOKENS["o"])) - softmax_cross_entropy(
        out.logits, torch.full_like(labels, TOKENS[" "])
    )
    target = least_cost_shortest_paths(x.long(), cost, 7).int()
    expected = (softmax_cross_entropy(out.logits, target) / 49).sum()
    torch.testing.assert_close(metrics["lm_loss"].double(), expected.double())
    assert torch.equal(carry.data["labels"], labels)  # the stored labels are untouched


def test_least_loss_target_refused_for_a_task_with_one_answer(tmp_path):
    settings = [f"data_dir={tmp_path / 'data'}", "task=sudoku", "task.size=4", "target=least_loss"]
    with pytest.raises(ConfigError, match="task sudoku has one answer per puzzle; use target=label"):
        config_from_overrides({"model": "hrm-tiny"}, settings)
    # a data set given only by its directory: refused once its builder is known, before any training
    build_sudoku(tmp_path / "data", size=4, train_size=8, test_size=4, progress=False)
    config = TrainConfig(
        data_dir=str(tmp_path / "data"), out_dir=str(tmp_path / "run"), model="hrm-tiny", target="least_loss"
    )
    with pytest.raises(ConfigError, match="task sudoku has one answer per puzzle; use target=label"):
        Recipe(config).run()
    assert not (tmp_path / "run").exists()


def test_a_maze_run_trains_against_the_least_loss_target(tmp_path, monkeypatch):
    config = TrainConfig(
        task=MazeTask.tiny().model_copy(update={"ties": True, "style": "noise"}),
        data_dir=str(tmp_path / "data"),
        out_dir=str(tmp_path / "run"),
        model="ut-act-tiny",
        model_overrides={"loss": "softmax", "halting": {"kind": "fixed", "max_steps": 2}},
        target="least_loss",
        global_batch_size=4,
        total_steps=3,
        progress=False,
        final_eval=False,
    )
    calls = []
    original = MazeTask.least_loss_labels

    def counting(self, inputs, labels, token_loss, ignore_index=IGNORE_LABEL):
        out = original(self, inputs, labels, token_loss, ignore_index)
        calls.append(bool((out != labels).any()))
        return out

    monkeypatch.setattr(MazeTask, "least_loss_labels", counting)
    result = Recipe(config).run()
    assert result["step"] == 3 and len(calls) == 3  # every step trained against the least-loss target


def test_a_compiled_step_runs_the_least_loss_target_eagerly_with_the_same_losses():
    from reasonkit.runtime import compiler_available
    from reasonkit.train import Trainer

    if not compiler_available("cpu"):
        pytest.skip("no C++ compiler for torch.compile on this machine")
    pairs = [_maze(seed, 7) for seed in range(4)]
    batch = {
        "inputs": torch.as_tensor(np.stack([p[0] for p in pairs])).int(),
        "labels": torch.as_tensor(np.stack([p[1] for p in pairs])).int(),
        "puzzle_identifiers": torch.zeros(4, dtype=torch.int32),
    }
    losses = []
    for compiled in (False, True):
        torch.manual_seed(0)
        model = build(
            "ut-act-tiny", vocab_size=6, seq_len=49, loss="softmax", halting={"kind": "fixed", "max_steps": 2}
        )
        trainer = Trainer(
            model, total_steps=3, optimizer="adamw", lr=1e-3, relabel=MazeTask().least_loss_labels, compile=compiled
        )
        assert trainer.compiled is compiled
        losses.append([trainer.train_step(batch, 4)["loss"] for _ in range(3)])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
