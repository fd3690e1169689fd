"""The puzzle loader: samples batches from the on-disk format the way the reference HRM does (arXiv 2506.21734).

Differences from the reference's PuzzleDataset, all in the direction of reproducibility: the choice of examples
within a puzzle is drawn from a seeded generator (the reference uses numpy's global one), the sampler's position
and generator states can be saved and restored mid-epoch, and the test split accepts a ``limit``.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Optional

import numpy as np
import torch
from torch.utils.data import IterableDataset

from .io import load_set
from .schema import IGNORE_LABEL, DatasetMeta, SetArrays
from .validate import verify_dataset

__all__ = ["PuzzleLoader"]


def _philox(seed: int, key: int = 0) -> np.random.Generator:
    if key == 0:  # the reference's generator for the group order and the puzzle choice
        return np.random.Generator(np.random.Philox(seed=seed))
    return np.random.Generator(np.random.Philox(seed=np.random.SeedSequence([seed, key])))


def _save(rng: np.random.Generator) -> dict:
    """A generator's state with arrays as lists, so it survives JSON as well as torch.save."""
    st = rng.bit_generator.state
    return {
        k: (
            {kk: np.asarray(vv).tolist() for kk, vv in v.items()}
            if isinstance(v, dict)
            else (np.asarray(v).tolist() if isinstance(v, np.ndarray) else v)
        )
        for k, v in st.items()
    }


def _restore(rng: np.random.Generator, saved: dict) -> None:
    st = dict(saved)
    st["state"] = {k: np.asarray(v, np.uint64) for k, v in saved["state"].items()}
    st["buffer"] = np.asarray(saved["buffer"], np.uint64)
    rng.bit_generator.state = st


