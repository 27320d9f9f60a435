"""Citizen ID card scanners: a keyboard-wedge 2D scanner typing anywhere, or one on a serial port.

Both sources emit ``scanned(str)`` with the raw payload (trailing CR/LF stripped); the citizen
panel parses it. A wedge scanner is told apart from a person by speed: it types a whole payload
in a burst of key presses a few milliseconds apart and ends it with Enter.
"""

from __future__ import annotations

import errno
import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass

import serial  # type: ignore[import-untyped]  # pyserial ships no type hints
import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
    Slot,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from onestop_desk.core.citizen_id import decode_scanner_bytes
from onestop_desk.core.dossier_code import is_dossier_code

log = logging.getLogger("onestop.gui.scanner")

#: A key press that follows the previous one within this many milliseconds continues a burst.
DEFAULT_GAP_MS = 50
#: A burst shorter than this is never a card payload (the shortest real one is ~60 characters).
MIN_PAYLOAD_CHARS = 20
# A held burst longer than this is somebody leaning on the keyboard, not a card.
_MAX_HELD = 4096

_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
        Qt.Key.Key_ScrollLock,
    }
)
_ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
_CTRL = Qt.KeyboardModifier.ControlModifier
_ALT = Qt.KeyboardModifier.AltModifier
_META = Qt.KeyboardModifier.MetaModifier
_KEYPAD = Qt.KeyboardModifier.KeypadModifier
_SECRET_HINTS = Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData


def looks_like_payload(text: str) -> bool:
    """True for a burst that may be a citizen ID card QR payload (the parser decides for sure),
    or the dossier code in the QR of an appointment slip."""
    return (len(text) >= MIN_PAYLOAD_CHARS and "|" in text) or is_dossier_code(text)


@dataclass(frozen=True)
class _HeldKey:
    """A key event taken out of the stream, with what is needed to deliver a copy later."""

    target: QWidget
    type: QEvent.Type
    key: int
    modifiers: Qt.KeyboardModifier
    scan_code: int
    virtual_key: int
    native_modifiers: int
    text: str

    @classmethod
    def of(cls, target: QWidget, event: QKeyEvent) -> _HeldKey:
        return cls(
            target,
            event.type(),
            event.key(),
            event.modifiers(),
            event.nativeScanCode(),
            event.nativeVirtualKey(),
            event.nativeModifiers(),
            event.text(),
        )

    def event(self) -> QKeyEvent:
        return QKeyEvent(
            self.type,
            self.key,
            self.modifiers,
            self.scan_code,
            self.virtual_key,
            self.native_modifiers,
            self.text,
        )


def _is_shortcut(modifiers: Qt.KeyboardModifier) -> bool:
    # Ctrl or Alt alone make a shortcut; both together are AltGr on Windows, which types text.
    ctrl, alt = bool(modifiers & _CTRL), bool(modifiers & _ALT)
    return ctrl != alt or bool(modifiers & _META)


def _is_alt_code(event: QKeyEvent) -> bool:
    # Windows Alt+keypad codes: some scanners type non-ASCII characters this way; the digits carry
    # no text and the character arrives on its own when Alt is let go.
    modifiers = event.modifiers()
    return bool(modifiers & _ALT) and bool(modifiers & _KEYPAD) and not event.text()


