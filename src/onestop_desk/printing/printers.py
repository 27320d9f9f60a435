"""Ticket printers: one raster ESC/POS job per connection, errors in Vietnamese, a preview sink."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import Any

from PIL import Image

from onestop_desk.printing.layout import TicketContent, render_test_page, render_ticket
from onestop_desk.printing.slip import SlipContent, render_slip
from onestop_desk.printing.targets import (
    PaperOut,
    PrinterError,
    PrinterKind,
    PrinterOffline,
    PrinterTarget,
    PrinterTimeout,
    parse_printer_url,
)

log = logging.getLogger("onestop.printing")

# A kiosk must never hang on a printer longer than this, whatever the settings say.
MAX_NETWORK_TIMEOUT = 5.0
# Printers that answer the paper query do so within milliseconds; silence means "cannot say".
STATUS_TIMEOUT = 0.3
# After the job, wait this long at most for the printer to close its side (see _finish_network).
DRAIN_TIMEOUT = 0.5
# Lines fed after the image so its end clears the cutter or tear bar (python-escpos's own choice).
FEED_LINES = 6


# --- preview -------------------------------------------------------------------------------------


class PreviewSink:
    """Receives the images the ``preview`` printer would print; thread-safe, no Qt.

    The demo window passes a callback that forwards to a Qt signal; tests read ``images()``.
    """

    def __init__(
        self, callback: Callable[[Image.Image], None] | None = None, keep: int = 20
    ) -> None:
        self._callback = callback
        self._keep = keep
        self._images: list[Image.Image] = []
        self._lock = threading.Lock()
        self.delivered = 0

    def deliver(self, image: Image.Image) -> None:
        """Keep the image (the last ``keep``) and hand it to the callback."""
        with self._lock:
            self._images.append(image)
            del self._images[: -self._keep]
            self.delivered += 1
        if self._callback is not None:
            self._callback(image)

    def images(self) -> list[Image.Image]:
        """The images received so far, oldest first."""
        with self._lock:
            return list(self._images)

    def latest(self) -> Image.Image | None:
        """The last image received, if any."""
        with self._lock:
            return self._images[-1] if self._images else None


# --- python-escpos -------------------------------------------------------------------------------


class _RootLoggerGuard:
    """Keeps python-escpos from adding a stderr handler to the root logger.

    It logs with ``logging.info()`` and calls ``logging.basicConfig()`` at import; both install a
    stderr handler when the root logger has none, and our own logs would then echo on the console.
    While python-escpos works, the root logger holds a NullHandler, so neither does anything.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._handler = logging.NullHandler()

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        root = logging.getLogger()
        with self._lock:
            if self._users == 0:
                root.addHandler(self._handler)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    root.removeHandler(self._handler)


_escpos_logging = _RootLoggerGuard()


@cache
def _escpos() -> ModuleType:
    """python-escpos' printer module, imported once and without its side effects."""
    # It pickles its printer database into a new temporary folder at every start (0.3 s);
    # a per-user cache folder makes the pickle last.
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        with contextlib.suppress(OSError):
            import platformdirs

            from onestop_desk.config import APP_NAME

            folder = platformdirs.user_cache_path(APP_NAME, appauthor=False) / "escpos"
            folder.mkdir(parents=True, exist_ok=True)
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
    with _escpos_logging():
        return importlib.import_module("escpos.printer")


def _escpos_exceptions() -> ModuleType:
    _escpos()
    return importlib.import_module("escpos.exceptions")


def encode_raster_job(image: Image.Image, *, cut: bool = True) -> bytes:
    """The ESC/POS bytes of one job: reset, the image as ``GS v 0`` raster, feed, cut if asked."""
    image = image if image.mode == "1" else image.convert("1")
    with _escpos_logging():
        return _encode(image, cut)


def _encode(image: Image.Image, cut: bool) -> bytes:
    printer = _escpos().Dummy()
    # python-escpos prints a warning on stdout unless the profile knows the paper width.
    profile = printer.profile
    profile.profile_data = {
        **profile.profile_data,
        "media": {"width": {"pixels": image.width, "mm": "Unknown"}, "dpi": 203},
    }
    printer.hw("INIT")
    printer.image(image, impl="bitImageRaster")
    if cut:
        printer.cut(mode="FULL")
    else:
        printer.print_and_feed(FEED_LINES)
    return bytes(printer.output)


