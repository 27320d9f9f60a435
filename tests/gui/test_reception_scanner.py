"""Card scanners: a wedge scanner's burst becomes one scan, a person's typing arrives untouched."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from onestop_desk.gui.reception.scanner import SerialScanReader, WedgeScanDetector

pytestmark = pytest.mark.gui

PAYLOAD = (
    "001099012345|012345678|Nguyễn Văn An|01011999|Nam|"
    "Số 12, thôn Hòa Bình, xã Hòa Sơn, tỉnh Đắk Lắk|15082021"
)
# What a wedge scanner under a US layout really types: no Vietnamese letters.
GARBLED_PAYLOAD = "001099012345|012345678|Nguy?n V?n An|01011999|Nam|S? 12, th?n H?a B?nh|15082021"
GAP_MS = 50
WAIT_MS = 3000


def _key(kind: QEvent.Type, ch: str) -> QKeyEvent:
    upper = ch.upper()
    code = ord(upper) if len(upper) == 1 else 0
    return QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch)


def type_fast(widget: QWidget, text: str) -> None:
    """Press and release each character at machine speed, as a wedge scanner does.

    QTest.keyClicks only types Latin-1; a scanner in Unicode mode also sends Vietnamese letters.
    """
    for ch in text:
        QCoreApplication.sendEvent(widget, _key(QEvent.Type.KeyPress, ch))
        QCoreApplication.sendEvent(widget, _key(QEvent.Type.KeyRelease, ch))


def press_enter(widget: QWidget) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
        QCoreApplication.sendEvent(widget, event)


@pytest.fixture
def detector() -> Iterator[WedgeScanDetector]:
    detector = WedgeScanDetector(gap_ms=GAP_MS)
    detector.install()
    yield detector
    detector.uninstall()
    detector.deleteLater()


class Form(QWidget):
    """Two fields and a button, like any screen the specialist may be on when scanning."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.edit = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.button = QPushButton("Xác nhận")
        for widget in (self.edit, self.password, self.button):
            layout.addWidget(widget)
        self.entered: list[str] = []  # the field's text each time Enter reached it
        self.edit.returnPressed.connect(lambda: self.entered.append(self.edit.text()))


@pytest.fixture
def form(qtbot: QtBot) -> Form:
    form = Form()
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    form.edit.setFocus()
    qtbot.waitUntil(form.edit.hasFocus, timeout=WAIT_MS)
    return form


