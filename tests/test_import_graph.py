"""The import rule between the four packages, read from the source with ``ast``.

``zones`` imports none of the others; ``layers`` imports only ``zones``; ``maps`` imports ``zones``
and ``layers`` (and ``checks`` only under ``if TYPE_CHECKING:``, for type hints); ``checks`` may
import all three.  An import inside a function counts as much as one at the top of a module (it
runs when the function does); only the imports under ``if TYPE_CHECKING:`` are left out, since they
never run.  ``importlib.import_module("redline...")`` with a literal name counts as an import.  The
public root ``redline`` re-exports ``checks``, so none of the four packages imports it
(``redline._version`` is a leaf and may be imported).
"""

from __future__ import annotations

import ast
import itertools
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("zones", "layers", "checks", "maps")

#: What each package may import at run time, and under ``if TYPE_CHECKING:``.
ALLOWED: dict[str, set[str]] = {"zones": set(), "layers": {"zones"}, "maps": {"zones", "layers"}}
ALLOWED_FOR_TYPES: dict[str, set[str]] = {"zones": set(), "layers": {"zones"}, "maps": {"zones", "layers", "checks"}}

#: Modules under ``redline`` outside the four packages that import nothing of them.
LEAVES = {"redline._version"}


@dataclass(frozen=True)
class Edge:
    """One import of a module of ``target`` (a package, or ``redline`` for the root) by ``source``."""

    source: str  # package importing
    target: str  # package imported ("redline" for the public root)
    module: str  # the module imported, e.g. redline.checks.engine
    where: str  # file:line
    in_function: bool
    type_checking: bool

    def __str__(self) -> str:
        how = "under TYPE_CHECKING" if self.type_checking else "in a function" if self.in_function else "at the top"
        return f"{self.where}: {self.source} imports {self.module} ({how})"


def _module_name(path: Path, root: Path) -> str:
    """``layers/validate/run.py`` -> ``redline.layers.validate.run`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["redline", *parts])


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` names (relative imports resolved against ``module``)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The modules an import statement (or a literal ``importlib.import_module`` call) loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        target = _absolute(node, module, is_package)
        if target == "redline":  # `from redline import layers` imports the package named
            return [f"redline.{a.name}" if a.name in PACKAGES else "redline" for a in node.names]
        return [target]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "import_module" and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[tuple[str, int, bool, bool]]:
    """Return ``(module imported, line, in a function, under TYPE_CHECKING)`` for every import in ``source``."""
    out: list[tuple[str, int, bool, bool]] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for name in _imported(node, module, is_package):
            out.append((name, node.lineno, in_function, type_checking))
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, in_function, True)
            for child in node.orelse:
                visit(child, in_function, type_checking)
            return
        function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, in_function or function, type_checking)

    visit(ast.parse(source), False, False)
    return out


def _target(name: str) -> str | None:
    """The package of a ``redline`` module (``redline`` for the root), None outside the project."""
    parts = name.split(".")
    if parts[0] != "redline" or name in LEAVES:
        return None
    if len(parts) == 1:
        return "redline"
    return parts[1] if parts[1] in PACKAGES else None


def _edges() -> list[Edge]:
    edges = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            module = _module_name(path, REPO)
            found = imports_of(path.read_text("utf-8"), module, is_package=path.name == "__init__.py")
            for name, line, in_function, type_checking in found:
                target = _target(name)
                if target is not None and target != package:
                    where = f"{path.relative_to(REPO)}:{line}"
                    edges.append(Edge(package, target, name, where, in_function, type_checking))
    return edges


EDGES = _edges()


def _forbidden(package: str) -> list[str]:
    bad = []
    for edge in EDGES:
        if edge.source != package:
            continue
        allowed = ALLOWED_FOR_TYPES[package] if edge.type_checking else ALLOWED[package]
        if edge.target not in allowed:
            bad.append(str(edge))
    return bad


def test_the_reader_sees_every_kind_of_import():
    source = textwrap.dedent(
        """
        from __future__ import annotations
        import importlib
        from typing import TYPE_CHECKING
        import redline.zones.kinds
        from redline.layers import load_layerset
        from . import sibling
        from ..checks.engine import spatial
        from redline import maps, check_site
        if TYPE_CHECKING:
            from redline.checks.result import ScreeningResult
        else:
            from redline.zones import errors
        def f():
            from redline.checks import screen
            return importlib.import_module("redline.maps.site_map")
        """
    )
    got = {(name, fn, tc) for name, _, fn, tc in imports_of(source, "redline.layers.cache")}
    assert got >= {
        ("redline.zones.kinds", False, False),
        ("redline.layers", False, False),
        ("redline.checks.engine", False, False),
        ("redline.maps", False, False),
        ("redline", False, False),
        ("redline.checks.result", False, True),
        ("redline.zones", False, False),
        ("redline.checks", True, False),
        ("redline.maps.site_map", True, False),
    }
    assert {
        name for name, *_ in imports_of("from . import x\nfrom .y import z", "redline.layers", is_package=True)
    } == {
        "redline.layers",
        "redline.layers.y",
    }
    assert _target("redline._version") is None and _target("redline") == "redline" and _target("numpy") is None


def test_every_package_is_read():
    assert {edge.source for edge in EDGES} >= {"layers", "checks", "maps"}
    assert any(edge.source == "maps" and edge.target == "layers" for edge in EDGES)


@pytest.mark.parametrize("package", ["zones", "layers", "maps"])
def test_package_imports_only_what_the_rule_allows(package):
    bad = _forbidden(package)
    allowed = ", ".join(sorted(ALLOWED[package])) or "none of the other packages"
    assert not bad, f"{package} may import {allowed}; found:\n" + "\n".join(bad)


def cycles_in(graph: dict[str, set[str]]) -> list[str]:
    """Return every cycle through one of :data:`PACKAGES` in ``graph`` (``a -> b -> a``), each from each start."""
    cycles = []

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                cycles.append(" -> ".join([*path, nxt]))
            elif nxt not in path:
                walk(nxt, [*path, nxt])

    for package in PACKAGES:
        walk(package, [package])
    return sorted(set(cycles))


def test_the_cycle_finder_finds_cycles_through_the_root():
    root = {"redline": set(PACKAGES)}
    assert cycles_in({**root, "layers": {"zones"}, "checks": {"layers", "zones"}}) == []
    assert cycles_in({**root, "layers": {"zones"}, "zones": {"maps"}, "maps": {"layers"}}) == [
        "layers -> zones -> maps -> layers",
        "maps -> layers -> zones -> maps",
        "zones -> maps -> layers -> zones",
    ]
    assert "checks -> redline -> checks" in cycles_in({**root, "checks": {"redline"}})


def test_no_import_cycle_between_the_packages():
    graph: dict[str, set[str]] = {"redline": set(PACKAGES)}  # the public root imports all four
    for edge in EDGES:
        if not edge.type_checking:
            graph.setdefault(edge.source, set()).add(edge.target)
    cycles = cycles_in(graph)
    shown = []
    for cycle in cycles:
        hops = cycle.split(" -> ")
        evidence = [str(e) for a, b in itertools.pairwise(hops) for e in EDGES if (e.source, e.target) == (a, b)]
        shown.append(cycle + "\n  " + "\n  ".join(evidence))
    assert not cycles, "import cycles between the packages:\n" + "\n".join(shown)
