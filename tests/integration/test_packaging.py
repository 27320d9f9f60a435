"""An installed wheel carries its resources and migrations and finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("onestop_desk-*.whl")
    return built


def test_wheel_contains_resources_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "onestop_desk/resources/catalog/procedures.json" in names
    assert "onestop_desk/resources/catalog/fields.json" in names
    assert "onestop_desk/resources/styles/kiosk.qss" in names  # the kiosk cannot open without
    assert "onestop_desk/resources/styles/reception.qss" in names  # nor the counter's reception
    assert "onestop_desk/db/migrations/env.py" in names
    assert any(n.startswith("onestop_desk/db/migrations/versions/0001") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "onestop-desk = onestop_desk.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


def test_unpacked_wheel_seeds_a_database_from_its_own_resources(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import onestop_desk.resources as r; print(r.resources_dir());"
        "from onestop_desk.cli import main; sys.exit(main(sys.argv[2:]))"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(site),
            "--data-dir",
            str(tmp_path / "d"),
            "db",
            "seed",
            "--demo",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first_line = result.stdout.splitlines()[0]
    assert Path(first_line) == site / "onestop_desk" / "resources"
    assert "12 thủ tục" in result.stdout
