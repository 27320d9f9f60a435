"""The appointment slip: printed bytes read back, a scannable QR of the code, nothing cut off.

With ``ONESTOP_SCREENSHOTS=DIR`` the decoded 58 mm and 80 mm slips are also saved there
(``docs/screenshots/slip-58mm.png`` and ``slip-80mm.png`` come from this).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qrcode  # type: ignore[import-untyped]
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

from onestop_desk.errors import InputError
from onestop_desk.printing.layout import TicketLayout
from onestop_desk.printing.printers import print_slip
from onestop_desk.printing.slip import (
    MIN_CODE_HEIGHT,
    MIN_QR_MODULE,
    SlipContent,
    format_due,
    render_slip,
    render_slip_layout,
)
from tests.support.escpos_raster import decode_raster, has_cut, same_pixels

CODE = "000.24481.H15-261123-0001"
PAPERS = {384: "58mm", 576: "80mm"}
PARTS = [
    "center",
    "title",
    "code_label",
    "code",
    "qr",
    "procedure",
    "applicant",
    "received",
    "due",
    "collect",
    "fee",
    "lookup",
    "reminder",
]
SLIP = SlipContent(
    center_name="Trung tâm Phục vụ hành chính công xã Hòa Sơn",
    code=CODE,
    procedure_name="Đăng ký khai sinh kết hợp nhận cha, mẹ, con",
    applicant_name="Nguyễn Thị Ngọc Ánh",
    received_at=datetime(2026, 11, 23, 9, 30),
    due_at=datetime(2026, 11, 25, 17, 0),
    where_to_collect="Quầy số 2 – Trung tâm Phục vụ hành chính công xã Hòa Sơn",
    fee="Miễn phí",
    lookup_hint="Tra cứu tình trạng hồ sơ: quét mã QR hoặc nhập mã hồ sơ tại dichvucong.gov.vn",
)


def _black_share(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> float:
    region = image.crop(box) if box else image
    return region.convert("L").histogram()[0] / max(1, region.width * region.height)


def _ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return image.convert("L").point(lambda v: 255 - v).getbbox()


def _printed(content: SlipContent, width: int, tmp_path: Path) -> Image.Image:
    """The slip sent to a ``file:`` printer and read back from the ESC/POS bytes."""
    job = tmp_path / f"slip-{width}.bin"
    assert print_slip(content, f"file:{job}", width_dots=width) is None
    data = job.read_bytes()
    assert has_cut(data)
    [image] = decode_raster(data)
    return image


def _save_screenshot(image: Image.Image, name: str) -> None:
    folder = os.environ.get("ONESTOP_SCREENSHOTS")
    if not folder:
        return
    gap = 24  # a grey surround shows where the paper ends, as in the ticket screenshots
    sheet = Image.new("L", (image.width + 2 * gap, image.height + 2 * gap), 205)
    sheet.paste(image.convert("L"), (gap, gap))
    Path(folder).mkdir(parents=True, exist_ok=True)
    sheet.save(Path(folder) / name, optimize=True)


@pytest.mark.parametrize("width", PAPERS)
def test_printed_bytes_decode_back_to_the_rendered_slip(width: int, tmp_path: Path) -> None:
    rendered = render_slip(SLIP, width)
    printed = _printed(SLIP, width, tmp_path)
    assert printed.size == rendered.size
    assert same_pixels(printed, rendered)
    assert printed.width == width
    assert 0.04 < _black_share(printed) < 0.4  # ink, but mostly paper
    _save_screenshot(printed, f"slip-{PAPERS[width]}.png")


@pytest.mark.parametrize("width", [384, 512, 576])
def test_every_part_is_there_in_order_and_inked(width: int) -> None:
    slip = render_slip_layout(SLIP, width)
    assert slip.image.mode == "1"
    assert slip.image.width == width
    tops = [slip.boxes[name][1] for name in PARTS]
    assert tops == sorted(tops)
    for name in PARTS:
        assert _black_share(slip.image, slip.boxes[name]) > 0.02, name


@pytest.mark.parametrize("width", [384, 512, 576])
def test_nothing_reaches_the_edges_of_the_paper(width: int) -> None:
    long = replace(
        SLIP,
        procedure_name="Cấp Giấy xác nhận tình trạng hôn nhân cho công dân Việt Nam cư trú "
        "trong nước để đăng ký kết hôn với người nước ngoài",
        applicant_name="Công Tằng Tôn Nữ Thị Ngọc Huyền Trân",
        where_to_collect="Bưu điện gửi đến: Thôn Ea Kmút, xã Hòa Sơn, tỉnh Đắk Lắk (số nhà 112/7A)",
        fee="8.000 đồng (lệ phí đăng ký hộ tịch)",
        due_at=datetime(2026, 11, 29, 11, 30),  # a Sunday: the longest weekday name
    )
    for content in (SLIP, long):
        image = render_slip(content, width)
        ink = _ink_box(image)
        assert ink is not None
        margin = max(8, round(width * 0.035))
        # Text is wrapped or shrunk inside the margins; nothing runs off the paper.
        assert ink[0] >= margin
        assert ink[2] <= width - margin


def _ink_rows(image: Image.Image) -> list[tuple[int, int]]:
    """The bands of rows with ink, top to bottom, as (first row, row after the last)."""
    inked = [y for y in range(image.height) if _ink_box(image.crop((0, y, image.width, y + 1)))]
    bands: list[tuple[int, int]] = []
    for y in inked:
        if bands and bands[-1][1] == y:
            bands[-1] = (bands[-1][0], y + 1)
        else:
            bands.append((y, y + 1))
    return bands


def test_the_code_is_large_and_split_only_on_narrow_paper() -> None:
    for width, lines in ((576, 1), (384, 2)):
        slip = render_slip_layout(SLIP, width)
        bands = _ink_rows(slip.image.crop(slip.boxes["code"]))
        assert len(bands) == lines, width
        # Every line of the code at least 3 mm tall (8 dots a millimetre) and taller than text.
        received = _ink_rows(slip.image.crop(slip.boxes["received"]))
        text_height = received[0][1] - received[0][0]
        for top, bottom in bands:
            assert bottom - top >= MIN_CODE_HEIGHT
            assert bottom - top > text_height


def test_due_time_is_framed_and_bigger_than_the_text_around_it() -> None:
    slip = render_slip_layout(SLIP, 576)
    due = slip.boxes["due"]
    received = slip.boxes["received"]
    assert due[3] - due[1] > 2.5 * (received[3] - received[1])
    frame = slip.image.crop(due)
    # The frame's left edge is a solid black column.
    assert _black_share(frame, (0, 0, 2, frame.height)) > 0.95


def test_format_due_says_the_weekday_in_vietnamese() -> None:
    assert format_due(datetime(2026, 11, 25, 17, 0)) == "17:00, Thứ Tư 25/11/2026"
    assert format_due(datetime(2026, 11, 23, 8, 5)) == "08:05, Thứ Hai 23/11/2026"
    assert format_due(datetime(2026, 11, 28, 11, 30)) == "11:30, Thứ Bảy 28/11/2026"
    assert format_due(datetime(2026, 11, 29, 9, 0)) == "09:00, Chủ nhật 29/11/2026"


def test_times_are_printed_on_the_office_clock() -> None:
    aware = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert format_due(aware) == format_due(aware.astimezone().replace(tzinfo=None))


def test_lookup_hint_is_optional() -> None:
    boxes = render_slip_layout(replace(SLIP, lookup_hint=None), 576).boxes
    assert "lookup" not in boxes


def test_unusable_width_is_refused_in_vietnamese() -> None:
    with pytest.raises(InputError, match="Khổ in"):
        render_slip(SLIP, 100)


# --- the QR --------------------------------------------------------------------------------------


def _expected_modules(text: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    qr.add_data(text)
    qr.make(fit=True)
    return [[bool(cell) for cell in row] for row in qr.get_matrix()]


def _read_modules(slip: TicketLayout, count: int) -> tuple[list[list[bool]], int]:
    """The dark/light modules sampled at their centres inside the QR's box, and the module size."""
    qr = slip.image.crop(slip.boxes["qr"])
    ink = _ink_box(qr)
    assert ink is not None
    left, top, right, bottom = ink
    module = (right - left) // count
    assert right - left == module * count
    assert bottom - top == module * count  # square, whole dots per module
    pixels = qr.convert("L").load()
    assert pixels is not None

    def dark(x: int, y: int) -> bool:
        value = pixels[left + x * module + module // 2, top + y * module + module // 2]
        return isinstance(value, int) and value < 128

    return [[dark(x, y) for x in range(count)] for y in range(count)], module


@pytest.mark.parametrize("width", PAPERS)
def test_qr_encodes_the_dossier_code_in_modules_big_enough_to_scan(
    width: int, tmp_path: Path
) -> None:
    printed = _printed(SLIP, width, tmp_path)
    layout = render_slip_layout(SLIP, width)
    assert same_pixels(printed, layout.image)  # the boxes describe what was printed
    expected = _expected_modules(CODE)
    modules, size = _read_modules(layout, len(expected))
    assert modules == expected
    assert modules != _expected_modules("000.24481.H15-261123-0002")
    assert size >= MIN_QR_MODULE
    # The quiet zone: four modules of white paper on every side.
    x0, y0, x1, y1 = layout.boxes["qr"]
    ink = _ink_box(printed.crop((x0, y0, x1, y1)))
    assert ink is not None
    left, top, right, bottom = x0 + ink[0], y0 + ink[1], x0 + ink[2], y0 + ink[3]
    quiet = 4 * size
    surround = printed.crop((left - quiet, top - quiet, right + quiet, bottom + quiet))
    assert _ink_box(surround) == (quiet, quiet, quiet + right - left, quiet + bottom - top)


@pytest.mark.skipif(
    shutil.which("zbarimg") is None and os.environ.get("CI") != "true",
    reason="zbarimg (zbar-tools) not installed; ./onestop test installs it",
)
def test_a_qr_reader_reads_the_code_from_the_printed_slip(tmp_path: Path) -> None:
    picture = tmp_path / "slip.png"
    _printed(SLIP, 384, tmp_path).convert("L").save(picture)
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(picture)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == CODE
