"""Shared helpers for the fidelity tests against fixtures recorded from the reference code (tests/fixtures/)."""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> tuple[dict, dict[str, torch.Tensor]]:
    """The JSON record and the tensors of fixture ``name``."""
    return json.loads((FIXTURES / f"{name}.json").read_text()), load_file(FIXTURES / f"{name}.safetensors")


def reference_state(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The reference model's state dict stored under ``state.``."""
    return {k[len("state."):]: v for k, v in tensors.items() if k.startswith("state.")}


def batch(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The batch stored under ``{prefix}.batch.`` (inputs, labels, puzzle_identifiers)."""
    return {k: tensors[f"{prefix}.batch.{k}"] for k in ("inputs", "labels", "puzzle_identifiers")}
