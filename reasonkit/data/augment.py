"""Grid augmentations with exact inverses, as used by the reference HRM's data builders (arXiv 2506.21734).

Every augmentation acts on the last two axes of a numpy array (a grid ``[H, W]`` or a batch ``[..., H, W]``),
is a small frozen value object (equality, ``repr``, ``to_dict``/``from_dict``), and has ``inverse()`` such that
``aug.inverse()(aug(x))`` equals ``x``. The ARC voting evaluator uses the inverses to map predictions on
augmented puzzles back to the original task.

Dihedral numbering follows the reference (``dataset/common.py``): 0 identity, 1-3 rotations by 90/180/270
degrees counter-clockwise (``np.rot90``), 4 left-right flip, 5 up-down flip, 6 transpose, 7 anti-transpose.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = [
    "Augmentation",
    "Identity",
    "Dihedral",
    "ColourPermutation",
    "AxisPermutation",
    "Translation",
    "Compose",
    "FlatGrid",
    "DIHEDRAL_INVERSE",
    "augmentation_from_dict",
]

DIHEDRAL_INVERSE = (0, 3, 2, 1, 4, 5, 6, 7)


def grid_key(grid: Any) -> str:
    """A content key of a grid: equal shapes and values give equal keys (deduplication, voting)."""
    grid = np.ascontiguousarray(grid, dtype=np.int64)
    return hashlib.sha256(np.array(grid.shape, np.int64).tobytes() + grid.tobytes()).hexdigest()


class Augmentation:
    """Base class: ``__call__`` applies the augmentation, ``inverse()`` returns its exact inverse."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def inverse(self) -> Augmentation:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Identity(Augmentation):
    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x)

    def inverse(self) -> Identity:
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "identity"}


@dataclass(frozen=True)
class Dihedral(Augmentation):
    """One of the 8 symmetries of the square, numbered as in the reference (see the module docstring)."""

    k: int

    def __post_init__(self):
        if self.k not in range(8):
            raise ValueError(f"Dihedral k must be in 0..7, got {self.k}")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        k = self.k
        if k == 0:
            return x
        if k in (1, 2, 3):
            return np.rot90(x, k, axes=(-2, -1))
        if k == 4:
            return np.flip(x, -1)
        if k == 5:
            return np.flip(x, -2)
        if k == 6:
            return np.swapaxes(x, -1, -2)
        return np.flip(np.rot90(x, 1, axes=(-2, -1)), -1)

    def inverse(self) -> Dihedral:
        return Dihedral(DIHEDRAL_INVERSE[self.k])

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "dihedral", "k": self.k}


@dataclass(frozen=True)
class ColourPermutation(Augmentation):
    """Maps value ``offset + i`` to ``offset + perm[i]``; values outside ``[offset, offset + len(perm))`` stay.

    ARC uses ``offset=0`` with ``perm[0] == 0`` (black fixed, as the reference); Sudoku uses ``offset=1`` over the
    digits 1..n (blank 0 fixed); ``offset=2`` acts on ARC tokens directly.
    """

    perm: tuple[int, ...]
    offset: int = 0

    def __post_init__(self):
        perm = tuple(int(p) for p in self.perm)
        if sorted(perm) != list(range(len(perm))):
            raise ValueError(f"ColourPermutation needs a permutation of 0..{len(perm) - 1}, got {perm}")
        object.__setattr__(self, "perm", perm)

    def _table(self, dtype_max: int) -> np.ndarray:
        table = np.arange(max(dtype_max, self.offset + len(self.perm)) + 1)
        table[self.offset : self.offset + len(self.perm)] = np.asarray(self.perm) + self.offset
        return table

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.size == 0:
            return x.copy()
        lo, hi = int(x.min()), int(x.max())
        if lo < 0:
            out = x.copy()
            inside = (x >= self.offset) & (x < self.offset + len(self.perm))
            out[inside] = np.asarray(self.perm, x.dtype)[x[inside] - self.offset] + self.offset
            return out
        return self._table(hi)[x].astype(x.dtype)

    def inverse(self) -> ColourPermutation:
        return ColourPermutation(tuple(int(i) for i in np.argsort(self.perm)), self.offset)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "colour_permutation", "perm": list(self.perm), "offset": self.offset}


