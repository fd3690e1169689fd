"""Sudoku: augmentations keep solved grids valid, generated puzzles are unique, CSV errors name file and row."""

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reasonkit.data import load_metadata, load_set
from reasonkit.data._csv import CSVError
from reasonkit.data.builddir import DatasetExistsError
from reasonkit.tasks.sudoku import (
    augment_group,
    build_sudoku,
    decode,
    generate_puzzle,
    is_valid_solution,
    random_solution,
    read_sudoku_csv,
    sudoku_shuffle,
)
from reasonkit.tasks.sudoku.solver import solve

SIZES = st.sampled_from([4, 6, 9])


@settings(max_examples=40, deadline=None)
@given(n=SIZES, seed=st.integers(0, 2**31))
def test_shuffle_of_solved_grid_is_solved(n, seed):
    grid = np.asarray(random_solution(random.Random(seed), n)).reshape(n, n)
    assert is_valid_solution(grid.reshape(-1), n)
    aug = sudoku_shuffle(np.random.default_rng(seed), n)
    out = aug(grid)
    assert is_valid_solution(out.reshape(-1), n)
    assert np.array_equal(aug.inverse()(out), grid)


@settings(max_examples=25, deadline=None)
@given(n=st.sampled_from([4, 6]), seed=st.integers(0, 2**31))
def test_generated_puzzle_unique_and_augmentations_keep_it_unique(n, seed):
    g = generate_puzzle(seed, n)
    res = solve(g.puzzle, n, limit=2)
    assert len(res.solutions) == 1
    assert np.array_equal(np.asarray(res.solutions[0]), g.solution)
    inputs, labels, augs = augment_group(g.puzzle, g.solution, n, 5, np.random.default_rng(seed), True)
    for inp, lab, aug in zip(inputs[1:], labels[1:], augs):
        assert np.array_equal(aug(g.puzzle.reshape(n, n)).reshape(-1), inp)
        res = solve(inp, n, limit=2)
        assert len(res.solutions) == 1 and np.array_equal(np.asarray(res.solutions[0]), lab)


def test_generated_9x9_with_rating():
    g = generate_puzzle(7, 9, min_rating=2)
    res = solve(g.puzzle, 9, limit=2)
    assert len(res.solutions) == 1 and res.rating >= 2 and g.rating == res.rating
    assert np.array_equal(np.asarray(res.solutions[0]), g.solution)


def _write_csv(path, rows, header="source,question,answer,rating"):
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")


def _rows(count, n=4, seed=0):
    out = []
    for i in range(count):
        g = generate_puzzle(seed * 1000 + i, n)
        q = "".join("." if v == 0 else str(v) for v in g.puzzle)
        out.append(("gen", q, "".join(map(str, g.solution)), g.rating))
    return out


def test_csv_round_trip(tmp_path):
    rows = _rows(5)
    _write_csv(tmp_path / "a.csv", rows)
    q, a, r, src, n = read_sudoku_csv(tmp_path / "a.csv")
    assert n == 4 and q.shape == (5, 16) and src == ["gen"] * 5
    assert "".join("." if v == 0 else str(v) for v in q[0]) == rows[0][1]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda rows: ("source,question,answer", [r[:3] for r in rows]), "missing column"),
        (lambda rows: (None, rows[:2] + [(rows[2][0], rows[2][1][:-1], rows[2][2], 0)]), "row 4"),
        (lambda rows: (None, rows[:1] + [(rows[1][0], rows[1][1], "1" * 16, 0)]), "row 3: answer is not a valid"),
        (lambda rows: (None, [(rows[0][0], rows[0][1], rows[1][2], 0)] + rows[1:]), "row 2: answer contradicts"),
    ],
)
def test_csv_errors_name_file_and_row(tmp_path, mutate, message):
    header, rows = mutate(_rows(4))
    if header:
        _write_csv(tmp_path / "bad.csv", rows, header)
    else:
        _write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CSVError, match=message) as e:
        read_sudoku_csv(tmp_path / "bad.csv")
    assert "bad.csv" in str(e.value)


def test_build_counts_1000_by_1001(tmp_path):
    out = tmp_path / "s"
    build_sudoku(out, size=4, train_size=1000, test_size=50, aug=1000, seed=3, workers=2, progress=False)
    meta = load_metadata(out, "train")
    s = load_set(out, "train", "all")
    assert meta.total_groups == 1000 and s.num_puzzles == 1000 * 1001
    assert np.all(np.diff(s.group_indices) == 1001)
    assert meta.vocab_size == 6 and meta.seq_len == 16
    labels = decode(s.labels[::997])
    assert is_valid_solution(labels, 4).all()
    test = load_set(out, "test", "all")
    train_originals = {bytes(x) for x in np.asarray(s.inputs[s.group_indices[:-1]])}
    assert not any(bytes(x) in train_originals for x in np.asarray(test.inputs))


def test_build_from_csv_is_seeded(tmp_path):
    _write_csv(tmp_path / "train.csv", _rows(30))
    _write_csv(tmp_path / "test.csv", _rows(10, seed=9))
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        build_sudoku(
            out,
            source=tmp_path / "train.csv",
            source_test=tmp_path / "test.csv",
            train_size=10,
            aug=3,
            seed=5,
            workers=1,
            progress=False,
        )
    for split in ("train", "test"):
        sa, sb = load_set(a, split, "all"), load_set(b, split, "all")
        assert np.array_equal(sa.inputs, sb.inputs) and np.array_equal(sa.labels, sb.labels)
    assert load_metadata(a, "train").total_groups == 10 and load_metadata(a, "test").total_groups == 10
    info = json.loads((a / "build.json").read_text())
    assert info["args"]["seed"] == 5 and "train_rating" in info["stats"]
    assert [len(f["sha256"]) for f in info["inputs"]] == [64, 64] and info["command"]


