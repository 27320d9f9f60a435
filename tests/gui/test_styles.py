"""The faces' style sheets in resources/styles load, with every placeholder filled in."""

from __future__ import annotations

import pytest

from onestop_desk.gui.widgets import load_style
from onestop_desk.resources import resource_path

pytestmark = pytest.mark.gui


def test_the_admin_sheet_has_its_rules() -> None:
    sheet = load_style("admin.qss")
    assert 'QLabel#message[kind="error"]' in sheet
    assert "QFrame#failedRow" in sheet


def test_the_preview_sheet_writes_in_the_given_font() -> None:
    sheet = load_style("ticket_preview.qss", family="Noto Sans")
    assert 'font-family: "Noto Sans"' in sheet
    assert "$" not in sheet


def test_a_placeholder_left_without_a_value_is_an_error() -> None:
    with pytest.raises(KeyError):
        load_style("ticket_preview.qss")


def test_every_sheet_is_there() -> None:
    for name in (
        "kiosk.qss",
        "admin.qss",
        "ticket_preview.qss",
        "counter.qss",
        "reception.qss",
        "dossiers.qss",
        "dossier-dialogs.qss",
    ):
        assert resource_path("styles", name).is_file()
