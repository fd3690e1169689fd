"""Gaussian noise on a latent state between segments, one seeded generator per rollout (PTRM, arXiv 2605.19943).

PTRM adds ``sigma * N(0, I)`` to TRM's latent before every supervision step. Here the noise goes in after each
segment that a sequence does not halt on, i.e. before every segment but its first: the first segment starts from
the core's fixed initial vectors, identical for every copy, and PTRM reports that noise at initialisation alone
does not help. Each rollout draws from its own generator, seeded by its place (puzzle, variant, rollout), so its
noise does not depend on the batch it shares, the batch size, or the order in which slots are refilled.
"""

from __future__ import annotations

from typing import Callable

import torch

from ..blocks.cores.base import State

__all__ = ["RolloutNoise"]


class RolloutNoise:
    """Adds ``sigma * N(0, I)`` to state ``name`` of the given slots, each from its rollout's generator;
    ``seed_of(row)`` is the seed of rollout ``row``'s generator."""

    def __init__(self, name: str, sigma: float, device: torch.device, seed_of: Callable[[int], int]) -> None:
        self.name, self.sigma, self.device, self.seed_of = name, sigma, device, seed_of
        self._generators: dict[int, torch.Generator] = {}

    def start(self, row: int) -> None:
        """Give rollout ``row`` a fresh generator."""
        self._generators[row] = torch.Generator(device=self.device).manual_seed(self.seed_of(row))

    def stop(self, row: int) -> None:
        """Forget the generator of a rollout that has finished."""
        self._generators.pop(row, None)

    def __call__(self, state: State, slots: torch.Tensor, rows: torch.Tensor) -> State:
        """``state`` with noise added to the slots ``slots``, which run the rollouts ``rows``."""
        x = state[self.name]
        eps = torch.stack(
            [
                torch.randn(x.shape[1:], generator=self._generators[row], device=self.device, dtype=torch.float32)
                for row in rows.tolist()
            ]
        )
        index = slots.to(x.device)
        x = x.index_put((index,), (x[index].float() + self.sigma * eps).to(x.dtype))
        return {**state, self.name: x}
