"""Reading the puzzle CSVs of Sudoku-Extreme and Maze-Hard (columns ``source,question,answer,rating``)."""

from __future__ import annotations

import csv
import os
import warnings
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import DataError

__all__ = ["CSVError", "CSV_COLUMNS", "csv_rows", "distinct_rows"]

CSV_COLUMNS = ("source", "question", "answer", "rating")


class CSVError(DataError):
    """A puzzle CSV that cannot be used; the message names the file and the row."""


def csv_rows(path: str | os.PathLike, columns: Sequence[str] = CSV_COLUMNS) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, {column: value})`` for every non-empty data row of a CSV with a header.

    Raises DataError for a missing file and CSVError, naming the file and row, for a file that is not UTF-8 text,
    an empty file, a header without one of ``columns``, or a row whose field count differs from the header's.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    line = 1
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise CSVError(f"{path}: empty file, expected a header {','.join(columns)}")
            missing = [c for c in columns if c not in header]
            if missing:
                raise CSVError(f"{path}: row 1 (header): missing column(s) {missing}; found {header}")
            index = {c: header.index(c) for c in columns}
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) != len(header):
                    raise CSVError(f"{path}: row {line}: {len(row)} fields, the header has {len(header)}")
                yield line, {c: row[i] for c, i in index.items()}
    except (UnicodeDecodeError, csv.Error) as err:
        raise CSVError(
            f"{path}: near row {line + 1}: not a CSV text file ({err}); give a UTF-8 CSV with the "
            f"columns {','.join(columns)}"
        ) from None


def distinct_rows(path: str | os.PathLike, questions: Sequence[bytes], lines: Sequence[int]) -> list[int]:
    """The indices of ``questions`` to keep: the first of each repeated question; warns naming the repeats."""
    seen: dict[bytes, int] = {}
    keep, repeats = [], []
    for i, q in enumerate(questions):
        if q in seen:
            repeats.append((lines[i], lines[seen[q]]))
        else:
            seen[q] = i
            keep.append(i)
    if repeats:
        examples = ", ".join(f"row {a} repeats row {b}" for a, b in repeats[:3])
        warnings.warn(
            f"{path}: {len(repeats)} repeated puzzle(s) dropped ({examples}{', ...' if len(repeats) > 3 else ''})",
            RuntimeWarning,
            stacklevel=3,
        )
    return keep
