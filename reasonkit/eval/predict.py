"""Solve puzzles given as strings, arrays or a CSV file in the data set's format.

Strings use the Sudoku-Extreme convention of the data sets (``'.'`` or ``'0'`` blank, digits ``1-9``; tokens
blank 1, digit d -> d + 1); arrays are token ids of the model's vocabulary. A CSV needs a ``question`` column
(``source``, ``answer`` and ``rating`` are kept when present); the output CSV adds ``prediction``, ``steps``,
``confidence`` and, when answers are given, ``correct``.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Optional

import numpy as np

from .inference import infer

__all__ = ["encode_puzzle", "decode_tokens", "solve_puzzle", "predict_csv"]


def encode_puzzle(text: str) -> np.ndarray:
    """A puzzle string ('.' or '0' blank, digits) to token ids (blank 1, digit d -> d + 1)."""
    text = text.strip()
    bad = sorted({c for c in text if not (c == "." or c.isdigit())})
    if bad:
        raise ValueError(f"puzzle string has characters other than '.' and digits: {''.join(bad)!r}")
    return np.array([1 if c in ".0" else int(c) + 1 for c in text], dtype=np.int32)


def decode_tokens(tokens: np.ndarray) -> str:
    """Token ids back to a digit string (blank and pad as '.')."""
    return "".join("." if t <= 1 else str(int(t) - 1) for t in np.asarray(tokens).reshape(-1))


def _check_length(model, n: int) -> None:
    if n != model.spec.seq_len:
        raise ValueError(f"puzzle has {n} cells but the model was built for seq_len={model.spec.seq_len}")


def solve_puzzle(model, puzzle: str | np.ndarray, *, max_steps: Optional[int] = None, early_exit: bool = False,
                 puzzle_identifier: int = 0):
    """Solve one puzzle: a string gives a digit string back, an array of token ids gives token ids back."""
    tokens = encode_puzzle(puzzle) if isinstance(puzzle, str) else np.asarray(puzzle, dtype=np.int32).reshape(-1)
    _check_length(model, len(tokens))
    result = infer(model, tokens[None], np.array([puzzle_identifier]), batch_size=1, max_steps=max_steps,
                   early_exit=early_exit)
    pred = result.predictions[0]
    return decode_tokens(pred) if isinstance(puzzle, str) else pred


def predict_csv(model, input_path: str | Path, out_path: str | Path, *, batch_size: int = 256,
                max_steps: Optional[int] = None, early_exit: bool = False) -> dict:
    """Solve every ``question`` of a CSV and write the predictions; returns a summary (accuracy if answers given)."""
    input_path = Path(input_path)
    if not input_path.is_file():
        raise FileNotFoundError(f"{input_path}: no such file")
    with open(input_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "question" not in rows[0]:
        raise ValueError(f"{input_path}: expected a header with a 'question' column and at least one row")
    encoded = []
    for i, r in enumerate(rows, start=2):  # row numbers as in the file, the header being row 1
        try:
            tokens = encode_puzzle(r.get("question") or "")
        except ValueError as err:
            raise ValueError(f"{input_path}, row {i}: {err}") from None
        if len(tokens) != model.spec.seq_len:
            raise ValueError(f"{input_path}, row {i}: puzzle has {len(tokens)} cells but the model was built for "
                             f"seq_len={model.spec.seq_len}")
        encoded.append(tokens)
    tokens = np.stack(encoded)
    result = infer(model, tokens, None, batch_size=batch_size, max_steps=max_steps, early_exit=early_exit)
    fields = list(rows[0]) + ["prediction", "steps", "confidence"]
    has_answer = "answer" in rows[0]
    if has_answer:
        fields.append("correct")
    correct = 0
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for i, row in enumerate(rows):
            pred = decode_tokens(result.predictions[i])
            row = {**row, "prediction": pred, "steps": int(result.steps[i]),
                   "confidence": "" if result.confidence is None else f"{result.confidence[i]:.4f}"}
            if has_answer:
                ok = pred == (row.get("answer") or "").strip()
                correct += ok
                row["correct"] = int(ok)
            writer.writerow(row)
    summary = {"count": len(rows), "seconds": result.seconds, "mean_steps": float(result.steps.mean())}
    if has_answer:
        summary["exact_accuracy"] = correct / len(rows)
    return summary
