"""Every registered kind is documented on its group's page (docs/blocks/<group>.md, docs/tasks.md for tasks): what
it is for and its paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from reasonkit import list_kinds

DOCS = Path(__file__).resolve().parents[2] / "docs"
KINDS = [(group, kind) for group, kinds in list_kinds().items() for kind in kinds]


@pytest.mark.parametrize("group, kind", KINDS, ids=[f"{g}-{k}" for g, k in KINDS])
def test_kind_is_documented(group, kind):
    page = DOCS / "tasks.md" if group == "task" else DOCS / "blocks" / f"{group}.md"
    assert page.exists(), f"add {page}"
    rows = [line for line in page.read_text().splitlines() if line.startswith(f"| `{kind}` |")]
    assert rows, f"add a row for `{kind}` to {page} (what it is for, its paper)"
    assert rows[0].count("|") >= 4
