"""The kiosk's screens: home (field tiles), priority, the issued number, out of service."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from onestop_desk.core.ticket import PriorityReason, priority_label
from onestop_desk.gui.kiosk import style
from onestop_desk.gui.kiosk.data import KioskHome
from onestop_desk.gui.kiosk.labels import BigText, make_label
from onestop_desk.gui.kiosk.tiles import TileButton, TileGrid
from onestop_desk.services.queue import TicketInfo


def _waiting_text(widget: QWidget, waiting: int) -> str:
    if waiting == 0:
        return widget.tr("Chưa có người chờ")
    return widget.tr("Đang chờ: {n} người").format(n=waiting)


def _priority_groups() -> str:
    """'Người cao tuổi, người khuyết tật, ... gia đình có công với cách mạng', on two lines."""
    labels = [priority_label(reason) for reason in PriorityReason]
    words = [labels[0]] + [label[:1].lower() + label[1:] for label in labels[1:]]
    half = (len(words) + 1) // 2
    return ", ".join(words[:half]) + ",\n" + ", ".join(words[half:])


class HomeScreen(QWidget):
    """One tile per field with its waiting count, and the way into the priority step."""

    #: The citizen tapped the field with this code.
    sig_field_tapped = Signal(str)
    #: The citizen tapped "Tôi thuộc đối tượng ưu tiên".
    sig_priority_tapped = Signal()
    #: The citizen cancelled the priority chosen earlier.
    sig_priority_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field_buttons: dict[str, TileButton] = {}
        self._fields_key: tuple[tuple[str, str, str], ...] = ()
        self._waiting: dict[str, int] = {}
        self._busy_code: str | None = None
        self._reason: PriorityReason | None = None

        self.prompt = make_label("prompt", self)
        self.message = make_label("message", self)
        self.message.hide()
        self.banner = QFrame(self)
        self.banner.setObjectName("priorityBanner")
        self.banner_title = make_label("bannerTitle", self.banner, centre=False)
        self.banner_text = make_label("bannerText", self.banner, centre=False)
        self.cancel_priority_button = QPushButton(self.banner)
        self.cancel_priority_button.setObjectName("cancelPriority")
        self.cancel_priority_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_priority_button.clicked.connect(
            lambda _checked=False: self.sig_priority_cancelled.emit()
        )
        banner_text = QVBoxLayout()
        banner_text.setSpacing(2)
        banner_text.addWidget(self.banner_title)
        banner_text.addWidget(self.banner_text)
        self._banner_layout = QHBoxLayout(self.banner)
        self._banner_layout.addLayout(banner_text, 1)
        self._banner_layout.addWidget(self.cancel_priority_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.banner.hide()

        self.grid = TileGrid(self, aspect=1.4)

        self.priority_button = QPushButton(self)
        self.priority_button.setObjectName("priorityButton")
        self.priority_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.priority_button.clicked.connect(lambda _checked=False: self.sig_priority_tapped.emit())
        self.hint = make_label("hint", self, centre=False)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._footer = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._footer.addWidget(self.priority_button, 0, Qt.AlignmentFlag.AlignCenter)
        self._footer.addWidget(self.hint, 1)

        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.prompt)
        self._layout.addWidget(self.message)
        self._layout.addWidget(self.banner)
        self._layout.addWidget(self.grid, 1)
        self._layout.addLayout(self._footer)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.prompt.setText(self.tr("Xin mời ông/bà chạm vào lĩnh vực cần giải quyết"))
        self.cancel_priority_button.setText(self.tr("Huỷ ưu tiên"))
        self.priority_button.setText(self.tr("Tôi thuộc đối tượng ưu tiên"))
        self.hint.setText(_priority_groups())
        self._show_priority()
        for code, tile in self.field_buttons.items():
            tile.set_detail(_waiting_text(self, self._waiting.get(code, 0)))

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(28, scale)
        self._layout.setContentsMargins(margin, style.px(16, scale), margin, style.px(20, scale))
        self._layout.setSpacing(style.px(16, scale))
        self._footer.setSpacing(style.px(24, scale))
        self._banner_layout.setContentsMargins(
            style.px(24, scale), style.px(10, scale), style.px(14, scale), style.px(10, scale)
        )
        self.grid.set_scale(scale * tall)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # Portrait: the list of priority groups goes under the button, not beside it.
        portrait = self.height() > self.width()
        self._footer.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self.hint.setAlignment(
            Qt.AlignmentFlag.AlignCenter
            if portrait
            else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )

    def set_home(self, home: KioskHome) -> None:
        """Show the fields (rebuilt only when they changed) and their waiting counts."""
        self._waiting = dict(home.waiting)
        key = tuple((f.code, f.name, f.ticket_prefix) for f in home.fields)
        if key != self._fields_key:
            self._fields_key = key
            self.field_buttons = {}
            tiles = []
            for index, field in enumerate(home.fields):
                tile = TileButton(
                    field.name, colour=style.field_colour(index), badge=field.ticket_prefix
                )
                tile.clicked.connect(lambda _=False, code=field.code: self._tapped(code))
                self.field_buttons[field.code] = tile
                tiles.append(tile)
            self.grid.set_tiles(tiles)
        for code, tile in self.field_buttons.items():
            tile.set_detail(_waiting_text(self, self._waiting.get(code, 0)))
        self.grid.refit()  # a detail line takes room from the titles
        self.set_busy(self._busy_code)

    def _tapped(self, code: str) -> None:
        if self._busy_code is None:
            self.sig_field_tapped.emit(code)

    def set_busy(self, code: str | None) -> None:
        """While a ticket is being issued every tile is off; the tapped one says so."""
        self._busy_code = code
        for field_code, tile in self.field_buttons.items():
            tile.setEnabled(code is None)
            tile.set_busy_text(self.tr("Đang cấp số…") if field_code == code else "")
        self.priority_button.setEnabled(code is None)
        self.cancel_priority_button.setEnabled(code is None)

    def set_priority(self, reason: PriorityReason | None) -> None:
        self._reason = reason
        self._show_priority()

    def _show_priority(self) -> None:
        reason = self._reason
        self.banner.setVisible(reason is not None)
        self.prompt.setVisible(reason is None)
        self.priority_button.setVisible(reason is None)
        self.hint.setVisible(reason is None)
        if reason is not None:
            self.banner_title.setText(
                self.tr("Ưu tiên: {reason}").format(reason=priority_label(reason))
            )
            self.banner_text.setText(self.tr("Mời ông/bà chạm vào lĩnh vực để lấy số ưu tiên"))

    def show_message(self, text: str | None) -> None:
        """A short notice above the tiles (e.g. after a failed attempt); None hides it."""
        self.message.setText(text or "")
        self.message.setVisible(bool(text))


class PriorityScreen(QWidget):
    """The five priority groups and "Không ưu tiên"."""

    #: The citizen's choice: a PriorityReason, or None for "Không ưu tiên".
    sig_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = make_label("prompt", self)
        self.hint = make_label("hint", self)
        self.grid = TileGrid(self, aspect=2.6)
        self.reason_buttons: dict[PriorityReason, TileButton] = {}
        tiles = []
        for reason in PriorityReason:
            tile = TileButton(priority_label(reason), colour=QColor(style.PRIORITY))
            tile.clicked.connect(lambda _=False, r=reason: self.sig_chosen.emit(r))
            self.reason_buttons[reason] = tile
            tiles.append(tile)
        self.no_priority_button = TileButton("", colour=QColor(style.NEUTRAL_COLOUR))
        self.no_priority_button.clicked.connect(lambda _checked=False: self.sig_chosen.emit(None))
        tiles.append(self.no_priority_button)
        self.grid.set_tiles(tiles)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.prompt)
        self._layout.addWidget(self.hint)
        self._layout.addWidget(self.grid, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.prompt.setText(self.tr("Ông/bà thuộc đối tượng ưu tiên nào?"))
        self.hint.setText(self.tr("Chạm vào một mục dưới đây để được ưu tiên gọi số trước"))
        self.no_priority_button.setText(self.tr("Không ưu tiên"))
        self.no_priority_button.set_detail(self.tr("Quay lại lấy số thường"))
        self.grid.refit()

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(40, scale)
        self._layout.setContentsMargins(margin, style.px(20, scale), margin, style.px(28, scale))
        self._layout.setSpacing(style.px(12, scale))
        self.grid.set_scale(scale * tall)


class NumberScreen(QWidget):
    """The issued number, huge, while the ticket prints; then what to do next."""

    #: The citizen tapped "Xong".
    sig_done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = make_label("numberCaption", self)
        self.number = BigText(self)
        self.field = make_label("numberField", self)
        self.priority = make_label("numberPriority", self, wrap=False)
        self.ahead = make_label("numberAhead", self)
        self.status = make_label("printStatus", self)
        self.warning = QFrame(self)
        self.warning.setObjectName("printWarning")
        self.warning_title = make_label("warningTitle", self.warning)
        self.warning_text = make_label("warningText", self.warning)
        self._warning_layout = QVBoxLayout(self.warning)
        self._warning_layout.addWidget(self.warning_title)
        self._warning_layout.addWidget(self.warning_text)
        self.warning.hide()
        self.done_button = QPushButton(self)
        self.done_button.setObjectName("secondaryButton")
        self.done_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.done_button.clicked.connect(lambda _checked=False: self.sig_done.emit())
        self.done_button.hide()
        self._ticket: TicketInfo | None = None
        self._state = "printing"

        self._layout = QVBoxLayout(self)
        self._layout.addStretch(1)
        self._layout.addWidget(self.caption)
        self._layout.addWidget(self.number, 6)
        self._layout.addWidget(self.field)
        self._layout.addWidget(self.priority, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addWidget(self.ahead)
        self._layout.addSpacing(12)
        self._layout.addWidget(self.status)
        self._layout.addWidget(self.warning)
        self._layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addStretch(1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.caption.setText(self.tr("Số thứ tự của ông/bà"))
        self.warning_title.setText(
            self.tr("Máy in đang gặp sự cố, ông/bà vui lòng ghi nhớ số và chờ gọi")
        )
        self.warning_text.setText(
            self.tr("Số thứ tự vẫn có hiệu lực. Cán bộ sẽ in lại phiếu cho ông/bà tại quầy.")
        )
        self.done_button.setText(self.tr("Xong"))
        if self._ticket is not None:
            self.show_ticket(self._ticket)
        self._show_state()

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(40, scale)
        self._layout.setContentsMargins(margin, style.px(12, scale), margin, style.px(24, scale))
        self._layout.setSpacing(style.px(10, scale))
        self.number.setMinimumHeight(style.px(150, scale))
        self._warning_layout.setContentsMargins(
            style.px(24, scale), style.px(14, scale), style.px(24, scale), style.px(14, scale)
        )
        self.done_button.setMinimumWidth(style.px(260, scale))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # Width limits the number on a portrait screen: no empty bands above and below it.
        self.number.setMaximumHeight(max(1, int(min(self.height() * 0.42, self.width() * 0.36))))

    def ticket(self) -> TicketInfo | None:
        return self._ticket

    def show_ticket(self, ticket: TicketInfo) -> None:
        self._ticket = ticket
        self.number.setText(ticket.display)
        self.field.setText(self.tr("Lĩnh vực: {name}").format(name=ticket.field_name))
        if ticket.priority_reason is not None:
            self.priority.setText(
                self.tr("Ưu tiên: {reason}").format(reason=priority_label(ticket.priority_reason))
            )
        self.priority.setVisible(ticket.priority_reason is not None)
        if ticket.waiting_ahead:
            self.ahead.setText(
                self.tr("Trước ông/bà còn {n} người đang chờ").format(n=ticket.waiting_ahead)
            )
        else:
            self.ahead.setText(self.tr("Không có ai chờ trước ông/bà"))

    def set_print_state(self, state: str) -> None:
        """``printing``, ``printed`` or ``failed``."""
        self._state = state
        self._show_state()

    def print_state(self) -> str:
        return self._state

    def _show_state(self) -> None:
        failed = self._state == "failed"
        self.warning.setVisible(failed)
        self.status.setVisible(not failed)
        self.done_button.setVisible(self._state != "printing")
        if self._state == "printing":
            self.status.setText(self.tr("Đang in phiếu…"))
            self.status.setProperty("state", "printing")
        elif self._state == "printed":
            self.status.setText(self.tr("Mời ông/bà nhận phiếu và chờ đến lượt"))
            self.status.setProperty("state", "ok")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)


class PauseSign(QWidget):
    """A red disc with the two bars of "pause": out of service, for a moment."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        disc = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(style.ALERT))
        painter.drawEllipse(disc)
        painter.setBrush(QColor("white"))
        bar_w, bar_h = side * 0.12, side * 0.42
        for offset in (-0.13, 0.13):
            centre_x = disc.center().x() + offset * side
            bar = QRectF(centre_x - bar_w / 2, disc.center().y() - bar_h / 2, bar_w, bar_h)
            painter.drawRoundedRect(bar, bar_w / 3, bar_w / 3)
        painter.end()


