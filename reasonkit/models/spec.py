"""The root spec of a recurrent reasoner: task dimensions, embedding, core, gradient estimator, halting policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Optional

import torch
from pydantic import Field, PositiveInt, field_validator, model_validator

from ..errors import ConfigError
from ..registry import lookup, resolve_alias
from ..spec import BuildContext, Kind, Spec
from .embedding import EmbeddingSpec, InputEmbedding

if TYPE_CHECKING:  # the Reasoner module needs this one's classes at build time only
    from .reasoner import Reasoner

__all__ = ["ReasonerSpec", "DTYPES"]

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class ReasonerSpec(Spec):
    """Everything needed to build a :class:`~reasonkit.models.Reasoner`; JSON round-trippable."""

    vocab_size: PositiveInt = Field(description="token vocabulary, pad included (11 for Sudoku, 6 Maze, 12 ARC)")
    seq_len: PositiveInt = Field(description="tokens per example, puzzle prefix excluded (81 Sudoku, 900 Maze/ARC)")
    num_puzzle_ids: PositiveInt = Field(1, description="rows of the puzzle-embedding table (1 for Sudoku and Maze)")
    task: Optional[str] = Field(
        None, description="the registered task (sudoku, maze, arc) whose structure cells may use"
    )
    hidden_size: PositiveInt = 512
    forward_dtype: Literal["float32", "bfloat16", "float16"] = Field(
        "float32", description="activation dtype; parameters stay float32 (the reference trains in bfloat16 on GPUs)"
    )
    embedding: EmbeddingSpec = Field(default_factory=EmbeddingSpec)
    core: Kind("core") = Field(default_factory=lambda: {"kind": "hierarchical"})
    gradient: Kind("gradient") = Field(default_factory=lambda: {"kind": "one_step"})
    halting: Kind("halting") = Field(default_factory=lambda: {"kind": "q_act"})
    loss: Literal["stablemax", "softmax"] = Field(
        "stablemax", description="LM cross-entropy: stablemax (HRM) or softmax"
    )
    inference_max_steps: Optional[PositiveInt] = Field(
        None,
        description="segments allowed at inference (eval mode) when a call sets no max_steps; None = the halting "
        "policy's max_steps. More than the training maximum scales inference (HRM, arXiv 2506.21734, sec. 4)",
    )

    @field_validator("task")
    @classmethod
    def _known_task(cls, task: Optional[str]) -> Optional[str]:
        if task is None:
            return None
        task = resolve_alias("task", task)
        lookup("task", task)  # an unknown task is an error listing the known ones
        return task

    def context(self) -> BuildContext:
        """The build context the root passes to its blocks."""
        _, prefix = self.embedding.resolved(self.hidden_size)
        return BuildContext(
            hidden_size=self.hidden_size,
            seq_len=self.seq_len + prefix,
            vocab_size=self.vocab_size,
            prefix_len=prefix,
            positions=self.embedding.positions,
            rope_theta=self.embedding.rope_theta,
            task=self.task,
        )

    @model_validator(mode="after")
    def _check_combination(self) -> ReasonerSpec:
        dim, prefix = self.embedding.resolved(self.hidden_size)
        if dim > prefix * self.hidden_size:
            raise ValueError(
                f"embedding.puzzle_dim={dim} does not fit in puzzle_len={prefix} tokens of "
                f"hidden_size={self.hidden_size}"
            )
        self.check(self.context())
        return self

    def build(self) -> Reasoner:
        """Build the model this spec describes (see :func:`reasonkit.build` for names, dicts and files).

        A model too large for this machine's memory is a ConfigError giving its size, not an allocator error.
        """
        try:
            return self._build()
        except (RuntimeError, MemoryError) as err:
            if not (isinstance(err, MemoryError) or "alloc" in str(err).lower()):
                raise
            with torch.device("meta"):
                count = sum(p.numel() for p in self._build().parameters())
            raise ConfigError(
                f"the model does not fit in memory: {count:,} parameters need "
                f"{count * 4 / 2**30:.1f} GiB in float32; make it smaller (hidden_size="
                f"{self.hidden_size}, the cells' layers) or use a machine with more memory"
            ) from None

    def _build(self) -> Reasoner:
        from .reasoner import Reasoner

        ctx = self.context()
        puzzle_dim, prefix = self.embedding.resolved(self.hidden_size)
        embedding = InputEmbedding(
            self.vocab_size,
            self.hidden_size,
            self.seq_len,
            self.embedding.positions,
            self.num_puzzle_ids,
            puzzle_dim,
            prefix,
        )
        return Reasoner(
            embedding,
            self.core.build(ctx),
            self.gradient.build(ctx),
            self.halting.build(ctx),
            self.hidden_size,
            self.vocab_size,
            DTYPES[self.forward_dtype],
            spec=self,
            inference_max_steps=self.inference_max_steps,
        )