def _is_secret(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
        return True
    return bool(widget.inputMethodHints() & _SECRET_HINTS)


class WedgeScanDetector(QObject):
    """Recognise a keyboard-wedge scanner typing a card payload, wherever the focus is.

    Install it on the application (``install()``). Every printable key press is held back for
    ``gap_ms``; when no next key comes in time the held keys are delivered, unchanged and in
    order, to the widgets they were meant for, so people type as usual (a few dozen
    milliseconds later). A burst that ends in Enter and looks like a payload is swallowed,
    Enter included, and emitted as ``sig_scanned``.

    Password fields (and any widget asking for hidden or sensitive input) are never held: their
    keys go straight through, so a password is never buffered nor mistaken for a card, even when
    a password manager types it at machine speed. A scan made there types into the field, as
    a plain keyboard would. Shortcuts (Ctrl/Alt), auto-repeat, input-method text and mouse
    presses first deliver what is held, then pass through.
    """

    #: A card payload typed by the scanner (without the final Enter).
    sig_scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, gap_ms: int = DEFAULT_GAP_MS) -> None:
        super().__init__(parent)
        self._held: list[_HeldKey] = []
        self._open_presses: Counter[int] = Counter()  # held presses whose release is still due
        self._swallowed_releases: Counter[int] = Counter()  # releases of a swallowed burst
        self._replaying = False
        self._enabled = True
        self._installed_on: QCoreApplication | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(gap_ms)
        self._timer.timeout.connect(self.flush)

    # --- set-up -------------------------------------------------------------------------------
    @property
    def gap_ms(self) -> int:
        return self._timer.interval()

    def set_gap_ms(self, gap_ms: int) -> None:
        """Change the longest pause between two key presses of one scan."""
        self._timer.setInterval(gap_ms)

    def install(self, app: QCoreApplication | None = None) -> None:
        """Start watching every key press of the application."""
        app = app or QCoreApplication.instance()
        if app is None or self._installed_on is app:
            return
        app.installEventFilter(self)
        self._installed_on = app

    def uninstall(self) -> None:
        """Stop watching, after delivering whatever is held."""
        self.flush()
        if self._installed_on is not None:
            self._installed_on.removeEventFilter(self)
            self._installed_on = None

    def is_enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Off: every key goes straight through (what is held is delivered first)."""
        if not enabled:
            self.flush()
        self._enabled = enabled

    def is_holding(self) -> bool:
        """True while key presses are held back, waiting to see if a scan follows."""
        return bool(self._held)

    # --- the filter ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            if self._replaying or not self._enabled:
                return False
            # The window gets each key first, then the focus widget: act once, on the widget.
            if not isinstance(watched, QWidget) or not isinstance(event, QKeyEvent):
                return False
            return self._key_press(watched, event)
        if kind == QEvent.Type.KeyRelease:
            if self._replaying:
                return False
            if not isinstance(watched, QWidget) or not isinstance(event, QKeyEvent):
                return False
            return self._key_release(watched, event)
        if kind in (QEvent.Type.InputMethod, QEvent.Type.MouseButtonPress) and self._held:
            # Text from the input method and clicks come after what was typed before them.
            self.flush()
        return False

    def _key_press(self, target: QWidget, event: QKeyEvent) -> bool:
        key = event.key()
        if key in _MODIFIER_KEYS or _is_alt_code(event):
            return False  # a scanner presses Shift for capitals: that does not end the burst
        if event.isAutoRepeat() or _is_shortcut(event.modifiers()):
            self.flush()
            return False
        if key in _ENTER_KEYS:
            payload = "".join(k.text for k in self._held if k.type == QEvent.Type.KeyPress)
            if self._held and looks_like_payload(payload):
                self._swallow(key)
                # Deliver after this key event is done, so receivers may move focus or open
                # dialogs freely.
                QTimer.singleShot(0, self, lambda: self.sig_scanned.emit(payload))
                return True
            self.flush()
            return False
        text = event.text()
        if not text or not text.isprintable() or _is_secret(target):
            self.flush()
            return False
        self._held.append(_HeldKey.of(target, event))
        self._open_presses[key] += 1
        if len(self._held) > _MAX_HELD:
            self.flush()
        else:
            self._timer.start()
        return True

    def _key_release(self, target: QWidget, event: QKeyEvent) -> bool:
        key = event.key()
        if event.isAutoRepeat():
            return False
        if self._swallowed_releases[key] > 0:
            self._swallowed_releases[key] -= 1
            return True
        if self._open_presses[key] > 0:
            # Its press is held: the release waits with it, to keep press/release order.
            self._open_presses[key] -= 1
            self._held.append(_HeldKey.of(target, event))
            return True
        return False

    def _swallow(self, enter_key: int) -> None:
        self._timer.stop()
        self._swallowed_releases.update(+self._open_presses)
        self._swallowed_releases[enter_key] += 1
        self._open_presses.clear()
        presses = sum(1 for k in self._held if k.type == QEvent.Type.KeyPress)
        log.info("card scan typed by a wedge scanner (%d characters)", presses)  # never its text
        self._held.clear()

    @Slot()
    def flush(self) -> None:
        """Deliver the held keys now, in order, to the widgets that had the focus."""
        self._timer.stop()
        held, self._held = self._held, []
        self._open_presses.clear()  # releases still to come go through on their own
        if not held:
            return
        self._replaying = True
        try:
            for item in held:
                if shiboken6.isValid(item.target):
                    QCoreApplication.sendEvent(item.target, item.event())
        finally:
            self._replaying = False


# --- serial (USB CDC / virtual COM port) mode -------------------------------------------------

DEFAULT_RETRY_S = 3.0
#: A scanner set to send no terminator: what it sent is one payload after this much silence.
DEFAULT_IDLE_S = 0.5
_READ_TIMEOUT_S = 0.1
_MAX_LINE = 64 * 1024
_LINE_END = re.compile(rb"[\r\n]")


def _open_failure_reason(exc: BaseException) -> str:
    """Why a port did not open, in Vietnamese (pyserial's English text goes to the log)."""
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or "FileNotFound" in text:
        return QCoreApplication.translate(
            "SerialScanReader",
            "không thấy cổng này (máy quét chưa cắm, hoặc tên cổng trong cài đặt chưa đúng)",
        )
    if code in (errno.EACCES, errno.EPERM, errno.EBUSY) or "PermissionError" in text:
        return QCoreApplication.translate(
            "SerialScanReader",
            "cổng đang bị chương trình khác dùng, hoặc tài khoản này không được phép dùng cổng",
        )
    return QCoreApplication.translate("SerialScanReader", "lỗi thiết bị")


class SerialScanReader(QObject):
    """Read card payloads from a scanner in serial (USB CDC, virtual COM port) mode.

    A background thread opens ``port`` (``COM3``, ``/dev/ttyACM0`` or a pyserial URL), splits
    what arrives on CR/LF and emits each payload as ``sig_scanned`` on the GUI thread. When the
    port cannot be opened or goes away (cable pulled), ``sig_failed`` says so once and the thread
    tries again every ``retry_s`` seconds; ``sig_opened`` tells when it works again. Call
    ``stop()`` before the application ends (it is also connected to ``aboutToQuit``).
    """

    #: A card payload read from the port (decoded, line end stripped).
    sig_scanned = Signal(str)
    #: The port could not be opened or was lost; a Vietnamese message for the user.
    sig_failed = Signal(str)
    #: The port is open (again); the argument is its name.
    sig_opened = Signal(str)

    # Emitted from the reading thread, delivered to slots of this GUI-thread object.
    _sig_line = Signal(str)
    _sig_failed = Signal(str)
    _sig_opened = Signal(str)

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 9600,
        retry_s: float = DEFAULT_RETRY_S,
        idle_s: float | None = DEFAULT_IDLE_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.port = port
        self.baudrate = baudrate
        self.retry_s = retry_s
        self.idle_s = idle_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self._sig_line.connect(self._deliver_line, queued)
        self._sig_failed.connect(self._deliver_failed, queued)
        self._sig_opened.connect(self._deliver_opened, queued)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self) -> None:
        """Start reading in the background (does nothing if already reading)."""
        if self.is_running():
            return
        self._stop.clear()
        # A daemon thread never holds the interpreter open; stop() is still the way to end it.
        self._thread = threading.Thread(target=self._run, name=f"scanner {self.port}", daemon=True)
        self._thread.start()
        log.info("reading card scanner on %s", self.port)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the port and wait for the reading thread to end."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.error("scanner thread on %s did not stop within %.0f s", self.port, timeout)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @Slot(str)
    def _deliver_line(self, text: str) -> None:
        self.sig_scanned.emit(text)

    @Slot(str)
    def _deliver_failed(self, message: str) -> None:
        self.sig_failed.emit(message)

    @Slot(str)
    def _deliver_opened(self, port: str) -> None:
        self.sig_opened.emit(port)

    # --- the reading thread -------------------------------------------------------------------
    def _emit(self, signal: SignalInstance, value: str) -> bool:
        try:
            signal.emit(value)
        except RuntimeError:
            # The reader was deleted without stop(): nobody is left to tell, so end quietly.
            self._stop.set()
            return False
        return True

    def _run(self) -> None:
        down = False  # the user has been told the scanner is unavailable
        while not self._stop.is_set():
            try:
                port = serial.serial_for_url(
                    self.port, baudrate=self.baudrate, timeout=_READ_TIMEOUT_S
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                if not down:
                    log.warning("card scanner port %s did not open: %s", self.port, exc)
                    message = QCoreApplication.translate(
                        "SerialScanReader",
                        "Không mở được máy quét ở cổng {port}: {reason}. "
                        "Chương trình sẽ tự thử lại vài giây một lần.",
                    ).format(port=self.port, reason=_open_failure_reason(exc))
                    self._emit(self._sig_failed, message)
                    down = True
                self._stop.wait(self.retry_s)
                continue
            down = False
            log.info("card scanner port %s open", self.port)
            self._emit(self._sig_opened, self.port)
            try:
                self._read(port)
            except (serial.SerialException, OSError) as exc:
                if not self._stop.is_set():
                    log.warning("card scanner port %s lost: %s", self.port, exc)
                    self._emit(
                        self._sig_failed,
                        QCoreApplication.translate(
                            "SerialScanReader",
                            "Mất kết nối với máy quét ở cổng {port} (có thể cáp USB đã bị rút). "
                            "Chương trình sẽ tự kết nối lại khi máy quét được cắm lại.",
                        ).format(port=self.port),
                    )
                    down = True
            finally:
                port.close()
            self._stop.wait(self.retry_s)
        log.info("stopped reading card scanner on %s", self.port)

    def _read(self, port: serial.SerialBase) -> None:
        pending = bytearray()
        last_data = time.monotonic()
        while not self._stop.is_set():
            chunk = port.read(max(1, port.in_waiting))
            now = time.monotonic()
            if chunk:
                last_data = now
                pending += chunk
                *lines, rest = _LINE_END.split(bytes(pending))
                pending = bytearray(rest)
                for line in lines:
                    if line and not self._line(line):
                        return
                if len(pending) > _MAX_LINE:
                    log.warning("card scanner sent %d bytes with no line end", len(pending))
                    pending.clear()
            elif pending and self.idle_s is not None and now - last_data >= self.idle_s:
                line, pending = bytes(pending), bytearray()
                if not self._line(line):
                    return

    def _line(self, raw: bytes) -> bool:
        text = decode_scanner_bytes(raw)
        if not text.strip():
            return True
        return self._emit(self._sig_line, text)
