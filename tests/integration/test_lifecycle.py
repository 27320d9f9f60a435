"""The dossier from receipt to returned result, on real SQLite and PostgreSQL, with its papers."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from sqlalchemy import func, select, update

from onestop_desk.core.lifecycle import DossierAction, DossierState, ResultTiming
from onestop_desk.db.database import Database
from onestop_desk.db.models import AuditEvent, Dossier, DossierEvent, StaffUser
from onestop_desk.db.notify import ChangeSource, PgListener, SqliteChangeProbe
from onestop_desk.errors import Conflict, InputError, NotFound
from onestop_desk.services.dossier import ApplicantInput, DossierRequest, create_dossier
from onestop_desk.services.lifecycle import actions, notices
from onestop_desk.services.lifecycle import status as reading
from onestop_desk.services.lifecycle.commands import (
    DossierCommand,
    Extend,
    MarkResultReady,
    ReceiveSupplement,
    Refuse,
    RequestSupplement,
    ReturnResult,
    StartProcessing,
    Stop,
    SupplementItem,
)
from onestop_desk.services.lifecycle.status import DossierStatus
from onestop_desk.services.office import find_office
from onestop_desk.services.uow import UnitOfWork
from tests.support.docx_text import document_text
from tests.support.services import in_uow

# Each call in its own unit of work, as the counter and the CLI run them.
start_processing = in_uow(actions.start_processing)
request_supplement = in_uow(actions.request_supplement)
receive_supplement = in_uow(actions.receive_supplement)
refuse = in_uow(actions.refuse)
extend = in_uow(actions.extend)
stop = in_uow(actions.stop)
mark_result_ready = in_uow(actions.mark_result_ready)
return_result = in_uow(actions.return_result)
dossier_status = in_uow(reading.dossier_status, readonly=True)
about_to_be_late = in_uow(reading.about_to_be_late, readonly=True)


def notice_document(database: Database, code: str, form: str, out: Path) -> Path:
    with UnitOfWork(database, readonly=True) as uow:
        write = notices.notice_document(uow, code, form)
    return write(out)


def logbook_document(
    database: Database, office_id: uuid.UUID, start: date, end: date, out: Path
) -> Path:
    with UnitOfWork(database, readonly=True) as uow:
        write = notices.logbook_document(uow, office_id, start, end)
    return write(out)


S = DossierState
A = DossierAction

# Monday 23/11/2026; Tuesday 24/11 is Vietnam Culture Day, a public holiday from 2026.
MONDAY_10 = datetime(2026, 11, 23, 10, 0)
# Thay đổi, cải chính hộ tịch: 3 working days, no declaration form to fill.
THREE_DAYS = "1.004859"
PROCEDURE_NAME = "Thay đổi, cải chính hộ tịch"
AN = ApplicantInput(
    id_number="066090012345",
    full_name="Nguyễn Văn An",
    date_of_birth=date(1990, 5, 15),
    sex="Nam",
    address="Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
    phone="0905123456",
)
LAN = ApplicantInput(
    id_number="066190012345",
    full_name="Nguyễn Thị Lan",
    date_of_birth=date(1990, 3, 2),
    sex="Nữ",
    address="Thôn Đông, xã Hòa Sơn, tỉnh Đắk Lắk",
)
PAPERS = (
    SupplementItem("Giấy khai sinh của người cần cải chính", 1, "original"),
    SupplementItem("Sổ hộ khẩu hoặc xác nhận thông tin cư trú", 2, "certified_copy"),
)


def _office_id(database: Database) -> uuid.UUID:
    with UnitOfWork(database, readonly=True) as uow:
        return find_office(uow).id


def _staff(database: Database, username: str) -> uuid.UUID:
    with UnitOfWork(database, readonly=True) as uow:
        staff_id = uow.session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    assert staff_id is not None
    return staff_id


def _receive(
    database: Database,
    *,
    applicant: ApplicantInput = AN,
    procedure: str = THREE_DAYS,
    now: datetime = MONDAY_10,
) -> str:
    office_id = _office_id(database)
    staff_id = _staff(database, "tiepnhan1")
    request = DossierRequest(procedure, applicant, staff_id=staff_id, counter_number=2)
    with UnitOfWork(database) as uow:
        return create_dossier(uow, office_id=office_id, request=request, now=now).code


def _set_due(database: Database, code: str, due_at: datetime) -> None:
    with UnitOfWork(database) as uow:
        uow.session.execute(update(Dossier).where(Dossier.code == code).values(due_at=due_at))
        uow.commit()


def _snapshot(database: Database, code: str) -> tuple[Any, ...]:
    """Everything an action may write, to show that a refused one wrote nothing."""
    with UnitOfWork(database, readonly=True) as uow:
        dossier = uow.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier is not None
        columns = tuple(
            getattr(dossier, name)
            for name in (
                "state",
                "due_at",
                "deciding_body",
                "returned_at",
                "returned_to",
                "result_timing",
                "result_channel",
            )
        )
        events = uow.session.scalar(select(func.count()).select_from(DossierEvent))
        audits = uow.session.scalar(select(func.count()).select_from(AuditEvent))
    return (columns, events, audits)


# Each action with valid input, at a given moment, by a given officer.
Act = Callable[[Database, str, uuid.UUID, datetime], DossierStatus]

ACTS: dict[DossierAction, Act] = {
    A.START_PROCESSING: lambda db, code, staff, at: start_processing(
        db, code, staff_id=staff, now=at
    ),
    A.REQUEST_SUPPLEMENT: lambda db, code, staff, at: request_supplement(
        db, code, staff_id=staff, items=PAPERS, reason="Thiếu giấy khai sinh bản chính.", now=at
    ),
    A.SUPPLEMENT_RECEIVED: lambda db, code, staff, at: receive_supplement(
        db, code, staff_id=staff, now=at
    ),
    A.REFUSE: lambda db, code, staff, at: refuse(
        db, code, staff_id=staff, reasons="Yêu cầu không thuộc thẩm quyền của xã.", now=at
    ),
    A.EXTEND: lambda db, code, staff, at: extend(
        db,
        code,
        staff_id=staff,
        new_due_at=datetime(2026, 12, 4, 17, 0),
        reason="Cần xác minh thêm tại nơi đăng ký khai sinh.",
        now=at,
    ),
    A.STOP: lambda db, code, staff, at: stop(
        db,
        code,
        staff_id=staff,
        reason="Người yêu cầu rút hồ sơ.",
        legal_basis="Điều 18 Nghị định số 118/2025/NĐ-CP",
        now=at,
    ),
    A.MARK_RESULT_READY: lambda db, code, staff, at: mark_result_ready(
        db, code, staff_id=staff, now=at
    ),
    A.RETURN_RESULT: lambda db, code, staff, at: return_result(
        db, code, staff_id=staff, to="Nguyễn Văn An", channel="desk", at=at
    ),
}

# How to bring a fresh dossier into each state.
PATHS: dict[DossierState, tuple[DossierAction, ...]] = {
    S.RECEIVED: (),
    S.PROCESSING: (A.START_PROCESSING,),
    S.SUPPLEMENT_REQUESTED: (A.REQUEST_SUPPLEMENT,),
    S.RESULT_READY: (A.START_PROCESSING, A.MARK_RESULT_READY),
    S.RETURNED: (A.START_PROCESSING, A.MARK_RESULT_READY, A.RETURN_RESULT),
    S.REFUSED: (A.REFUSE,),
    S.STOPPED: (A.STOP,),
}


def _in_state(database: Database, state: DossierState, staff: uuid.UUID) -> str:
    code = _receive(database)
    at = MONDAY_10
    for action in PATHS[state]:
        at += timedelta(minutes=30)
        ACTS[action](database, code, staff, at)
    return code


# Written out from the one-stop rules, independently of core.lifecycle.TRANSITIONS.
ALLOWED = [
    (S.RECEIVED, A.START_PROCESSING, S.PROCESSING),
    (S.RECEIVED, A.REFUSE, S.REFUSED),
    (S.RECEIVED, A.REQUEST_SUPPLEMENT, S.SUPPLEMENT_REQUESTED),
    (S.PROCESSING, A.REQUEST_SUPPLEMENT, S.SUPPLEMENT_REQUESTED),
    (S.SUPPLEMENT_REQUESTED, A.SUPPLEMENT_RECEIVED, S.PROCESSING),
    (S.RECEIVED, A.EXTEND, S.RECEIVED),
    (S.PROCESSING, A.EXTEND, S.PROCESSING),
    (S.RECEIVED, A.STOP, S.STOPPED),
    (S.PROCESSING, A.STOP, S.STOPPED),
    (S.SUPPLEMENT_REQUESTED, A.STOP, S.STOPPED),
    (S.PROCESSING, A.MARK_RESULT_READY, S.RESULT_READY),
    (S.RESULT_READY, A.RETURN_RESULT, S.RETURNED),
]


@pytest.mark.parametrize(
    ("source", "action", "target"), ALLOWED, ids=[f"{s}-{a}" for s, a, _ in ALLOWED]
)
def test_every_allowed_transition_moves_the_dossier_and_records_it(
    database: Database, source: DossierState, action: DossierAction, target: DossierState
) -> None:
    staff = _staff(database, "tiepnhan2")
    code = _in_state(database, source, staff)
    at = datetime(2026, 11, 25, 9, 15)
    status = ACTS[action](database, code, staff, at)

    assert status.state is target
    assert status.code == code
    last = status.events[-1]
    assert (last.kind, last.from_state, last.to_state) == (action.value, source.value, target.value)
    assert last.at == at
    assert last.actor_name == "Lê Văn Nam"
    # What the status says is what a fresh read finds.
    again = dossier_status(database, code)
    assert again.state is target
    assert [e.kind for e in again.events] == [e.kind for e in status.events]
    with UnitOfWork(database, readonly=True) as uow:
        audit = uow.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.kind == f"dossier.{action.value}")
        ).all()
    assert len(audit) == 1 + PATHS[source].count(action)


ILLEGAL = [
    (S.RECEIVED, A.MARK_RESULT_READY),
    (S.RECEIVED, A.RETURN_RESULT),
    (S.RECEIVED, A.SUPPLEMENT_RECEIVED),
    (S.PROCESSING, A.REFUSE),
    (S.PROCESSING, A.START_PROCESSING),
    (S.SUPPLEMENT_REQUESTED, A.EXTEND),
    (S.SUPPLEMENT_REQUESTED, A.MARK_RESULT_READY),
    (S.RESULT_READY, A.STOP),
    (S.RETURNED, A.EXTEND),
    (S.RETURNED, A.RETURN_RESULT),
    (S.REFUSED, A.START_PROCESSING),
    (S.STOPPED, A.SUPPLEMENT_RECEIVED),
]
STATE_WORDS = {
    S.RECEIVED: "Đã tiếp nhận",
    S.PROCESSING: "Đang giải quyết",
    S.SUPPLEMENT_REQUESTED: "Chờ bổ sung hồ sơ",
    S.RESULT_READY: "Đã có kết quả",
    S.RETURNED: "Đã trả kết quả",
    S.REFUSED: "Từ chối tiếp nhận",
    S.STOPPED: "Dừng giải quyết",
}


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_an_action_the_state_does_not_allow_is_refused_and_writes_nothing(
    database: Database, state: DossierState, action: DossierAction
) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _in_state(database, state, staff)
    before = _snapshot(database, code)
    with pytest.raises(Conflict) as refused:
        ACTS[action](database, code, staff, datetime(2026, 11, 26, 8, 0))
    assert f"“{STATE_WORDS[state]}”" in refused.value.message
    assert refused.value.hint
    assert _snapshot(database, code) == before


def test_a_dossier_from_receipt_to_its_returned_result(database: Database) -> None:
    officer = _staff(database, "tiepnhan1")
    code = _receive(database)
    first = dossier_status(database, code.lower(), now=MONDAY_10)  # any case finds it
    assert first.state is S.RECEIVED
    assert first.state_label == "Đã tiếp nhận"
    assert first.procedure_name == PROCEDURE_NAME
    assert first.applicant_name == "Nguyễn Văn An"
    assert first.applicant_id_number == "066090012345"
    assert first.submission_state == "pending"
    assert first.submission_attempts == 0
    assert first.allowed_actions == (
        A.START_PROCESSING,
        A.REQUEST_SUPPLEMENT,
        A.REFUSE,
        A.EXTEND,
        A.STOP,
    )
    assert not first.late
    assert [(e.kind, e.label, e.actor_name) for e in first.events] == [
        ("received", "Tiếp nhận hồ sơ", "Nguyễn Thị Hoa")
    ]
    due = first.due_at
    assert due.date() == date(2026, 11, 27)  # 3 working days, the holiday on 24/11 skipped

    processing = start_processing(
        database,
        code,
        staff_id=officer,
        note="Chuyển công chức tư pháp",
        now=MONDAY_10.replace(hour=11),
    )
    assert processing.state is S.PROCESSING
    assert processing.events[-1].data == {"deciding_body": "Ủy ban nhân dân xã Hòa Sơn"}
    assert processing.events[-1].note == "Chuyển công chức tư pháp"

    asked = request_supplement(
        database,
        code,
        staff_id=officer,
        items=PAPERS,
        reason="Thiếu giấy khai sinh bản chính.",
        now=datetime(2026, 11, 25, 8, 0),
    )
    assert asked.state is S.SUPPLEMENT_REQUESTED
    assert asked.events[-1].data["items"] == [
        {"name": "Giấy khai sinh của người cần cải chính", "count": 1, "kind": "original"},
        {"name": "Sổ hộ khẩu hoặc xác nhận thông tin cư trú", "count": 2, "kind": "certified_copy"},
    ]
    back = receive_supplement(database, code, staff_id=officer, now=datetime(2026, 11, 25, 14, 0))
    assert back.state is S.PROCESSING

    longer = extend(
        database,
        code,
        staff_id=officer,
        new_due_at=datetime(2026, 12, 2, 17, 0),
        reason="Chờ kết quả xác minh.",
        now=datetime(2026, 11, 26, 9, 0),
    )
    assert longer.state is S.PROCESSING
    assert longer.due_at == datetime(2026, 12, 2, 17, 0)
    assert longer.events[-1].data == {
        "old_due_at": due.isoformat(),
        "new_due_at": "2026-12-02T17:00:00",
        "reason": "Chờ kết quả xác minh.",
    }

    ready = mark_result_ready(database, code, staff_id=officer, now=datetime(2026, 12, 1, 15, 0))
    assert ready.state is S.RESULT_READY
    assert ready.allowed_actions == (A.RETURN_RESULT,)

    returned = return_result(
        database,
        code,
        staff_id=officer,
        to="Nguyễn Thị Lan",
        channel="post",
        at=datetime(2026, 12, 2, 9, 0),
    )
    assert returned.state is S.RETURNED
    assert returned.returned_at == datetime(2026, 12, 2, 9, 0)
    assert returned.returned_to == "Nguyễn Thị Lan"
    assert returned.result_channel == "post"
    assert returned.result_timing is ResultTiming.ON_TIME  # on the extended due date
    assert returned.allowed_actions == ()
    assert not dossier_status(database, code, now=datetime(2027, 1, 1)).late
    assert [e.kind for e in returned.events] == [
        "received",
        "start_processing",
        "request_supplement",
        "supplement_received",
        "extend",
        "mark_result_ready",
        "return_result",
    ]
    assert [e.label for e in returned.events][1:] == [
        "Chuyển giải quyết",
        "Yêu cầu bổ sung hồ sơ",
        "Nhận hồ sơ bổ sung",
        "Gia hạn",
        "Xác nhận đã có kết quả",
        "Trả kết quả",
    ]
    payload = returned.as_json()
    assert payload["state"] == "returned"
    assert payload["result_timing"] == "on_time"
    assert payload["result_timing_label"] == "Đúng hạn"
    assert payload["returned_at"] == "2026-12-02T09:00"
    assert payload["events"][-1]["data"]["channel"] == "post"


def test_a_named_deciding_body_is_kept_on_the_dossier(database: Database) -> None:
    code = _receive(database)
    status = start_processing(
        database, code, staff_id=None, deciding_body="  Công an xã Hòa Sơn ", now=MONDAY_10
    )
    assert status.events[-1].data == {"deciding_body": "Công an xã Hòa Sơn"}
    assert status.events[-1].actor_name is None
    with UnitOfWork(database, readonly=True) as uow:
        body = uow.session.scalar(select(Dossier.deciding_body).where(Dossier.code == code))
    assert body == "Công an xã Hòa Sơn"


@pytest.mark.parametrize(
    ("returned_at", "timing"),
    [
        (datetime(2026, 11, 26, 16, 0), ResultTiming.EARLY),  # the day before the due date
        (datetime(2026, 11, 27, 8, 0), ResultTiming.ON_TIME),  # the due date, before the hour
        (datetime(2026, 11, 27, 17, 30), ResultTiming.ON_TIME),  # the due date, after it
        (datetime(2026, 11, 30, 8, 0), ResultTiming.LATE),  # the next working day
    ],
)
def test_a_return_is_classed_against_the_due_date(
    database: Database, returned_at: datetime, timing: ResultTiming
) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _in_state(database, S.RESULT_READY, staff)
    assert dossier_status(database, code).due_at == datetime(2026, 11, 27, 17, 0)
    status = return_result(
        database, code, staff_id=staff, to="Nguyễn Văn An", channel="desk", at=returned_at
    )
    assert status.result_timing is timing
    assert status.events[-1].data["timing"] == timing.value
    with UnitOfWork(database, readonly=True) as uow:
        stored = uow.session.scalar(select(Dossier.result_timing).where(Dossier.code == code))
    assert stored == timing.value


def test_a_dossier_received_long_ago_and_returned_now_is_late(database: Database) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _receive(database, now=datetime(2026, 10, 5, 9, 0))
    start_processing(database, code, staff_id=staff, now=datetime(2026, 10, 5, 10, 0))
    assert dossier_status(database, code, now=datetime(2026, 10, 6, 9, 0)).late is False
    assert dossier_status(database, code, now=datetime(2026, 11, 2, 9, 0)).late is True
    mark_result_ready(database, code, staff_id=staff, now=datetime(2026, 11, 2, 9, 0))
    status = return_result(database, code, staff_id=staff, to="Nguyễn Văn An", channel="desk")
    assert status.result_timing is ResultTiming.LATE
    assert status.returned_at is not None
    assert status.returned_at > datetime(2026, 11, 2)
    assert status.late is False  # returned: no longer waiting on anyone


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda db, c, s: refuse(db, c, staff_id=s, reasons="   "), "lý do từ chối"),
        (
            lambda db, c, s: request_supplement(db, c, staff_id=s, items=(), reason="Thiếu giấy"),
            "Chưa ghi giấy tờ nào",
        ),
        (
            lambda db, c, s: request_supplement(
                db,
                c,
                staff_id=s,
                items=(SupplementItem("Giấy khai sinh", 0, "original"),),
                reason="Thiếu giấy",
            ),
            "từ 1 trở lên",
        ),
        (
            lambda db, c, s: request_supplement(
                db,
                c,
                staff_id=s,
                items=(SupplementItem("Giấy khai sinh", 1, "scan"),),
                reason="Thiếu giấy",
            ),
            "Hình thức “scan”",
        ),
        (
            lambda db, c, s: request_supplement(
                db, c, staff_id=s, items=(SupplementItem(" ", 1, "original"),), reason="Thiếu"
            ),
            "chưa có tên",
        ),
        (
            lambda db, c, s: request_supplement(db, c, staff_id=s, items=PAPERS, reason=""),
            "lý do yêu cầu bổ sung",
        ),
        (
            lambda db, c, s: extend(
                db, c, staff_id=s, new_due_at=datetime(2026, 11, 26, 17, 0), reason="Xác minh"
            ),
            "phải sau hạn hiện tại",
        ),
        (
            lambda db, c, s: extend(
                db, c, staff_id=s, new_due_at=datetime(2026, 12, 26, 17, 0), reason=""
            ),
            "lý do gia hạn",
        ),
        (
            lambda db, c, s: stop(db, c, staff_id=s, reason="Rút hồ sơ", legal_basis=" "),
            "căn cứ pháp lý",
        ),
        (lambda db, c, s: stop(db, c, staff_id=s, reason="", legal_basis="Điều 18"), "lý do dừng"),
        (
            lambda db, c, s: start_processing(db, c, staff_id=s, deciding_body="X" * 301),
            "dài quá",
        ),
        (
            lambda db, c, s: start_processing(db, c, staff_id=uuid.uuid4()),
            "Cán bộ thực hiện",
        ),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_writes_nothing(
    database: Database, call: Callable[[Database, str, uuid.UUID], Any], fragment: str
) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _receive(database)
    before = _snapshot(database, code)
    with pytest.raises((InputError, NotFound)) as refused:
        call(database, code, staff)
    assert fragment in refused.value.message
    assert _snapshot(database, code) == before


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"to": "Nguyễn Văn An", "channel": "fax"}, "“fax” không hợp lệ"),
        ({"to": "  ", "channel": "desk"}, "tên người nhận kết quả"),
        (
            {"to": "Nguyễn Văn An", "channel": "desk", "at": datetime(2026, 11, 20, 9, 0)},
            "ở trước lúc tiếp nhận",
        ),
    ],
)
def test_a_return_needs_a_receiver_a_known_channel_and_a_sensible_time(
    database: Database, kwargs: dict[str, Any], fragment: str
) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _in_state(database, S.RESULT_READY, staff)
    before = _snapshot(database, code)
    with pytest.raises(InputError, match=fragment):
        return_result(database, code, staff_id=staff, **kwargs)
    assert _snapshot(database, code) == before


def test_an_unknown_code_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound) as missing:
        dossier_status(database, "000.24481.H15-261123-0099")
    assert missing.value.message == "Không có hồ sơ mã '000.24481.H15-261123-0099'."
    with pytest.raises(NotFound):
        start_processing(database, "000.24481.H15-261123-0099", staff_id=None)
    with pytest.raises(InputError, match="Chưa nhập mã hồ sơ"):
        refuse(database, "  ", staff_id=None, reasons="Không rõ")


def test_dossiers_about_to_be_late_are_the_open_ones_due_within_the_window(
    database: Database,
) -> None:
    staff = _staff(database, "tiepnhan1")
    now = datetime(2026, 11, 26, 16, 0)

    def dossier(state: DossierState, due_at: datetime) -> str:
        code = _in_state(database, state, staff)
        _set_due(database, code, due_at)
        return code

    due_soon = dossier(S.RECEIVED, datetime(2026, 11, 27, 10, 0))
    due_today = dossier(S.PROCESSING, datetime(2026, 11, 26, 15, 0))  # passed, still on time
    due_at_edge = dossier(S.PROCESSING, now + timedelta(hours=24))
    dossier(S.PROCESSING, now + timedelta(hours=24, minutes=1))  # outside the window
    dossier(S.PROCESSING, datetime(2026, 11, 25, 17, 0))  # already late
    dossier(S.SUPPLEMENT_REQUESTED, datetime(2026, 11, 27, 9, 0))  # waiting on the citizen
    dossier(S.RESULT_READY, datetime(2026, 11, 27, 9, 0))  # the result is there
    dossier(S.STOPPED, datetime(2026, 11, 27, 9, 0))
    extended = dossier(S.PROCESSING, datetime(2026, 11, 27, 11, 0))
    extend(
        database,
        extended,
        staff_id=staff,
        new_due_at=datetime(2026, 12, 3, 17, 0),
        reason="Chờ xác minh.",
        now=now,
    )

    soon = about_to_be_late(database, _office_id(database), now=now)
    assert [s.code for s in soon] == [due_today, due_soon, due_at_edge]
    assert all(A.EXTEND in s.allowed_actions and not s.late for s in soon)
    narrow = about_to_be_late(database, _office_id(database), now=now, within_hours=1)
    assert [s.code for s in narrow] == [due_today]
    with pytest.raises(InputError):
        about_to_be_late(database, _office_id(database), now=now, within_hours=-1)


def _changed(source: ChangeSource, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not source.poll():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_an_action_tells_the_other_pcs_and_a_refused_one_does_not(database: Database) -> None:
    code = _receive(database)
    source: ChangeSource
    if database.is_postgresql:
        source = PgListener(database.url)
    else:
        source = SqliteChangeProbe(str(database.url.database))
    try:
        assert not _changed(source, 0.2)
        start_processing(database, code, staff_id=None, now=MONDAY_10)
        assert _changed(source, 5)
        with pytest.raises(Conflict):
            refuse(database, code, staff_id=None, reasons="Không thuộc thẩm quyền")
        assert not _changed(source, 0.5)
    finally:
        source.close()


def test_two_counters_acting_at_once_cannot_both_win(database: Database) -> None:
    code = _receive(database)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def act(call: Callable[[], DossierStatus]) -> None:
        start.wait()
        try:
            outcomes.append(call().state.value)
        except Conflict:
            outcomes.append("conflict")

    threads = [
        threading.Thread(
            target=act, args=(lambda: start_processing(database, code, staff_id=None),)
        ),
        threading.Thread(
            target=act, args=(lambda: refuse(database, code, staff_id=None, reasons="Sai"),)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) in (["conflict", "processing"], ["conflict", "refused"])
    assert len(dossier_status(database, code).events) == 2


# --- papers --------------------------------------------------------------------------------------


def _text(path: Path) -> str:
    return document_text(docx.Document(str(path)))


def _table_rows(path: Path, first_title: str) -> list[list[str]]:
    (table,) = [
        t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == first_title
    ]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_mau02_lists_the_missing_papers_and_the_reason(database: Database, tmp_path: Path) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _receive(database)
    request_supplement(
        database,
        code,
        staff_id=staff,
        items=(*PAPERS, SupplementItem("Ảnh chân dung 4x6", 2, "copy")),
        reason="Giấy khai sinh nộp là bản chụp, không đọc được.\nThiếu xác nhận cư trú.",
        now=datetime(2026, 11, 25, 8, 30),
    )
    out = notice_document(database, code.lower(), "02", tmp_path / "mau02.docx")
    text = _text(out)
    for expected in (
        "UBND XÃ HÒA SƠN",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "Số: 0001/2026",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Hòa Sơn, ngày 25 tháng 11 năm 2026",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        f"Mã hồ sơ: {code}",
        "Hồ sơ của: Nguyễn Văn An",
        f"Nội dung yêu cầu giải quyết: {PROCEDURE_NAME}",
        "Địa chỉ: Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
        "Số điện thoại: 0905123456",
        "Giấy khai sinh nộp là bản chụp, không đọc được.",
        "Thiếu xác nhận cư trú.",
        "ông liên hệ với Nguyễn Thị Hoa",
        "NGƯỜI HƯỚNG DẪN",
    ):
        assert expected in text, expected
    assert _table_rows(out, "TT")[1:] == [
        ["1", "Giấy khai sinh của người cần cải chính", "01", "Bản chính"],
        ["2", "Sổ hộ khẩu hoặc xác nhận thông tin cư trú", "02", "Bản sao chứng thực"],
        ["3", "Ảnh chân dung 4x6", "02", "Bản chụp"],
    ]


def test_mau03_gives_the_reasons_for_refusing(database: Database, tmp_path: Path) -> None:
    staff = _staff(database, "tiepnhan2")
    code = _receive(database, applicant=LAN)
    refuse(
        database,
        code,
        staff_id=staff,
        reasons="Việc cải chính thuộc thẩm quyền của cơ quan đăng ký khai sinh ban đầu.",
        now=MONDAY_10 + timedelta(minutes=20),
    )
    text = _text(notice_document(database, code, "03", tmp_path / "mau03.docx"))
    for expected in (
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {code}",
        "Trung tâm Phục vụ hành chính công xã Hòa Sơn tiếp nhận hồ sơ của: Nguyễn Thị Lan",
        "thông báo không tiếp nhận, giải quyết hồ sơ này",
        "- Việc cải chính thuộc thẩm quyền của cơ quan đăng ký khai sinh ban đầu.",
        "bà được biết",
        "Hòa Sơn, ngày 23 tháng 11 năm 2026",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Lê Văn Nam",
    ):
        assert expected in text, expected


def test_mau04_apologises_with_the_old_and_new_due_dates(
    database: Database, tmp_path: Path
) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _receive(database)
    start_processing(database, code, staff_id=staff, now=MONDAY_10)
    extend(
        database,
        code,
        staff_id=staff,
        new_due_at=datetime(2026, 12, 4, 16, 30),
        reason="Cần xác minh tại nơi đăng ký khai sinh ở tỉnh khác.",
        now=datetime(2026, 11, 26, 9, 0),
    )
    text = _text(notice_document(database, code, "04", tmp_path / "mau04.docx"))
    for expected in (
        "V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN",
        "Kính gửi: Ông Nguyễn Văn An",
        "Ngày 23 tháng 11 năm 2026, Trung tâm Phục vụ hành chính công xã Hòa Sơn tiếp nhận",
        f"mã hồ sơ {code}",
        PROCEDURE_NAME,
        "17 giờ 00 phút, ngày 27 tháng 11 năm 2026",
        "- Cần xác minh tại nơi đăng ký khai sinh ở tỉnh khác.",
        "trân trọng xin lỗi ông",
        "16 giờ 30 phút, ngày 04 tháng 12 năm 2026",
        "Hòa Sơn, ngày 26 tháng 11 năm 2026",
        "GIÁM ĐỐC",
        "Trần Văn Bình",  # the demo office's head signs letters
    ):
        assert expected in text, expected


def test_mau05_gives_the_reason_and_legal_basis(database: Database, tmp_path: Path) -> None:
    staff = _staff(database, "tiepnhan1")
    code = _receive(database, applicant=LAN)
    start_processing(database, code, staff_id=staff, now=MONDAY_10)
    stop(
        database,
        code,
        staff_id=staff,
        reason="Người yêu cầu có đơn xin rút hồ sơ.",
        legal_basis="Nghị định số 118/2025/NĐ-CP",
        now=datetime(2026, 11, 25, 10, 0),
    )
    text = _text(notice_document(database, code, "05", tmp_path / "mau05.docx"))
    for expected in (
        "THÔNG BÁO",
        "Về việc dừng giải quyết hồ sơ thủ tục hành chính",
        "Kính gửi: Bà Nguyễn Thị Lan",
        f"mã hồ sơ {code}",
        "- Nghị định số 118/2025/NĐ-CP;",
        "thông báo dừng giải quyết hồ sơ nêu trên",
        "- Người yêu cầu có đơn xin rút hồ sơ.",
        "Hòa Sơn, ngày 25 tháng 11 năm 2026",
    ):
        assert expected in text, expected


def test_mau06_tracks_every_hand_over_with_its_timing(database: Database, tmp_path: Path) -> None:
    staff = _staff(database, "tiepnhan2")
    code = _receive(database)
    start_processing(database, code, staff_id=staff, now=datetime(2026, 11, 23, 14, 5))
    mark_result_ready(database, code, staff_id=staff, now=datetime(2026, 11, 26, 10, 40))
    return_result(
        database,
        code,
        staff_id=staff,
        to="Nguyễn Văn An",
        channel="desk",
        at=datetime(2026, 11, 28, 8, 15),  # a Saturday, after the due Friday
    )
    out = notice_document(database, code, "06", tmp_path / "mau06.docx")
    text = _text(out)
    for expected in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {code}",
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 0001/2026",
        "Cơ quan giải quyết hồ sơ: Ủy ban nhân dân xã Hòa Sơn",
        "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026",
    ):
        assert expected in text, expected
    rows = _table_rows(out, "TÊN CƠ QUAN, BỘ PHẬN GIAO, NHẬN")
    body = [[cell.replace("\n", " | ") for cell in row] for row in rows[1:]]
    assert [row[0] for row in body] == [
        "1. Giao: Nguyễn Văn An (người nộp hồ sơ) | Nhận: Bộ phận Một cửa",
        "2. Giao: Bộ phận Một cửa | Nhận: Ủy ban nhân dân xã Hòa Sơn",
        "3. Giao: Ủy ban nhân dân xã Hòa Sơn | Nhận: Bộ phận Một cửa",
        "4. Giao: Bộ phận Một cửa | Nhận: Nguyễn Văn An",
    ]
    assert [row[1] for row in body] == [
        "10 giờ 00 phút, ngày 23/11/2026",
        "14 giờ 05 phút, ngày 23/11/2026",
        "10 giờ 40 phút, ngày 26/11/2026",
        "08 giờ 15 phút, ngày 28/11/2026",
    ]
    assert "Người nhận: Nguyễn Thị Hoa" in body[0][2]  # who received it at the desk
    assert "Người giao: Lê Văn Nam" in body[1][2]
    assert [row[3] for row in body] == ["", "", "Trước hạn", "Quá hạn"]
    assert body[3][4] == "Tại Bộ phận Một cửa"


def test_a_notice_needs_its_event_and_a_known_form(database: Database, tmp_path: Path) -> None:
    code = _receive(database)
    for form, words in (
        ("02", "chưa có yêu cầu bổ sung"),
        ("03", "không bị từ chối"),
        ("04", "chưa được gia hạn"),
        ("05", "không bị dừng"),
    ):
        with pytest.raises(Conflict, match=words):
            notice_document(database, code, form, tmp_path / f"{form}.docx")
        assert not (tmp_path / f"{form}.docx").exists()
    with pytest.raises(InputError, match="Không có mẫu '07'"):
        notice_document(database, code, "07", tmp_path / "07.docx")
    # Mẫu 06 exists from the receipt on.
    assert notice_document(database, code, "6", tmp_path / "06.docx").exists()


def test_the_log_book_lists_the_range_in_book_order(database: Database, tmp_path: Path) -> None:
    staff = _staff(database, "tiepnhan1")
    before = _receive(database, now=datetime(2026, 11, 20, 9, 0))
    first = _receive(database, now=datetime(2026, 11, 23, 8, 0))
    second = _receive(database, applicant=LAN, now=datetime(2026, 11, 23, 16, 45))
    third = _receive(database, procedure="2.000884", now=datetime(2026, 11, 25, 9, 0))
    after = _receive(database, now=datetime(2026, 11, 26, 0, 0))
    start_processing(database, first, staff_id=staff, now=datetime(2026, 11, 23, 9, 0))
    mark_result_ready(database, first, staff_id=staff, now=datetime(2026, 11, 24, 9, 0))
    return_result(
        database,
        first,
        staff_id=staff,
        to="Nguyễn Văn An",
        channel="desk",
        at=datetime(2026, 11, 25, 10, 30),
    )
    refuse(database, second, staff_id=staff, reasons="Không thuộc thẩm quyền")

    out = logbook_document(
        database, _office_id(database), date(2026, 11, 21), date(2026, 11, 25), tmp_path / "so.docx"
    )
    text = _text(out)
    for expected in (
        "SỔ THEO DÕI HỒ SƠ",
        "Quyển số: 01/2026",
        "từ ngày 21/11/2026 đến ngày 25/11/2026 – tổng số: 3 hồ sơ",
        "UBND XÃ HÒA SƠN",
    ):
        assert expected in text, expected
    assert before not in text
    assert after not in text
    rows = _table_rows(out, "TT")
    assert rows[0][:3] == ["TT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    body = rows[1:]
    assert [row[1] for row in body] == [first, second, third]
    assert [row[0] for row in body] == ["2", "3", "4"]  # their numbers in the year's book
    returned = body[0]
    assert returned[3] == "Nguyễn Văn An"
    assert "Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk" in returned[4]
    assert "ĐT: 0905123456" in returned[4]
    assert returned[5] == "Ủy ban nhân dân xã Hòa Sơn"
    assert returned[6] == "23/11/2026\n08 giờ 00"
    assert returned[7] == "27/11/2026\n17 giờ 00"
    assert returned[8] == "25/11/2026\n10 giờ 30"
    assert returned[9] == "Tại Bộ phận Một cửa"
    assert returned[10] == "Nguyễn Văn An"
    assert returned[11] == "Trước hạn"
    assert body[1][11] == "Từ chối tiếp nhận"
    assert body[1][8] == "\n"  # not returned: the cell stays empty
    assert body[2][2] == "Chứng thực chữ ký"
    section = docx.Document(str(out)).sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert section.page_width > section.page_height  # landscape


def test_the_log_book_refuses_a_backwards_range(database: Database, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ở trước ngày bắt đầu"):
        logbook_document(
            database,
            _office_id(database),
            date(2026, 11, 25),
            date(2026, 11, 1),
            tmp_path / "so.docx",
        )


def test_each_command_runs_its_action_and_a_return_goes_the_way_chosen_at_reception(
    database: Database,
) -> None:
    """The commands the counter's dialogs and the CLI build, run through the one dispatcher."""
    staff = _staff(database, "tiepnhan1")
    request = DossierRequest(
        THREE_DAYS,
        AN,
        staff_id=staff,
        counter_number=2,
        result_channel="post",
        result_address="Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
    )
    office_id = _office_id(database)
    with UnitOfWork(database) as uow:
        code = create_dossier(uow, office_id=office_id, request=request, now=MONDAY_10).code
    refused, stopped = _receive(database), _receive(database)
    runs: list[tuple[str, DossierCommand]] = [
        (code, StartProcessing(deciding_body="Công an xã Hòa Sơn")),
        (code, RequestSupplement(items=PAPERS, reason="Thiếu giấy tờ")),
        (code, ReceiveSupplement(note="Đã nhận đủ")),
        (code, Extend(new_due_at=datetime(2026, 12, 30, 17, 0), reason="Cần xác minh")),
        (code, MarkResultReady()),
        (code, ReturnResult(to="Nguyễn Văn An")),
        (refused, Refuse(reasons="Không thuộc thẩm quyền của xã")),
        (stopped, Stop(reason="Người yêu cầu rút hồ sơ", legal_basis="Điều 18")),
    ]
    at = MONDAY_10
    for which, command in runs:
        at += timedelta(minutes=30)
        with UnitOfWork(database) as uow:
            done = actions.perform(uow, which, command, staff_id=staff, now=at)
        assert done.events[-1].kind == command.action.value
    returned = dossier_status(database, code)
    assert returned.state is S.RETURNED
    assert returned.result_channel == "post"
    assert returned.events[-1].data["channel"] == "post"
    assert returned.due_at == datetime(2026, 12, 30, 17, 0)
    assert dossier_status(database, refused).state is S.REFUSED
    assert dossier_status(database, stopped).state is S.STOPPED
