"""The waiting-room TV: numbers being served per counter, the latest call, the voice, the queue."""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from onestop_desk.context import AppContext
from onestop_desk.core.speech import announcement_text
from onestop_desk.errors import DatabaseUnavailable, KnownError
from onestop_desk.gui import messages
from onestop_desk.gui.changes import change_hub
from onestop_desk.gui.display import data
from onestop_desk.gui.display.actions import create_actions
from onestop_desk.gui.display.announcer import Announcer, custom_clips_dir
from onestop_desk.gui.display.call_panel import CallPanel
from onestop_desk.gui.display.calls import CallTracker
from onestop_desk.gui.display.fitting import FitText, vbox
from onestop_desk.gui.display.header import BoardHeader
from onestop_desk.gui.display.panels import ListPanel, Panel
from onestop_desk.gui.display.style import (
    ACCENT,
    ALERT,
    BACKGROUND,
    MUTED,
    TEXT,
    display_font_family,
)
from onestop_desk.gui.display.tiles import CounterTile
from onestop_desk.gui.operations import LatestRead
from onestop_desk.services.queue import CallRecord, DisplayBoard

log = logging.getLogger("onestop.gui.display")

# Changes arrive through the ChangeWatcher; the timer catches a new day and lost signals.
REFRESH_MS = 5000
# While the database or the live updates are down: retry (and so recover) quickly.
RETRY_MS = 1000
BLINK_MS = 6000  # a new call blinks at least this long, and on while it is being spoken
RECENT_SHOWN = 5
# Rows of the side lists are at least this tall at 1080 lines (text of about 4 % of the height,
# read from across the room); when the fields do not all fit, the empty ones make way.
MIN_ROW = 58
MAX_ROW_TEXT = 56  # px at 1080 lines: a short list does not blow its text up
CAPTION_ROWS = 1.2  # a list's caption is this many rows tall
RECENT_MIN = 3
DESIGN_WIDTH, DESIGN_HEIGHT = 1920, 1080  # margins are given at this size and scaled


