"""Tiny reasoners built from the registry: every kind's own ``tiny()`` instance, no hand-written lists.

``model_groups()`` are the groups a Reasoner is composed of (every registered group but ``task``); a kind put
into a tiny model brings the root overrides it needs (``tiny_root``: a task with a graph, a position scheme).
Kinds of nested groups (cells, injections, feed-forwards) are placed by walking the spec's ``Kind`` fields, so
a new group nested anywhere in the spec is crossed without edits here.
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


def _group_of(info) -> str | None:
    return next((m.group for m in info.metadata if isinstance(m, KindGroup)), None)


def _place(node: dict[str, Any], cls: type, group: str, kind: str) -> int:
    """Replace every field of ``group`` in the spec dict ``node`` (of class ``cls``) and in its sub-specs by the
    tiny instance of ``kind``; returns how many fields were replaced."""
    placed = 0
    for name, info in cls.model_fields.items():
        value, field_group = node.get(name), _group_of(info)
        if not isinstance(value, dict) or field_group is None:
            continue
        if field_group == group:
            node[name] = tiny_dict(group, kind)
            placed += 1
        else:
            placed += _place(value, lookup(field_group, value["kind"]), group, kind)
    return placed


def tiny_spec(
    core: str = "hierarchical", gradient: str = "one_step", halting: str = "q_act", **kinds_and_overrides
) -> reasonkit.ReasonerSpec:
    """A tiny spec with the tiny instance of each named kind.

    A keyword named after any other model group (``cell=``, ``injection=``, ``feed_forward=``, ...) puts that
    kind's tiny instance into every field of that group, wherever it sits (the core's cells, the cells'
    feed-forwards), in registry order; a kind with no field to go into is an error. The remaining keywords are
    overrides of the spec.
    """
    nested = {g: kinds_and_overrides.pop(g) for g in model_groups() if g in kinds_and_overrides}
    root, needs = dict(ROOT), {}
    root.update(
        core=tiny_dict("core", core), gradient=tiny_dict("gradient", gradient), halting=tiny_dict("halting", halting)
    )
    for group, kind in (("core", core), ("gradient", gradient), ("halting", halting)):
        needs.update(lookup(group, kind).tiny_root)
    for group, kind in nested.items():
        if kind is None:
            continue
        if not _place(root, reasonkit.ReasonerSpec, group, kind):
            raise ValueError(f"the tiny model ({core} core) has no {group} field for {kind!r}")
        needs.update(lookup(group, kind).tiny_root)
    for key, value in needs.items():  # dotted paths into sub-specs the root dict may not spell out yet
        node = root
        *path, last = key.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return reasonkit.get_spec(root, **kinds_and_overrides)


def batch(seed: int = 0, size: int = BATCH) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "inputs": torch.randint(0, VOCAB, (size, SEQ), generator=g),
        "labels": torch.randint(0, VOCAB, (size, SEQ), generator=g),
        "puzzle_identifiers": torch.randint(0, 2, (size,), generator=g),
    }


def all_kinds() -> list[tuple[str, str]]:
    return [(group, kind) for group in model_groups() for kind in list_kinds(group)]
