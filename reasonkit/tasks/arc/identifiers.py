"""ARC augmentations and puzzle identifiers: a random dihedral transform with a colour permutation per puzzle,
named ``{task}|||t{k}|||{colour map}`` in identifiers.json (TRM's format; HRM's ``task_t{k}_{map}`` is read too)."""

from __future__ import annotations

import hashlib
import re
from typing import Optional, Sequence

import numpy as np

from ...data.augment import Augmentation, ColourPermutation, Compose, Dihedral, Identity, grid_key

__all__ = ["ID_SEP", "task_augmentation", "identifier_name", "parse_identifier", "task_hash"]

ID_SEP = "|||"


def task_augmentation(rng: np.random.Generator) -> Compose:
    """A random colour permutation of 1-9 (0 fixed) followed by one of the 8 dihedral transforms."""
    k = int(rng.integers(0, 8))
    perm = (0,) + tuple(int(v) for v in rng.permutation(np.arange(1, 10)))
    return Compose([ColourPermutation(perm), Dihedral(k)])


def identifier_name(task_id: str, aug: Optional[Augmentation]) -> str:
    """The identifier name of a task under an augmentation (the task id alone for none)."""
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


def task_hash(pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> str:
    """A hash of a task's pairs, independent of their order (finds duplicate augmentations)."""
    hashes = sorted(f"{grid_key(i)}|{grid_key(o)}" for i, o in pairs)
    return hashlib.sha256("|".join(hashes).encode()).hexdigest()
