"""The last stage of reception: the checklist of papers with their scans, then fee and channel."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QThreadPool, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from onestop_desk.core.catalog import RequiredDocument
from onestop_desk.gui.reception.checklist import (
    CHUNK_BYTES,
    ChecklistWidget,
    FileTooLarge,
    digest_file,
    format_size,
)
from onestop_desk.gui.reception.summary import SummaryPanel
from onestop_desk.services.catalog import load_catalog
from onestop_desk.services.reception import ChecklistItem, ScannedFile

pytestmark = pytest.mark.gui

WAIT_MS = 10_000
CATALOG = load_catalog().catalog


def _papers(code: str) -> tuple[RequiredDocument, ...]:
    procedure = CATALOG.procedure(code)
    assert procedure is not None
    return procedure.documents


BIRTH_PAPERS = _papers("1.001193")
REQUIRED = [d.name for d in BIRTH_PAPERS if not d.optional]
OpenChecklist = Callable[..., ChecklistWidget]


@pytest.fixture
def open_checklist(qtbot: QtBot) -> Iterator[OpenChecklist]:
    def make(
        documents: Sequence[RequiredDocument] = BIRTH_PAPERS, **kwargs: int
    ) -> ChecklistWidget:
        widget = ChecklistWidget(documents, **kwargs)
        qtbot.addWidget(widget)
        widget.resize(1000, 650)
        widget.show()
        widget.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=WAIT_MS)
        return widget

    yield make
    QThreadPool.globalInstance().waitForDone(10_000)


def _idle(qtbot: QtBot, widget: ChecklistWidget) -> None:
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=WAIT_MS)


def _scan(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def _drop(widget: ChecklistWidget, paths: Sequence[Path], at: QPoint) -> bool:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        at,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(at),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def _centre_of(widget: ChecklistWidget, child: QWidget) -> QPoint:
    return child.mapTo(widget, child.rect().center())


def test_rows_follow_the_catalog_and_nothing_is_received_yet(
    open_checklist: OpenChecklist,
) -> None:
    checklist = open_checklist()
    items = checklist.items()
    assert [i.name for i in items] == [d.name for d in BIRTH_PAPERS]
    assert [i.kind for i in items] == [d.kind for d in BIRTH_PAPERS]
    assert not any(i.received for i in items)
    assert all(i.attachments == () for i in items)
    identity = next(i for i, d in enumerate(BIRTH_PAPERS) if d.kind == "present")
    assert checklist.row(identity).kind_combo.currentText() == "Xuất trình bản chính"
    noted = next(i for i, d in enumerate(BIRTH_PAPERS) if d.note)
    assert checklist.row(noted).name_label.toolTip() == BIRTH_PAPERS[noted].note
    assert checklist.count_label.text() == (
        f"Đã nhận 0/{len(BIRTH_PAPERS)} giấy tờ · còn thiếu {len(REQUIRED)} giấy tờ bắt buộc"
    )


def test_missing_required_papers_are_flagged_on_validate(
    qtbot: QtBot, open_checklist: OpenChecklist
) -> None:
    checklist = open_checklist()
    changes: list[None] = []
    checklist.sig_changed.connect(lambda: changes.append(None))
    assert checklist.validate() == REQUIRED
    assert checklist.message().startswith(f"Còn thiếu {len(REQUIRED)} giấy tờ bắt buộc:")
    first_required = next(i for i, d in enumerate(BIRTH_PAPERS) if not d.optional)
    row = checklist.row(first_required)
    assert row.property("missing") is True
    assert not row.message.isHidden()
    assert QApplication.focusWidget() is row.received_box  # the first paper to look at

    for index, document in enumerate(BIRTH_PAPERS):
        if not document.optional:
            qtbot.mouseClick(checklist.row(index).received_box, Qt.MouseButton.LeftButton)
    assert row.property("missing") is False  # ticking clears the flag at once
    assert changes
    assert checklist.validate() == []
    assert checklist.message() == ""
    assert checklist.count_label.text().endswith("đủ giấy tờ bắt buộc")


def test_count_kind_and_extra_papers_are_in_the_items(open_checklist: OpenChecklist) -> None:
    checklist = open_checklist()
    checklist.row(0).received_box.setChecked(True)
    checklist.row(0).count_spin.setValue(2)
    checklist.row(0).kind_combo.setCurrentIndex(checklist.row(0).kind_combo.findText("Bản chụp"))
    extra = checklist.add_extra()
    assert extra.received_box.isChecked()
    assert len(checklist.items()) == len(BIRTH_PAPERS)  # an extra without a name is left out
    assert extra.name_edit is not None
    extra.name_edit.setText("Giấy xác nhận cư trú")
    items = checklist.items()
    assert items[0] == ChecklistItem(BIRTH_PAPERS[0].name, "copy", 2, True)
    assert items[-1] == ChecklistItem("Giấy xác nhận cư trú", "copy", 1, True)
    checklist.remove_row(extra)
    assert [i.name for i in checklist.items()] == [d.name for d in BIRTH_PAPERS]


def test_a_draft_comes_back_with_set_items(open_checklist: OpenChecklist, tmp_path: Path) -> None:
    scan = ScannedFile(
        str(tmp_path / "giay_chung_sinh.pdf"), "giay_chung_sinh.pdf", 1234, "ab" * 32
    )
    whole = ScannedFile(str(tmp_path / "ho_so.pdf"), "ho_so.pdf", 99, "cd" * 32)
    first = open_checklist()
    first.row(1).received_box.setChecked(True)
    first.add_extra("Giấy xác nhận cư trú")
    draft = [
        *first.items()[:1],
        ChecklistItem(BIRTH_PAPERS[1].name, "certified_copy", 3, True, (scan,)),
        *first.items()[2:],
    ]
    second = open_checklist()
    second.set_items(draft, dossier_attachments=(whole,))
    assert second.items() == draft
    assert second.dossier_attachments() == (whole,)
    assert second.row(1).kind_combo.currentText() == "Bản sao chứng thực"


def test_small_scan_gets_its_sha256_in_the_background(
    qtbot: QtBot, open_checklist: OpenChecklist, tmp_path: Path
) -> None:
    checklist = open_checklist()
    scan = _scan(tmp_path / "giay_chung_sinh.pdf", 3 * CHUNK_BYTES + 17)  # several chunks
    with qtbot.waitSignal(checklist.sig_changed, timeout=WAIT_MS):
        checklist.add_files([scan], 1)
    _idle(qtbot, checklist)
    (attachment,) = checklist.items()[1].attachments
    assert attachment == ScannedFile(
        path=str(scan),
        name="giay_chung_sinh.pdf",
        size=3 * CHUNK_BYTES + 17,
        sha256=hashlib.sha256(scan.read_bytes()).hexdigest(),
    )
    assert checklist.message() == ""
    # The same content again is refused with a word, not attached twice.
    copy = tmp_path / "ban_sao.pdf"
    copy.write_bytes(scan.read_bytes())
    checklist.add_files([copy], 1)
    _idle(qtbot, checklist)
    assert len(checklist.items()[1].attachments) == 1
    assert "“ban_sao.pdf” đã được đính kèm rồi" in checklist.message()


def test_file_over_the_limit_is_refused_and_nothing_added(
    qtbot: QtBot, open_checklist: OpenChecklist, tmp_path: Path
) -> None:
    checklist = open_checklist()
    big = tmp_path / "ho_so_quet.pdf"
    with big.open("wb") as stream:
        stream.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    checklist.add_files([big], 0)
    _idle(qtbot, checklist)
    assert checklist.message() == (
        "Không đính kèm tệp “ho_so_quet.pdf”: tệp nặng 200 MB, vượt giới hạn 20 MB cho mỗi"
        " tệp. Hãy quét lại ở độ phân giải thấp hơn (ví dụ 200 dpi) hoặc tách thành nhiều tệp."
    )
    assert checklist.items()[0].attachments == ()
    assert checklist.dossier_attachments() == ()
    assert checklist.row(0).attachments.isHidden()  # the "reading…" line is gone too


def test_limit_is_a_constructor_argument(
    qtbot: QtBot, open_checklist: OpenChecklist, tmp_path: Path
) -> None:
    checklist = open_checklist(max_bytes=1024)
    checklist.add_files([_scan(tmp_path / "a.jpg", 1024), _scan(tmp_path / "b.jpg", 1025)])
    _idle(qtbot, checklist)
    assert [a.name for a in checklist.dossier_attachments()] == ["a.jpg"]
    assert "“b.jpg”" in checklist.message()
    assert "vượt giới hạn 1 KB" in checklist.message()


def test_unreadable_file_says_why(
    qtbot: QtBot, open_checklist: OpenChecklist, tmp_path: Path
) -> None:
    checklist = open_checklist()
    checklist.add_files([tmp_path / "khong_co.pdf"], 0)
    _idle(qtbot, checklist)
    assert checklist.message().startswith("Không đọc được tệp “khong_co.pdf”")
    assert checklist.items()[0].attachments == ()


def test_files_dropped_on_a_row_or_on_the_widget(
    qtbot: QtBot, open_checklist: OpenChecklist, tmp_path: Path
) -> None:
    checklist = open_checklist()
    on_row = _scan(tmp_path / "giay_chung_sinh.jpg", 2048)
    loose = _scan(tmp_path / "to_khai.pdf", 4096)

    assert _drop(checklist, [on_row], _centre_of(checklist, checklist.row(1).kind_combo))
    _idle(qtbot, checklist)
    assert [a.name for a in checklist.items()[1].attachments] == ["giay_chung_sinh.jpg"]

    assert _drop(checklist, [loose], _centre_of(checklist, checklist.dossier_box))
    _idle(qtbot, checklist)
    (attachment,) = checklist.dossier_attachments()
    assert attachment.sha256 == hashlib.sha256(loose.read_bytes()).hexdigest()
    assert attachment.size == 4096

    # Text (not files) is not a drop for the checklist.
    mime = QMimeData()
    mime.setText("giấy tờ")
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(checklist, enter)
    assert not enter.isAccepted()


def test_removing_an_attachment(
    qtbot: QtBot, open_checklist: OpenChecklist, tmp_path: Path
) -> None:
    checklist = open_checklist()
    checklist.add_files([_scan(tmp_path / "a.pdf", 100)], 2)
    _idle(qtbot, checklist)
    (attachment,) = checklist.items()[2].attachments
    with qtbot.waitSignal(checklist.sig_changed, timeout=WAIT_MS):
        checklist.row(2).attachments.remove(attachment)
    assert checklist.items()[2].attachments == ()


def test_digest_reads_in_chunks_and_stops_at_the_limit(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_BYTES * 2 + 5)
    path = tmp_path / "scan.tif"
    path.write_bytes(data)
    exact = digest_file(path, max_bytes=len(data))
    assert exact.sha256 == hashlib.sha256(data).hexdigest()
    assert exact.size == len(data)
    with pytest.raises(FileTooLarge) as refused:
        digest_file(path, max_bytes=len(data) - 1)
    assert refused.value.size == len(data)


def test_sizes_read_the_vietnamese_way() -> None:
    assert format_size(512) == "512 byte"
    assert format_size(850 * 1024) == "850 KB"
    assert format_size(1536 * 1024) == "1,5 MB"
    assert format_size(20 * 1024 * 1024) == "20 MB"
    assert format_size(200 * 1024 * 1024) == "200 MB"


# --- before saving: fee, due date, result channel ------------------------------------------------


@pytest.fixture
def summary(qtbot: QtBot) -> SummaryPanel:
    panel = SummaryPanel(postal_address="Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk")
    qtbot.addWidget(panel)
    panel.resize(420, 600)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel, timeout=WAIT_MS)
    return panel


def test_fee_shows_the_amount_or_why_there_is_none(qtbot: QtBot, summary: SummaryPanel) -> None:
    copy = CATALOG.procedure("2.000815")
    birth = CATALOG.procedure("1.001193")
    status = CATALOG.procedure("1.004873")
    assert copy is not None
    assert birth is not None
    assert status is not None
    assert summary.fee_amount.text() == "Chưa chọn thủ tục"
    summary.set_fee(copy.fee.quote(copies=2, pages=5))
    assert summary.fee_amount.text() == "14.000 đ"
    assert "7.000 đ/bản × 2 bản = 14.000 đ" in summary.fee_lines.text()
    summary.set_fee(birth.fee.quote())
    assert summary.fee_amount.text() == "Không thu lệ phí"
    summary.set_fee(status.fee.quote())
    assert summary.fee_amount.text() == "Chưa có mức thu"
    summary.set_due("16 giờ 30 phút, ngày 12/03/2026")
    assert summary.due_label.text() == "16 giờ 30 phút, ngày 12/03/2026"

    with qtbot.waitSignal(summary.sig_exemption_changed) as changed:
        summary.exemption_combo.setCurrentIndex(summary.exemption_combo.findData("poor_household"))
    assert changed.args == ["poor_household"]
    assert summary.exemption_combo.currentText() == "Hộ nghèo"
    with qtbot.waitSignal(summary.sig_exemption_changed) as changed:
        summary.exemption_combo.setCurrentIndex(0)
    assert changed.args == [None]


def test_postal_channel_needs_an_address_before_saving(qtbot: QtBot, summary: SummaryPanel) -> None:
    assert summary.channel() == ("desk", None)
    summary.channel_buttons["post"].click()
    assert summary.channel() == ("post", "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk")  # the applicant's
    summary.address_edit.clear()
    with qtbot.assertNotEmitted(summary.sig_save_requested):
        qtbot.keyClick(summary, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert summary.message_label.text() == "Nhập địa chỉ nhận kết quả qua bưu chính công ích."
    assert QApplication.focusWidget() is summary.address_edit
    qtbot.keyClicks(summary.address_edit, "So 5, duong Le Loi")
    with qtbot.waitSignal(summary.sig_save_requested, timeout=WAIT_MS):
        qtbot.keyClick(summary, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert summary.channel() == ("post", "So 5, duong Le Loi")
    # A later prefill (another applicant) does not overwrite what was typed.
    summary.set_postal_address("Thôn 1, xã Khác, tỉnh Đắk Lắk")
    assert summary.address_edit.text() == "So 5, duong Le Loi"
    summary.channel_buttons["online"].click()
    assert summary.channel() == ("online", None)
    assert not summary.address_edit.isEnabled()
    summary.set_saving(True)
    with qtbot.assertNotEmitted(summary.sig_save_requested):
        summary.save_button.click()
