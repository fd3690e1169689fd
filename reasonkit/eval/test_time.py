"""Test-time compute options: parallel noisy rollouts (PTRM) and augmentation voting (TTA).

Rollouts (PTRM, Sghaier et al., arXiv 2605.19943): each puzzle runs as ``rollouts`` copies; before every segment
but the first, Gaussian noise of scale ``noise`` is added to one state of every copy still running (the core's
``latent`` unless ``noise_state`` names another: TRM's z, HRM's low level z_l, the flat core's h), each copy drawing
from its own seeded generator. The answer is the copy with the highest halting confidence (``select="max_q"``, the
paper's best-Q@K) or the most frequent answer ranked by (count, mean confidence) (``"vote"``, mode@K).

Augmentation voting (the ARC evaluation of HRM, arXiv 2506.21734, and TRM, arXiv 2510.04871, for any task): each
puzzle is also solved as ``tta - 1`` variants under random symmetries of its task (:meth:`Task.symmetries`), each
prediction is mapped back with the exact inverse, and the ``tta`` answers are voted by (count, mean confidence).
Combined, each variant is first reduced to one answer by its rollouts, then the variants are voted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal, Optional

import numpy as np

from ..data.augment import Augmentation, Identity
from ..errors import ConfigError

__all__ = ["TestTime", "SELECT"]

SELECT = ("max_q", "vote")


@dataclass(frozen=True)
class TestTime:
    """How many candidates each puzzle gets and how one is picked (see the module docstring).

    ``rollouts`` K >= 1 copies; ``noise`` sigma >= 0, relative to the state's scale (the transformer cells end in an
    RMSNorm, so states have unit RMS and sigma is a fraction of it); ``select`` ``max_q`` or ``vote``; ``tta`` N >= 1
    variants, the identity first; ``noise_state`` a state of the core (default its ``latent``); ``seed`` >= 0 fixes
    every rollout's noise and the symmetries drawn.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class, despite the name

    rollouts: int = 1
    noise: float = 0.0
    select: Literal["max_q", "vote"] = "max_q"
    tta: int = 1
    noise_state: Optional[str] = None
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("rollouts", "tta"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigError(f"{name} must be a whole number of at least 1, got {value!r}")
        number = isinstance(self.noise, (int, float, np.floating)) and not isinstance(self.noise, bool)
        if not number or not math.isfinite(self.noise):
            raise ConfigError(f"noise must be a finite number, got {self.noise!r}")
        if self.noise < 0:
            raise ConfigError(f"noise must be at least 0 (the scale of the Gaussian noise), got {self.noise}")
        if self.select not in SELECT:
            raise ConfigError(f"select must be one of {', '.join(SELECT)}, got {self.select!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ConfigError(f"seed must be a whole number of at least 0, got {self.seed!r}")

    @property
    def candidates(self) -> int:
        """Candidates per puzzle: rollouts x variants."""
        return self.rollouts * self.tta

    @property
    def plain(self) -> bool:
        """One noise-free candidate: plain inference."""
        return self.candidates == 1 and self.noise == 0

    def noise_target(self, model) -> Optional[str]:
        """The state the noise goes into (None without noise); ConfigError for a state the core does not have."""
        names = tuple(model.core.state_names)
        name = self.noise_state if self.noise_state is not None else model.core.latent
        if name not in names:
            raise ConfigError(f"noise_state {name!r} is not a state of the {type(model.core).__name__}: {names}")
        return name if self.noise > 0 else None

    def check_select(self, model) -> None:
        """ConfigError if ``max_q`` must choose among rollouts but the halting policy has no confidence."""
        if self.select == "max_q" and self.rollouts > 1 and model.halting.head is None:
            raise ConfigError(
                f"select=max_q needs a halting confidence, which the {type(model.halting).__name__} policy lacks; "
                "use select=vote"
            )

    def variants(self, task, seq_len: int) -> list[Augmentation]:
        """The identity and ``tta - 1`` symmetries of ``task`` on sequences of ``seq_len`` tokens."""
        if self.tta == 1:
            return [Identity()]
        if task is None:
            raise ConfigError("tta needs the task's symmetries: give the task (task=..., --task NAME)")
        rng = np.random.default_rng([self.seed, 1])
        found = task.symmetries(seq_len, rng, self.tta - 1)
        if len(found) < self.tta - 1:
            raise ConfigError(
                f"the {task.kind} task has {len(found)} symmetries besides the identity: tta must be at most "
                f"{len(found) + 1}, got {self.tta}"
            )
        return [Identity(), *found]

    def row_seed(self, puzzle: int, variant: int, rollout: int) -> int:
        """The seed of one rollout's noise generator, a function of the seed and the rollout's place only."""
        return int(np.random.SeedSequence([self.seed, 0, puzzle, variant, rollout]).generate_state(1, np.uint64)[0])