# --- sending -------------------------------------------------------------------------------------


def _subject(target: PrinterTarget) -> str:
    """The printer's description starting a sentence."""
    where = target.describe()
    return where[0].upper() + where[1:]


def _class_names(exc: BaseException) -> set[str]:
    return {f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__}


def _offline_hint(target: PrinterTarget) -> str:
    match target.kind:
        case PrinterKind.NETWORK:
            return (
                f"Kiểm tra máy in đã bật, đã cắm dây mạng và đúng địa chỉ {target.address}, "
                f"cổng {target.port} (giữ nút FEED khi bật máy để in trang cấu hình có địa chỉ IP)."
            )
        case PrinterKind.USB:
            return (
                "Kiểm tra máy in đã bật, cáp USB đã cắm chặt và mã VID:PID đúng "
                "(xem bằng lệnh lsusb trên Linux); trên Linux tài khoản cần có quyền "
                "dùng thiết bị USB."
            )
        case PrinterKind.SERIAL:
            return f"Kiểm tra máy in đã bật, cáp đã cắm vào {target.address} và tốc độ truyền đúng."
        case PrinterKind.WIN32:
            return (
                "Kiểm tra tên máy in trong Settings › Printers & scanners "
                "(Cài đặt › Máy in và máy quét) và máy in đang bật."
            )
        case _:
            return "Kiểm tra đường dẫn và quyền ghi vào tệp."


def _translate(exc: BaseException, target: PrinterTarget, timeout: float) -> PrinterError:
    """The typed, Vietnamese error for whatever python-escpos or the OS raised."""
    names = _class_names(exc)
    where = target.describe()
    log.info("printer %s: %s: %s", target.url, type(exc).__name__, exc)
    if "usb.core.NoBackendError" in names:
        return PrinterError(
            "Máy tính chưa có thư viện libusb để in qua cổng USB.",
            "Trên Linux cài gói libusb-1.0-0; trên Windows dùng win32:TÊN_MÁY_IN "
            "(tên máy in đã cài driver) thay cho usb:.",
        )
    if isinstance(exc, TimeoutError) or names & {
        "usb.core.USBTimeoutError",
        "serial.serialutil.SerialTimeoutException",
    }:
        return PrinterTimeout(
            f"{_subject(target)} không nhận dữ liệu sau {timeout:g} giây.",
            "Máy in có thể đang kẹt giấy, mở nắp hoặc hết giấy; kiểm tra máy rồi in lại.",
        )
    if "escpos.exceptions.DeviceNotFoundError" in names:
        if target.kind is PrinterKind.FILE:
            return PrinterOffline(f"Không mở được {where} để ghi.", _offline_hint(target))
        return PrinterOffline(f"Không kết nối được {where}.", _offline_hint(target))
    if isinstance(exc, RuntimeError) and "requires" in str(exc):
        return PrinterError(
            f"Máy tính này thiếu thư viện để dùng {where}.",
            "Cài lại chương trình, hoặc dùng máy in mạng (net:...) hay win32:TÊN_MÁY_IN.",
        )
    if isinstance(exc, ValueError) and "endpoint" in str(exc):
        return PrinterError(
            f"{_subject(target)} không nhận lệnh in qua USB theo cách thông thường.",
            "Cài driver của hãng rồi dùng win32:TÊN_MÁY_IN (Windows) "
            "hoặc file:/dev/usb/lp0 (Linux).",
        )
    return PrinterOffline(
        f"Mất kết nối với {where} khi đang in.",
        f"{_offline_hint(target)} Phiếu có thể đã in dở; hãy in lại.",
    )


def _on_windows() -> bool:
    return sys.platform == "win32"


