"""Ticket and test-page images for thermal printers, drawn with Pillow in the bundled Noto Sans."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from onestop_desk import __version__
from onestop_desk.errors import InputError
from onestop_desk.resources import resource_path

# Thermal heads are 203 dpi: 8 dots to the millimetre.
DOTS_PER_MM = 8
MIN_WIDTH_DOTS = 200
MAX_WIDTH_DOTS = 1280
WHITE = 255
BLACK = 0
REGULAR_FONT = "NotoSans-Regular.ttf"
BOLD_FONT = "NotoSans-Bold.ttf"
# Text may shrink this much to stay on one line before it wraps.
FIT = 0.85

# Stacked Vietnamese marks (Ẫ, Ỗ) rise above the font's ascent; line boxes are measured on them.
_TALLEST = "ẪỖẶỸÁỄ"
_DEEPEST = "gjpqyỵỹ"
# Center names read "Trung tâm ... xã Hòa Sơn": the place starts a line of its own.
_PLACE_SPLIT = re.compile(r"\s+(?=(?:xã|phường|thị trấn|đặc khu)\s)", re.IGNORECASE)
# Lines break at spaces, never at a no-break space ("48\u00a0mm" stays whole).
_BREAKS = re.compile(r"[^\S\u00a0]+")
NBSP = "\u00a0"

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class TicketContent:
    """What a queue ticket shows; ``display`` is the printed number, e.g. A012.

    ``priority_label`` names the reason ("Người cao tuổi"); ``""`` marks priority without one.
    """

    center_name: str
    display: str
    field_name: str
    waiting_ahead: int
    issued_at: datetime
    priority_label: str | None = None
    counter_hint: str | None = None
    thank_you: str = "Cảm ơn quý khách đã đến giao dịch!"
    qr_text: str | None = None


@dataclass(frozen=True)
class TicketLayout:
    """A rendered ticket and where its parts landed (``number``, ``field``...: x0, y0, x1, y1)."""

    image: Image.Image
    boxes: dict[str, Box]


# --- fonts: loaded, measured and rasterised once, since the kiosk prints the same lines all day --


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """The bundled Noto Sans at ``size`` dots; never a system font, whatever the PC has."""
    path = resource_path("fonts", BOLD_FONT if bold else REGULAR_FONT)
    if not path.is_file():
        # Pillow would quietly look for a font of the same name among the system's fonts.
        raise FileNotFoundError(f"bundled font missing: {path}")
    return ImageFont.truetype(str(path), size)


@lru_cache(maxsize=4096)
def _length(bold: bool, size: int, text: str) -> float:
    return _font(bold, size).getlength(text)


@cache
def _line_metrics(bold: bool, size: int) -> tuple[int, int]:
    """Height above and below the baseline that any Vietnamese line in this font needs."""
    font = _font(bold, size)
    top = font.getbbox(_TALLEST, anchor="ls")[1]
    bottom = font.getbbox(_DEEPEST, anchor="ls")[3]
    return -math.floor(top), math.ceil(bottom)


@lru_cache(maxsize=512)
def _mask(bold: bool, size: int, text: str) -> tuple[Image.Image, int, int] | None:
    """The text's ink as a 1-bit mask and its offset from the left end of the baseline."""
    font = _font(bold, size)
    left, top, right, bottom = _ink_box(font, text)
    if right <= left or bottom <= top:
        return None
    mask = Image.new("1", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, anchor="ls")
    return mask, left, top


def _ink_box(font: ImageFont.FreeTypeFont, text: str) -> Box:
    """The text's ink box around the left end of its baseline, in whole dots."""
    left, top, right, bottom = font.getbbox(text, anchor="ls")
    return math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom)


def clear_font_cache() -> None:
    """Forget loaded fonts and drawn text (for tests that move the resources)."""
    for cached in (_font, _length, _line_metrics, _mask):
        cached.cache_clear()


@dataclass(frozen=True)
class _Style:
    bold: bool
    size: int

    def length(self, text: str) -> float:
        return _length(self.bold, self.size, text)

    @property
    def metrics(self) -> tuple[int, int]:
        return _line_metrics(self.bold, self.size)

    def scaled(self, scale: float) -> _Style:
        return _Style(self.bold, int(self.size * scale))

    def paint(self, image: Image.Image, x: float, baseline: float, text: str, ink: int) -> None:
        found = _mask(self.bold, self.size, text)
        if found is not None:
            mask, left, top = found
            image.paste(ink, (round(x) + left, round(baseline) + top), mask)