class PuzzleLoader(IterableDataset):
    """Iterates ``(set_name, batch, effective_global_batch_size)`` over one split of a puzzle data set.

    ``batch`` is a dict of int32 torch tensors for this rank: ``inputs`` [B, seq_len], ``labels`` [B, seq_len] with
    the data set's ``ignore_label_id`` replaced by -100, and ``puzzle_identifiers`` [B], where B is the local batch
    size ``global_batch_size // world_size``.

    Training split (``split="train"``): each pass over the iterator (one call of ``iter()``) visits every set in
    ``metadata.sets``; per set it draws a fresh generator from ``seed`` and the pass counter, shuffles the group
    order (``epochs_per_iter`` permutations, concatenated), and fills each global batch by taking groups in that
    order, one random puzzle (augmentation) per group and that puzzle's examples (a random subset if it does not
    fit), until ``global_batch_size`` examples are collected. The last, incomplete global batch is dropped, so
    every training batch is full and ``effective_global_batch_size == global_batch_size``. Rank r receives rows
    ``[r * B, (r + 1) * B)`` of the global batch.

    Test split (any other split, or ``test_mode=True``): examples in file order, ``global_batch_size`` at a time,
    at most ``limit`` examples per set. Rank r receives its slice of each global batch; rows past the end are
    padding: inputs ``pad_id``, labels -100 and puzzle identifier ``blank_identifier_id``.
    ``effective_global_batch_size`` is then the number of real examples in the global batch.

    ``state_dict()`` taken after a batch and given to ``load_state_dict()`` of a loader built with the same
    arguments makes its next pass continue with the following batch (the rest of that pass only); later passes
    proceed as they would have without the interruption. It is an ``IterableDataset`` like the reference's, so
    ``torch.utils.data.DataLoader(loader, batch_size=None)`` can wrap it; the state then lives in the worker
    process, so save state from a loader iterated in the training process.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike,
        split: str,
        global_batch_size: int,
        rank: int = 0,
        world_size: int = 1,
        seed: int = 0,
        epochs_per_iter: int = 1,
        limit: Optional[int] = None,
        test_mode: Optional[bool] = None,
    ):
        if world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} must be in [0, world_size={world_size})")
        if global_batch_size < 1 or global_batch_size % world_size:
            raise ValueError(
                f"global batch size {global_batch_size} must be a positive multiple of world size {world_size}"
            )
        self.data_dir = str(data_dir)
        self.split = split
        self.global_batch_size = global_batch_size
        self.local_batch_size = global_batch_size // world_size
        self.rank, self.world_size = rank, world_size
        self.seed = seed
        self.epochs_per_iter = epochs_per_iter
        self.limit = limit
        self.test_mode = (split != "train") if test_mode is None else test_mode
        self.metadata: DatasetMeta = verify_dataset(data_dir, split)
        self._data: Optional[dict[str, SetArrays]] = None
        self._iters = 0  # passes started over sets, as the reference counts them
        self._resume: Optional[dict[str, Any]] = None
        self._state: dict[str, Any] = {"iters": 0, "position": None}

    # -- data -----------------------------------------------------------------------------------------------
    def _load(self) -> dict[str, SetArrays]:
        if self._data is None:
            self._data = {name: load_set(self.data_dir, self.split, name) for name in self.metadata.sets}
        return self._data

    def _collate(self, inputs: np.ndarray, labels: np.ndarray, ids: np.ndarray) -> dict[str, torch.Tensor]:
        inputs = np.asarray(inputs).astype(np.int32)
        labels = np.asarray(labels).astype(np.int32)
        ids = np.asarray(ids).astype(np.int32)
        if self.metadata.ignore_label_id is not None:
            labels[labels == self.metadata.ignore_label_id] = IGNORE_LABEL
        pad = self.local_batch_size - len(ids)
        if pad > 0:
            inputs = np.concatenate(
                [
                    inputs.reshape(-1, self.metadata.seq_len),
                    np.full((pad, self.metadata.seq_len), self.metadata.pad_id, np.int32),
                ]
            )
            labels = np.concatenate(
                [
                    labels.reshape(-1, self.metadata.seq_len),
                    np.full((pad, self.metadata.seq_len), IGNORE_LABEL, np.int32),
                ]
            )
            ids = np.concatenate([ids, np.full(pad, self.metadata.blank_identifier_id, np.int32)])
        return {
            "inputs": torch.from_numpy(inputs),
            "labels": torch.from_numpy(labels),
            "puzzle_identifiers": torch.from_numpy(ids),
        }

    # -- state ----------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The sampler's position: pass counter, set, offset and generator states (JSON-serialisable)."""
        return {
            "iters": self._state["iters"],
            "position": self._state["position"],
            "seed": self.seed,
            "split": self.split,
            "global_batch_size": self.global_batch_size,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if (
            state.get("global_batch_size", self.global_batch_size) != self.global_batch_size
            or state.get("seed", self.seed) != self.seed
        ):
            raise ValueError("state was saved by a loader with a different seed or global batch size")
        self._iters = int(state["iters"])
        self._state = {"iters": self._iters, "position": state["position"]}
        self._resume = state["position"]

    # -- iteration ------------------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[tuple[str, dict[str, torch.Tensor], int]]:
        data = self._load()
        resume, self._resume = self._resume, None
        if self.test_mode:
            yield from self._iter_test(data, resume)
        else:
            yield from self._iter_train(data, resume)

    def _iter_test(self, data, resume):
        names = list(data)
        first = names.index(resume["set"]) if resume else 0
        for set_index in range(first, len(names)):
            name = names[set_index]
            arr = data[name]
            total = arr.num_examples if self.limit is None else min(arr.num_examples, self.limit)
            start = resume["start"] if (resume and set_index == first) else 0
            pidx = arr.puzzle_indices
            while start < total:
                end = min(total, start + self.global_batch_size)
                lo = min(start + self.rank * self.local_batch_size, end)
                hi = min(start + (self.rank + 1) * self.local_batch_size, end)
                puzzles = np.searchsorted(pidx, np.arange(lo, hi), side="right") - 1
                batch = self._collate(arr.inputs[lo:hi], arr.labels[lo:hi], arr.puzzle_identifiers[puzzles])
                begin, start = start, start + self.global_batch_size
                self._state = {"iters": self._iters, "position": {"set": name, "start": start}}
                yield name, batch, end - begin
        self._state = {"iters": self._iters, "position": None}

    def _group_order(self, n_groups: int, iters: int):
        rng = _philox(self.seed + iters)
        order = np.concatenate([rng.permutation(n_groups) for _ in range(self.epochs_per_iter)])
        return rng, _philox(self.seed + iters, 1), order

    def _iter_train(self, data, resume):
        names = list(data)
        first = names.index(resume["set"]) if resume else 0
        for set_index in range(first, len(names)):
            name = names[set_index]
            arr = data[name]
            if resume and set_index == first:
                iters = resume["iters"]
                rng, ex_rng, order = self._group_order(arr.num_groups, iters)
                _restore(rng, resume["rng"])
                _restore(ex_rng, resume["ex_rng"])
                start = resume["start"]
            else:
                self._iters += 1
                iters = self._iters
                rng, ex_rng, order = self._group_order(arr.num_groups, iters)
                start = 0
            gidx, pidx = arr.group_indices, arr.puzzle_indices
            while start < order.size:
                rows, puzzles, size = [], [], 0
                while start < order.size and size < self.global_batch_size:
                    group = order[start]
                    puzzle = rng.integers(gidx[group], gidx[group + 1])
                    start += 1
                    p0, count = int(pidx[puzzle]), int(pidx[puzzle + 1] - pidx[puzzle])
                    take = min(count, self.global_batch_size - size)
                    rows.append(p0 + ex_rng.choice(count, take, replace=False))
                    puzzles.append(np.full(take, puzzle, np.int64))
                    size += take
                if size < self.global_batch_size:
                    break  # drop the last incomplete batch, as the reference does
                rows_a = np.concatenate(rows)
                puzzles_a = np.concatenate(puzzles)
                sl = slice(self.rank * self.local_batch_size, (self.rank + 1) * self.local_batch_size)
                local, local_p = rows_a[sl], puzzles_a[sl]
                batch = self._collate(arr.inputs[local], arr.labels[local], arr.puzzle_identifiers[local_p])
                self._state = {
                    "iters": self._iters,
                    "position": {
                        "set": name,
                        "iters": iters,
                        "start": int(start),
                        "rng": _save(rng),
                        "ex_rng": _save(ex_rng),
                    },
                }
                yield name, batch, int(size)
        self._state = {"iters": self._iters, "position": None}
