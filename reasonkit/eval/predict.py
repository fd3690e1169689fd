"""Solve puzzles given as strings or a CSV file, in the task's own string form.

The task's codec (:meth:`reasonkit.tasks.Task.encode` / ``decode``) reads and writes the strings: Sudoku digit
strings ('.' blank), Maze ``# SGo`` strings, ARC grids as JSON. A CSV needs a ``question`` column (other columns
are kept); the output CSV adds ``prediction``, ``steps``, ``confidence`` and, when an ``answer`` column is given,
``correct`` (by the task's check: any shortest path counts for Maze; empty where a row gives no answer).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Optional

import numpy as np

from ..data.schema import IGNORE_LABEL
from ..errors import ConfigError, DataError
from ..tasks.base import Task
from .evaluate import candidates_correct
from .inference import infer
from .output import check_writable, write_text
from .test_time import TestTime

__all__ = ["solve_puzzle", "read_puzzle_csv", "predict_csv"]


def _task(model, task: Optional[Task]) -> Task:
    if task is not None:
        return task
    from .evaluate import resolve_task

    found = resolve_task(model)
    if found is None:
        raise ConfigError(
            "the model names no task, so its puzzle strings cannot be read; pass task=... (--task sudoku|maze|arc)"
        )
    return found


def solve_puzzle(
    model,
    puzzle: str | np.ndarray,
    *,
    task: Optional[Task] = None,
    max_steps: Optional[int] = None,
    early_exit: bool = False,
    puzzle_identifier: int = 0,
    test_time: Optional[TestTime] = None,
):
    """Solve one puzzle: a string gives the task's string back, an array of token ids gives token ids back.

    ``test_time`` adds rollouts and augmentation voting (its candidates share one batch).
    """
    if isinstance(puzzle, str) or (test_time is not None and test_time.tta > 1):
        task = _task(model, task)
    if isinstance(puzzle, str):
        tokens = task.encode(puzzle, model.seq_len)
    else:
        tokens = np.asarray(puzzle, dtype=np.int32).reshape(-1)
    result = infer(
        model,
        tokens[None],
        np.array([puzzle_identifier]),
        batch_size=1 if test_time is None else test_time.candidates,
        max_steps=max_steps,
        early_exit=early_exit,
        test_time=test_time,
        task=task,
    )
    pred = result.predictions[0]
    return task.decode(pred) if isinstance(puzzle, str) else pred


def read_puzzle_csv(
    path: str | Path, task: Task, seq_len: int
) -> tuple[list[dict], np.ndarray, list[Optional[np.ndarray]]]:
    """The rows of a puzzle CSV, their questions as tokens [N, seq_len] and each row's answer as tokens (None where
    the ``answer`` column is missing or empty); DataError naming the file and row for anything unreadable."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"{path}: not a readable CSV text file ({err})") from None
    if not rows or "question" not in rows[0]:
        raise DataError(f"{path}: expected a header with a 'question' column and at least one row")
    questions, answers = [], []
    for i, r in enumerate(rows, start=2):  # row numbers as in the file, the header being row 1
        if None in r:
            raise DataError(f"{path}, row {i}: more fields than the header has")
        try:
            questions.append(task.encode(r.get("question") or "", seq_len))
            # blank means no answer; a maze answer keeps its spaces (open border cells) as they are
            answer = r.get("answer") or ""
            answers.append(task.encode(answer, seq_len) if answer.strip() else None)
        except ValueError as err:
            raise DataError(f"{path}, row {i}: {err}") from None
    return rows, np.stack(questions), answers


def predict_csv(
    model,
    input_path: str | Path,
    out_path: str | Path,
    *,
    task: Optional[Task] = None,
    batch_size: int = 256,
    max_steps: Optional[int] = None,
    early_exit: bool = False,
    overwrite: bool = True,
    test_time: Optional[TestTime] = None,
) -> dict:
    """Solve every ``question`` of a CSV and write the predictions; returns a summary (accuracy if answers given).

    ``out_path`` is checked before any work and written atomically. With ``test_time`` the prediction is the
    selected candidate, and the summary adds ``oracle_exact_accuracy`` (pass@K over the candidates).
    """
    task = _task(model, task)
    out_path = Path(out_path)
    check_writable(out_path, overwrite=overwrite)
    rows, questions, answers = read_puzzle_csv(input_path, task, model.seq_len)
    result = infer(
        model,
        questions,
        None,
        batch_size=batch_size,
        max_steps=max_steps,
        early_exit=early_exit,
        test_time=test_time,
        task=task,
    )
    answered = [i for i, a in enumerate(answers) if a is not None]
    correct, oracle = {}, {}
    if answered:
        labels = np.stack([answers[i] for i in answered])
        ok = task.is_correct(questions[answered], result.predictions[answered], labels, IGNORE_LABEL)
        correct = dict(zip(answered, ok.tolist()))
        any_ok = candidates_correct(task, questions[answered], labels, result.candidates[answered]).any(-1)
        oracle = dict(zip(answered, any_ok.tolist()))
    fields = list(rows[0]) + ["prediction", "steps", "confidence"] + (["correct"] if "answer" in rows[0] else [])
    lines = []
    for i, row in enumerate(rows):
        row = {
            **row,
            "prediction": task.decode(result.predictions[i]),
            "steps": int(result.steps[i]),
            "confidence": "" if result.confidence is None else f"{result.confidence[i]:.4f}",
        }
        if "answer" in rows[0]:
            row["correct"] = int(correct[i]) if i in correct else ""  # empty: no answer to compare with
        lines.append(row)

    def write(f) -> None:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(lines)

    write_text(out_path, write)
    summary = {
        "count": len(rows),
        "seconds": result.seconds,
        "mean_steps": float(result.steps.mean()),
        "segments_per_puzzle": float(result.segments_per_puzzle.mean()),
    }
    if correct:
        summary["answered"] = len(correct)
        summary["exact_accuracy"] = sum(correct.values()) / len(correct)
        summary["oracle_exact_accuracy"] = sum(oracle.values()) / len(oracle)
    return summary
