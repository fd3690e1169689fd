"""Reading the puzzle CSVs of Sudoku-Extreme and Maze-Hard (columns ``source,question,answer,rating``)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import DataError

__all__ = ["CSVError", "CSV_COLUMNS", "csv_rows"]

CSV_COLUMNS = ("source", "question", "answer", "rating")


class CSVError(DataError):
    """A puzzle CSV that cannot be used; the message names the file and the row."""


def csv_rows(path: str | os.PathLike, columns: Sequence[str] = CSV_COLUMNS) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, {column: value})`` for every non-empty data row of a CSV with a header.

    Raises FileNotFoundError for a missing file and CSVError, naming the file and row, for an empty file, a
    header without one of ``columns``, or a row whose field count differs from the header's.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise CSVError(f"{path}: empty file, expected a header {','.join(columns)}")
        missing = [c for c in columns if c not in header]
        if missing:
            raise CSVError(f"{path}: row 1 (header): missing column(s) {missing}; found {header}")
        index = {c: header.index(c) for c in columns}
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise CSVError(f"{path}: row {reader.line_num}: {len(row)} fields, the header has {len(header)}")
            yield reader.line_num, {c: row[i] for c, i in index.items()}
