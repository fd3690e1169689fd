"""A tiny on-disk data set (reference format) and a small loader with the PuzzleLoader protocol, for engine tests.

The task: reverse a sequence of digit tokens (vocab 11, pad 0). The loader shuffles examples per epoch with a
seeded numpy generator, yields global batches sliced per rank, and can save and restore its position.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from reasonkit.data.io import load_metadata, load_set, write_identifiers, write_split
from reasonkit.data.schema import SetArrays

SEQ = 16
VOCAB = 11


def make_dataset(
    root: str | Path, n_train: int = 64, n_test: int = 24, seq_len: int = SEQ, seed: int = 0, num_ids: int = 3
) -> Path:
    root = Path(root)
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("test", n_test)):
        x = rng.integers(2, VOCAB, size=(n, seq_len)).astype(np.int32)
        y = x[:, ::-1].copy()
        y[:, -2:] = 0  # a couple of pad labels, mapped to the ignore label
        ids = (np.arange(n) % num_ids).astype(np.int32)
        arrays = SetArrays(
            inputs=x,
            labels=y,
            puzzle_identifiers=ids,
            puzzle_indices=np.arange(n + 1, dtype=np.int32),
            group_indices=np.arange(n + 1, dtype=np.int32),
        )
        write_split(root, split, {"all": arrays}, vocab_size=VOCAB, num_puzzle_identifiers=num_ids)
    write_identifiers(root, [f"p{i}" for i in range(num_ids)])
    return root


class ToyLoader:
    """Shuffled global batches, one epoch per iteration, rank slices, resumable position."""

    def __init__(self, data_dir, split, global_batch_size, rank=0, world_size=1, seed=0, **_):
        meta = load_metadata(data_dir, split)
        arr = load_set(data_dir, split, meta.sets[0], mmap=False)
        self.inputs = np.asarray(arr.inputs)
        labels = np.asarray(arr.labels).astype(np.int32)
        labels[labels == meta.ignore_label_id] = -100
        self.labels = labels
        self.ids = np.asarray(arr.puzzle_identifiers)
        self.gbs, self.rank, self.world, self.seed = global_batch_size, rank, world_size, seed
        self.epoch, self.index = 0, 0

    def state_dict(self):
        return {"epoch": self.epoch, "index": self.index}

    def load_state_dict(self, state):
        self.epoch, self.index = int(state["epoch"]), int(state["index"])

    def __iter__(self):
        order = np.random.default_rng(self.seed + self.epoch).permutation(len(self.inputs))
        local = self.gbs // self.world
        while self.index + self.gbs <= len(order):
            rows = order[self.index : self.index + self.gbs][self.rank * local : (self.rank + 1) * local]
            self.index += self.gbs
            yield (
                "all",
                {
                    "inputs": torch.from_numpy(self.inputs[rows]),
                    "labels": torch.from_numpy(self.labels[rows]),
                    "puzzle_identifiers": torch.from_numpy(self.ids[rows]),
                },
                self.gbs,
            )
        self.epoch, self.index = self.epoch + 1, 0
