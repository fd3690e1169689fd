"""Test settings: a hypothesis profile sized for 2 CPU cores, and single-threaded torch.

The tests use tiny models, for which intra-op threads only spin-wait: on a loaded 2-core machine one thread is
10x-100x faster (measured 6.1 s vs 0.05 s for one combination test). Multi-process tests set their own.
"""

import os

import pytest
import torch
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` need a CUDA device: skipped without one (benchmarks/gpu_check.py runs them)."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _one_thread_again():
    """A recipe run in a test sets torch's threads for the machine; put back the tests' single thread after it."""
    yield
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _float32_by_default(monkeypatch):
    """precision=auto measures whether bfloat16 is fast on this machine; tests pin the answer to float32 so that
    they run the same on every CPU (tests/test_reliability.py checks the probe itself)."""
    from reasonkit import runtime

    monkeypatch.setattr(runtime, "bf16_speed", lambda device: (False, "pinned to float32 for the tests"))
