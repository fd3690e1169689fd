"""Tiny reasoners built from the registry: every kind's own ``tiny()`` instance, no hand-written lists.

``model_groups()`` are the groups a Reasoner is composed of (every registered group but ``task``); a kind put
into a tiny model brings the root overrides it needs (``tiny_root``: a task with a graph, a position scheme).
"""

from __future__ import annotations

import json
from typing import Any

import torch

import reasonkit
from reasonkit.registry import GROUPS, list_kinds, lookup
from reasonkit.spec import KindGroup

#: The root of every tiny model: 16 positions (a 4x4 Sudoku or maze for graph cells), vocabulary 6, hidden 32.
ROOT = {"vocab_size": 6, "seq_len": 16, "num_puzzle_ids": 2, "hidden_size": 32, "loss": "softmax"}
SEQ, VOCAB, BATCH = ROOT["seq_len"], ROOT["vocab_size"], 3


def model_groups() -> list[str]:
    return [g for g in GROUPS if g != "task"]


def tiny_dict(group: str, kind: str) -> dict[str, Any]:
    """The JSON form of a kind's tiny instance."""
    return json.loads(lookup(group, kind).tiny().model_dump_json())


def _fields_of_group(spec: dict[str, Any], core_kind: str, group: str) -> list[str]:
    cls = lookup("core", core_kind)
    return [
        name
        for name, info in cls.model_fields.items()
        if any(isinstance(m, KindGroup) and m.group == group for m in info.metadata) and spec.get(name) is not None
    ]


def tiny_spec(
    core: str = "hierarchical",
    gradient: str = "one_step",
    halting: str = "q_act",
    cell: str | None = None,
    injection: str | None = None,
    **extra,
) -> reasonkit.ReasonerSpec:
    """A tiny spec with the tiny instance of each named kind; ``cell``/``injection`` replace every cell/injection
    field of the core."""
    core_spec = tiny_dict("core", core)
    root, needs = dict(ROOT), {}
    for group, kind in (("cell", cell), ("injection", injection)):
        if kind is None:
            continue
        for name in _fields_of_group(core_spec, core, group):
            core_spec[name] = tiny_dict(group, kind)
        needs.update(lookup(group, kind).tiny_root)
    for group, kind in (("core", core), ("gradient", gradient), ("halting", halting)):
        needs.update(lookup(group, kind).tiny_root)
    root.update(core=core_spec, gradient=tiny_dict("gradient", gradient), halting=tiny_dict("halting", halting))
    for key, value in needs.items():  # dotted paths into sub-specs the root dict may not spell out yet
        node = root
        *path, last = key.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return reasonkit.get_spec(root, **extra)


def batch(seed: int = 0, size: int = BATCH) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "inputs": torch.randint(0, VOCAB, (size, SEQ), generator=g),
        "labels": torch.randint(0, VOCAB, (size, SEQ), generator=g),
        "puzzle_identifiers": torch.randint(0, 2, (size,), generator=g),
    }


def all_kinds() -> list[tuple[str, str]]:
    return [(group, kind) for group in model_groups() for kind in list_kinds(group)]
