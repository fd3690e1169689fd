"""Load state dicts saved by the reference HRM (sapientinc/HRM), TRM and URM (UbiquantAI/URM) code into reasonkit
models.

The reference names parameters ``inner.<module>...``; ``torch.compile`` adds ``_orig_mod.`` in front and the
training wrapper ``model.``. The puzzle-embedding table is the buffer ``inner.puzzle_emb.weights``. Each core
declares how the reference names its levels and initial states (``REFERENCE_LEVELS``: reference name ->
name inside the core); everything else maps by a fixed table.
"""

from __future__ import annotations

import re
from typing import Mapping

import torch

from ..models.reasoner import Reasoner

__all__ = ["load_reference_state_dict", "reference_key_map"]

_PREFIXES = ("_orig_mod.", "model.", "inner.")
_FIXED = {
    "embed_tokens.embedding_weight": "embedding.tokens.weight",
    "embed_pos.embedding_weight": "embedding.position.weight",
    "puzzle_emb.weights": "embedding.puzzle.weight",
    "lm_head.weight": "lm_head.weight",
    "q_head.weight": "halting.head.weight",
    "q_head.bias": "halting.head.bias",
}
# Buffers of the reference that hold no learned state (rebuilt from the config) or per-batch scratch.
_SKIPPED = re.compile(r"(rotary_emb\.(cos|sin)_cached|puzzle_emb\.local_(weights|ids))$")


def _strip(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key, changed = key[len(prefix) :], True
    return key


def reference_key_map(model: Reasoner) -> dict[str, str]:
    """Reference name (prefixes stripped) -> reasonkit name, for every reference key this model can take."""
    levels: Mapping[str, str] = getattr(model.core, "REFERENCE_LEVELS", None) or {}
    if not levels:
        raise TypeError(f"{type(model.core).__name__} has no reference counterpart (it declares no REFERENCE_LEVELS)")
    ours = set(model.state_dict())
    mapping = {ref: mine for ref, mine in _FIXED.items() if mine in ours}
    for ref_prefix, core_name in levels.items():
        our_prefix = "core." + core_name
        for name in ours:
            if name.startswith(our_prefix + "."):
                mapping[ref_prefix + name[len(our_prefix) :]] = name
            elif name == our_prefix:
                mapping[ref_prefix] = name
    return mapping


def load_reference_state_dict(model: Reasoner, state_dict: Mapping[str, torch.Tensor]) -> None:
    """Copy a reference HRM/TRM/URM state dict into ``model`` in place, checking that every tensor is accounted for.

    Accepts the keys as saved by the reference (with or without ``_orig_mod.`` / ``model.`` prefixes). Raises a
    ValueError naming the keys that are unexpected, missing or of the wrong shape, e.g. for a state dict of
    another architecture or size; the model is left unchanged in that case.
    """
    mapping = reference_key_map(model)
    ours = model.state_dict()
    loaded: dict[str, torch.Tensor] = {}
    unexpected, mismatched = [], []
    for key, value in state_dict.items():
        name = _strip(key)
        if _SKIPPED.search(name):
            continue
        if name not in mapping:
            unexpected.append(key)
            continue
        target = mapping[name]
        if tuple(value.shape) != tuple(ours[target].shape):
            mismatched.append(f"{key}: {tuple(value.shape)} vs {target}: {tuple(ours[target].shape)}")
            continue
        loaded[target] = value
    missing = sorted(n for n in ours if n not in loaded)
    problems = []
    if unexpected:
        problems.append(
            f"unexpected keys (not part of a {type(model.core).__name__} model): {', '.join(sorted(unexpected)[:8])}"
        )
    if mismatched:
        problems.append(f"shape mismatches (a model of another size or task?): {'; '.join(mismatched[:8])}")
    if missing:
        problems.append(f"missing keys: {', '.join(missing[:8])}")
    if problems:
        raise ValueError("cannot load the reference state dict: " + " | ".join(problems))
    with torch.no_grad():
        for name, value in loaded.items():
            ours[name].copy_(value.to(ours[name].dtype))
