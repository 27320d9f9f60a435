"""Printing for real: raster bytes read back, a TCP printer, offline printers and bad URLs."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from onestop_desk.printing import printers
from onestop_desk.printing.layout import TicketContent, render_test_page, render_ticket
from onestop_desk.printing.printers import (
    PreviewSink,
    encode_raster_job,
    print_image,
    print_test_page,
    print_ticket,
)
from onestop_desk.printing.targets import (
    PaperOut,
    PrinterError,
    PrinterKind,
    PrinterOffline,
    PrinterTarget,
    PrinterTimeout,
    PrinterUrlError,
    parse_printer_url,
)
from tests.support.escpos_raster import (
    PAPER_EMPTY,
    PAPER_QUERY,
    PrinterRecorder,
    cuts,
    decode_raster,
    has_cut,
    raster_blocks,
    same_pixels,
)

REPO = Path(__file__).resolve().parents[2]
TICKET = TicketContent(
    center_name="Trung tâm Phục vụ hành chính công xã Hòa Sơn",
    display="A012",
    field_name="Hộ tịch",
    waiting_ahead=3,
    issued_at=datetime(2026, 11, 24, 9, 30),
    priority_label="Người cao tuổi",
)


def _closed_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("width", [384, 512, 576])
def test_dummy_bytes_decode_back_to_the_rendered_ticket(width: int) -> None:
    image = render_ticket(TICKET, width)
    data = print_image("dummy", image)
    assert data is not None
    decoded = decode_raster(data)
    assert len(decoded) == 1
    assert same_pixels(decoded[0], image)
    assert data.startswith(b"\x1b@")  # reset first: leftovers of another program don't leak in
    assert has_cut(data)


def test_cut_only_when_asked() -> None:
    image = render_ticket(TICKET, 384)
    data = print_image("dummy", image, cut=False)
    assert data is not None
    assert not has_cut(data)
    assert data.endswith(b"\x1bd\x06")  # still fed past the tear bar
    assert same_pixels(decode_raster(data)[0], image)


def test_tall_images_are_sent_in_slices_and_stitch_back() -> None:
    image = Image.new("1", (576, 2500), 255)
    image.paste(0, (0, 0, 576, 10))
    image.paste(0, (100, 950, 300, 1000))
    image.paste(0, (0, 2490, 576, 2500))
    data = encode_raster_job(image)
    assert [block.height for block in raster_blocks(data)] == [960, 960, 580]
    assert same_pixels(decode_raster(data)[0], image)


def test_file_printer_writes_the_same_job(tmp_path: Path) -> None:
    image = render_ticket(TICKET, 576)
    target = tmp_path / "ticket.bin"
    assert print_image(f"file:{target}", image) is None
    data = target.read_bytes()
    assert data == encode_raster_job(image)
    assert same_pixels(decode_raster(data)[0], image)
    assert cuts(data) == [b"\x1dV\x00"]


def test_file_printer_in_a_missing_folder_is_offline(tmp_path: Path) -> None:
    with pytest.raises(PrinterOffline, match="Không mở được tệp"):
        print_image(f"file:{tmp_path / 'nope' / 'ticket.bin'}", render_ticket(TICKET, 384))


def test_network_printer_gets_one_connection_per_job_closed_after_it() -> None:
    first = render_ticket(TICKET, 576)
    second = render_test_page(576)
    with PrinterRecorder() as printer:
        print_image(printer.url, first)
        print_image(printer.url, second, cut=False)
        jobs = printer.wait_for(2)
    assert len(jobs) == 2
    assert all(job.closed_by_client for job in jobs)
    # Each connection asks for the paper sensor, then sends exactly one job.
    assert all(job.data.startswith(PAPER_QUERY) for job in jobs)
    assert [len(decode_raster(job.data)) for job in jobs] == [1, 1]
    assert same_pixels(decode_raster(jobs[0].data)[0], first)
    assert same_pixels(decode_raster(jobs[1].data)[0], second)
    assert has_cut(jobs[0].data)
    assert not has_cut(jobs[1].data)


def test_print_ticket_and_test_page_reach_the_network_printer() -> None:
    with PrinterRecorder() as printer:
        print_ticket(printer.url, TICKET, width_dots=384)
        print_test_page(printer.url, width_dots=384)
        jobs = printer.wait_for(2)
    images = [decode_raster(job.data)[0] for job in jobs]
    assert [image.width for image in images] == [384, 384]
    assert same_pixels(images[0], render_ticket(TICKET, 384))


def test_paper_out_is_reported_and_nothing_is_sent() -> None:
    with PrinterRecorder(paper=PAPER_EMPTY) as printer:
        with pytest.raises(PaperOut, match="hết giấy") as caught:
            print_ticket(printer.url, TICKET, width_dots=384)
        jobs = printer.wait_for(1)
    assert caught.value.hint is not None
    assert jobs[0].data == PAPER_QUERY
    assert jobs[0].closed_by_client


def test_a_printer_that_does_not_answer_status_still_prints_promptly() -> None:
    image = render_ticket(TICKET, 384)
    with PrinterRecorder(paper=None) as printer:
        started = time.monotonic()
        print_image(printer.url, image)
        elapsed = time.monotonic() - started
        jobs = printer.wait_for(1)
    assert elapsed < printers.STATUS_TIMEOUT + printers.DRAIN_TIMEOUT + 1
    assert same_pixels(decode_raster(jobs[0].data)[0], image)


def test_closed_port_is_offline_within_six_seconds() -> None:
    port = _closed_port()
    started = time.monotonic()
    with pytest.raises(PrinterOffline, match="Không kết nối được máy in mạng") as caught:
        print_ticket(f"net:127.0.0.1:{port}", TICKET, width_dots=384)
    assert time.monotonic() - started < 6
    assert caught.value.hint is not None
    assert "127.0.0.1" in caught.value.hint


def test_unreachable_host_gives_up_after_the_timeout() -> None:
    # 192.0.2.0/24 is reserved for documentation: nothing ever answers there.
    started = time.monotonic()
    with pytest.raises(PrinterOffline):
        print_ticket("net:192.0.2.1:9100", TICKET, width_dots=384, timeout=1.0)
    assert time.monotonic() - started < 2.5


def test_a_printer_that_stops_reading_times_out_and_the_connection_is_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    network_class = printers._escpos().Network
    stalled_on: list[object] = []

    def stalled(self: object, data: bytes) -> None:
        stalled_on.append(self)
        raise TimeoutError("timed out")

    monkeypatch.setattr(network_class, "_raw", stalled)
    with PrinterRecorder() as printer:
        with pytest.raises(PrinterTimeout, match="không nhận dữ liệu sau 5 giây"):
            print_ticket(printer.url, TICKET, width_dots=384, check_paper=False)
        jobs = printer.wait_for(1)
    assert jobs[0].closed_by_client
    assert [getattr(p, "_device", None) for p in stalled_on] == [False]


def test_timeouts_above_five_seconds_are_capped_for_network_printers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[float] = []

    def fake_send(target: PrinterTarget, job: bytes, timeout: float, check: bool) -> None:
        seen.append(timeout)

    monkeypatch.setattr(printers, "_send", fake_send)
    print_image("net:printer.local", Image.new("1", (384, 10), 255), timeout=60)
    print_image("file:/dev/null", Image.new("1", (384, 10), 255), timeout=60)
    assert seen == [5.0, 60]


def test_preview_hands_the_image_to_the_sink() -> None:
    received: list[Image.Image] = []
    sink = PreviewSink(received.append)
    image = render_ticket(TICKET, 576)
    assert print_image("preview", image, preview=sink) is None
    assert sink.latest() is not None
    assert same_pixels(sink.images()[0], image)
    assert len(received) == 1


def test_preview_sink_is_thread_safe_and_bounded() -> None:
    sink = PreviewSink(keep=5)
    image = Image.new("1", (384, 20), 255)

    def print_ten() -> None:
        for _ in range(10):
            print_image("preview", image, preview=sink)

    threads = [threading.Thread(target=print_ten) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sink.images()) == 5
    assert sink.delivered == 80


def test_preview_without_a_window_says_so() -> None:
    with pytest.raises(PrinterError, match="xem trước"):
        print_image("preview", Image.new("1", (384, 20), 255))


@pytest.mark.skipif(sys.platform == "win32", reason="win32: printers exist on Windows")
def test_windows_printer_elsewhere_says_it_needs_windows() -> None:
    with pytest.raises(PrinterError, match="chỉ dùng được trên Windows"):
        print_ticket("win32:XP-80C", TICKET, width_dots=576)


def test_usb_printer_that_is_not_there_is_a_printer_error() -> None:
    # Without libusb: "install libusb"; with it: no such device. Never a raw exception.
    with pytest.raises(PrinterError) as caught:
        print_ticket("usb:0x0fff:0x0001", TICKET, width_dots=384)
    assert caught.value.hint


def test_serial_port_that_does_not_exist_is_offline(tmp_path: Path) -> None:
    with pytest.raises(PrinterOffline, match="cổng"):
        print_ticket(f"serial:{tmp_path / 'ttyNONE'}", TICKET, width_dots=384)


def test_printing_says_nothing_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    printers.warm_up(384)
    print_image("dummy", render_ticket(TICKET, 384))
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_python_escpos_leaves_logging_alone(tmp_path: Path) -> None:
    # python-escpos calls logging.basicConfig() and logging.info(): either would add a stderr
    # handler to the root logger, and every log line of the program would echo on the console.
    job_url = f"file:{tmp_path / 'job.bin'}"
    code = (
        "import logging\n"
        "logging.getLogger('onestop').setLevel(logging.INFO)\n"
        "from PIL import Image\n"
        "from onestop_desk.printing.printers import print_image\n"
        "image = Image.new('1', (384, 16), 255)\n"
        "print_image('dummy', image)\n"
        f"print_image({job_url!r}, image)\n"
        "print(len(logging.getLogger().handlers))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert (tmp_path / "job.bin").stat().st_size > 0
    assert result.stdout.strip() == "0"
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("usb:0x0416:0x5011", PrinterTarget(PrinterKind.USB, vendor_id=0x416, product_id=0x5011)),
        ("USB:0416:5011", PrinterTarget(PrinterKind.USB, vendor_id=0x416, product_id=0x5011)),
        ("net:192.168.1.50", PrinterTarget(PrinterKind.NETWORK, "192.168.1.50", port=9100)),
        ("net:printer-1.local:9101", PrinterTarget(PrinterKind.NETWORK, "printer-1.local", 9101)),
        ("net://10.0.0.7:9100", PrinterTarget(PrinterKind.NETWORK, "10.0.0.7", port=9100)),
        ("serial:COM3", PrinterTarget(PrinterKind.SERIAL, "COM3", baudrate=9600)),
        (
            "serial:/dev/ttyUSB0@115200",
            PrinterTarget(PrinterKind.SERIAL, "/dev/ttyUSB0", baudrate=115200),
        ),
        ("win32:XP-80C (copy 1)", PrinterTarget(PrinterKind.WIN32, "XP-80C (copy 1)")),
        ("file:/dev/usb/lp0", PrinterTarget(PrinterKind.FILE, "/dev/usb/lp0")),
        ("file:///tmp/ticket.bin", PrinterTarget(PrinterKind.FILE, "/tmp/ticket.bin")),
        (r"file:C:\tickets\out.bin", PrinterTarget(PrinterKind.FILE, r"C:\tickets\out.bin")),
        (" dummy ", PrinterTarget(PrinterKind.DUMMY)),
        ("preview", PrinterTarget(PrinterKind.PREVIEW)),
    ],
)
def test_printer_urls_are_understood(url: str, expected: PrinterTarget) -> None:
    assert parse_printer_url(url) == expected
    assert parse_printer_url(expected.url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "chưa nhập"),
        ("192.168.1.50", "net:192.168.1.50"),
        ("lpt:1", "loại kết nối"),
        ("usb:0416", "usb:VID:PID"),
        ("usb:0416:zz11", "PID"),
        ("usb:0:0", "khác 0"),
        ("usb:12345:0001", "VID"),
        ("net:", "thiếu"),
        ("net:192.168.1.50:99999", "cổng"),
        ("net:192.168.1.50:abc", "cổng"),
        ("net:bad host", "địa chỉ IP"),
        ("serial:COM3@fast", "tốc độ"),
        ("serial:@9600", "tên cổng"),
        ("win32:", "thiếu"),
        ("file:", "thiếu"),
        ("dummy:x", "không có tham số"),
    ],
)
def test_bad_printer_urls_are_refused_with_the_accepted_forms(url: str, reason: str) -> None:
    with pytest.raises(PrinterUrlError, match=reason) as caught:
        print_image(url, Image.new("1", (384, 16), 255))
    assert caught.value.hint is not None
    assert "usb:VID:PID" in caught.value.hint
    assert "net:ĐỊA_CHỈ" in caught.value.hint


@pytest.mark.slow
def test_unreachable_host_with_default_settings_is_offline_within_six_seconds() -> None:
    started = time.monotonic()
    with pytest.raises(PrinterOffline):
        print_ticket("net:192.0.2.1", TICKET, width_dots=384)
    assert time.monotonic() - started < 6
