"""Make the engine tests' helpers (tests/train/toy_data.py) importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "train"))