class OutOfServiceScreen(QWidget):
    """Shown while the database cannot be reached; the kiosk leaves it by itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sign = PauseSign(self)
        self.title = make_label("oosTitle", self)
        self.text = make_label("oosText", self)
        self.foot = make_label("oosFoot", self)
        self._layout = QVBoxLayout(self)
        self._layout.addStretch(2)
        self._layout.addWidget(self.sign, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addSpacing(12)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.text)
        self._layout.addSpacing(24)
        self._layout.addWidget(self.foot)
        self._layout.addStretch(3)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("TẠM NGỪNG PHỤC VỤ"))
        self.text.setText(self.tr("Xin mời ông/bà đến trực tiếp quầy tiếp nhận"))
        self.foot.setText(
            self.tr(
                "Máy lấy số sẽ tự hoạt động lại khi kết nối được khôi phục.\n"
                "Xin lỗi ông/bà vì sự bất tiện này."
            )
        )

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(60, scale)
        self._layout.setContentsMargins(margin, margin, margin, margin)
        self._layout.setSpacing(style.px(16, scale))
        self.sign.setFixedSize(style.px(132, scale), style.px(132, scale))


class StartingScreen(QWidget):
    """The few moments before the first read of the database."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = make_label("startingText", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.text.setText(self.tr("Xin chờ trong giây lát…"))

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        """Nothing to resize beyond the style sheet."""