Run = tuple[str, _Style]


@dataclass
class _Line:
    runs: list[Run] = field(default_factory=list)
    width: float = 0.0

    def height(self) -> tuple[int, int]:
        return (
            max(style.metrics[0] for _, style in self.runs),
            max(style.metrics[1] for _, style in self.runs),
        )


# --- text fitting --------------------------------------------------------------------------------


def _split_long_word(word: str, style: _Style, width: int) -> list[str]:
    """Break a word wider than the paper (a long code, a URL) between characters."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and style.length(current + char) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def _words(runs: Sequence[Run], width: int) -> list[Run]:
    words: list[Run] = []
    for text, style in runs:
        for word in _BREAKS.split(text):
            if not word:
                continue
            if style.length(word) > width:
                words.extend((piece, style) for piece in _split_long_word(word, style, width))
            else:
                words.append((word, style))
    return words


def _wrap(runs: Sequence[Run], width: int) -> list[_Line]:
    """Greedy word wrap of styled text to ``width`` dots; nothing is ever cut off."""
    lines: list[_Line] = []
    line = _Line()
    for word, style in _words(runs, width):
        word_width = style.length(word)
        space = style.length(" ") if line.runs else 0.0
        if line.runs and line.width + space + word_width > width:
            lines.append(line)
            line, space = _Line(), 0.0
        if line.runs and line.runs[-1][1] == style:
            line.runs[-1] = (f"{line.runs[-1][0]} {word}", style)
        else:
            line.runs.append(((" " if line.runs else "") + word, style))
        line.width += space + word_width
    if line.runs:
        lines.append(line)
    return lines


def _fit_lines(runs: Sequence[Run], width: int, min_scale: float = 1.0) -> list[_Line]:
    """One line if it fits, shrunk down to ``min_scale`` if that makes it fit, else balanced lines.

    Balanced lines keep a lone last word ("doanh", "dịch!") from dangling under a long line.
    """
    natural = _wrap(runs, 1_000_000)
    if not natural or natural[0].width <= width:
        return natural
    scale = width / natural[0].width
    while scale >= min_scale:
        scaled = [(text, style.scaled(scale)) for text, style in runs]
        single = _wrap(scaled, 1_000_000)
        if single[0].width <= width:
            return single
        scale -= 0.01
    count = len(_wrap(runs, width))
    low = int(max(min(style.length(word), width) for word, style in _words(runs, width)))
    high = width
    while low < high:
        middle = (low + high) // 2
        if len(_wrap(runs, middle)) <= count:
            high = middle
        else:
            low = middle + 1
    return _wrap(runs, high)


def _fit_number(text: str, max_width: int, max_height: int) -> tuple[_Style, Box]:
    """The largest bold size whose ink fits ``max_width`` by ``max_height``, and that ink's box."""
    probe = _ink_box(_font(True, 100), text)
    size = int(100 * min(max_width / (probe[2] - probe[0]), max_height / (probe[3] - probe[1])))
    while True:
        box = _ink_box(_font(True, size), text)
        if (box[2] - box[0] <= max_width and box[3] - box[1] <= max_height) or size <= 8:
            return _Style(True, size), box
        size -= 1


# --- page assembly -------------------------------------------------------------------------------

Painter = Callable[[Image.Image, int], None]


