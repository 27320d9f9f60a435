"""The Qt binding itself: a known PySide6 defect would abort a kiosk after hours of use."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    sig_ping = Signal()


def test_qt_calls_do_not_leak_references_to_none_or_true(qtbot: QtBot) -> None:
    # PySide6 6.12.0 on Python 3.11 dropped a reference to None on every void call and to True
    # on every emit; CPython then frees them and the process dies ("none_dealloc"). The
    # dependency pin keeps that release out; this test keeps it out for good.
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(2000):
        label.setText(str(i))
        label.setEnabled(i % 2 == 0)
        emitter.sig_ping.emit()
    assert sys.getrefcount(None) - none_before >= -10
    assert sys.getrefcount(True) - true_before >= -10
