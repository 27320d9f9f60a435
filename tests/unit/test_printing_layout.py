"""Ticket and test-page images: exact width, a big number, Vietnamese that fits the paper."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from onestop_desk.errors import InputError
from onestop_desk.printing import layout
from onestop_desk.printing.layout import (
    LETTER_GROUPS,
    TicketContent,
    render_test_page,
    render_ticket,
    render_ticket_layout,
)
from onestop_desk.resources import resource_path

WIDTHS = [384, 512, 576]
CENTER = "Trung tâm Phục vụ hành chính công xã Hòa Sơn"
LONG_FIELD = "Thành lập và hoạt động của hộ kinh doanh"
LONG_CENTER = "Trung tâm Phục vụ hành chính công phường Buôn Ma Thuột, tỉnh Đắk Lắk (cơ sở 2)"


def _ticket(**changes: object) -> TicketContent:
    values: dict[str, object] = {
        "center_name": CENTER,
        "display": "A012",
        "field_name": "Hộ tịch",
        "waiting_ahead": 3,
        "issued_at": datetime(2026, 11, 24, 9, 30),
    }
    values.update(changes)
    return TicketContent(**values)  # type: ignore[arg-type]


def _black_share(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> float:
    region = image.crop(box) if box else image
    histogram = region.convert("L").histogram()
    return histogram[0] / max(1, region.width * region.height)


def _ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the black pixels."""
    return image.convert("L").point(lambda v: 255 - v).getbbox()


