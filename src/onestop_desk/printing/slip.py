"""The thermal appointment slip (giấy hẹn trả kết quả) the citizen keeps: code, QR and due time.

Drawn with the ticket's fonts, wrapping and page assembly (``layout``), so it prints the same
Vietnamese on the same printers; only the slip's own arrangement lives here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageDraw

from onestop_desk.core.calendar import weekday_name
from onestop_desk.printing.layout import (
    BLACK,
    FIT,
    Run,
    TicketLayout,
    _Canvas,
    _center_lines,
    _check_width,
    _fit_lines,
    _fit_number,
    _Line,
    _margin,
    _qr_image,
    _scale,
    _Style,
    _wrap,
)

TITLE = "GIẤY HẸN TRẢ KẾT QUẢ"
REMINDER = "Vui lòng mang theo giấy hẹn này khi đến nhận kết quả."
# Phone cameras read a printed QR reliably from about 0.5 mm a module: 4 dots at 203 dpi.
MIN_QR_MODULE = 4
# Below 3 mm (24 dots) tall the code is no longer "large" and goes on two lines instead.
MIN_CODE_HEIGHT = 24
NBSP = "\u00a0"


@dataclass(frozen=True)
class SlipContent:
    """What the appointment slip prints; texts are already in the citizen's words."""

    center_name: str
    code: str  # dossier code, also the QR
    procedure_name: str
    applicant_name: str
    received_at: datetime
    due_at: datetime
    where_to_collect: str  # "Quầy số 2 – Trung tâm …" or "Bưu điện gửi đến: …"
    fee: str  # "Miễn phí", "8.000 đồng"
    lookup_hint: str | None = None  # "Tra cứu: dichvucong.gov.vn, nhập mã hồ sơ"


def format_due(moment: datetime) -> str:
    """'17:00, Thứ Tư 25/11/2026': the time first, then the day as people say it."""
    moment = _local(moment)
    return f"{moment:%H:%M}, {weekday_name(moment)} {moment:%d/%m/%Y}"


def render_slip(content: SlipContent, width_dots: int = 576) -> Image.Image:
    """The slip as a 1-bit image exactly ``width_dots`` wide (576 for 80 mm, 384 for 58 mm)."""
    return render_slip_layout(content, width_dots).image


def render_slip_layout(content: SlipContent, width_dots: int = 576) -> TicketLayout:
    """The slip image and the boxes of its parts (``code``, ``qr``, ``due``...)."""
    _check_width(width_dots)
    s = _scale(width_dots)
    canvas = _Canvas(width_dots, _margin(width_dots))
    center = _Style(True, s(22))
    styles = (_Style(False, s(22)), _Style(True, s(22)))
    small = _Style(False, s(20))

    canvas.space(s(10))
    for index, line in enumerate(_center_lines(_nfc(content.center_name))):
        canvas.space(s(4) if index else 0)
        canvas.text([(line, center)], name="center", leading=s(4), min_scale=FIT)
    canvas.space(s(10))
    canvas.rule(3)
    canvas.space(s(14))
    canvas.text([(TITLE, _Style(True, s(28)))], name="title", min_scale=FIT)
    canvas.space(s(12))
    canvas.text([("Mã hồ sơ", small)], name="code_label")
    canvas.space(s(4))
    _code(canvas, _nfc(content.code), s(44), MIN_CODE_HEIGHT)
    _qr(canvas, content.code, module=6 if width_dots >= 480 else 5)
    canvas.rule(2, dashed=True)
    canvas.space(s(12))
    _field(canvas, "Thủ tục:", content.procedure_name, styles, name="procedure")
    _field(canvas, "Người nộp:", content.applicant_name, styles, name="applicant")
    received = f"{_local(content.received_at):%H:%M %d/%m/%Y}"
    _field(canvas, "Nhận lúc:", received, styles, name="received")
    canvas.space(s(12))
    _due(canvas, format_due(content.due_at), s)
    canvas.space(s(12))
    _field(canvas, "Nơi nhận kết quả:", content.where_to_collect, styles, name="collect")
    _field(canvas, "Phí, lệ phí:", content.fee, styles, name="fee")
    if content.lookup_hint:
        canvas.space(s(8))
        canvas.text([(_nfc(content.lookup_hint), small)], name="lookup", leading=s(2))
    canvas.space(s(12))
    canvas.rule(2, dashed=True)
    canvas.space(s(12))
    canvas.text([(REMINDER, styles[1])], name="reminder", leading=s(2))
    return canvas.render(bottom_margin=s(8))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _local(moment: datetime) -> datetime:
    # The time on the office's wall, not UTC.
    return moment.astimezone() if moment.tzinfo is not None else moment