@dataclass(frozen=True)
class AxisPermutation(Augmentation):
    """Reorders rows and columns: ``out[..., i, j] = x[..., rows[i], cols[j]]`` (Sudoku band/stack shuffles)."""

    rows: tuple[int, ...]
    cols: tuple[int, ...]

    def __post_init__(self):
        for name in ("rows", "cols"):
            p = tuple(int(v) for v in getattr(self, name))
            if sorted(p) != list(range(len(p))):
                raise ValueError(f"AxisPermutation.{name} must be a permutation, got {p}")
            object.__setattr__(self, name, p)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.shape[-2:] != (len(self.rows), len(self.cols)):
            raise ValueError(f"AxisPermutation for {len(self.rows)}x{len(self.cols)} applied to shape {x.shape}")
        return x[..., np.asarray(self.rows), :][..., np.asarray(self.cols)]

    def inverse(self) -> AxisPermutation:
        return AxisPermutation(tuple(np.argsort(self.rows)), tuple(np.argsort(self.cols)))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "axis_permutation", "rows": list(self.rows), "cols": list(self.cols)}


@dataclass(frozen=True)
class Translation(Augmentation):
    """Shifts the content of a canvas down by ``dr`` and right by ``dc``, filling with ``fill``.

    Exact by construction: applying it to a canvas whose non-fill content would leave the canvas raises
    ValueError instead of losing data, so ``inverse()`` (the opposite shift) always restores the input.
    """

    dr: int
    dc: int
    fill: int = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        h, w = x.shape[-2:]
        dr, dc = self.dr, self.dc
        out = np.full_like(x, self.fill)
        if abs(dr) >= h or abs(dc) >= w:
            kept = x[..., 0:0, 0:0]
        else:
            src_r = slice(max(0, -dr), h - max(0, dr))
            src_c = slice(max(0, -dc), w - max(0, dc))
            dst_r = slice(max(0, dr), h - max(0, -dr))
            dst_c = slice(max(0, dc), w - max(0, -dc))
            kept = x[..., src_r, src_c]
            out[..., dst_r, dst_c] = kept
        if int(np.count_nonzero(x != self.fill)) != int(np.count_nonzero(kept != self.fill)):
            raise ValueError(f"Translation({dr}, {dc}) would move content out of the {h}x{w} canvas")
        return out

    def inverse(self) -> Translation:
        return Translation(-self.dr, -self.dc, self.fill)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "translation", "dr": self.dr, "dc": self.dc, "fill": self.fill}


@dataclass(frozen=True)
class Compose(Augmentation):
    """Applies ``augs`` in order; its inverse applies the inverses in reverse order."""

    augs: tuple[Augmentation, ...]

    def __init__(self, augs: Sequence[Augmentation]):
        flat: list[Augmentation] = []
        for a in augs:
            flat.extend(a.augs if isinstance(a, Compose) else (a,))
        object.__setattr__(self, "augs", tuple(flat))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        for a in self.augs:
            x = a(x)
        return x

    def inverse(self) -> Compose:
        return Compose(tuple(a.inverse() for a in reversed(self.augs)))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "compose", "augs": [a.to_dict() for a in self.augs]}


@dataclass(frozen=True)
class FlatGrid(Augmentation):
    """Applies a grid augmentation to flat row-major sequences ``[..., height * width]`` (token sequences)."""

    aug: Augmentation
    height: int
    width: int

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.shape[-1] != self.height * self.width:
            raise ValueError(f"FlatGrid for {self.height}x{self.width} grids applied to sequences of {x.shape[-1]}")
        grids = x.reshape(x.shape[:-1] + (self.height, self.width))
        return np.ascontiguousarray(self.aug(grids)).reshape(x.shape)

    def inverse(self) -> FlatGrid:
        return FlatGrid(self.aug.inverse(), self.height, self.width)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "flat_grid", "aug": self.aug.to_dict(), "height": self.height, "width": self.width}


_KINDS = {
    "identity": lambda d: Identity(),
    "dihedral": lambda d: Dihedral(d["k"]),
    "colour_permutation": lambda d: ColourPermutation(tuple(d["perm"]), d.get("offset", 0)),
    "axis_permutation": lambda d: AxisPermutation(tuple(d["rows"]), tuple(d["cols"])),
    "translation": lambda d: Translation(d["dr"], d["dc"], d.get("fill", 0)),
    "compose": lambda d: Compose([augmentation_from_dict(a) for a in d["augs"]]),
    "flat_grid": lambda d: FlatGrid(augmentation_from_dict(d["aug"]), d["height"], d["width"]),
}


def augmentation_from_dict(d: dict[str, Any]) -> Augmentation:
    """Rebuild an augmentation from its ``to_dict()``."""
    kind = d.get("kind")
    if kind not in _KINDS:
        raise ValueError(f"unknown augmentation kind {kind!r}; known: {sorted(_KINDS)}")
    return _KINDS[kind](d)