def test_output_dir_guard(tmp_path):
    out = tmp_path / "s"
    build_sudoku(out, size=4, train_size=5, test_size=2, aug=1, seed=0, workers=1, progress=False)
    before = load_set(out, "train", "all").inputs.copy()
    with pytest.raises(DatasetExistsError, match="different data set"):
        build_sudoku(out, size=4, train_size=6, test_size=2, aug=1, seed=0, workers=1, progress=False)
    assert np.array_equal(load_set(out, "train", "all").inputs, before)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(DatasetExistsError, match="not empty"):
        build_sudoku(other, size=4, train_size=5, test_size=2, aug=1, seed=0, workers=1, progress=False)
    assert (other / "notes.txt").read_text() == "mine"
    # same arguments: a rebuild is allowed and gives the same data
    build_sudoku(out, size=4, train_size=5, test_size=2, aug=1, seed=0, workers=2, progress=False)
    assert np.array_equal(load_set(out, "train", "all").inputs, before)


@settings(max_examples=30, deadline=None)
@given(n=SIZES, seed=st.integers(0, 2**31), keep=st.floats(0.0, 1.0))
def test_native_solver_matches_python(n, seed, keep):
    from reasonkit.tasks.sudoku.solver import _native, solve_py

    if _native() is None:
        pytest.skip("the C extension was not built (no compiler at install time): the Python solver is the only one")
    rng = random.Random(seed)
    solution = random_solution(rng, n)
    puzzle = [v if rng.random() < keep else 0 for v in solution]
    a, b = solve(puzzle, n, limit=3), solve_py(puzzle, n, limit=3)
    assert (a.solutions, a.rating, a.nodes) == (b.solutions, b.rating, b.nodes)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(train_size=0), "train_size\n  Value error, must be a number of puzzles \\(at least 1\\) or 'all'"),
        (dict(test_size=0), "test_size\n  Value error, must be a number of puzzles"),
        (dict(train_size="all"), "`train_size` all means every row of a CSV source"),
    ],
)
def test_build_refuses_zero_and_all_when_generating(tmp_path, monkeypatch, kwargs, message):
    import reasonkit.tasks.sudoku.build as build

    monkeypatch.setattr(build, "_generate", lambda *a, **k: pytest.fail("generated despite a bad size"))
    with pytest.raises(ValueError, match=message):
        build_sudoku(tmp_path / "s", size=4, aug=1, workers=1, progress=False, **kwargs)
    with pytest.raises(ValueError, match="`max_steps` only apply when generating"):
        build_sudoku(tmp_path / "s", source=tmp_path / "x.csv", max_steps=10, progress=False)


def test_output_dir_is_checked_before_any_work(tmp_path, monkeypatch):
    import reasonkit.tasks.sudoku.build as sudoku

    out = tmp_path / "s"
    build_sudoku(out, size=4, train_size=5, test_size=2, aug=1, seed=0, workers=1, progress=False)
    _write_csv(tmp_path / "a.csv", _rows(5))
    monkeypatch.setattr(sudoku, "_generate", lambda *a, **k: pytest.fail("generated before checking --out"))
    monkeypatch.setattr(sudoku, "read_sudoku_csv", lambda *a, **k: pytest.fail("read the CSV before checking --out"))
    with pytest.raises(DatasetExistsError, match="different data set"):
        build_sudoku(out, size=4, train_size=6, test_size=2, aug=1, seed=0, workers=1, progress=False)
    with pytest.raises(DatasetExistsError, match="different data set"):
        build_sudoku(out, source=tmp_path / "a.csv", train_size=5, aug=1, workers=1, progress=False)


def test_without_the_c_extension_the_python_solver_runs_with_one_warning(monkeypatch):
    """The C solver is an install-time extension; missing, it is replaced by the Python one (same results)."""
    import sys
    import warnings

    from reasonkit.tasks.sudoku import solver

    puzzle = list(generate_puzzle(5, 6).puzzle)
    expected = solver.solve_py(puzzle, 6)
    solver._native.cache_clear()
    monkeypatch.setitem(sys.modules, "reasonkit.tasks.sudoku._csolver", None)  # import fails as if never built
    monkeypatch.delenv("REASONKIT_NO_NATIVE", raising=False)
    try:
        with pytest.warns(RuntimeWarning, match="not built at install time .*pure-Python"):
            assert solver._native() is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = solve(puzzle, 6)  # once only: no second warning
        assert (result.solutions, result.rating, result.nodes) == (expected.solutions, expected.rating, expected.nodes)
    finally:
        solver._native.cache_clear()


def test_no_native_environment_variable_forces_the_python_solver(monkeypatch):
    from reasonkit.tasks.sudoku import solver

    solver._native.cache_clear()
    monkeypatch.setenv("REASONKIT_NO_NATIVE", "1")
    try:
        assert solver._native() is None
    finally:
        solver._native.cache_clear()
