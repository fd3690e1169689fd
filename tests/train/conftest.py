"""Make the engine tests' helpers (toy_data) importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