def _code(canvas: _Canvas, code: str, max_height: int, min_height: int) -> None:
    """The dossier code as large as the paper allows; on two lines (after a dash) if it must."""
    parts = [code]
    style, ink = _fit_number(code, canvas.content, max_height)
    if ink[3] - ink[1] < min_height and "-" in code:
        # "000.24481.H15-" over "261123-0001": the day and number, what people read out, stay whole.
        head, _, tail = code.partition("-")
        parts = [f"{head}-", tail]
        style = min(
            (_fit_number(part, canvas.content, max_height)[0] for part in parts),
            key=lambda found: found.size,
        )
    above, below = style.metrics
    for index, part in enumerate(parts):
        width = style.length(part)
        line = _Line([(part, style)], width)
        canvas.add(above + below, canvas.line_painter(line, above, BLACK), "code")
        if index < len(parts) - 1:
            canvas.space(max(2, above // 6))


def _qr(canvas: _Canvas, text: str, module: int) -> None:
    """The code as a QR, centred, with the quiet zone of four modules the standard asks for."""
    qr = _qr_image(text.strip(), module)
    count = qr.width // module
    if qr.width > canvas.content:  # an unusually long code: shrink the modules, never below 4
        module = max(MIN_QR_MODULE, canvas.content // count)
        qr = _qr_image(text.strip(), module)
    quiet = 4 * module
    canvas.space(quiet)
    left = (canvas.width - qr.width) // 2
    canvas.add(qr.height, lambda image, y: image.paste(qr, (left, y)), "qr")
    canvas.space(quiet)


def _field(
    canvas: _Canvas, label: str, value: str, styles: tuple[_Style, _Style], *, name: str
) -> None:
    """The label, then the value in bold; left-aligned, wrapped at spaces.

    A value that fits a line of its own (a name, an address) goes there whole rather than
    being broken after the label.
    """
    body, bold = styles
    value = _nfc(value)
    runs: Sequence[Run] = [(label, body), (value, bold)]
    lines = _wrap(runs, canvas.content)
    if len(lines) > 1 and bold.length(value) <= canvas.content:
        lines = _wrap([(label, body)], canvas.content) + _wrap([(value, bold)], canvas.content)
    for index, line in enumerate(lines):
        _left_line(canvas, line, name, leading=round(body.size * 0.15) if index else 0)
    canvas.space(round(body.size * 0.3))


def _left_line(canvas: _Canvas, line: _Line, name: str, leading: int) -> None:
    above, below = line.height()

    def paint(image: Image.Image, y: int) -> None:
        x: float = canvas.margin
        for text, style in line.runs:
            style.paint(image, x, y + leading + above, text, BLACK)
            x += style.length(text)

    canvas.add(leading + above + below, paint, name)


def _due(canvas: _Canvas, due_text: str, s: Callable[[int], int]) -> None:
    """The due time under "Hẹn trả:", large and framed: what the citizen must not miss."""
    border, padding = s(3), s(10)
    inner = canvas.content - 2 * (border + padding)
    label, when = _Style(True, s(24)), _Style(True, s(32))
    # "Hẹn trả:" over the whole time if it fits (shrunk a little at most), else
    # "Hẹn trả: 17:00," over "Thứ Tư 25/11/2026": the day and date are never split.
    time_part, comma, day_part = due_text.partition(", ")
    lines = _fit_lines([(due_text, when)], inner, min_scale=FIT)
    if len(lines) == 1:
        lines = _fit_lines([("Hẹn trả:", label)], inner, min_scale=FIT) + lines
    else:
        lines = _fit_lines(
            [("Hẹn trả:", label), (f"{time_part}{comma}", when)], inner, min_scale=FIT
        ) + _fit_lines([(day_part.replace(" ", NBSP), when)], inner, min_scale=FIT)
    heights = [sum(line.height()) for line in lines]
    gap = s(4)
    height = 2 * (border + padding) + sum(heights) + gap * (len(lines) - 1)

    def paint(image: Image.Image, y: int) -> None:
        left, right = canvas.margin, canvas.width - canvas.margin - 1
        ImageDraw.Draw(image).rectangle(
            (left, y, right, y + height - 1), outline=BLACK, width=border
        )
        top = y + border + padding
        for line, line_height in zip(lines, heights, strict=True):
            canvas.line_painter(line, line.height()[0], BLACK)(image, top)
            top += line_height + gap

    canvas.add(height, paint, "due")