class DisplayWindow(QWidget):
    """Full-screen board for the waiting room; refreshes itself when the database changes."""

    #: A board was just put on screen (the DisplayBoard); for tests and the benchmark.
    sig_board_shown = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        *,
        announcer: Announcer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``announcer`` replaces the one built from the settings (tests pass short clips)."""
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Màn hình gọi số — OneStop Desk"))
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        self.setPalette(palette)
        display_font_family()
        self.resize(1366, 768)

        self.board: DisplayBoard | None = None
        self.board_read_at: datetime | None = None
        self.voice_problem: str | None = None
        self._db_problem: str | None = None
        self._tracker = CallTracker()
        self._spoken: deque[CallRecord] = deque()  # announced, waiting for the voice to start
        self._highlighted: CallRecord | None = None
        self._reader = LatestRead(
            self._prepare_read, success=self._on_board, failure=self._on_failure, parent=self
        )
        self._closed = False
        self._day = date.today()

        self._build()
        self.display_actions = create_actions(self)
        self.display_actions.full_screen.triggered.connect(self._toggle_full_screen)
        self.display_actions.leave_full_screen.triggered.connect(self._leave_full_screen)
        self.display_actions.quit.triggered.connect(self.close)

        self.announcer = announcer if announcer is not None else self._make_announcer()
        if self.announcer is not None:
            self.announcer.sig_started.connect(self._on_voice_started)
            self.announcer.sig_finished.connect(self._on_voice_finished)

        self._clock = QTimer(self)
        self._clock.setSingleShot(True)
        self._clock.setTimerType(Qt.TimerType.PreciseTimer)
        self._clock.timeout.connect(self._tick)
        self._tick()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.changes = change_hub(ctx.database)
        self.changes.sig_changed.connect(self.refresh)
        self.changes.sig_connection.connect(self._on_live_connection)
        self.changes.hold(self)
        self._update_status()
        self.refresh()

    # --- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.header = BoardHeader()
        self.title = self.header.title
        self.clock = self.header.clock
        self.header_row = self.header.row
        self.clock_row = self.header.clock_row

        self.call_panel = CallPanel()
        self.counters_caption = FitText(
            self.tr("SỐ ĐANG PHỤC VỤ TẠI CÁC QUẦY"), color=MUTED, bold=True, fill=0.8
        )
        self.counters_box = QWidget()
        self.counters_grid = QGridLayout(self.counters_box)
        self.counters_grid.setContentsMargins(0, 0, 0, 0)
        self.tiles: list[CounterTile] = []
        left = QWidget()
        self.left_column = vbox(
            left, (self.call_panel, 50), (self.counters_caption, 6), (self.counters_box, 44)
        )

        self.recent = ListPanel(
            self.tr("SỐ VỪA GỌI"),
            RECENT_SHOWN,
            name_color=ACCENT,
            value_color=TEXT,
            name_share=48,
            value_share=52,
            placeholder=self.tr("Chưa gọi số nào"),
        )
        self.waiting = ListPanel(
            self.tr("ĐANG CHỜ"), 0, name_share=80, value_share=20, elide_names=True
        )
        self.side = QWidget()
        self.side_column = vbox(self.side, (self.recent, 43), (self.waiting, 57))
        # Its rows are shared out by its height, which also changes when the status line shows.
        self.side.installEventFilter(self)

        body = QWidget()
        self.body_row = QHBoxLayout(body)
        self.body_row.setContentsMargins(0, 0, 0, 0)
        self.body_row.addWidget(left, 64)
        self.body_row.addWidget(self.side, 36)

        self.status_bar = Panel(fill=ALERT, radius=0.2)
        self.status_label = FitText(color=TEXT, bold=True, fill=0.62)
        self.status_row = vbox(self.status_bar, (self.status_label, 1))
        self.status_bar.hide()

        self.root = QVBoxLayout(self)
        self.root.addWidget(self.header, 11)
        self.root.addWidget(body, 83)
        self.root.addWidget(self.status_bar, 6)

    def _make_announcer(self) -> Announcer | None:
        try:
            return Announcer(
                self.ctx.settings.display, custom_dir=custom_clips_dir(self.ctx.paths), parent=self
            )
        except KnownError as exc:
            log.warning("display without voice: %s", exc.message)
            self.voice_problem = self.tr("Không phát được tiếng gọi số: {error}").format(
                error=exc.message
            )
            return None

    def _rebuild_tiles(self, count: int) -> None:
        for tile in self.tiles:
            self.counters_grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        if count == 0:
            return
        rows = math.ceil(count / 4) if count <= 12 else math.ceil(math.sqrt(count / 2))
        cols = math.ceil(count / rows)
        for i in range(count):
            tile = CounterTile(i)
            self.counters_grid.addWidget(tile, i // cols, i % cols)
            self.tiles.append(tile)
        self.tiles[0].ticket.share_size_with(*(t.ticket for t in self.tiles[1:]))
        self.tiles[0].name.share_size_with(*(t.name for t in self.tiles[1:]))
        for r in range(self.counters_grid.rowCount()):
            self.counters_grid.setRowStretch(r, 1 if r < rows else 0)
        for c in range(self.counters_grid.columnCount()):
            self.counters_grid.setColumnStretch(c, 1 if c < cols else 0)
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._rescale()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.side and event.type() == QEvent.Type.Resize:
            self._arrange_side()
        return super().eventFilter(watched, event)

    def _rescale(self) -> None:
        unit = min(self.width() / DESIGN_WIDTH, self.height() / DESIGN_HEIGHT)

        def px(value: float) -> int:
            return max(1, round(value * unit))

        self.root.setContentsMargins(px(28), px(22), px(28), px(22))
        self.root.setSpacing(px(20))
        self.header_row.setContentsMargins(px(34), px(10), px(34), px(10))
        self.header_row.setSpacing(px(30))
        self.clock_row.setSpacing(px(24))
        self.body_row.setSpacing(px(24))
        self.side_column.setSpacing(px(20))
        self.left_column.setSpacing(px(14))
        self.counters_grid.setSpacing(px(18))
        pad = px(26)
        self.call_panel.call_row.setContentsMargins(pad, px(18), pad, px(30))
        self.call_panel.call_row.setSpacing(px(20))
        self.call_panel.idle_column.setContentsMargins(pad * 2, px(18), pad * 2, px(18))
        self.call_panel.edge_width = 6 * unit
        self.status_row.setContentsMargins(px(30), 0, px(30), 0)
        for tile in self.tiles:
            tile.layout_.setContentsMargins(px(22), px(4), px(22), px(12))
            tile.layout_.setSpacing(px(8))
            tile.edge_width = max(2.0, 4 * unit)

    # --- refreshing --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the board in the background (never on the GUI thread)."""
        if self._closed:
            return
        self._reader.request()  # a change mid-read: one more read afterwards

    def _prepare_read(self) -> Callable[[], DisplayBoard]:
        database, ward, day = self.ctx.database, self.ctx.settings.office.ward_code, date.today()
        return lambda: data.read_board(database, ward, day)

    @property
    def busy(self) -> bool:
        """True while a read is under way."""
        return self._reader.busy

    def _on_board(self, board: DisplayBoard) -> None:
        if self._closed:
            return
        try:
            if self._db_problem is not None:
                log.info("display: database reachable again")
            self._db_problem = None
            self.board = board
            self.board_read_at = datetime.now()
            new_calls = self._tracker.update(board.recent_calls)
            self._show_board(board)
            self._announce(new_calls)
            self._update_status()
            self.sig_board_shown.emit(board)
        except Exception:
            # A bug; the TV must not freeze on it: log it and keep refreshing.
            log.exception("display: showing the board failed")

    def _on_failure(self, exc: Exception) -> None:
        if self._closed:
            return
        if isinstance(exc, DatabaseUnavailable):
            problem = self.tr("Mất kết nối cơ sở dữ liệu. Đang tự kết nối lại…")
        else:  # a known problem's message; a bug (its traceback is in the log) says so
            problem = messages.user_text(
                exc,
                bug_text=self.tr("Lỗi khi đọc dữ liệu (chi tiết trong nhật ký). Đang thử lại…"),
                hint=False,
            )
        if problem != self._db_problem:
            # Logged once per new problem: the TV retries every few seconds while it lasts.
            log.warning("display cannot read the board: %s", exc)
        self._db_problem = problem
        self._update_status()

    def _on_live_connection(self, connected: bool) -> None:
        if not connected:
            log.info("display: live updates lost; polling every %d ms", RETRY_MS)
        self._update_status()

    def _update_status(self) -> None:
        degraded = self._db_problem is not None or not self.changes.connected
        self._timer.setInterval(RETRY_MS if degraded else REFRESH_MS)
        text = ""
        if self._db_problem is not None:
            text = self._db_problem
            if self.board_read_at is not None:
                text += " " + self.tr("Bảng số cập nhật lúc {time}.").format(
                    time=f"{self.board_read_at:%H:%M}"
                )
        elif self.voice_problem is not None:
            text = self.voice_problem
        self.status_label.setText(text)
        self.status_bar.setVisible(bool(text))

    def status_text(self) -> str:
        """The status line under the board; empty when all is well."""
        return self.status_label.text() if self.status_bar.isVisibleTo(self) else ""

    # --- showing -----------------------------------------------------------------------------
    def _show_board(self, board: DisplayBoard) -> None:
        self.title.setText(board.center_name.upper())
        if len(self.tiles) != len(board.counters):
            self._rebuild_tiles(len(board.counters))
        latest = board.recent_calls[0] if board.recent_calls else None
        for tile, counter in zip(self.tiles, board.counters, strict=True):
            tile.number = counter.number
            tile.show_counter(counter.name, counter.display)

        self._arrange_side()

        if self._highlighted is not None and not any(
            c.ticket_id == self._highlighted.ticket_id for c in board.recent_calls
        ):
            self._highlighted = None  # a new day: yesterday's call is gone
        if self._highlighted is None and not self._spoken:
            if latest is None:
                self.call_panel.show_idle()
            else:
                self._highlight(latest, blink_ms=0)
        self._mark_tiles()

    def _mark_tiles(self) -> None:
        """The tile of the counter on the big panel gets the amber edge."""
        number = self._highlighted.counter_number if self._highlighted is not None else None
        for tile in self.tiles:
            tile.set_latest(tile.number == number)

    def _unit(self) -> float:
        return min(self.width() / DESIGN_WIDTH, self.height() / DESIGN_HEIGHT)

    def _arrange_side(self) -> None:
        """Share the side column's rows between recent calls and waiting counts, rows of one
        height in both; when not everything fits, empty fields make way, then older calls."""
        fields = self.board.waiting_by_field if self.board is not None else []
        unit = self._unit()
        row = MIN_ROW * unit
        content = self.side.height() - 2 * 28 * unit - self.side_column.spacing()
        slots = max(2, int(content / row - 2 * CAPTION_ROWS))
        recent = min(RECENT_SHOWN, slots - 1)
        busy = sum(1 for f in fields if f[2])
        if busy > slots - recent:
            recent = max(min(RECENT_MIN, recent), slots - busy)
        if len(fields) > slots - recent:
            # Fields with people waiting first, then empty ones while there is room; in order.
            spare = max(0, slots - recent - busy)
            empty = [i for i, f in enumerate(fields) if not f[2]][:spare]
            keep = {i for i, f in enumerate(fields) if f[2]} | set(empty)
            fields = [f for i, f in enumerate(fields) if i in keep][: slots - recent]
        self.recent.set_row_count(recent)
        self.waiting.set_row_count(len(fields))
        self.side_column.setStretchFactor(self.recent, round(10 * (recent + CAPTION_ROWS)))
        self.side_column.setStretchFactor(
            self.waiting, round(10 * (max(1, len(fields)) + CAPTION_ROWS))
        )
        text_px = round(MAX_ROW_TEXT * unit)
        self.recent.rescale(unit, text_px)
        self.waiting.rescale(unit, text_px)
        self._fill_recent()
        self._fill_waiting(fields)

    def _fill_recent(self) -> None:
        calls = self.board.recent_calls if self.board is not None else []
        shown = calls[: len(self.recent.names)]
        self.recent.show_placeholder(self.board is not None and not shown)
        for i, (name, value) in enumerate(zip(self.recent.names, self.recent.values, strict=True)):
            if i < len(shown):
                name.setText(shown[i].display)
                value.setText(self.tr("Quầy {n}").format(n=shown[i].counter_number))
            else:
                name.setText("")
                value.setText("")

    def _fill_waiting(self, fields: list[tuple[str, str, int]]) -> None:
        for (_, field_name, count), name, value in zip(
            fields, self.waiting.names, self.waiting.values, strict=True
        ):
            name.setText(field_name)
            value.setText(str(count))
            value.setColor(ACCENT if count else TEXT)
        if self.board is not None:
            total = sum(count for _, _, count in self.board.waiting_by_field)
            self.waiting.caption_value.setText(self.tr("{n} người").format(n=total))

    def _announce(self, calls: list[CallRecord]) -> None:
        for call in calls:
            log.info("new call %s to counter %d", call.display, call.counter_number)
            if self.announcer is None:
                self._highlight(call, blink_ms=BLINK_MS)
                continue
            try:
                self.announcer.announce(call.display, call.counter_number)
            except ValueError:
                log.exception("call %s cannot be spoken", call.display)
                self._highlight(call, blink_ms=BLINK_MS)
                continue
            self._spoken.append(call)

    def _on_voice_started(self, text: str) -> None:
        # The screen follows the voice: the call being spoken is the one on the big panel.
        while self._spoken:
            call = self._spoken.popleft()
            if announcement_text(call.display, call.counter_number) == text:
                self._highlight(call, blink_ms=BLINK_MS, hold=True)
                return

    def _on_voice_finished(self, _text: str) -> None:
        self.call_panel.release()

    def _highlight(self, call: CallRecord, *, blink_ms: int, hold: bool = False) -> None:
        self._highlighted = call
        self.call_panel.show_call(call.display, call.counter_number)
        self._mark_tiles()
        if blink_ms:
            self.call_panel.blink(blink_ms, hold=hold)

    def highlighted(self) -> CallRecord | None:
        """The call on the big panel (the one being spoken, else the latest)."""
        return self._highlighted

    def counter_shows(self, number: int) -> str | None:
        """The ticket number the counter's tile shows, None for "—" or no such counter."""
        for tile in self.tiles:
            if tile.number == number:
                text = tile.ticket.text()
                return None if text == "—" else text
        return None

    def _tick(self) -> None:
        now = datetime.now()
        self.header.show_time(now)
        if now.date() != self._day:
            self._day = now.date()
            self.refresh()
        # Re-armed to the next second boundary, so the seconds never stutter or skip.
        self._clock.start(1000 - now.microsecond // 1000 + 2)

    # --- window ------------------------------------------------------------------------------
    def _toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def _leave_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._closed = True
        self._reader.stop()
        self._clock.stop()
        self._timer.stop()
        self.call_panel.stop_blinking()
        self.changes.release(self)
        super().closeEvent(event)


def run_display(ctx: AppContext) -> int:
    """Open the display full screen and run the event loop until it closes."""
    from PySide6.QtWidgets import QApplication

    from onestop_desk.gui.crash import install_crash_handler
    from onestop_desk.gui.startup import qt_application, require_display

    require_display(
        "bảng gọi số",
        "Chạy trên máy nối với TV, hoặc trên máy chủ dùng Xvfb: xvfb-run onestop-desk display.",
    )
    _upgrade_if_reachable(ctx)
    app = qt_application()
    window = DisplayWindow(ctx)
    window.setCursor(Qt.CursorShape.BlankCursor)  # a TV: no mouse pointer over the numbers
    screen = app.primaryScreen() if isinstance(app, QApplication) else None
    if screen is not None:
        # Without a window manager (a bare X session on a TV PC) full screen alone does not
        # resize the window: cover the screen first.
        window.setGeometry(screen.geometry())
    window.showFullScreen()
    log.info("display open on %s", ctx.database.describe())
    # A TV has nobody to click a crash dialog away: log, and keep showing the board.
    crash = install_crash_handler(dialog=False)
    try:
        return int(app.exec())
    finally:
        crash.uninstall()


def _upgrade_if_reachable(ctx: AppContext) -> None:
    """Bring the schema up to date, as every face does; a database that is down is not fatal:
    the display opens anyway, says so, and catches up when it comes back."""
    from onestop_desk.db.migrate import upgrade

    try:
        ctx.database.check()
        upgrade(ctx.database)
    except DatabaseUnavailable as exc:
        log.warning("display starts without its database: %s", exc.message)
