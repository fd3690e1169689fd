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
    for kwargs in (dict(size=10), dict(min_path=8), dict(loops=0.1)):
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
