"""Maze: generated labels are unique shortest S-G paths, dihedral augmentation keeps them, CSV checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reasonkit.data import load_metadata, load_set
from reasonkit.data._csv import CSVError
from reasonkit.data.augment import Dihedral
from reasonkit.data.builddir import DatasetExistsError
from reasonkit.tasks.maze import (
    bfs,
    build_maze,
    count_shortest_paths,
    decode,
    generate_maze,
    is_shortest_path,
    read_maze_csv,
)
from reasonkit.tasks.maze.codec import PATH
from reasonkit.tasks.maze.task import MazeTask


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), size=st.integers(9, 16), k=st.integers(0, 7))
def test_generated_label_is_the_unique_shortest_path(seed, size, k):
    min_path = size
    q, a = generate_maze(seed, size, min_path)
    s = tuple(np.argwhere(q == ord("S"))[0])
    g = tuple(np.argwhere(q == ord("G"))[0])
    dist, count = bfs(q, s)
    assert dist[g] > min_path and count[g] == 1
    path = np.argwhere(a == PATH)
    assert len(path) == dist[g] - 1 and all(q[tuple(p)] == ord(" ") for p in path)
    assert is_shortest_path(q, a)
    assert is_shortest_path(Dihedral(k)(q), Dihedral(k)(a))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), style=st.sampled_from(["backtracker", "kruskal", "noise", "mixed"]))
def test_every_style_labels_a_fixed_shortest_path_with_ties(seed, style):
    q, a = generate_maze(seed, 15, 19, style=style, ties=True)
    assert is_shortest_path(q, a) and count_shortest_paths(q)[0] > 19
    again = generate_maze(seed, 15, 19, style=style, ties=True)
    assert np.array_equal(q, again[0]) and np.array_equal(a, again[1]), "not a function of the seed"
    # the label is the walk back from G to the first neighbour one move closer to S, in the order up, down, left,
    # right: the same question always gets the same one of its shortest paths
    s = tuple(np.argwhere(q == ord("S"))[0])
    dist, _ = bfs(q, s)
    r, c = tuple(np.argwhere(q == ord("G"))[0])
    while dist[r, c] > 1:
        r, c = next(
            (nr, nc)
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
            if 0 <= nr < 15 and 0 <= nc < 15 and dist[nr, nc] == dist[r, c] - 1
        )
        assert a[r, c] == PATH


def test_styles_differ_in_shape_and_unique_paths_stay_unique():
    def walls(style, **kw):
        return [generate_maze(i, 15, 19, style=style, **kw)[0] for i in range(30)]

    def dead_ends(grid):
        free = grid != ord("#")
        padded = np.pad(free, 1)
        degree = padded[:-2, 1:-1].astype(int) + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
        return int((free & (degree == 1)).sum())

    back, krus, noise = walls("backtracker"), walls("kruskal", ties=True), walls("noise", ties=True)
    # a depth-first maze has long corridors and few dead ends; Kruskal's spanning tree has many
    assert np.mean([dead_ends(g) for g in back]) * 1.5 < np.mean([dead_ends(g) for g in krus])

    # random walls: no lattice, so some 2x2 block is fully open, which a lattice maze never has
    def open_square(g):
        f = g != ord("#")
        return bool((f[:-1, :-1] & f[1:, :-1] & f[:-1, 1:] & f[1:, 1:]).any())

    assert not any(open_square(g) for g in back + krus) and sum(open_square(g) for g in noise) >= 25
    for style in ("kruskal", "noise", "mixed"):
        q, a = generate_maze(7, 15, 19, style=style)
        assert count_shortest_paths(q)[1] == 1 and is_shortest_path(q, a)
    with pytest.raises(ValueError, match="unknown maze style 'prim'; known: backtracker, kruskal, noise, mixed"):
        generate_maze(0, 15, 19, style="prim")


def test_build_trains_on_other_lengths_than_it_tests(tmp_path):
    out = tmp_path / "m"
    record = build_maze(
        out,
        size=15,
        min_path=19,
        train_min_path=1,
        style="mixed",
        ties=True,
        train_size=60,
        test_size=20,
        workers=1,
        progress=False,
    )

    def lengths(split):
        return (decode(load_set(out, split, "all").labels) == PATH).sum(1) + 1

    assert lengths("train").min() < 20 <= lengths("test").min()
    assert record["stats"]["train_path_length"]["min"] == lengths("train").min() >= 2


def test_is_shortest_path_accepts_any_shortest_and_rejects_others():
    q = np.frombuffer(b"S       G", np.uint8).reshape(3, 3).copy()
    assert count_shortest_paths(q) == (4, 2)
    for path in ([(0, 1), (0, 2), (1, 2)], [(1, 0), (2, 0), (2, 1)], [(0, 1), (1, 1), (2, 1)]):
        a = q.copy()
        for p in path:
            a[p] = PATH
        assert is_shortest_path(q, a)
    a = q.copy()
    for p in [(0, 1), (0, 2), (2, 1)]:  # right count, not connected
        a[p] = PATH
    assert not is_shortest_path(q, a)


def _write(path, rows, header="source,question,answer,rating"):
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n")


def _rows(count, size=10, first=0):
    rows = []
    for i in range(first, first + count):
        q, a = generate_maze(i, size, 8)
        rows.append(("gen", bytes(q.reshape(-1)).decode(), bytes(a.reshape(-1)).decode(), "0"))
    return rows


def test_csv_errors(tmp_path):
    rows = _rows(3)
    _write(tmp_path / "ok.csv", rows)
    q, a = read_maze_csv(tmp_path / "ok.csv")
    assert q.shape == (3, 10, 10)
    _write(tmp_path / "m.csv", [r[:3] for r in rows], "source,question,answer")
    with pytest.raises(CSVError, match=r"m.csv: row 1 \(header\): missing column"):
        read_maze_csv(tmp_path / "m.csv")
    bad = rows[:1] + [(rows[1][0], rows[1][1][:-1], rows[1][2], "0")]
    _write(tmp_path / "l.csv", bad)
    with pytest.raises(CSVError, match="l.csv: row 3: question/answer of length"):
        read_maze_csv(tmp_path / "l.csv")
    wrong = rows[:2] + [(rows[2][0], rows[2][1], rows[2][1], "0")]  # answer without a path
    _write(tmp_path / "w.csv", wrong)
    with pytest.raises(CSVError, match="w.csv: row 4: answer is not a shortest"):
        read_maze_csv(tmp_path / "w.csv")


def test_build_generated_with_dihedral_groups(tmp_path):
    out = tmp_path / "m"
    build_maze(out, size=12, min_path=10, train_size=6, test_size=4, aug=True, seed=2, workers=2, progress=False)
    meta = load_metadata(out, "train")
    trn = load_set(out, "train", "all")
    assert meta.vocab_size == 6 and meta.seq_len == 144 and meta.total_groups == 6
    assert trn.num_puzzles == 48 and np.all(np.diff(trn.group_indices) == 8)
    for inp, lab in zip(trn.inputs, trn.labels):
        assert is_shortest_path(decode(inp).reshape(12, 12), decode(lab).reshape(12, 12))
    assert load_set(out, "test", "all").num_examples == 4


def test_build_from_csv(tmp_path):
    _write(tmp_path / "train.csv", _rows(5))
    _write(tmp_path / "test.csv", _rows(2, first=100))
    out = tmp_path / "c"
    build_maze(
        out, source=tmp_path / "train.csv", source_test=tmp_path / "test.csv", train_size=3, seed=0, progress=False
    )
    assert load_metadata(out, "train").total_groups == 3 and load_metadata(out, "test").total_groups == 2


def test_test_puzzles_seen_in_training_and_repeated_puzzles(tmp_path):
    from reasonkit.errors import DataError

    _write(tmp_path / "train.csv", _rows(4) + _rows(1))  # the first maze twice
    _write(tmp_path / "test.csv", _rows(2, first=2))  # two mazes that are also training mazes
    with pytest.warns(RuntimeWarning, match="train.csv: 1 repeated puzzle.s. dropped .row 6 repeats row 2"):
        with pytest.raises(DataError, match="2 of the 2 test puzzles of .*test.csv are also training puzzles"):
            build_maze(tmp_path / "o", source=tmp_path / "train.csv", source_test=tmp_path / "test.csv", progress=False)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(train_size=0), "train_size\n  Value error, must be a number of puzzles \\(at least 1\\) or 'all'"),
        (dict(test_size=0), "test_size\n  Value error, must be a number of puzzles"),
        (dict(train_size="all"), "every row of a CSV source"),
        (dict(test_size="all"), "every row of a CSV source"),
    ],
)
def test_build_refuses_zero_and_all_when_generating(tmp_path, monkeypatch, kwargs, message):
    import reasonkit.tasks.maze.build as maze

    monkeypatch.setattr(maze, "parallel_map", lambda *a, **k: pytest.fail("generated despite a bad size"))
    with pytest.raises(ValueError, match=message):
        build_maze(tmp_path / "m", size=10, min_path=8, progress=False, **kwargs)


def test_generation_options_refused_with_a_source(tmp_path):
    _write(tmp_path / "train.csv", _rows(3))
    for kwargs in (
        dict(size=10),
        dict(min_path=8),
        dict(loops=0.1),
        dict(train_min_path=2),
        dict(style="kruskal"),
        dict(ties=True),
        dict(style="mixed", noise_share=0.5),
    ):
        with pytest.raises(ValueError, match="only apply when generating"):
            build_maze(tmp_path / "c", source=tmp_path / "train.csv", progress=False, **kwargs)
    assert not (tmp_path / "c").exists()


def test_output_dir_is_checked_before_any_work(tmp_path, monkeypatch):
    import reasonkit.tasks.maze.build as maze

    out = tmp_path / "m"
    build_maze(out, size=10, min_path=8, train_size=2, test_size=1, workers=1, progress=False)
    _write(tmp_path / "train.csv", _rows(3))
    monkeypatch.setattr(maze, "parallel_map", lambda *a, **k: pytest.fail("generated before checking --out"))
    monkeypatch.setattr(maze, "read_maze_csv", lambda *a, **k: pytest.fail("read the CSV before checking --out"))
    with pytest.raises(DatasetExistsError, match="different data set"):
        build_maze(out, size=10, min_path=8, train_size=3, test_size=1, workers=1, progress=False)
    with pytest.raises(DatasetExistsError, match="different data set"):
        build_maze(out, source=tmp_path / "train.csv", progress=False)


def test_noise_share_sets_the_share_of_random_wall_mazes():
    def noise_mazes(share):
        grids = [generate_maze(i, 15, 19, style="mixed", ties=True, noise_share=share)[0] for i in range(60)]
        # a lattice maze never has a fully open 2x2 block; a random-wall maze of this density almost always does
        return sum(
            bool(((g[:-1, :-1] != 35) & (g[1:, :-1] != 35) & (g[:-1, 1:] != 35) & (g[1:, 1:] != 35)).any())
            for g in grids
        )

    assert noise_mazes(0.0) == 0 and noise_mazes(1.0) >= 55 and 18 <= noise_mazes(0.5) <= 42
    with pytest.raises(ValueError, match="noise_share must be in \\[0, 1\\] and needs style 'mixed'"):
        generate_maze(0, 15, 19, style="noise", noise_share=0.5)
    with pytest.raises(ValueError, match="set style=mixed"):
        MazeTask(noise_share=0.5)
