"""Printer URLs parsed into targets, and the typed errors every way of printing raises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from onestop_desk.errors import InputError, KnownError

DEFAULT_NET_PORT = 9100
DEFAULT_BAUDRATE = 9600

URL_FORMS = (
    "usb:VID:PID (ví dụ usb:0416:5011), net:ĐỊA_CHỈ[:CỔNG] (ví dụ net:192.168.1.50:9100), "
    "serial:CỔNG[@TỐC_ĐỘ] (ví dụ serial:COM3 hoặc serial:/dev/ttyUSB0@19200), "
    "win32:TÊN_MÁY_IN, file:ĐƯỜNG_DẪN, dummy, preview"
)


class PrinterError(KnownError):
    """A ticket or slip did not print; the message says why and what to check."""


class PrinterOffline(PrinterError):
    """The printer cannot be reached: switched off, unplugged, wrong address, or lost mid-job."""


class PrinterTimeout(PrinterError):
    """The printer took the connection but stopped accepting data (jammed, cover open...)."""


class PaperOut(PrinterError):
    """The printer reported an empty paper roll; nothing was sent."""


class PrinterUrlError(PrinterError, InputError):
    """A printer address that is not one of the accepted forms."""


class PrinterKind(StrEnum):
    """How a printer is reached; the value is the URL prefix."""

    USB = "usb"
    NETWORK = "net"
    SERIAL = "serial"
    WIN32 = "win32"
    FILE = "file"
    DUMMY = "dummy"
    PREVIEW = "preview"


@dataclass(frozen=True)
class PrinterTarget:
    """A parsed printer URL; ``address`` is the host, device, Windows printer name or file path."""

    kind: PrinterKind
    address: str = ""
    port: int = 0
    vendor_id: int = 0
    product_id: int = 0
    baudrate: int = 0

    @property
    def url(self) -> str:
        """The canonical URL, e.g. ``usb:0416:5011`` or ``net:192.168.1.50:9100``."""
        if self.kind is PrinterKind.USB:
            return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
        if self.kind is PrinterKind.NETWORK:
            return f"net:{self.address}:{self.port}"
        if self.kind is PrinterKind.SERIAL:
            return f"serial:{self.address}@{self.baudrate}"
        if self.kind in (PrinterKind.WIN32, PrinterKind.FILE):
            return f"{self.kind.value}:{self.address}"
        return self.kind.value

    def describe(self) -> str:
        """The printer as the staff read it in a message."""
        match self.kind:
            case PrinterKind.USB:
                return f"máy in USB {self.vendor_id:04x}:{self.product_id:04x}"
            case PrinterKind.NETWORK:
                return f"máy in mạng {self.address}:{self.port}"
            case PrinterKind.SERIAL:
                return f"máy in cổng {self.address}"
            case PrinterKind.WIN32:
                return f"máy in “{self.address}”"
            case PrinterKind.FILE:
                return f"tệp {self.address}"
            case PrinterKind.DUMMY:
                return "máy in giả lập"
            case PrinterKind.PREVIEW:
                return "cửa sổ xem trước"


_HEX_ID = re.compile(r"(?:0x)?([0-9a-f]{1,4})", re.IGNORECASE)
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?", re.IGNORECASE)
_LOOKS_LIKE_HOST = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?")


def _bad_url(url: str, reason: str) -> PrinterUrlError:
    return PrinterUrlError(
        f"Địa chỉ máy in “{url}” không hợp lệ: {reason}.", f"Các dạng được chấp nhận: {URL_FORMS}."
    )


def _usb_id(url: str, text: str, what: str) -> int:
    match = _HEX_ID.fullmatch(text.strip())
    value = int(match.group(1), 16) if match else 0
    if value == 0:
        # python-escpos reads 0 as "any device": the kiosk would print to the first USB device.
        raise _bad_url(url, f"{what} phải là số hệ 16 khác 0, ví dụ 0416")
    return value


def parse_printer_url(url: str) -> PrinterTarget:
    """Read a printer URL: ``usb:VID:PID``, ``net:HOST[:PORT]``, ``serial:DEV[@BAUD]``, ..."""
    text = url.strip()
    scheme, colon, rest = text.partition(":")
    kind_name = scheme.strip().lower()
    if not text:
        raise _bad_url(url, "chưa nhập địa chỉ")
    if kind_name in (PrinterKind.DUMMY, PrinterKind.PREVIEW):
        if rest.strip():
            raise _bad_url(url, f"“{kind_name}” không có tham số")
        return PrinterTarget(PrinterKind(kind_name))
    if not colon or kind_name not in set(PrinterKind):
        if _LOOKS_LIKE_HOST.fullmatch(text):
            raise _bad_url(url, f"thiếu loại kết nối; máy in mạng viết là net:{text}")
        raise _bad_url(url, f"loại kết nối “{scheme}” không có")
    kind = PrinterKind(kind_name)
    rest = rest.strip()
    if kind in (PrinterKind.NETWORK, PrinterKind.FILE) and rest.startswith("//"):
        rest = rest[2:]  # net://host and file:///path, as people often write them
    if not rest:
        raise _bad_url(url, "thiếu phần sau dấu hai chấm")
    if kind is PrinterKind.USB:
        parts = rest.split(":")
        if len(parts) != 2:
            raise _bad_url(url, "máy in USB viết là usb:VID:PID")
        return PrinterTarget(
            kind,
            vendor_id=_usb_id(url, parts[0], "mã hãng (VID)"),
            product_id=_usb_id(url, parts[1], "mã sản phẩm (PID)"),
        )
    if kind is PrinterKind.NETWORK:
        host, _, port_text = rest.partition(":")
        if not _HOST.fullmatch(host):
            raise _bad_url(url, f"tên máy hoặc địa chỉ IP “{host}” không đúng")
        port = DEFAULT_NET_PORT
        if port_text:
            if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
                raise _bad_url(url, f"cổng “{port_text}” phải là số từ 1 đến 65535")
            port = int(port_text)
        return PrinterTarget(kind, address=host, port=port)
    if kind is PrinterKind.SERIAL:
        device, at, baud_text = rest.rpartition("@")
        if not at:
            device, baud_text = rest, ""
        baudrate = DEFAULT_BAUDRATE
        if baud_text:
            if not baud_text.isdigit() or not 300 <= int(baud_text) <= 921600:
                raise _bad_url(url, f"tốc độ “{baud_text}” phải là số, ví dụ 9600 hoặc 115200")
            baudrate = int(baud_text)
        if not device.strip():
            raise _bad_url(url, "thiếu tên cổng, ví dụ COM3 hoặc /dev/ttyUSB0")
        return PrinterTarget(kind, address=device.strip(), baudrate=baudrate)
    return PrinterTarget(kind, address=rest)
