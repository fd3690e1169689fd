"""Tiny block tests run single-threaded: on a loaded 2-core machine, intra-op threads spin-waiting on ops this
small make them up to ~100x slower (measured: 6.1 s vs 0.05 s for one combination test)."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def single_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
