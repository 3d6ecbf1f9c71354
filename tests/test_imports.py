"""No import cycles in the package: every module can be understood, and imported, after the
modules it builds on. An import inside a function counts (it is a cycle deferred, not gone);
one only for type checking (`if TYPE_CHECKING:`) does not."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "src"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, name: str, modules: set[str], *, package: bool = False) -> set[str]:
    """The modules of `modules` that module `name` (a package's `__init__` when `package`)
    imports, wherever in its `source` the import stands, except under `if TYPE_CHECKING:`."""
    here = name.split(".") if package else name.split(".")[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for branch in child.orelse:
                    visit(branch)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = here[: len(here) - (child.level - 1)]
                    base = ".".join([*up, base] if base else up)
                for alias in child.names:  # `from advisory import shipped` imports a module
                    whole = f"{base}.{alias.name}"
                    found.add(whole if whole in modules else base)
            visit(child)

    visit(ast.parse(source))
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    graph = {}
    for path in paths:
        name, source = module_name(path), path.read_text(encoding="utf-8")
        graph[name] = imports_of(source, name, modules, package=path.name == "__init__.py")
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50 and sum(map(len, graph.values())) > 100
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as cycle:
        pytest.fail(f"import cycle: {' -> '.join(cycle.args[1])}")


MODULES = {"advisory.a", "advisory.b", "advisory.c"}


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from advisory.b import g\n", {"advisory.b"}),
        ("def f():\n    from advisory.b import g\n", {"advisory.b"}),
        ("from advisory import b, c\n", {"advisory.b", "advisory.c"}),
        ("from . import b\nfrom .c import h\n", {"advisory.b", "advisory.c"}),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from advisory.b import g\n",
         set()),
        ("import os\nfrom pathlib import Path\n", set()),
    ],
)  # fmt: skip
def test_imports_are_read_where_they_stand(source: str, found: set[str]):
    assert imports_of(source, "advisory.a", MODULES) == found
