"""The house rules on imports: core knows no Qt/SQL/I/O, services know no Qt, Qt only in gui/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "onestop_desk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py")) if sub else sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        (
            "core",
            (
                "PySide6",
                "sqlalchemy",
                "alembic",
                "psycopg",
                "httpx",
                "onestop_desk.db",
                "onestop_desk.services",
                "onestop_desk.gui",
                "sqlite3",
                "socket",
                "subprocess",
            ),
        ),
        ("services", ("PySide6", "onestop_desk.gui")),
        ("db", ("PySide6", "onestop_desk.gui", "onestop_desk.services")),
        (
            "documents",
            (
                "PySide6",
                "sqlalchemy",
                "alembic",
                "psycopg",
                "onestop_desk.db",
                "onestop_desk.services",
                "onestop_desk.gui",
            ),
        ),
        (
            "printing",
            (
                "PySide6",
                "sqlalchemy",
                "alembic",
                "psycopg",
                "onestop_desk.db",
                "onestop_desk.services",
                "onestop_desk.gui",
            ),
        ),
    ],
)
def test_layer_imports_point_down(layer: str, forbidden: tuple[str, ...]) -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in _modules(layer)
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert not offenders, offenders


def test_qt_is_imported_only_under_gui() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "gui" not in path.relative_to(PACKAGE).parts
        and any(n.startswith("PySide6") for n in _imports(path))
    ]
    assert offenders == []


def test_layer_rules_see_real_modules() -> None:
    # Guards the tests above against passing vacuously on a moved package.
    assert len(_modules("core")) >= 6
    assert any("PySide6" in n for p in _modules("gui") for n in _imports(p))


# --- no import cycles ---------------------------------------------------------------------------


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Every module of the package and the package's modules it imports, wherever the import sits.

    Function-level (lazy) imports count: a cycle that only closes once a command runs is still a
    cycle. ``from package import name`` points at the submodule when ``name`` is one.
    """
    paths = {_module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        home = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    base = home.split(".")[: len(home.split(".")) - (node.level - 1)]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                targets = [
                    f"{module}.{alias.name}" if f"{module}.{alias.name}" in paths else module
                    for alias in node.names
                ]
            graph[name].update(t for t in targets if t in paths and t != name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """For each group of modules that import each other round, one such round (first = last)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = {stack.pop()}
            while node not in group:
                group.add(stack.pop())
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    rounds = []
    for group in groups:
        start = min(group)
        way = {start: [start]}
        todo = [start]
        found: list[str] = []
        while todo and not found:  # breadth first: the shortest round through ``start``
            node = todo.pop(0)
            for target in sorted(graph[node] & group):
                if target == start:
                    found = [*way[node], start]
                    break
                if target not in way:
                    way[target] = [*way[node], target]
                    todo.append(target)
        rounds.append(found)
    return sorted(rounds)


def test_no_import_cycles() -> None:
    graph = _import_graph()
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_cycle_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    # Guards the cycle test against passing vacuously: a round closed only inside a function,
    # through a relative import and a package's __init__, is found and named.
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("import pkg.sub\n", encoding="utf-8")
    (package / "sub" / "__init__.py").write_text("from . import b\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text("def later():\n    from ..a import x\n", encoding="utf-8")
    assert _cycles(_import_graph(package)) == [["pkg.a", "pkg.sub", "pkg.sub.b", "pkg.a"]]
    assert "onestop_desk.gui.app" in _import_graph()["onestop_desk.cli.faces"]  # a lazy import


def test_services_do_not_import_the_portal() -> None:
    # The portal (HTTP client, outbox worker, status sync) stands on the services, not under them:
    # a service reaching for it would drag the network side into every use case.
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in _modules("services")
        for name in _imports(path) | _names_from_package(path)
        if name == "onestop_desk.portal" or name.startswith("onestop_desk.portal.")
    }
    assert not offenders, offenders


def _names_from_package(path: Path) -> set[str]:
    """``from onestop_desk import portal`` spelled out as the module it imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"onestop_desk.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "onestop_desk" and node.level == 0
        for alias in node.names
    }
