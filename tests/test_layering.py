"""The package's layering (docs/architecture.md): a module imports only from its own layer or below.

Every import in every module is checked, including those inside functions (lazy imports count too). The layers,
bottom up: foundations (errors, registry, spec, runtime), layers, blocks, models, the model zoo (presets, builder,
interop), data, tasks, checkpoint, eval, viz, train, and the command line. Nothing imports the recipes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reasonkit"

LAYERS = [
    {"errors", "_version", "registry", "spec", "runtime"},
    {"layers"},
    {"blocks"},
    {"models"},
    {"presets", "builder", "interop"},
    {"data"},
    {"tasks"},
    {"checkpoint"},
    {"eval"},
    {"viz"},
    {"train"},
    {"cli", "__main__", "__init__"},
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}
MODULES = sorted(PACKAGE.rglob("*.py"))


def _top(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.name != "__init__.py" else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level reasonkit unit) of every reasonkit import in a module, relative ones resolved."""
    return _imports_in(path.read_text(), list(path.relative_to(PACKAGE).parts[:-1]))


def _imports_in(text: str, package: list[str]) -> list[tuple[int, str]]:
    """The same for module source ``text`` living in sub-package ``package`` of reasonkit."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "recipes":
                    out.append((node.lineno, "recipes"))
                if parts[0] == "reasonkit" and len(parts) > 1:
                    out.append((node.lineno, parts[1]))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] == "recipes":
                    out.append((node.lineno, "recipes"))
                if parts[0] == "reasonkit":
                    targets = parts[1:2] or [a.name for a in node.names]
                    out.extend((node.lineno, t) for t in targets)
            else:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                parts = base + (node.module.split(".") if node.module else [])
                targets = parts[:1] or [a.name for a in node.names]
                out.extend((node.lineno, t) for t in targets)
    return out


def test_every_unit_has_a_layer():
    units = {_top(p) for p in MODULES}
    assert units <= set(LAYER_OF), f"put {sorted(units - set(LAYER_OF))} in a layer (tests/test_layering.py, docs)"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_imports_run_downwards(path):
    source = _top(path)
    wrong = []
    for line, target in _imports(path):
        if target == "recipes":
            wrong.append(f"line {line}: imports the recipes")
        elif target in LAYER_OF and LAYER_OF[target] > LAYER_OF[source]:
            wrong.append(
                f"line {line}: {source} (layer {LAYER_OF[source]}) imports {target} (layer {LAYER_OF[target]})"
            )
    assert not wrong, f"{path.relative_to(PACKAGE)}: " + "; ".join(wrong)


def test_the_checker_sees_lazy_relative_and_absolute_imports():
    """An upward import is found wherever it hides, so the rule the test enforces can fail."""
    lazy = "def f():\n    from ..train import recipe\n"
    assert _imports_in(lazy, ["eval"]) == [(2, "train")]
    assert _imports_in("from . import vote\nfrom .vote import vote\n", ["eval"]) == [(1, "eval"), (2, "eval")]
    assert _imports_in("import reasonkit.train.recipe\nfrom reasonkit import viz\n", ["data"]) == [
        (1, "train"),
        (2, "viz"),
    ]
    assert _imports_in("from ...errors import DataError\n", ["tasks", "arc"]) == [(1, "errors")]
    assert _imports_in("import recipes.sudoku_extreme\n", ["train"]) == [(1, "recipes")]
