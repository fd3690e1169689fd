"""Run the recipe engine with the toy loader: ``python train_script.py '<TrainConfig JSON>' [result.json]``.

Used by the resume (kill -9) and the 2-process (torchrun) tests.
"""

import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: toy_data
torch.set_num_threads(1)

from toy_data import ToyLoader  # noqa: E402

from reasonkit.train import Recipe, TrainConfig  # noqa: E402


def _slow_rename_hook(step: int, marker: str) -> None:
    """Make the checkpoint of ``step`` pause between writing its files and renaming them into place."""
    import os
    import time

    import reasonkit.checkpoint as ckpt

    real_rename = os.rename

    def rename(src, dst):
        if str(dst).endswith(f"step_{step:09d}"):
            Path(marker).write_text(str(src))
            time.sleep(60)  # the test kills this process here, with the temporary directory fully written
        real_rename(src, dst)

    ckpt.os.rename = rename


if __name__ == "__main__":
    import os

    if os.environ.get("RK_TEST_SLOW_RENAME_STEP"):
        _slow_rename_hook(int(os.environ["RK_TEST_SLOW_RENAME_STEP"]), os.environ["RK_TEST_MARKER"])
    result = Recipe(TrainConfig(**json.loads(sys.argv[1])), loader_factory=ToyLoader).run()
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(json.dumps(result, default=str))
