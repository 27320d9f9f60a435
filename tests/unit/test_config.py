"""Settings schema, paths and database URL precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from onestop_desk.config import (
    DB_URL_ENV,
    Settings,
    database_url,
    load_settings,
    resolve_paths,
    save_settings,
)
from onestop_desk.errors import InputError


def test_data_dir_overrides_every_path(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "inst")
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir):
        assert folder.is_relative_to(tmp_path / "inst")
    assert paths.default_database_file.parent == paths.data_dir


def test_platform_paths_are_used_without_override() -> None:
    paths = resolve_paths(None)
    assert "OneStopDesk" in str(paths.config_dir)
    assert "OneStopDesk" in str(paths.data_dir)


def test_missing_file_gives_defaults_and_round_trip_keeps_changes(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    settings = load_settings(paths)
    assert settings == Settings()
    settings.database.url = "postgresql://desk@server.local/onestop"
    settings.printer.width_dots = 384
    save_settings(paths, settings)
    assert paths.settings_file.read_text(encoding="utf-8").startswith("version = 1")
    assert load_settings(paths) == settings


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("version = 1\n[printer]\nwidth_dots = 'rộng'\n", "printer.width_dots"),
        ("version = 1\n[may_in]\nx = 1\n", "mục lạ"),
        ("[database\nurl=", "bị hỏng"),
        ("version = 99\n", "phiên bản chương trình mới hơn"),
        ("version = 1\ndatabase = 'x'\n", "phải là một bảng"),
    ],
)
def test_bad_settings_file_is_a_clear_vietnamese_error(
    tmp_path: Path, content: str, message: str
) -> None:
    paths = resolve_paths(tmp_path)
    paths.ensure()
    paths.settings_file.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_settings(paths)


def test_database_url_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = resolve_paths(tmp_path)
    settings = Settings()
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    assert database_url(paths, settings) == f"sqlite:///{paths.default_database_file.as_posix()}"
    settings.database.url = "postgresql://from-settings/x"
    assert database_url(paths, settings) == "postgresql://from-settings/x"
    monkeypatch.setenv(DB_URL_ENV, "postgresql://from-env/x")
    assert database_url(paths, settings) == "postgresql://from-env/x"
    assert database_url(paths, settings, "sqlite:///cli.db") == "sqlite:///cli.db"