class _Canvas:
    """Blocks stacked top to bottom, measured first and painted once the height is known."""

    def __init__(self, width: int, margin: int) -> None:
        self.width = width
        self.margin = margin
        self.content = width - 2 * margin
        self.blocks: list[tuple[int, Painter, str | None]] = []

    def add(self, height: int, painter: Painter, name: str | None = None) -> None:
        self.blocks.append((height, painter, name))

    def space(self, height: int) -> None:
        self.add(height, lambda image, y: None)

    def text(
        self, runs: Sequence[Run], name: str | None = None, leading: int = 0, min_scale: float = 1.0
    ) -> None:
        """A centred paragraph fitted to the paper (see ``_fit_lines``)."""
        runs = [(unicodedata.normalize("NFC", text), style) for text, style in runs]
        for index, line in enumerate(_fit_lines(runs, self.content, min_scale)):
            self.line(line, name, leading if index else 0)

    def line(self, line: _Line, name: str | None = None, leading: int = 0) -> None:
        """One centred line laid out by the caller; it must fit."""
        above, below = line.height()
        self.add(leading + above + below, self.line_painter(line, leading + above, BLACK), name)

    def line_painter(self, line: _Line, baseline: int, ink: int) -> Painter:
        def paint(image: Image.Image, y: int) -> None:
            x = (self.width - line.width) / 2
            for text, style in line.runs:
                style.paint(image, x, y + baseline, text, ink)
                x += style.length(text)

        return paint

    def rule(self, thickness: int, dashed: bool = False) -> None:
        def paint(image: Image.Image, y: int) -> None:
            draw = ImageDraw.Draw(image)
            left, right = self.margin, self.width - self.margin - 1
            step = thickness * 4 if dashed else right - left + 1
            for x in range(left, right + 1, step * 2 if dashed else step):
                draw.rectangle((x, y, min(x + step - 1, right), y + thickness - 1), fill=BLACK)

        self.add(thickness, paint)

    def render(self, bottom_margin: int) -> TicketLayout:
        height = sum(h for h, _, _ in self.blocks) + bottom_margin
        image = Image.new("1", (self.width, height), WHITE)
        boxes: dict[str, Box] = {}
        y = 0
        for block_height, paint, name in self.blocks:
            paint(image, y)
            if name:
                x0, y0, x1, _ = boxes.get(name, (self.margin, y, self.width - self.margin, y))
                boxes[name] = (x0, y0, x1, y + block_height)
            y += block_height
        return TicketLayout(image=image, boxes=boxes)


def _check_width(width_dots: int) -> None:
    if not MIN_WIDTH_DOTS <= width_dots <= MAX_WIDTH_DOTS:
        raise InputError(
            f"Khổ in {width_dots} điểm không hợp lệ.",
            "Máy in giấy 58 mm dùng 384 điểm, giấy 80 mm dùng 576 (một số máy 512).",
        )


def _scale(width_dots: int) -> Callable[[int], int]:
    """Sizes given for 58 mm paper; wider paper grows them by half the ratio (longer lines)."""
    factor = 1 + (width_dots / 384 - 1) * 0.5
    return lambda size: round(size * factor)


def _margin(width_dots: int) -> int:
    return max(8, round(width_dots * 0.035))


# --- the ticket ----------------------------------------------------------------------------------


def _center_lines(center_name: str) -> list[str]:
    """The center's name in capitals, the commune or ward on a line of its own."""
    name = " ".join(center_name.split()).upper()
    return [part for part in _PLACE_SPLIT.split(name, maxsplit=1) if part]


def _qr_image(text: str, module: int) -> Image.Image:
    import qrcode  # type: ignore[import-untyped]
    from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

    # A fixed mask is valid QR; choosing the "best" of eight costs 20 ms for no reader's benefit.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    small = Image.new("1", (size, size), WHITE)
    small.putdata([BLACK if cell else WHITE for row in matrix for cell in row])
    return small.resize((size * module, size * module), Image.Resampling.NEAREST)


def _priority_badge(canvas: _Canvas, text: str, style: _Style, padding: int) -> None:
    """White text on a black band, so staff and citizens spot a priority ticket at a glance."""
    lines = _fit_lines([(text, style)], canvas.content - 2 * padding, min_scale=FIT)
    heights = [sum(line.height()) for line in lines]
    band_width = round(max(line.width for line in lines)) + 2 * padding
    band_height = sum(heights) + padding

    def paint(image: Image.Image, y: int) -> None:
        left = (canvas.width - band_width) // 2
        ImageDraw.Draw(image).rounded_rectangle(
            (left, y, left + band_width - 1, y + band_height - 1), radius=padding, fill=BLACK
        )
        top = y + padding // 2
        for line, height in zip(lines, heights, strict=True):
            canvas.line_painter(line, line.height()[0], WHITE)(image, top)
            top += height

    canvas.add(band_height, paint, name="priority")


