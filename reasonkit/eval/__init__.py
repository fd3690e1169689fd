"""Evaluation and inference: metrics, batched inference with early exit and refill, ARC voting, prediction."""
from .evaluate import check_data_fits_model, evaluate, load_examples, score
from .inference import InferenceResult, infer

__all__ = ["evaluate", "score", "load_examples", "check_data_fits_model", "infer", "InferenceResult"]
