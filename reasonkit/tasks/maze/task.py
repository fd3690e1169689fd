"""The ``maze`` task: Maze-Hard (HRM, arXiv 2506.21734) and generated mazes; any shortest S-G path is correct."""

from __future__ import annotations

import os
from typing import Callable, ClassVar, Literal, Optional

import numpy as np
import torch
from pydantic import Field, NonNegativeInt, PositiveInt, confloat, model_validator

from ...data.augment import Augmentation, Dihedral, FlatGrid
from ...data.schema import IGNORE_LABEL
from ...errors import ConfigError
from ...layers.graphs import grid_graph
from ...registry import register
from ..base import Count, DataShape, count_value
from ..csv_source import CsvOrGenerated
from .codec import CHARSET, TOKENS, as_grid, decode, encode
from .generate import STYLES
from .nearest import least_cost_shortest_paths
from .paths import is_shortest_path

__all__ = ["MazeTask", "build_maze", "maze_side"]


def maze_side(seq_len: int) -> int:
    """The side of a square maze of ``seq_len`` cells; ValueError if it is not a square."""
    side = int(round(seq_len**0.5))
    if side * side != seq_len:
        raise ValueError(f"{seq_len} cells are not a square maze")
    return side


@register("task", aliases=("grid",))
class MazeTask(CsvOrGenerated):
    """Mazes from the Maze-Hard CSV files, or generated with a shortest path longer than ``min_path`` (unique
    unless ``ties``; see :mod:`reasonkit.tasks.maze.generate` for the styles).

    ``train_size``/``test_size`` ``"all"`` take every row of the CSV files (with ``source`` only).
    """

    generation_only: ClassVar[tuple[str, ...]] = (
        "size",
        "min_path",
        "train_min_path",
        "loops",
        "style",
        "noise_share",
        "ties",
    )
    several_answers: ClassVar[bool] = True

    kind: Literal["maze"] = "maze"
    size: Optional[PositiveInt] = Field(None, description="maze side (generation only; default 30)")
    min_path: Optional[PositiveInt] = Field(
        None, description="shortest path longer than this many moves (generation only; default 110)"
    )
    train_min_path: Optional[NonNegativeInt] = Field(
        None,
        description="training mazes' shortest path longer than this many moves, e.g. to train on varied lengths "
        "(generation only; default min_path)",
    )
    loops: Optional[confloat(ge=0.0, le=1.0)] = Field(
        None, description="fraction of inner walls removed to create cycles (generation only; default 0.05)"
    )
    style: Optional[Literal[STYLES]] = Field(
        None,
        description="generator: backtracker, kruskal, noise (random walls) or mixed (each maze one of the three) "
        "(generation only; default backtracker)",
    )
    noise_share: Optional[confloat(ge=0.0, le=1.0)] = Field(
        None,
        description="share of random-wall mazes in style mixed, the rest backtracker and kruskal equally "
        "(generation only; default 1/3)",
    )
    ties: Optional[bool] = Field(
        None,
        description="several shortest paths allowed, the label marks one fixed choice; default: a unique "
        "shortest path (generation only)",
    )
    train_size: Count = Field(1000, description="training mazes (all: every CSV row, with source only)")
    test_size: Count = Field(1000, description="test mazes (all: every CSV row, with source only)")
    aug: bool = Field(False, description="each training maze with its 8 dihedral transforms")
    seed: int = Field(0, description="seed of the sample and the generator")

    @model_validator(mode="after")
    def _noise_share_needs_mixed(self) -> MazeTask:
        if self.noise_share is not None and self.style != "mixed":
            raise ValueError(
                f"noise_share is the share of random-wall mazes of style mixed; set style=mixed (got {self.style})"
            )
        return self

    @classmethod
    def tiny(cls) -> MazeTask:
        return cls(size=9, min_path=8, train_size=16, test_size=8)

    @property
    def side(self) -> int:
        if self.source:
            question = self.first_question()
            if question is None:
                raise ConfigError(f"{self.source}: no data rows")
            return maze_side(len(question))
        return self.size or 30

    @property
    def path_length(self) -> int:
        return 110 if self.min_path is None else self.min_path

    @property
    def train_path_length(self) -> int:
        return self.path_length if self.train_min_path is None else self.train_min_path

    @property
    def maze_style(self) -> str:
        return self.style or "backtracker"

    @property
    def loop_fraction(self) -> float:
        return 0.05 if self.loops is None else self.loops

    def build(
        self, out: str | os.PathLike, *, workers: Optional[int] = None, overwrite: bool = False, progress: bool = True
    ) -> dict:
        from .build import build_maze_dataset

        return build_maze_dataset(self, out, workers=workers, overwrite=overwrite, progress=progress)

    def dir_name(self) -> str:
        if self.source:
            return super().dir_name()
        return (
            f"maze-{self.side}x{self.side}-{self.train_size}"
            + ("-aug" if self.aug else "")
            + (f"-seed-{self.seed}" if self.seed else "")
        )

    def data_shape(self) -> DataShape:
        groups = count_value(self.train_size)
        if groups is None:
            groups = self.source_rows()
        side = self.side
        return DataShape(vocab_size=len(CHARSET) + 1, seq_len=side * side, train_groups=groups)

    def encode(self, text: str, seq_len: int) -> np.ndarray:
        if len(text) != seq_len:
            raise ValueError(f"maze has {len(text)} cells but the model takes {seq_len}")
        bad = sorted(set(text) - set(CHARSET))
        if bad:
            raise ValueError(f"maze has characters outside {CHARSET!r}: {''.join(bad)!r}")
        return encode(as_grid(text)).reshape(-1).astype(np.int32)

    def decode(self, tokens: np.ndarray) -> str:
        return decode(np.asarray(tokens).reshape(-1)).tobytes().decode().replace("\0", "?")

    def is_correct(
        self, inputs: np.ndarray, predictions: np.ndarray, labels: np.ndarray, ignore_label: int = -100
    ) -> np.ndarray:
        """Any shortest S-G path counts (checked by BFS), not only the label's."""
        side = maze_side(inputs.shape[-1])
        return np.array(
            [
                is_shortest_path(decode(q).reshape(side, side), decode(p).reshape(side, side))
                for q, p in zip(np.asarray(inputs), np.asarray(predictions))
            ],
            dtype=bool,
        )

    def least_loss_labels(
        self,
        inputs: torch.Tensor,
        labels: torch.Tensor,
        token_loss: Callable[[int], torch.Tensor],
        ignore_index: int = IGNORE_LABEL,
    ) -> torch.Tensor:
        """The shortest S-G path of least loss for each maze (:func:`least_cost_shortest_paths`): marking a cell
        costs ``token_loss(path) - token_loss(open)`` there."""
        cost = token_loss(TOKENS["o"]) - token_loss(TOKENS[" "])
        best = least_cost_shortest_paths(inputs, cost, maze_side(inputs.shape[-1]))
        return torch.where(labels == ignore_index, labels, best.to(labels.dtype))

    def graph(self, seq_len: int) -> torch.Tensor:
        side = maze_side(seq_len)
        return grid_graph(side, side)

    def symmetries(self, seq_len: int, rng: np.random.Generator, count: int) -> list[Augmentation]:
        """Distinct elements of the dihedral group (at most 8), identity excluded, in random order."""
        side = maze_side(seq_len)
        ks = rng.permutation(np.arange(1, 8))[:count]
        return [FlatGrid(Dihedral(int(k)), side, side) for k in ks]


def build_maze(
    out: str | os.PathLike, *, workers: Optional[int] = None, overwrite: bool = False, progress: bool = True, **options
) -> dict:
    """Build a maze data set in ``out`` from :class:`MazeTask` options; returns its build record."""
    return MazeTask(**options).build(out, workers=workers, overwrite=overwrite, progress=progress)
