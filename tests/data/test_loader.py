"""PuzzleLoader: reference sampling, rank sharding, seeding, mid-epoch resume, test split in order with limit."""

import json

import numpy as np
import pytest
import torch

from reasonkit.data.io import write_identifiers, write_split
from reasonkit.data.loader import PuzzleLoader
from reasonkit.data.schema import IGNORE_LABEL, SetArrays
from reasonkit.errors import DataError


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """12 groups of 1-3 puzzles of 1-4 examples; token = example index % 7 + 1, label 0 on the first position."""
    root = tmp_path_factory.mktemp("toy")
    rng = np.random.default_rng(0)
    gidx, pidx, ids = [0], [0], []
    for _g in range(12):
        for _p in range(int(rng.integers(1, 4))):
            pidx.append(pidx[-1] + int(rng.integers(1, 5)))
            ids.append(len(ids) + 1)
        gidx.append(len(ids))
    e = pidx[-1]
    inputs = np.repeat(np.arange(e)[:, None], 5, 1).astype(np.int64)
    labels = inputs.copy()
    labels[:, 0] = 0
    arrays = SetArrays(
        inputs=inputs.astype(np.int32),
        labels=labels.astype(np.int32),
        puzzle_identifiers=np.array(ids),
        puzzle_indices=np.array(pidx),
        group_indices=np.array(gidx),
    )
    for split in ("train", "test"):
        write_split(root, split, {"all": arrays}, vocab_size=e + 1, num_puzzle_identifiers=len(ids) + 1)
    write_identifiers(root, ["<blank>"] + [f"p{i}" for i in ids])
    return root, arrays


def _rows(batches):
    return [b["inputs"][:, 0].tolist() for _, b, _ in batches]


def test_train_batches_are_full_and_follow_groups(toy):
    root, arr = toy
    loader = PuzzleLoader(root, "train", global_batch_size=6, seed=1)
    batches = list(loader)
    assert batches and all(eff == 6 for _, _, eff in batches)
    for _, b, _ in batches:
        assert b["inputs"].shape == (6, 5) and b["inputs"].dtype == torch.int32
        assert (b["labels"][:, 0] == IGNORE_LABEL).all()
        for row, pid in zip(b["inputs"][:, 0].tolist(), b["puzzle_identifiers"].tolist()):
            p = np.searchsorted(arr.puzzle_indices, row, side="right") - 1
            assert arr.puzzle_identifiers[p] == pid
    # each group contributes at most one puzzle per pass
    seen = [
        np.searchsorted(arr.group_indices, np.searchsorted(arr.puzzle_indices, r, side="right") - 1, side="right") - 1
        for rows in _rows(batches)
        for r in rows
    ]
    puzzles = [np.searchsorted(arr.puzzle_indices, r, side="right") - 1 for rows in _rows(batches) for r in rows]
    by_group = {}
    for g, p in zip(seen, puzzles):
        by_group.setdefault(g, set()).add(p)
    assert all(len(v) == 1 for v in by_group.values())


def test_seeded_and_passes_differ(toy):
    root, _ = toy
    a, b = PuzzleLoader(root, "train", 4, seed=3), PuzzleLoader(root, "train", 4, seed=3)
    first_a, first_b = _rows(list(a)), _rows(list(b))
    assert first_a == first_b
    assert _rows(list(a)) != first_a  # the next pass is shuffled anew
    assert _rows(list(PuzzleLoader(root, "train", 4, seed=4))) != first_a


def test_ranks_partition_the_global_batch(toy):
    root, _ = toy
    whole = list(PuzzleLoader(root, "train", 6, seed=2))
    parts = [list(PuzzleLoader(root, "train", 6, rank=r, world_size=3, seed=2)) for r in range(3)]
    for i, (_, b, eff) in enumerate(whole):
        joined = torch.cat([parts[r][i][1]["inputs"] for r in range(3)])
        assert torch.equal(joined, b["inputs"]) and all(parts[r][i][2] == eff for r in range(3))


def test_resume_mid_epoch(toy):
    root, _ = toy
    ref = PuzzleLoader(root, "train", 4, seed=5)
    full = [_rows(list(ref)) for _ in range(2)]
    loader = PuzzleLoader(root, "train", 4, seed=5)
    it = iter(loader)
    head = [next(it)[1]["inputs"][:, 0].tolist() for _ in range(2)]
    state = json.loads(json.dumps(loader.state_dict()))  # survives JSON
    resumed = PuzzleLoader(root, "train", 4, seed=5)
    resumed.load_state_dict(state)
    tail = _rows(list(resumed))
    assert head + tail == full[0]
    assert _rows(list(resumed)) == full[1]


def test_test_split_in_order_with_padding_and_limit(toy):
    root, arr = toy
    e = arr.num_examples
    batches = list(PuzzleLoader(root, "test", 4))
    rows = [r for _, b, eff in batches for r in b["inputs"][:eff, 0].tolist()]
    assert rows == list(range(e))
    _, last, eff = batches[-1]
    assert eff == e - 4 * (len(batches) - 1)
    if eff < 4:
        assert (last["labels"][eff:] == IGNORE_LABEL).all() and (last["puzzle_identifiers"][eff:] == 0).all()
        assert (last["inputs"][eff:] == 0).all()
    limited = list(PuzzleLoader(root, "test", 4, limit=5))
    assert sum(eff for _, _, eff in limited) == 5
    # two ranks: rank slices of each global batch, padded to the local batch size
    r0, r1 = (list(PuzzleLoader(root, "test", 4, rank=r, world_size=2, limit=5)) for r in range(2))
    assert [b["inputs"].shape[0] for _, b, _ in r0 + r1] == [2] * (len(r0) + len(r1))
    assert r0[1][1]["inputs"][:, 0].tolist() == [4, 0] and (r1[1][1]["puzzle_identifiers"] == 0).all()


def test_bad_arguments(toy):
    root, _ = toy
    with pytest.raises(ValueError, match="multiple of world size"):
        PuzzleLoader(root, "train", 5, world_size=2)
    with pytest.raises(DataError, match="valid.dataset.json does not exist"):
        PuzzleLoader(root, "valid", 4)


def test_resume_test_split(toy):
    root, _ = toy
    full = _rows(list(PuzzleLoader(root, "test", 4)))
    loader = PuzzleLoader(root, "test", 4)
    it = iter(loader)
    head = [next(it)[1]["inputs"][:, 0].tolist()]
    resumed = PuzzleLoader(root, "test", 4)
    resumed.load_state_dict(loader.state_dict())
    assert head + _rows(list(resumed)) == full


def test_wraps_in_torch_dataloader(toy):
    root, _ = toy
    direct = _rows(list(PuzzleLoader(root, "train", 4, seed=9)))
    wrapped = [
        b["inputs"][:, 0].tolist()
        for _, b, _ in torch.utils.data.DataLoader(PuzzleLoader(root, "train", 4, seed=9), batch_size=None)
    ]
    assert wrapped == direct