def render_ticket_layout(content: TicketContent, width_dots: int) -> TicketLayout:
    """The ticket image and the boxes of its parts (the number's box is what tests measure)."""
    _check_width(width_dots)
    s = _scale(width_dots)
    canvas = _Canvas(width_dots, _margin(width_dots))
    title = _Style(True, s(24))
    body = _Style(False, s(23))
    body_bold = _Style(True, s(23))

    canvas.space(s(10))
    for index, line in enumerate(_center_lines(unicodedata.normalize("NFC", content.center_name))):
        canvas.space(s(4) if index else 0)
        canvas.text([(line, title)], name="center", leading=s(4), min_scale=FIT)
    canvas.space(s(12))
    canvas.rule(3)
    canvas.space(s(16))
    canvas.text([("SỐ THỨ TỰ", _Style(True, s(28)))], name="label")
    canvas.space(s(12))

    display = unicodedata.normalize("NFC", content.display.strip())
    number, ink = _fit_number(
        display, max_width=round(canvas.content * 0.9), max_height=round(width_dots * 0.3)
    )
    ink_width = ink[2] - ink[0]

    def paint_number(image: Image.Image, y: int) -> None:
        number.paint(image, (width_dots - ink_width) // 2 - ink[0], y - ink[1], display, BLACK)

    canvas.add(ink[3] - ink[1], paint_number, name="number")
    canvas.space(s(18))
    canvas.text(
        [(content.field_name, _Style(True, s(32)))], name="field", leading=s(2), min_scale=FIT
    )
    if content.counter_hint:
        canvas.space(s(4))
        canvas.text([(content.counter_hint, body)], name="counter", min_scale=FIT)
    if content.priority_label is not None:
        canvas.space(s(12))
        label = unicodedata.normalize("NFC", content.priority_label.strip())
        _priority_badge(canvas, f"Ưu tiên: {label}" if label else "Ưu tiên", body_bold, s(8))
    canvas.space(s(16))
    canvas.rule(2, dashed=True)
    canvas.space(s(12))
    canvas.text(
        [("Số người đang chờ trước bạn:", body), (str(content.waiting_ahead), body_bold)],
        name="waiting",
        min_scale=FIT,
    )
    canvas.space(s(4))
    issued = content.issued_at
    if issued.tzinfo is not None:
        issued = issued.astimezone()  # the time on the wall of the office, not UTC
    canvas.text(
        [("Giờ lấy số:", body), (f"{issued:%d/%m/%Y %H:%M}", body_bold)],
        name="issued_at",
        min_scale=FIT,
    )
    if content.qr_text:
        canvas.space(s(14))
        qr = _qr_image(content.qr_text, module=4 if width_dots < 480 else 5)
        if qr.width > canvas.content:
            qr = qr.resize((canvas.content, canvas.content), Image.Resampling.NEAREST)
        canvas.add(
            qr.height, lambda image, y: image.paste(qr, ((width_dots - qr.width) // 2, y)), "qr"
        )
    canvas.space(s(14))
    canvas.text([(content.thank_you, body)], name="thank_you", leading=s(2), min_scale=FIT)
    return canvas.render(bottom_margin=s(8))


def render_ticket(content: TicketContent, width_dots: int) -> Image.Image:
    """The ticket as a 1-bit image exactly ``width_dots`` wide (384 for 58 mm, 576 for 80 mm)."""
    return render_ticket_layout(content, width_dots).image


# --- the test page -------------------------------------------------------------------------------

# Every Vietnamese vowel with each tone (level, huyền, sắc, hỏi, ngã, nặng), then the capitals
# whose tone mark stacks on a circumflex, breve or horn: the glyphs cheap printers get wrong.
LETTER_GROUPS = (
    "a à á ả ã ạ",
    "ă ằ ắ ẳ ẵ ặ",
    "â ầ ấ ẩ ẫ ậ",
    "e è é ẻ ẽ ẹ",
    "ê ề ế ể ễ ệ",
    "i ì í ỉ ĩ ị",
    "o ò ó ỏ õ ọ",
    "ô ồ ố ổ ỗ ộ",
    "ơ ờ ớ ở ỡ ợ",
    "u ù ú ủ ũ ụ",
    "ư ừ ứ ử ữ ự",
    "y ỳ ý ỷ ỹ ỵ",
    "Ă Ằ Ắ Ẳ Ẵ Ặ",
    "Â Ầ Ấ Ẩ Ẫ Ậ",
    "Ê Ề Ế Ể Ễ Ệ",
    "Ô Ồ Ố Ổ Ỗ Ộ",
    "Ơ Ờ Ớ Ở Ỡ Ợ",
    "Ư Ừ Ứ Ử Ữ Ự",
    "đ Đ",
)
SAMPLE_TEXT = (
    "Đăng ký khai sinh — Chứng thực bản sao — Xác nhận tình trạng hôn nhân — "
    "Cấp giấy phép xây dựng nhà ở riêng lẻ."
)
_GROUP_GAP = "    "


def _pack_groups(groups: Sequence[str], style: _Style, width: int) -> list[_Line]:
    """Letter groups side by side, as many to a line as the paper holds, never split."""
    rows: list[str] = []
    for group in groups:
        candidate = f"{rows[-1]}{_GROUP_GAP}{group}" if rows else group
        if rows and style.length(candidate) <= width:
            rows[-1] = candidate
        else:
            rows.append(group)
    return [_Line([(row, style)], style.length(row)) for row in rows]


def _paper_name(width_dots: int) -> str:
    if width_dots <= 432:
        return f"giấy 58{NBSP}mm"
    if width_dots <= 640:
        return f"giấy 80{NBSP}mm"
    return "giấy khổ lớn"


def _ruler(canvas: _Canvas, height: int) -> None:
    """Ticks every millimetre across the whole printable width, an edge line at each end."""
    width = canvas.width
    label = _Style(False, max(12, height * 3 // 5))
    digit_top = _ink_box(_font(label.bold, label.size), "0")[1]

    def paint(image: Image.Image, y: int) -> None:
        draw = ImageDraw.Draw(image)
        base = y + height
        draw.rectangle((0, base - 1, width - 1, base), fill=BLACK)
        for x in range(0, width, DOTS_PER_MM):
            mm = x // DOTS_PER_MM
            tick = height if mm % 10 == 0 else height // 2 if mm % 5 == 0 else height // 4
            draw.line((x, base - tick, x, base), fill=BLACK)
            if mm % 10 == 0 and mm and x + 3 + label.length(str(mm)) < width - 4:
                label.paint(image, x + 3, base - height - digit_top, str(mm), BLACK)
        draw.rectangle((0, y, 1, base), fill=BLACK)
        draw.rectangle((width - 2, y, width - 1, base), fill=BLACK)

    canvas.add(height + 1, paint)


def render_test_page(
    width_dots: int, title: str = "TRANG IN THỬ", printed_at: datetime | None = None
) -> Image.Image:
    """A page for the IT person: every Vietnamese tone mark, the width, a millimetre ruler."""
    _check_width(width_dots)
    s = _scale(width_dots)
    canvas = _Canvas(width_dots, _margin(width_dots))
    body = _Style(False, s(22))
    body_bold = _Style(True, s(22))
    small = _Style(False, s(20))
    printed_at = printed_at or datetime.now()

    canvas.space(s(8))
    canvas.text([(title, _Style(True, s(30)))], min_scale=FIT)
    canvas.text(
        [(f"OneStop Desk {__version__} — {printed_at:%d/%m/%Y %H:%M}", small)], min_scale=FIT
    )
    canvas.space(s(10))
    _ruler(canvas, s(20))
    canvas.space(s(6))
    canvas.text(
        [
            ("Chiều rộng in:", body),
            (f"{width_dots}{NBSP}điểm = {width_dots / DOTS_PER_MM:g}{NBSP}mm", body_bold),
        ],
        min_scale=FIT,
    )
    canvas.text([(f"({DOTS_PER_MM}{NBSP}điểm/mm, {_paper_name(width_dots)})", body)], min_scale=FIT)
    canvas.space(s(4))
    canvas.text(
        [
            (
                "Thước phải in đủ hai vạch dọc ở hai đầu; nếu mất vạch nào, "
                "khổ in đang đặt rộng hơn khổ của máy in.",
                small,
            )
        ],
        leading=s(2),
    )
    canvas.space(s(12))
    canvas.rule(2, dashed=True)
    canvas.space(s(12))
    canvas.text([(SAMPLE_TEXT, body)], leading=s(4))
    canvas.space(s(10))
    for row in _pack_groups(LETTER_GROUPS, body, canvas.content):
        canvas.line(row, leading=s(6))
    canvas.space(s(14))
    canvas.text([("SỐ THỨ TỰ A012", _Style(True, s(40)))], min_scale=FIT)
    canvas.space(s(8))
    canvas.text(
        [("Mọi dấu thanh hiện rõ, không dòng nào bị cắt: máy in đã sẵn sàng.", small)],
        leading=s(2),
    )
    canvas.space(s(10))
    _ruler(canvas, s(20))
    return canvas.render(bottom_margin=s(8)).image
