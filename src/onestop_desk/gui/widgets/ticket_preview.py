"""The ``preview`` printer: a window that shows the tickets it "printed", newest first (demo)."""

from __future__ import annotations

from datetime import datetime

from PIL import Image
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.gui.widgets import bundled_font_family, load_style
from onestop_desk.printing.printers import PreviewSink

# Tickets are shown at about their paper size on a common 96 dpi screen: 80 mm ≈ 300 px.
PAPER_PX_PER_DOT = 300 / 576
KEEP = 8


def _no_window_system() -> bool:
    return QGuiApplication.platformName() in ("offscreen", "minimal")


def pil_to_pixmap(image: Image.Image) -> QPixmap:
    """A QPixmap of a Pillow image (the 1-bit ticket becomes grey levels for smooth scaling)."""
    grey = image.convert("L")
    data = grey.tobytes()
    qimage = QImage(data, grey.width, grey.height, grey.width, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(qimage.copy())  # copy: ``data`` is freed when we return


class _PrintedTicket(QFrame):
    """One ticket on its strip of paper, with the time it came out."""

    def __init__(self, image: Image.Image, printed_at: datetime, parent: QWidget) -> None:
        super().__init__(parent)
        self.image = image
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        caption = QLabel(
            self.tr("In lúc {time} — khổ {dots} điểm").format(
                time=f"{printed_at:%H:%M:%S}", dots=image.width
            ),
            self,
        )
        caption.setObjectName("caption")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        paper = QLabel(self)
        paper.setObjectName("paper")
        width = max(1, round(image.width * PAPER_PX_PER_DOT))
        paper.setPixmap(
            pil_to_pixmap(image).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        )
        paper.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shadow = QGraphicsDropShadowEffect(paper)
        shadow.setBlurRadius(18)
        shadow.setOffset(0, 3)
        shadow.setColor(QColor(0, 0, 0, 90))
        paper.setGraphicsEffect(shadow)
        layout.addWidget(caption)
        layout.addWidget(paper, 0, Qt.AlignmentFlag.AlignHCenter)


class TicketPreviewWindow(QWidget):
    """A virtual ticket printer: every image sent to the ``preview`` printer appears here.

    Give ``sink()`` to ``print_ticket(..., preview=...)``; it may be called from any thread.
    With a parent the window stays above it (a tool window), also over a full-screen kiosk.
    """

    #: A Pillow image the preview printer received (emitted from the printing thread).
    sig_printed = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, *, keep: int = KEEP, auto_show: bool = True
    ) -> None:
        super().__init__(parent)
        if parent is not None:
            # A tool window stays above its (full-screen) parent. Offscreen has no stacking
            # order, and a tool window's show() there only warns that it cannot raise().
            kind = Qt.WindowType.Window if _no_window_system() else Qt.WindowType.Tool
            self.setWindowFlag(kind, True)
        self._keep = keep
        self._auto_show = auto_show
        self._placed = False
        self._sink = PreviewSink(callback=self.sig_printed.emit, keep=keep)
        self.setObjectName("ticketPreview")
        self.setStyleSheet(load_style("ticket_preview.qss", family=bundled_font_family()))
        self.resize(380, 760)

        self._title = QLabel(self)
        self._title.setObjectName("title")
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty = QLabel(self)
        self._empty.setObjectName("empty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)

        self._list = QWidget()
        self._list.setObjectName("list")
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(16, 8, 16, 16)
        self._list_layout.setSpacing(22)
        self._list_layout.addWidget(self._empty)
        self._list_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._list)
        scroll.viewport().setAutoFillBackground(False)
        self._scroll = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addWidget(self._title)
        layout.addWidget(scroll, 1)
        self.sig_printed.connect(self.add_image)
        self.retranslate_ui()

    def place(self, x: int, y: int, width: int, height: int) -> None:
        """Put the window where the caller wants it instead of the default right edge."""
        self._placed = True
        self.setGeometry(x, y, width, height)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not self._placed:
            # First time: at the right edge of the screen, beside (over) the kiosk.
            self._placed = True
            area = self.screen().availableGeometry()
            self.resize(self.width(), min(self.height(), area.height() - 48))
            self.move(area.right() - self.width() - 24, area.top() + 24)
        super().showEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Máy in ảo — phiếu vừa in"))
        self._title.setText(self.tr("Máy in ảo (chạy thử)"))
        self._empty.setText(self.tr("Chưa có phiếu nào. Phiếu in ra sẽ hiện ở đây."))

    def sink(self) -> PreviewSink:
        """Where the printing code delivers the images (thread-safe)."""
        return self._sink

    def add_image(self, image: Image.Image) -> None:
        """Show a printed ticket at the top; only the last ``keep`` stay."""
        self._empty.hide()
        self._list_layout.insertWidget(0, _PrintedTicket(image, datetime.now(), self._list))
        while len(tickets := self.tickets()) > self._keep:
            old = tickets[-1]
            self._list_layout.removeWidget(old)
            old.deleteLater()
        self._scroll.verticalScrollBar().setValue(0)
        if self._auto_show and not self.isVisible():
            self.show()
        if not _no_window_system():
            self.raise_()

    def tickets(self) -> list[_PrintedTicket]:
        """The tickets on show, newest first."""
        items = (self._list_layout.itemAt(i) for i in range(self._list_layout.count()))
        found = [item.widget() for item in items if item is not None]
        return [w for w in found if isinstance(w, _PrintedTicket)]

    def count(self) -> int:
        return len(self.tickets())

    def latest(self) -> Image.Image | None:
        """The newest ticket image on show."""
        tickets = self.tickets()
        return tickets[0].image if tickets else None
