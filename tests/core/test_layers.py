"""The layers stand as documented: the judge and serve layers import nothing of flame.data, the
evals layer takes no helper from it that flame.core provides, and flame.data's modules import
one another without a circle. Imports are read from the source with ast (every import, at the
top of a module or inside a function, except those only a type checker sees)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "flame"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST):
    """Every node of tree, skipping the bodies of `if TYPE_CHECKING:` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                yield child
                yield from _runtime_nodes(child)
            continue
        yield node
        yield from _runtime_nodes(node)


def imports(module: str) -> list[tuple[str, str | None]]:
    """(module imported, name imported from it, or None for `import m`) for each import in
    module; relative imports resolved, and `from package import submodule` read as an import
    of the submodule."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub, None) if sub in MODULES else (base, alias.name))
    return found


def _defined(module: str) -> set[str]:
    """Public names a flame.core module defines (functions, classes, constants)."""
    names = set()
    for node in ast.parse(MODULES[module].read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


CORE_HELPERS = _defined("flame.core.files") | _defined("flame.core.pairwise")


def _in(layer: str) -> list[str]:
    return [m for m in MODULES if m == layer or m.startswith(layer + ".")]


def test_the_core_helpers_are_found():
    assert {"flame_home", "mirror_root", "sha256_file", "atomic_write", "RESPONSE_A", "RESPONSE_B", "CHOICE",
            "pairwise_task"} <= CORE_HELPERS


@pytest.mark.parametrize("layer", ["flame.judge", "flame.serve"])
def test_judge_and_serve_import_nothing_of_flame_data(layer):
    reaching = {m: sorted({i for i, _ in imports(m) if i == "flame.data" or i.startswith("flame.data.")})
                for m in _in(layer)}
    assert {m: i for m, i in reaching.items() if i} == {}


def test_evals_take_no_core_helper_from_flame_data():
    borrowed = {m: sorted(f"{i}.{name}" for i, name in imports(m)
                          if i.startswith("flame.data") and name in CORE_HELPERS) for m in _in("flame.evals")}
    assert {m: b for m, b in borrowed.items() if b} == {}


def test_no_import_circle_among_flame_data_modules():
    data = _in("flame.data")
    graph = {m: {i for i, _ in imports(m) if i in data and i != m} for m in data}
    circles, state = [], {}  # state: 1 while on the DFS path, 2 when done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                circles.append(path[path.index(n):] + [n])
            elif n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(data):
        if m not in state:
            visit(m, [m])
    assert circles == []