def _open(target: PrinterTarget, timeout: float) -> Any:
    printer_module = _escpos()
    match target.kind:
        case PrinterKind.NETWORK:
            printer = printer_module.Network(target.address, port=target.port, timeout=timeout)
        case PrinterKind.USB:
            printer = printer_module.Usb(
                target.vendor_id, target.product_id, timeout=int(timeout * 1000)
            )
        case PrinterKind.SERIAL:
            printer = printer_module.Serial(
                target.address, baudrate=target.baudrate, timeout=timeout
            )
        case PrinterKind.WIN32:
            if not _on_windows():
                raise PrinterError(
                    f"Máy in “{target.address}” (win32:) chỉ dùng được trên Windows.",
                    "Trên máy này dùng net:ĐỊA_CHỈ, usb:VID:PID, serial:CỔNG hoặc "
                    "file:/dev/usb/lp0.",
                )
            printer = printer_module.Win32Raw(target.address)
        case PrinterKind.FILE:
            printer = printer_module.File(target.address)
        case _:
            raise AssertionError(target.kind)
    if target.kind is PrinterKind.NETWORK:
        printer.device = _connect(target, timeout)
    elif target.kind is PrinterKind.WIN32:
        printer.open(job_name="OneStop Desk")
    else:
        printer.open()
    if target.kind is PrinterKind.USB:
        _use_device_endpoints(printer)
    elif target.kind is PrinterKind.SERIAL:
        # pyserial waits forever on a full buffer unless told otherwise (printer off, DSR low).
        printer.device.write_timeout = timeout
    return printer


def _connect(target: PrinterTarget, timeout: float) -> socket.socket:
    """The printer's TCP connection; python-escpos' own leaves the socket open when it fails."""
    try:
        return socket.create_connection((target.address, target.port), timeout=timeout)
    except OSError as exc:
        log.info("printer %s: cannot connect: %s", target.url, exc)
        raise PrinterOffline(
            f"Không kết nối được {target.describe()}.", _offline_hint(target)
        ) from exc


def _use_device_endpoints(printer: Any) -> None:
    """Use the endpoints the printer declares: python-escpos' defaults fit only some models."""
    util = importlib.import_module("usb.util")
    try:
        interface = printer.device.get_active_configuration()[(0, 0)]
    except Exception as exc:  # the device will not say: keep python-escpos' defaults
        log.info("USB endpoints unknown, keeping defaults: %s", exc)
        return
    for endpoint in interface:
        address = endpoint.bEndpointAddress
        if util.endpoint_type(endpoint.bmAttributes) != util.ENDPOINT_TYPE_BULK:
            continue
        if util.endpoint_direction(address) == util.ENDPOINT_OUT:
            printer.out_ep = address
        else:
            printer.in_ep = address


@contextlib.contextmanager
def _short_reads(printer: Any, target: PrinterTarget) -> Iterator[None]:
    """Bound the wait for a status answer; a printer that does not answer is not an error."""
    device = printer.device
    if target.kind is PrinterKind.NETWORK:
        saved = device.gettimeout()
        device.settimeout(STATUS_TIMEOUT)
        try:
            yield
        finally:
            device.settimeout(saved)
    elif target.kind is PrinterKind.SERIAL:
        saved, saved_gap = device.timeout, device.inter_byte_timeout
        # read(16) would wait out the whole timeout for a one-byte answer; stop at the first gap.
        device.timeout, device.inter_byte_timeout = STATUS_TIMEOUT, 0.05
        try:
            yield
        finally:
            device.timeout, device.inter_byte_timeout = saved, saved_gap
    else:
        saved = device.default_timeout
        device.default_timeout = int(STATUS_TIMEOUT * 1000)
        try:
            yield
        finally:
            device.default_timeout = saved


def _check_paper(printer: Any, target: PrinterTarget) -> None:
    """Ask the printer for its paper sensor (DLE EOT 4) before sending; raise PaperOut if empty."""
    try:
        with _short_reads(printer, target):
            status = printer.paper_status()
    except TimeoutError:
        log.debug("printer %s does not answer status queries", target.url)
        return
    except Exception as exc:
        if _class_names(exc) & {"usb.core.USBError", "usb.core.USBTimeoutError"}:
            log.debug("printer %s: no USB status: %s", target.url, exc)
            return
        raise
    if status == 0:
        raise PaperOut(
            f"{_subject(target)} đã hết giấy.",
            "Thay cuộn giấy in nhiệt mới, đóng nắp máy in rồi in lại.",
        )
    if status == 1:
        log.warning("printer %s: paper roll nearly empty", target.url)


def _finish_network(printer: Any) -> None:
    """Say the job is complete (FIN) and read what the printer still sends before closing.

    Closing a socket with unread bytes (a late status answer) resets the connection, and a reset
    can cut off the end of the job inside the printer.
    """
    sock = printer.device
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        return
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(256):
                return
        except OSError:
            return


