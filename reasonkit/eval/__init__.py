"""Evaluation and inference: metrics, batched inference with early exit and refill, test-time rollouts and
augmentation voting, voting, prediction."""

from .evaluate import candidates_correct, check_data_fits_model, evaluate, load_examples, resolve_task, score
from .inference import InferenceResult, infer
from .predict import predict_csv, solve_puzzle
from .scaling import scaling_curve, score_segments
from .select import select_candidates
from .test_time import TestTime
from .vote import pass_at_k, variant_scores, vote

__all__ = [
    "evaluate",
    "score",
    "load_examples",
    "check_data_fits_model",
    "resolve_task",
    "infer",
    "scaling_curve",
    "score_segments",
    "InferenceResult",
    "TestTime",
    "select_candidates",
    "candidates_correct",
    "predict_csv",
    "solve_puzzle",
    "vote",
    "pass_at_k",
    "variant_scores",
]
