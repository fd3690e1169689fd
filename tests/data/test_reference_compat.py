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
from reasonkit.data.sudoku import build_sudoku

REF = Path(os.environ.get("REASONKIT_REF_HRM", "/work/ref/hrm"))


def test_reference_metadata_without_total_puzzles_loads(tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "dataset.json").write_text(json.dumps({
        "pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 11, "seq_len": 81,
        "num_puzzle_identifiers": 1, "total_groups": 3, "mean_puzzle_examples": 1, "sets": ["all"]}))
    meta = load_metadata(tmp_path, "train")
    assert meta.total_puzzles is None and meta.vocab_size == 11


@pytest.fixture(scope="module")
def reference_dataset():
    if not (REF / "puzzle_dataset.py").is_file():
        pytest.skip(f"reference HRM source not found at {REF}")
    losses = types.ModuleType("models.losses")
    losses.IGNORE_LABEL_ID = -100
    saved = {k: sys.modules.get(k) for k in ("models", "models.losses", "dataset", "dataset.common",
                                               "puzzle_dataset")}
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
                seed=7, dataset_path=str(out), global_batch_size=8, test_set_mode=test_mode, epochs_per_iter=2,
                rank=rank, num_replicas=world_size)
            theirs = list(reference_dataset.PuzzleDataset(cfg, split))
            ours = list(PuzzleLoader(out, split, 8, rank=rank, world_size=world_size, seed=7, epochs_per_iter=2))
            assert len(theirs) == len(ours) > 0
            for (n1, b1, e1), (n2, b2, e2) in zip(theirs, ours):
                assert n1 == n2 and e1 == e2
                for key in ("inputs", "labels", "puzzle_identifiers"):
                    assert torch.equal(b1[key], b2[key]), (split, key)