def test_fast_payload_is_one_scan_and_types_nothing(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    with qtbot.waitSignal(detector.sig_scanned, timeout=WAIT_MS) as blocker:
        type_fast(form.edit, PAYLOAD)
        press_enter(form.edit)
    assert blocker.args == [PAYLOAD]
    qtbot.wait(GAP_MS * 3)
    assert form.edit.text() == ""
    assert form.entered == []  # the scanner's Enter was swallowed too
    assert not detector.is_holding()


def test_qtest_keyclicks_of_a_us_layout_scan(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    with qtbot.waitSignal(detector.sig_scanned, timeout=WAIT_MS) as blocker:
        qtbot.keyClicks(form.edit, GARBLED_PAYLOAD)
        qtbot.keyClick(form.edit, Qt.Key.Key_Return)
    assert blocker.args == [GARBLED_PAYLOAD]
    qtbot.wait(GAP_MS * 3)
    assert form.edit.text() == ""


def test_scan_is_recognised_wherever_the_focus_is(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    form.button.setFocus()
    clicked: list[bool] = []
    form.button.clicked.connect(lambda: clicked.append(True))
    with qtbot.waitSignal(detector.sig_scanned, timeout=WAIT_MS) as blocker:
        qtbot.keyClicks(form.button, GARBLED_PAYLOAD)
        qtbot.keyClick(form.button, Qt.Key.Key_Return)
    assert blocker.args == [GARBLED_PAYLOAD]
    assert clicked == []


def test_shift_for_capitals_does_not_break_a_scan(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    # A real scanner holds Shift around each capital letter, as a keyboard would.
    shift = Qt.Key.Key_Shift
    with qtbot.waitSignal(detector.sig_scanned, timeout=WAIT_MS) as blocker:
        for ch in PAYLOAD:
            if ch.isupper():
                modifier = Qt.KeyboardModifier.ShiftModifier
                QCoreApplication.sendEvent(
                    form.edit, QKeyEvent(QEvent.Type.KeyPress, shift, modifier)
                )
                type_fast(form.edit, ch)
                QCoreApplication.sendEvent(
                    form.edit,
                    QKeyEvent(QEvent.Type.KeyRelease, shift, Qt.KeyboardModifier.NoModifier),
                )
            else:
                type_fast(form.edit, ch)
        press_enter(form.edit)
    assert blocker.args == [PAYLOAD]
    assert form.edit.text() == ""


def test_space_on_a_focused_button_still_presses_it(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    clicked: list[bool] = []
    form.button.clicked.connect(lambda: clicked.append(True))
    form.button.setFocus()
    qtbot.keyClick(form.button, Qt.Key.Key_Space)
    assert clicked == []  # held for a moment, in case a scan is starting
    qtbot.waitUntil(lambda: clicked == [True], timeout=WAIT_MS)


def test_slow_typing_lands_in_the_field_as_typed(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    text = "Số 12|thôn Hòa Bình|Đắk Lắk"  # long, with bars: only its speed says "person"
    scans: list[str] = []
    detector.sig_scanned.connect(scans.append)
    for ch in text:
        type_fast(form.edit, ch)
        qtbot.wait(100)
    assert form.edit.text() == text
    press_enter(form.edit)
    qtbot.wait(GAP_MS * 3)
    assert form.entered == [text]
    assert scans == []


def test_fast_burst_that_is_no_payload_is_typed_in_order(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    scans: list[str] = []
    detector.sig_scanned.connect(scans.append)
    type_fast(form.edit, "Xin chào quý khách, mời ngồi")
    press_enter(form.edit)
    # Enter came while the text was held: the text must still reach the field before it.
    assert form.entered == ["Xin chào quý khách, mời ngồi"]
    type_fast(form.edit, " 1|2")  # bars, but far too short to be a card
    press_enter(form.edit)
    type_fast(form.edit, "!")  # no Enter at all: delivered once the burst pauses
    assert form.edit.text() == "Xin chào quý khách, mời ngồi 1|2"
    qtbot.waitUntil(lambda: form.edit.text().endswith("!"), timeout=WAIT_MS)
    assert form.edit.text() == "Xin chào quý khách, mời ngồi 1|2!"
    assert form.entered == ["Xin chào quý khách, mời ngồi", "Xin chào quý khách, mời ngồi 1|2"]
    assert scans == []


def test_input_method_text_passes_in_order(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    # A Vietnamese input method commits "ễ" as text, not as a key press.
    type_fast(form.edit, "Nguy")
    commit = QInputMethodEvent()
    commit.setCommitString("ễ")
    QCoreApplication.sendEvent(form.edit, commit)
    assert form.edit.text() == "Nguyễ"
    type_fast(form.edit, "n")
    qtbot.waitUntil(lambda: form.edit.text() == "Nguyễn", timeout=WAIT_MS)


def test_shortcut_acts_after_the_held_keys(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    type_fast(form.edit, "abc")
    qtbot.keyClick(form.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert form.edit.text() == "abc"
    assert form.edit.selectedText() == "abc"
    qtbot.keyClick(form.edit, Qt.Key.Key_Backspace)
    assert form.edit.text() == ""


def test_password_field_is_never_held(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    form.password.setFocus()
    scans: list[str] = []
    detector.sig_scanned.connect(scans.append)
    secret = "mật khẩu|rất dài, gõ bằng trình quản lý mật khẩu"
    for ch in secret:
        type_fast(form.password, ch)
        assert not detector.is_holding()
    press_enter(form.password)
    qtbot.wait(GAP_MS * 3)
    assert form.password.text() == secret
    assert scans == []


def test_switched_off_detector_lets_a_scan_type(
    qtbot: QtBot, detector: WedgeScanDetector, form: Form
) -> None:
    scans: list[str] = []
    detector.sig_scanned.connect(scans.append)
    detector.set_enabled(False)
    type_fast(form.edit, PAYLOAD)
    press_enter(form.edit)
    qtbot.wait(GAP_MS * 3)
    assert form.edit.text() == PAYLOAD
    assert scans == []
    detector.set_enabled(True)
    form.edit.clear()
    with qtbot.waitSignal(detector.sig_scanned, timeout=WAIT_MS):
        type_fast(form.edit, PAYLOAD)
        press_enter(form.edit)
    assert form.edit.text() == ""


# --- serial mode ------------------------------------------------------------------------------

needs_pty = pytest.mark.skipif(
    not hasattr(os, "openpty") or sys.platform == "win32", reason="pseudo-terminals are POSIX"
)


class Pty:
    """A pseudo-terminal: the reader opens the slave by name, the test writes to the master."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.name = os.ttyname(self.slave)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def readers() -> Iterator[list[SerialScanReader]]:
    made: list[SerialScanReader] = []
    yield made
    for reader in made:
        reader.stop()
        assert not reader.is_running()


@pytest.fixture
def pty() -> Iterator[Pty]:
    pty = Pty()
    yield pty
    pty.close()


def _reader(readers: list[SerialScanReader], port: str, **kwargs: float) -> SerialScanReader:
    reader = SerialScanReader(port, retry_s=0.2, **kwargs)
    readers.append(reader)
    return reader


@needs_pty
def test_serial_payload_arrives_on_the_gui_thread(
    qtbot: QtBot, readers: list[SerialScanReader], pty: Pty
) -> None:
    reader = _reader(readers, pty.name)
    threads: list[bool] = []
    reader.sig_scanned.connect(
        lambda _text: threads.append(
            QCoreApplication.instance().thread().isCurrentThread()  # type: ignore[union-attr]
        )
    )
    with qtbot.waitSignal(reader.sig_opened, timeout=WAIT_MS):
        reader.start()
    with qtbot.waitSignal(reader.sig_scanned, timeout=WAIT_MS) as blocker:
        pty.write(PAYLOAD.encode() + b"\r\n")
    assert blocker.args == [PAYLOAD]
    assert threads == [True]

    # Two cards back to back, split across writes, with bare LF and CR line ends.
    got: list[str] = []
    reader.sig_scanned.connect(got.append)
    second = "066305001234||Trần Thị Bích|01012005|Nữ|Thôn 3, xã Hòa Sơn|04102024||||"
    data = (PAYLOAD + "\n" + second + "\r").encode()
    pty.write(data[:70])  # the cut falls inside a multi-byte letter
    qtbot.wait(50)
    pty.write(data[70:])
    qtbot.waitUntil(lambda: len(got) == 2, timeout=WAIT_MS)
    assert got == [PAYLOAD, second]


@needs_pty
def test_serial_payload_without_line_end_is_taken_after_a_pause(
    qtbot: QtBot, readers: list[SerialScanReader], pty: Pty
) -> None:
    reader = _reader(readers, pty.name, idle_s=0.2)
    with qtbot.waitSignal(reader.sig_opened, timeout=WAIT_MS):
        reader.start()
    with qtbot.waitSignal(reader.sig_scanned, timeout=WAIT_MS) as blocker:
        pty.write(PAYLOAD.encode())
    assert blocker.args == [PAYLOAD]


def test_missing_port_is_reported_in_vietnamese_and_retried(
    qtbot: QtBot, readers: list[SerialScanReader], tmp_path: Path
) -> None:
    reader = _reader(readers, str(tmp_path / "ttyACM9"))
    failures: list[str] = []
    reader.sig_failed.connect(failures.append)
    with qtbot.waitSignal(reader.sig_failed, timeout=WAIT_MS) as blocker:
        reader.start()
    message = blocker.args[0]
    assert message.startswith(f"Không mở được máy quét ở cổng {tmp_path / 'ttyACM9'}")
    assert "không thấy cổng này" in message
    assert "tự thử lại" in message
    qtbot.wait(600)  # several retries: still trying, and the user was told once
    assert reader.is_running()
    assert failures == [message]
    reader.stop()
    assert not reader.is_running()


@needs_pty
def test_unplugged_scanner_is_reported_and_found_again(
    qtbot: QtBot, readers: list[SerialScanReader], tmp_path: Path
) -> None:
    # The port name is a link, as udev makes /dev/serial/by-id/... for a scanner.
    link = tmp_path / "scanner"
    first = Pty()
    link.symlink_to(first.name)
    reader = _reader(readers, str(link))
    with qtbot.waitSignal(reader.sig_opened, timeout=WAIT_MS):
        reader.start()

    with qtbot.waitSignal(reader.sig_failed, timeout=WAIT_MS) as blocker:
        first.close()  # the cable is pulled
    assert "Mất kết nối với máy quét" in blocker.args[0]
    link.unlink()

    second = Pty()  # plugged in again
    try:
        with qtbot.waitSignal(reader.sig_opened, timeout=WAIT_MS):
            link.symlink_to(second.name)
        with qtbot.waitSignal(reader.sig_scanned, timeout=WAIT_MS) as blocker:
            second.write(PAYLOAD.encode() + b"\r\n")
        assert blocker.args == [PAYLOAD]
    finally:
        reader.stop()
        second.close()
    assert not reader.is_running()


def test_start_twice_reads_with_one_thread(qtbot: QtBot, readers: list[SerialScanReader]) -> None:
    reader = _reader(readers, "loop://")  # pyserial URLs work too
    reader.stop()  # harmless when nothing runs
    with qtbot.waitSignal(reader.sig_opened, timeout=WAIT_MS):
        reader.start()
    reader.start()
    assert [t.name for t in threading.enumerate()].count("scanner loop://") == 1
    reader.stop()
    assert not reader.is_running()
    assert "scanner loop://" not in [t.name for t in threading.enumerate()]