def _close(printer: Any, target: PrinterTarget) -> None:
    try:
        printer.close()
    except Exception as exc:  # the job's outcome is already decided
        log.info("printer %s: closing failed: %s", target.url, exc)


def _send(target: PrinterTarget, job: bytes, timeout: float, check_paper: bool) -> None:
    """One connection for one job, closed afterwards whatever happens."""
    printer: Any = None
    try:
        printer = _open(target, timeout)
        if check_paper and target.kind in (
            PrinterKind.NETWORK,
            PrinterKind.USB,
            PrinterKind.SERIAL,
        ):
            _check_paper(printer, target)
        printer._raw(job)
        if target.kind is PrinterKind.NETWORK:
            _finish_network(printer)
    except PrinterError:
        raise
    except Exception as exc:
        known = (_escpos_exceptions().Error, OSError, RuntimeError, ValueError)
        if not isinstance(exc, known) and not any(n.startswith("usb.") for n in _class_names(exc)):
            raise
        raise _translate(exc, target, timeout) from exc
    finally:
        if printer is not None:
            _close(printer, target)


def print_image(
    url: str,
    image: Image.Image,
    *,
    cut: bool = True,
    timeout: float = 5.0,
    preview: PreviewSink | None = None,
    check_paper: bool = True,
) -> bytes | None:
    """Print an image as one raster job; ``dummy`` returns the bytes, others return None.

    Raises a PrinterError subclass with a Vietnamese message. Network waits are capped at 5 s.
    """
    target = parse_printer_url(url)
    if target.kind is PrinterKind.PREVIEW:
        if preview is None:
            raise PrinterError(
                "Không có cửa sổ xem trước để hiện phiếu.",
                "Máy in “preview” chỉ dùng khi chạy thử; hãy chọn máy in thật "
                "hoặc file:ĐƯỜNG_DẪN để lưu lệnh in ra tệp.",
            )
        preview.deliver(image.copy())
        return None
    started = time.perf_counter()
    job = encode_raster_job(image, cut=cut)
    if target.kind is PrinterKind.DUMMY:
        return job
    if target.kind is PrinterKind.NETWORK:
        timeout = min(timeout, MAX_NETWORK_TIMEOUT)
    with _escpos_logging():
        _send(target, job, timeout, check_paper)
    log.info(
        "printed %dx%d on %s (%d bytes, %.0f ms)",
        image.width,
        image.height,
        target.url,
        len(job),
        (time.perf_counter() - started) * 1000,
    )
    return None


def warm_up(width_dots: int = 576) -> None:
    """Load python-escpos and the fonts now, so the first ticket prints as fast as the others.

    Call it once in the background when the kiosk starts; it prints nothing.
    """
    sample = TicketContent(
        center_name="Trung tâm Phục vụ hành chính công",
        display="A001",
        field_name="Hộ tịch",
        waiting_ahead=0,
        issued_at=datetime.now(),
    )
    encode_raster_job(render_ticket(sample, width_dots))


def print_ticket(
    url: str,
    content: TicketContent,
    *,
    width_dots: int,
    cut: bool = True,
    timeout: float = 5.0,
    preview: PreviewSink | None = None,
    check_paper: bool = True,
) -> bytes | None:
    """Render and print a queue ticket (see ``print_image``)."""
    return print_image(
        url,
        render_ticket(content, width_dots),
        cut=cut,
        timeout=timeout,
        preview=preview,
        check_paper=check_paper,
    )


def print_slip(
    content: SlipContent,
    url: str,
    *,
    width_dots: int,
    cut: bool = True,
    timeout: float = 5.0,
    preview: PreviewSink | None = None,
    check_paper: bool = True,
) -> bytes | None:
    """Render and print an appointment slip (see ``print_image``); the content comes first."""
    return print_image(
        url,
        render_slip(content, width_dots),
        cut=cut,
        timeout=timeout,
        preview=preview,
        check_paper=check_paper,
    )


def print_test_page(
    url: str,
    *,
    width_dots: int,
    cut: bool = True,
    timeout: float = 5.0,
    preview: PreviewSink | None = None,
    check_paper: bool = True,
) -> bytes | None:
    """Print the test page (Vietnamese sample text, width ruler) to check a printer's set-up."""
    return print_image(
        url,
        render_test_page(width_dots),
        cut=cut,
        timeout=timeout,
        preview=preview,
        check_paper=check_paper,
    )