@pytest.fixture
def fonts_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Point the resource lookup at an empty folder, with clean font caches before and after."""
    monkeypatch.setattr(layout, "resource_path", tmp_path.joinpath)
    layout.clear_font_cache()
    yield tmp_path
    monkeypatch.undo()
    layout.clear_font_cache()


@pytest.mark.parametrize("width", WIDTHS)
def test_ticket_is_exactly_the_paper_width_in_one_bit(width: int) -> None:
    image = render_ticket(_ticket(), width)
    assert image.mode == "1"
    assert image.width == width
    assert 300 < image.height < 3 * width


@pytest.mark.parametrize("width", WIDTHS)
def test_number_is_big_black_and_fills_most_of_the_width(width: int) -> None:
    ticket = render_ticket_layout(_ticket(), width)
    box = ticket.boxes["number"]
    number = ticket.image.crop(box)
    ink = _ink_box(number)
    assert ink is not None
    ink_width, ink_height = ink[2] - ink[0], ink[3] - ink[1]
    assert ink_width >= 0.75 * width
    # At least 11 mm tall on 58 mm paper (8 dots per mm): legible from across the room.
    assert ink_height >= 0.22 * width
    assert _black_share(number) > 0.25
    # Far bigger than the "SỐ THỨ TỰ" heading above it.
    label = ticket.boxes["label"]
    assert ink_height > 2.5 * (label[3] - label[1])


@pytest.mark.parametrize("width", WIDTHS)
def test_ticket_has_ink_but_is_mostly_paper(width: int) -> None:
    share = _black_share(render_ticket(_ticket(), width))
    assert 0.05 < share < 0.4


@pytest.mark.parametrize("width", WIDTHS)
def test_every_part_of_the_ticket_is_laid_out_in_order(width: int) -> None:
    ticket = render_ticket_layout(
        _ticket(priority_label="Người cao tuổi", counter_hint="Quầy số 2", qr_text="A012"), width
    )
    order = ["center", "label", "number", "field", "counter", "priority", "waiting", "issued_at"]
    order += ["qr", "thank_you"]
    tops = [ticket.boxes[name][1] for name in order]
    assert tops == sorted(tops)
    for name in order:
        assert _black_share(ticket.image, ticket.boxes[name]) > 0.02, name


def test_optional_parts_are_absent_when_not_given() -> None:
    boxes = render_ticket_layout(_ticket(), 384).boxes
    assert {"priority", "counter", "qr"}.isdisjoint(boxes)


def test_priority_ticket_shows_a_dark_band() -> None:
    plain = render_ticket_layout(_ticket(), 384)
    priority = render_ticket_layout(_ticket(priority_label="Người cao tuổi"), 384)
    assert _black_share(priority.image, priority.boxes["priority"]) > 0.4
    assert priority.image.height > plain.image.height


def test_priority_without_a_reason_still_shows_the_band() -> None:
    plain = render_ticket_layout(_ticket(), 384)
    unnamed = render_ticket_layout(_ticket(priority_label=""), 384)
    named = render_ticket_layout(_ticket(priority_label="Người cao tuổi"), 384)
    assert "priority" in unnamed.boxes
    band = unnamed.image.crop(unnamed.boxes["priority"])
    short = _ink_box(band)
    long = _ink_box(named.image.crop(named.boxes["priority"]))
    assert short is not None
    assert long is not None
    # A band just wide enough for "Ưu tiên", dark like the one with a reason.
    assert 0 < short[2] - short[0] < long[2] - long[0]
    assert _black_share(band, short) > 0.6
    assert unnamed.image.height > plain.image.height


def test_qr_is_square_and_sharp() -> None:
    ticket = render_ticket_layout(_ticket(qr_text="https://dichvucong.gov.vn/?so=A012"), 384)
    qr = ticket.image.crop(ticket.boxes["qr"])
    ink = _ink_box(qr)
    assert ink is not None
    assert ink[2] - ink[0] == ink[3] - ink[1]
    assert 0.3 < _black_share(qr.crop(ink)) < 0.7


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("center", "field", "priority"),
    [
        (CENTER, LONG_FIELD, None),
        (LONG_CENTER, LONG_FIELD, "Gia đình có công với cách mạng"),
        (
            CENTER,
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan nước ngoài cấp",
            None,
        ),
        (CENTER, "Mã-hồ-sơ-rất-dài-không-có-khoảng-trắng-000123456789", "Người khuyết tật"),
    ],
)
def test_long_vietnamese_names_wrap_inside_the_margins(
    width: int, center: str, field: str, priority: str | None
) -> None:
    ticket = render_ticket_layout(
        _ticket(center_name=center, field_name=field, priority_label=priority), width
    )
    image = ticket.image
    margin = 8
    assert _black_share(image, (0, 0, margin, image.height)) == 0
    assert _black_share(image, (width - margin, 0, width, image.height)) == 0
    assert _black_share(image, (0, 0, width, 4)) == 0
    assert _black_share(image, (0, image.height - 4, width, image.height)) == 0
    # The field did wrap onto several lines rather than being cut or shrunk to dust.
    field_box = ticket.boxes["field"]
    assert field_box[3] - field_box[1] > 60 * width / 384


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "text",
    [
        LONG_FIELD,
        LONG_CENTER.upper(),
        "Đăng ký kết hôn có yếu tố nước ngoài tại Ủy ban nhân dân cấp xã khu vực biên giới",
        "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=H12.34-260101-0001",
    ],
)
def test_wrapping_keeps_every_character_and_each_line_fits(width: int, text: str) -> None:
    style = layout._Style(True, 32)
    content_width = width - 2 * layout._margin(width)
    lines = layout._fit_lines([(text, style)], content_width, min_scale=layout.FIT)
    assert all(line.width <= content_width for line in lines)
    rebuilt = "".join(run for line in lines for run, _ in line.runs)
    assert rebuilt.replace(" ", "") == text.replace(" ", "")


def test_lines_break_as_people_read_them() -> None:
    lines = layout._fit_lines([(LONG_FIELD, layout._Style(True, 32))], 356)
    texts = [" ".join(run for run, _ in line.runs) for line in lines]
    # Balanced lines: no lone last word under two full ones.
    assert len(texts) == 3
    assert all(len(t.split()) >= 3 for t in texts)
    assert layout._center_lines(CENTER) == ["TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "XÃ HÒA SƠN"]


def test_issue_time_is_printed_in_local_time() -> None:
    naive = datetime(2026, 11, 24, 9, 30)
    aware = naive.astimezone().astimezone(UTC)
    a = render_ticket(_ticket(issued_at=naive), 384)
    b = render_ticket(_ticket(issued_at=aware), 384)
    assert a.tobytes() == b.tobytes()


def test_decomposed_unicode_prints_like_precomposed() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Hộ tịch")
    assert nfd != "Hộ tịch"
    a = render_ticket(_ticket(field_name="Hộ tịch"), 384)
    b = render_ticket(_ticket(field_name=nfd), 384)
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("width", [100, 5000])
def test_unusable_width_is_refused_in_vietnamese(width: int) -> None:
    with pytest.raises(InputError, match="Khổ in"):
        render_ticket(_ticket(), width)


def test_fonts_come_from_the_bundled_resources() -> None:
    layout.clear_font_cache()
    assert layout._font(True, 40).path == str(resource_path("fonts", "NotoSans-Bold.ttf"))
    assert layout._font(False, 40).path == str(resource_path("fonts", "NotoSans-Regular.ttf"))
    assert layout._font(True, 40) is layout._font(True, 40)


def test_without_the_bundled_fonts_rendering_fails_rather_than_using_a_system_font(
    fonts_elsewhere: Path,
) -> None:
    with pytest.raises(FileNotFoundError, match="bundled font"):
        render_ticket(_ticket(), 384)


def test_bundled_fonts_are_the_ones_drawn(fonts_elsewhere: Path) -> None:
    # The same ticket drawn with the bundled fonts copied elsewhere is identical: nothing else
    # (a system font, Pillow's default) takes part.
    (fonts_elsewhere / "fonts").mkdir()
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        source = resource_path("fonts", name)
        (fonts_elsewhere / "fonts" / name).write_bytes(source.read_bytes())
    copied = render_ticket(_ticket(), 384)
    layout.clear_font_cache()
    (fonts_elsewhere / "fonts" / "NotoSans-Bold.ttf").write_bytes(
        resource_path("fonts", "NotoSans-Regular.ttf").read_bytes()
    )
    regular_only = render_ticket(_ticket(), 384)
    layout.clear_font_cache()
    assert copied.tobytes() != regular_only.tobytes()


def test_bundled_font_has_every_vietnamese_letter() -> None:
    font = layout._font(False, 32)

    def glyph(char: str) -> bytes:
        image = Image.new("L", (64, 64))
        ImageDraw.Draw(image).text((16, 8), char, font=font, fill=255)
        return image.tobytes()

    missing = glyph("\U000e0fff")  # an unassigned code point draws the .notdef box
    letters = {ch for group in LETTER_GROUPS for ch in group.replace(" ", "")}
    letters |= {ch.upper() for ch in letters}
    assert len(letters) == 12 * 6 * 2 + 2  # 12 vowels x 6 tones, both cases, and đ Đ
    assert [ch for ch in sorted(letters) if glyph(ch) == missing] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_test_page_ruler_marks_every_millimetre_and_both_edges(width: int) -> None:
    page = render_test_page(width, printed_at=datetime(2026, 11, 24, 9, 30))
    assert page.mode == "1"
    assert page.width == width
    pixels = page.load()
    assert pixels is not None
    # The ruler's baseline is the lowest row inked from edge to edge.
    baseline = max(
        y for y in range(page.height) if all(pixels[x, y] == 0 for x in range(0, width, 7))
    )
    row = baseline - 3
    inked = {x for x in range(width) if pixels[x, row] == 0}
    assert inked == set(range(0, width, 8)) | {0, 1, width - 2, width - 1}
