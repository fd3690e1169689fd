"""Test settings: a hypothesis profile sized for 2 CPU cores, and deterministic torch threads."""
import os

import torch
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
