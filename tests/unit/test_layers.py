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
