"""A supplement request from the online portal, through the status sync, onto the Mẫu 02 paper.

The real simulator runs as a process; the dossiers live on real SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
from sqlalchemy import select, update

from onestop_desk.db.database import Database
from onestop_desk.db.models import SyncCursor
from onestop_desk.portal.client import PortalUnavailable
from onestop_desk.portal.http import HttpPortalClient
from onestop_desk.portal.outbox import Outbox
from onestop_desk.portal.sync import CURSOR, sync_statuses
from onestop_desk.services.lifecycle import notices
from onestop_desk.services.lifecycle import status as reading
from onestop_desk.services.lifecycle.status import EventView
from onestop_desk.services.uow import UnitOfWork
from tests.support.docx_text import document_text
from tests.support.portal_sim import PortalSim, http_factory, receive_dossiers
from tests.support.services import in_uow

dossier_status = in_uow(reading.dossier_status, readonly=True)


def notice_document(database: Database, code: str, form: str, out: Path) -> Path:
    with UnitOfWork(database, readonly=True) as uow:
        write = notices.notice_document(uow, code, form)
    return write(out)


PAPERS = [
    {"name": "Bản sao Giấy khai sinh", "count": 1, "kind": "certified_copy"},
    {"name": "Văn bản ủy quyền có chữ ký của người ủy quyền", "count": 2, "kind": "photocopy"},
]
REASON = "Hồ sơ thiếu giấy khai sinh.\nVăn bản ủy quyền chưa có chữ ký của người ủy quyền."
NOTE = "Đề nghị công dân bổ sung giấy tờ"


def _sent_dossier(database: Database, sim: PortalSim) -> tuple[str, str]:
    """One dossier received at the desk and sent to the portal: its code and portal code."""
    (code,) = receive_dossiers(database, 1)
    with closing(Outbox(database, http_factory(sim))) as outbox:
        assert outbox.run_once().sent == 1
    reference = dossier_status(database, code).portal_reference
    assert reference is not None
    return code, reference


def _sync(database: Database, sim: PortalSim) -> None:
    with closing(http_factory(sim)()) as client:
        report = sync_statuses(database, client)
    assert report.applied == 1


def _waiting_for_papers(database: Database, sim: PortalSim) -> tuple[str, str]:
    """A sent dossier the portal asked PAPERS of, synced: its code and portal code."""
    code, reference = _sent_dossier(database, sim)
    sim.set_status(
        reference, "supplement_requested", NOTE, requested_documents=PAPERS, reason=REASON
    )
    _sync(database, sim)
    return code, reference


def _replay_adds_nothing(database: Database, sim: PortalSim, code: str, changes: int) -> None:
    """The whole feed read again (cursor lost): every change is a replay, the history unchanged."""
    history = len(dossier_status(database, code).events)
    with UnitOfWork(database) as uow:
        uow.session.execute(update(SyncCursor).where(SyncCursor.name == CURSOR).values(value=""))
        uow.commit()
    with closing(http_factory(sim)()) as client:
        assert sync_statuses(database, client).replayed == changes
    assert len(dossier_status(database, code).events) == history


def _supplement_event(database: Database, code: str) -> EventView:
    (event,) = [e for e in dossier_status(database, code).events if e.kind == "request_supplement"]
    return event


def _paper_rows(path: Path) -> list[list[str]]:
    tables = [t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == "TT"]
    return [[cell.text for cell in row.cells] for table in tables for row in table.rows]


def test_papers_the_portal_asks_for_are_printed_on_mau02(
    database: Database, sim: PortalSim, tmp_path: Path
) -> None:
    code, _ = _waiting_for_papers(database, sim)

    status = dossier_status(database, code)
    assert (status.state.value, status.portal_status) == (
        "supplement_requested",
        "supplement_requested",
    )
    event = _supplement_event(database, code)
    assert event.data["items"] == [
        {"name": "Bản sao Giấy khai sinh", "count": 1, "kind": "certified_copy"},
        {"name": "Văn bản ủy quyền có chữ ký của người ủy quyền", "count": 2, "kind": "copy"},
    ]
    assert event.data["reason"] == REASON
    assert (event.from_state, event.to_state) == ("received", "supplement_requested")
    assert event.note == f"Hệ thống dịch vụ công: Yêu cầu bổ sung hồ sơ — {NOTE}"

    out = notice_document(database, code, "02", tmp_path / "mau02.docx")
    assert _paper_rows(out) == [
        ["TT", "Tên giấy tờ cần bổ sung, hoàn thiện", "Số lượng", "Hình thức"],
        ["1", "Bản sao Giấy khai sinh", "01", "Bản sao chứng thực"],
        ["2", "Văn bản ủy quyền có chữ ký của người ủy quyền", "02", "Bản chụp"],
    ]
    text = document_text(out)
    for expected in (
        f"Mã hồ sơ: {code}",
        "Hồ sơ của: Nguyễn Văn An",
        "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
        "Hồ sơ thiếu giấy khai sinh.",
        "Văn bản ủy quyền chưa có chữ ký của người ủy quyền.",
    ):
        assert expected in text, expected
    # The tracking slip (Mẫu 06) shows the request as a hand-over back to the citizen.
    slip = document_text(notice_document(database, code, "06", tmp_path / "mau06.docx"))
    assert "Yêu cầu bổ sung hồ sơ (Mẫu 02): Hồ sơ thiếu giấy khai sinh." in slip

    _replay_adds_nothing(database, sim, code, 2)  # received, supplement_requested


def test_without_a_list_the_portal_note_is_the_reason(
    database: Database, sim: PortalSim, tmp_path: Path
) -> None:
    code, reference = _sent_dossier(database, sim)
    sim.set_status(reference, "supplement_requested", "Thiếu giấy chứng sinh bản chính")
    _sync(database, sim)

    assert dossier_status(database, code).state.value == "supplement_requested"
    event = _supplement_event(database, code)
    assert event.data["items"] == []
    assert event.data["reason"] == "Thiếu giấy chứng sinh bản chính"

    out = notice_document(database, code, "02", tmp_path / "mau02.docx")
    assert _paper_rows(out) == []  # no empty table
    text = document_text(out)
    assert "Yêu cầu hoàn thiện hồ sơ theo nội dung nêu tại phần lý do dưới đây." in text
    assert "Lý do:\nThiếu giấy chứng sinh bản chính\n" in text
    assert "gồm những nội dung sau" not in text


def test_a_malformed_paper_list_leaves_everything_for_the_next_pass(database: Database) -> None:
    (code,) = receive_dossiers(database, 1)
    change: dict[str, Any] = {
        "portal_code": "G22.99-261123-000001",
        "local_code": code,
        "status": "supplement_requested",
        "at": "2026-11-23T10:05:00.000000+07:00",
        "note": None,
        "requested_documents": [{"name": "Giấy khai sinh", "count": "một", "kind": "original"}],
    }

    def portal(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        page = {"changes": [change], "until": "2026-11-23T10:06:00.000000+07:00", "more": False}
        return httpx.Response(200, content=json.dumps(page).encode())

    before = dossier_status(database, code)
    with HttpPortalClient(
        "https://dvc.example.vn", "xa", "bí mật", transport=httpx.MockTransport(portal)
    ) as client:
        with pytest.raises(PortalUnavailable, match="sai định dạng"):
            sync_statuses(database, client)
        after = dossier_status(database, code)
        assert (after.state, after.portal_status) == (before.state, None)
        assert after.events == before.events
        with UnitOfWork(database, readonly=True) as uow:
            cursor = uow.session.scalar(select(SyncCursor.value).where(SyncCursor.name == CURSOR))
        assert not cursor  # the page is read again next time

        # The portal puts it right: the next pass applies the request.
        change["requested_documents"] = [{"name": "Giấy khai sinh", "count": 1, "kind": "original"}]
        assert sync_statuses(database, client).applied == 1
    event = _supplement_event(database, code)
    assert event.data["items"] == [{"name": "Giấy khai sinh", "count": 1, "kind": "original"}]


def test_a_second_request_while_waiting_replaces_the_list_on_mau02(
    database: Database, sim: PortalSim, tmp_path: Path
) -> None:
    code, reference = _waiting_for_papers(database, sim)
    # The citizen has not come back yet; the deciding body asks for something else instead.
    again = [{"name": "Giấy xác nhận thông tin về cư trú", "count": 1, "kind": "original"}]
    sim.set_status(
        reference,
        "supplement_requested",
        "Thay yêu cầu trước",
        requested_documents=again,
        reason="Cần xác nhận nơi cư trú hiện tại.",
    )
    with closing(http_factory(sim)()) as client:
        report = sync_statuses(database, client)
    assert (report.applied, report.recorded) == (0, 1)

    status = dossier_status(database, code)
    assert status.state.value == "supplement_requested"
    first, second = [e for e in status.events if e.kind == "request_supplement"]
    assert (first.from_state, first.to_state) == ("received", "supplement_requested")
    assert (second.from_state, second.to_state) == (None, None)
    assert second.note == (
        "Hệ thống dịch vụ công: Yêu cầu bổ sung hồ sơ — Thay yêu cầu trước"
        " (yêu cầu mới, thay cho yêu cầu bổ sung trước)"
    )

    out = notice_document(database, code, "02", tmp_path / "mau02.docx")
    assert _paper_rows(out) == [
        ["TT", "Tên giấy tờ cần bổ sung, hoàn thiện", "Số lượng", "Hình thức"],
        ["1", "Giấy xác nhận thông tin về cư trú", "01", "Bản chính"],
    ]
    text = document_text(out)
    assert "Cần xác nhận nơi cư trú hiện tại." in text
    assert "Hồ sơ thiếu giấy khai sinh." not in text
    # The tracking slip keeps both requests, in order.
    slip = document_text(notice_document(database, code, "06", tmp_path / "mau06.docx"))
    earlier = slip.index("Yêu cầu bổ sung hồ sơ (Mẫu 02): Hồ sơ thiếu giấy khai sinh.")
    assert slip.index("Yêu cầu bổ sung hồ sơ (Mẫu 02): Cần xác nhận nơi cư trú") > earlier

    _replay_adds_nothing(database, sim, code, 3)  # received and both requests
