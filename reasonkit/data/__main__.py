"""``python -m reasonkit.data {sudoku,maze,arc} ...`` (also accepts a leading ``data``)."""
import sys

from .cli import main

sys.exit(main())
