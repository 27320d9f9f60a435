"""The outbox and the status sync on real databases: sent once, retried with care, synced back."""

from __future__ import annotations

import random
import statistics
import threading
import time
import uuid
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, DossierEvent, Submission, SyncCursor
from onestop_desk.errors import Conflict
from onestop_desk.portal.client import (
    DossierPayload,
    PortalDossier,
    PortalUnavailable,
)
from onestop_desk.portal.http import VIETNAM
from onestop_desk.portal.outbox import Outbox, OutboxReport
from onestop_desk.portal.payloads import WHOLE_DOSSIER_DOCUMENT, build_payload
from onestop_desk.portal.sync import CURSOR, sync_statuses
from onestop_desk.services.dossier import (
    ApplicantInput,
    AttachmentFile,
    ChecklistEntry,
    DossierRequest,
    create_dossier,
)
from onestop_desk.services.office import find_office
from onestop_desk.services.submissions import OutboxSummary, SubmissionInfo
from onestop_desk.services.submissions import outbox_summary as read_outbox
from onestop_desk.services.submissions import retry_submission as retry
from onestop_desk.services.uow import UnitOfWork
from tests.support.portal_sim import (
    PortalSim,
    http_factory,
    receive_dossiers,
    submissions,
    write_scans,
)


def retry_submission(database: Database, code: str, staff_id: uuid.UUID | None) -> SubmissionInfo:
    """Staff's retry, in its own unit of work as the counter and the CLI run it."""
    with UnitOfWork(database, source="outbox") as uow:
        return retry(uow, code, staff_id)


def outbox_summary(database: Database) -> OutboxSummary:
    with UnitOfWork(database, readonly=True) as uow:
        return read_outbox(uow)


def dossier(database: Database, code: str) -> Dossier:
    with UnitOfWork(database, readonly=True) as uow:
        found = uow.session.scalar(select(Dossier).where(Dossier.code == code))
    assert found is not None
    return found


def events(database: Database, code: str, kind: str | None = None) -> list[DossierEvent]:
    with UnitOfWork(database, readonly=True) as uow:
        query = (
            select(DossierEvent)
            .join(Dossier, Dossier.id == DossierEvent.dossier_id)
            .where(Dossier.code == code)
            .order_by(DossierEvent.at, DossierEvent.kind)
        )
        if kind is not None:
            query = query.where(DossierEvent.kind == kind)
        return list(uow.session.scalars(query))


def test_received_dossiers_reach_the_portal_once_with_their_scans(
    database: Database, sim: PortalSim, tmp_path: Path
) -> None:
    scans = write_scans(tmp_path / "scans", 2)
    codes = receive_dossiers(database, 2, scans=scans) + receive_dossiers(database, 1)

    with closing(Outbox(database, http_factory(sim))) as outbox:
        report = outbox.run_once(limit=10)
        again = outbox.run_once(limit=10)

    assert (report.claimed, report.sent, report.retried, report.failed) == (3, 3, 0, 0)
    assert again.claimed == 0  # nothing is sent twice
    stats = sim.stats()
    assert stats["dossiers_created"] == 3
    assert stats["duplicate_keys"] == 0
    assert stats["attachments"] == 4  # two scans on each of the first two dossiers
    rows = submissions(database)
    references = set()
    for code in codes:
        row, local = rows[code], dossier(database, code)
        assert row.state == "sent"
        assert row.attempts == 1
        assert row.sent_at is not None
        assert row.last_error is None
        assert local.portal_reference is not None
        assert local.portal_reference.startswith("G22.99-")
        assert row.portal_reply is not None
        assert row.portal_reply["portal_code"] == local.portal_reference
        assert local.portal_status == "received"
        references.add(local.portal_reference)
        (submitted,) = events(database, code, "submitted")
        assert local.portal_reference in (submitted.note or "")
        on_portal = sim.dossier(local.portal_reference)
        assert on_portal["local_code"] == code
        assert on_portal["missing_attachments"] == []  # every announced scan arrived
    assert len(references) == 3


def test_the_payload_is_the_dossier_as_received(
    database: Database, sim: PortalSim, tmp_path: Path
) -> None:
    birth, copy, loose = write_scans(tmp_path / "scans", 3)
    lan = ApplicantInput(
        id_number="066190012345",
        full_name="Nguyễn Thị Lan",
        date_of_birth=date(1990, 3, 2),
        sex="Nữ",
        address="Thôn Đông, xã Hòa Sơn, tỉnh Đắk Lắk",
        phone="0905 123 456",
    )
    checklist = [
        ChecklistEntry("Tờ khai đăng ký khai sinh theo mẫu", "original"),
        ChecklistEntry("Giấy chứng sinh", "original", 1, True, (AttachmentFile(birth),)),
        ChecklistEntry("Bản sao giấy tờ tùy thân", "copy", 2, True, (AttachmentFile(copy),)),
        ChecklistEntry(ID_PAPER, "present"),
        ChecklistEntry("Biên bản xác nhận việc trẻ bị bỏ rơi", "original", received=False),
    ]
    values = {
        "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "requester.relationship": "Mẹ",
        "child.full_name": "Trần Ngọc Bảo Anh",
        "child.date_of_birth": "10/11/2026",
        "child.sex": "Nữ",
        "child.place_of_birth": "Trạm Y tế xã Hòa Sơn, tỉnh Đắk Lắk",
        "child.home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
        "mother.full_name": "Nguyễn Thị Lan",
        "mother.year_of_birth": "1990",
        "mother.residence": "Thôn Đông, xã Hòa Sơn, tỉnh Đắk Lắk",
    }
    with UnitOfWork(database) as uow:
        office_id = find_office(uow).id
    with UnitOfWork(database) as uow:
        view = create_dossier(
            uow,
            office_id=office_id,
            request=DossierRequest(
                "1.001193",
                lan,
                values,
                checklist=checklist,
                attachments=(AttachmentFile(loose, "ảnh hồ sơ.jpg"),),
                result_channel="post",
                result_address="Thôn Đông, xã Hòa Sơn",
            ),
            now=datetime(2026, 11, 23, 9, 15),
        )
    with UnitOfWork(database, readonly=True) as uow:
        row = uow.session.get(Dossier, view.id)
        assert row is not None
        payload: DossierPayload = build_payload(uow.session, row)

    assert payload.local_code == view.code
    assert payload.agency_code == "000.24481.H15"
    assert payload.procedure_code == "1.001193"
    assert payload.received_at == datetime(2026, 11, 23, 9, 15)
    assert (payload.result_channel, payload.result_address) == ("post", "Thôn Đông, xã Hòa Sơn")
    assert payload.applicant.full_name == "Nguyễn Thị Lan"
    assert payload.applicant.birth_date == "1990-03-02"
    assert payload.form["child.full_name"] == "Trần Ngọc Bảo Anh"
    kinds = {d.name: (d.kind, d.count, len(d.attachments)) for d in payload.documents}
    assert kinds == {
        "Tờ khai đăng ký khai sinh theo mẫu": ("original", 1, 0),
        "Giấy chứng sinh": ("original", 1, 1),
        "Bản sao giấy tờ tùy thân": ("photocopy", 2, 1),  # our "copy" is the portal's photocopy
        ID_PAPER: ("original", 1, 0),  # shown in original at the desk
        WHOLE_DOSSIER_DOCUMENT: ("photocopy", 1, 1),
    }  # the paper that did not come is not announced
    assert payload.documents[-1].attachments[0].file_name == "ảnh hồ sơ.jpg"

    # And the simulator, which checks the contract field by field, takes it as it is.
    later = datetime(2026, 11, 23, 9, 16)
    with closing(Outbox(database, http_factory(sim), clock=lambda: later)) as outbox:
        assert outbox.run_once().sent == 1
    reference = dossier(database, view.code).portal_reference
    assert reference is not None
    assert sim.dossier(reference)["missing_attachments"] == []
    assert sim.stats()["attachments"] == 3


ID_PAPER = "Giấy tờ tùy thân của người đi đăng ký (căn cước, căn cước công dân hoặc hộ chiếu)"


# --- retries and giving up, with a scripted portal and a clock we move by hand ----------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now().replace(microsecond=0) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


class ScriptedPortal:
    """A PortalClient whose create answers come from a script (an exception, or success)."""

    def __init__(self, *script: Exception | None) -> None:
        self.script = list(script)
        self.keys: list[str] = []
        self.gate: threading.Event | None = None  # when set up, create waits for it
        self.entered = threading.Event()
        self.closed = False

    def create_dossier(self, payload: DossierPayload, *, idempotency_key: str) -> PortalDossier:
        self.keys.append(idempotency_key)
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        problem = self.script.pop(0) if self.script else None
        if problem is not None:
            raise problem
        return PortalDossier(
            portal_code=f"G22.99-261123-{len(self.keys):06d}",
            local_code=payload.local_code,
            status="received",
            status_at=datetime.now(VIETNAM),
        )

    def upload_attachment(self, portal_code: str, sha256: str, file_name: str, data: bytes) -> None:
        pass

    def get_dossier(self, portal_code: str) -> PortalDossier:
        raise NotImplementedError

    def changes_since(self, since: datetime | None, *, limit: int = 200) -> object:
        raise NotImplementedError

    def close(self) -> None:
        self.closed = True


def _due(database: Database, code: str) -> Submission:
    return submissions(database)[code]


def test_outages_back_off_exponentially_then_the_dossier_is_marked_failed(
    database: Database,
) -> None:
    (code,) = receive_dossiers(database, 1)
    down = PortalUnavailable("Không kết nối được hệ thống dịch vụ công trực tuyến (dvc).")
    portal, clock = ScriptedPortal(*[down] * 4), Clock()
    outbox = Outbox(database, lambda: portal, clock=clock, max_attempts=4, rng=random.Random(7))  # type: ignore[arg-type,return-value]

    for attempt in (1, 2, 3):
        report = outbox.run_once()
        assert (report.claimed, report.retried, report.failed) == (1, 1, 0)
        row = _due(database, code)
        assert (row.state, row.attempts) == ("pending", attempt)
        assert "Không kết nối được" in (row.last_error or "")
        wait = (row.next_attempt_at - clock.now).total_seconds()
        assert 0 <= wait <= 5 * 2 ** (attempt - 1)  # full jitter under a doubling ceiling
        if wait > 0:
            assert outbox.run_once().claimed == 0  # not due yet: nobody hammers the portal
        clock.now = row.next_attempt_at

    report = outbox.run_once()
    assert (report.failed, report.retried) == (1, 0)
    (failure,) = report.failures
    assert failure.dossier_code == code
    assert "Đã thử gửi 4 lần" in failure.reason
    row = _due(database, code)
    assert (row.state, row.attempts) == ("failed", 4)
    (event,) = events(database, code, "submission_failed")
    assert "Không kết nối được" in (event.note or "")
    assert portal.keys == [portal.keys[0]] * 4  # every attempt under the same key
    clock.now += timedelta(days=1)
    assert outbox.run_once().claimed == 0  # a failed one waits for staff


def test_full_jitter_spreads_retries_and_retry_after_is_a_floor(database: Database) -> None:
    outbox = Outbox(database, ScriptedPortal, rng=random.Random(3))  # type: ignore[arg-type]
    waits = [outbox.backoff(4) for _ in range(2000)]
    assert max(waits) <= 40
    assert min(waits) < 2  # some retry almost at once...
    assert 17 < statistics.mean(waits) < 23  # ...and on average half the ceiling
    assert outbox.backoff(30) <= 900  # capped at 15 minutes
    assert all(outbox.backoff(1, retry_after=120) >= 120 for _ in range(50))

    (code,) = receive_dossiers(database, 1)
    clock = Clock()
    busy = PortalUnavailable("Hệ thống đang quá tải.", retry_after=300)
    with closing(
        Outbox(database, lambda: ScriptedPortal(busy), clock=clock)  # type: ignore[arg-type,return-value]
    ) as outbox:
        outbox.run_once()
    assert _due(database, code).next_attempt_at >= clock.now + timedelta(seconds=300)


def test_a_worker_whose_lease_was_taken_over_cannot_overwrite_the_result(
    database: Database,
) -> None:
    (code,) = receive_dossiers(database, 1)
    clock = Clock()
    slow, quick = ScriptedPortal(), ScriptedPortal()
    slow.gate = threading.Event()
    first = Outbox(database, lambda: slow, clock=clock, lease=timedelta(seconds=60))  # type: ignore[arg-type,return-value]
    second = Outbox(database, lambda: quick, clock=clock, lease=timedelta(seconds=60))  # type: ignore[arg-type,return-value]
    outcome: list[object] = []
    stuck = threading.Thread(target=lambda: outcome.append(first.run_once()))
    stuck.start()
    try:
        assert slow.entered.wait(10)  # the first worker hangs in the middle of its request
        assert second.run_once().claimed == 0  # its lease holds...
        clock.now += timedelta(seconds=61)
        report = second.run_once()  # ...until it runs out: the second worker takes over
        assert report.sent == 1
    finally:
        slow.gate.set()
        stuck.join(10)
    (late,) = outcome
    assert late.sent == 0  # type: ignore[attr-defined]
    assert late.released == 1  # type: ignore[attr-defined]
    assert quick.keys == slow.keys  # the same idempotency key: the portal gives one dossier
    assert len(events(database, code, "submitted")) == 1
    assert dossier(database, code).portal_reference == "G22.99-261123-000001"


def test_a_slow_batch_keeps_its_lease_and_shows_each_dossier_sent_early(
    database: Database,
) -> None:
    codes = receive_dossiers(database, 3)
    clock = Clock()
    claimed_at = clock.now
    seen: list[dict[str, tuple[str, datetime]]] = []

    class SlowPortal(ScriptedPortal):
        def create_dossier(self, payload: DossierPayload, *, idempotency_key: str) -> PortalDossier:
            seen.append({c: (r.state, r.next_attempt_at) for c, r in submissions(database).items()})
            clock.now += timedelta(seconds=25)  # a portal at the edge of its timeout
            return super().create_dossier(payload, idempotency_key=idempotency_key)

    portal = SlowPortal()
    with closing(
        Outbox(database, lambda: portal, clock=clock, lease=timedelta(seconds=60))  # type: ignore[arg-type,return-value]
    ) as outbox:
        assert outbox.run_once().sent == 3
    first, second, third = seen
    assert [first[c][0] for c in codes] == ["sending"] * 3
    # Each outcome is written before the next request, not at the end of the whole batch...
    assert [second[c][0] for c in codes] == ["sent", "sending", "sending"]
    assert [third[c][0] for c in codes] == ["sent", "sent", "sending"]
    # ...and the lease of the rows still to go is pushed on: 50 s in, the first lease (60 s)
    # would run out during the third request and hand the row to another worker.
    assert third[codes[2]][1] > claimed_at + timedelta(seconds=60)
    assert len(set(portal.keys)) == 3


def test_run_forever_sends_what_arrives_and_stops_when_told(database: Database) -> None:
    portal = ScriptedPortal()
    outbox = Outbox(database, lambda: portal)  # type: ignore[arg-type,return-value]
    stop = threading.Event()
    reports: list[OutboxReport] = []
    worker = threading.Thread(
        target=outbox.run_forever,
        args=(stop,),
        kwargs={"interval": 0.05, "on_report": reports.append},
    )
    worker.start()
    try:
        (code,) = receive_dossiers(database, 1)  # received while the worker waits
        deadline = time.monotonic() + 10
        while not reports and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        worker.join(5)
    assert not worker.is_alive()
    assert [r.sent for r in reports] == [1]  # idle passes are not reported
    assert _due(database, code).state == "sent"
    outbox.close()
    assert portal.closed


def test_several_workers_share_the_queue_and_send_each_dossier_once(
    database: Database, sim: PortalSim
) -> None:
    codes = receive_dossiers(database, 24)
    outboxes = [Outbox(database, http_factory(sim)) for _ in range(4)]
    reports = []

    def work(outbox: Outbox) -> None:
        reports.append(outbox.drain(limit=3))

    threads = [threading.Thread(target=work, args=(o,)) for o in outboxes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for outbox in outboxes:
        outbox.close()

    assert sum(r.sent for r in reports) == 24
    assert sum(r.claimed for r in reports) == 24  # no row was claimed by two workers
    assert all(row.state == "sent" for row in submissions(database).values())
    stats = sim.stats()
    assert stats["dossiers_created"] == 24
    assert stats["duplicate_keys"] == 0
    assert len({dossier(database, c).portal_reference for c in codes}) == 24


def test_a_failed_submission_goes_back_to_the_queue_only_by_staff(database: Database) -> None:
    codes = receive_dossiers(database, 2)
    with pytest.raises(Conflict, match="không ở trạng thái gửi lỗi"):
        retry_submission(database, codes[0], None)
    with UnitOfWork(database) as uow:
        uow.session.execute(
            update(Submission).values(state="failed", attempts=8, last_error="Lỗi cũ")
        )
        uow.commit()
    summary = outbox_summary(database)
    assert summary.counts == {"pending": 0, "sending": 0, "sent": 0, "failed": 2}
    assert {f.dossier_code for f in summary.failed} == set(codes)

    info = retry_submission(database, codes[0].lower(), None)
    assert (info.state, info.attempts) == ("pending", 0)
    row = _due(database, codes[0])
    assert (row.state, row.attempts) == ("pending", 0)
    (event,) = events(database, codes[0], "submission_retried")
    assert event.data["previous_error"] == "Lỗi cũ"
    assert outbox_summary(database).counts["failed"] == 1


def test_refused_credentials_fail_one_dossier_and_hold_the_others(
    database: Database, sim: PortalSim
) -> None:
    codes = receive_dossiers(database, 3)
    with closing(Outbox(database, http_factory(sim, secret="sai"))) as outbox:
        report = outbox.run_once()
        assert report.auth_error is not None
        assert "từ chối thông tin đăng nhập" in report.auth_error
        assert (report.failed, report.released) == (1, 2)
        assert outbox.run_once().claimed == 0  # paused: staff must fix the login first
    rows = submissions(database)
    assert rows[codes[0]].state == "failed"
    assert "portal login" in (rows[codes[0]].last_error or "")
    for code in codes[1:]:
        assert (rows[code].state, rows[code].attempts) == ("pending", 0)
    assert sim.stats()["dossiers_created"] == 0


# --- status sync ---------------------------------------------------------------------------


def _cursor(database: Database) -> str | None:
    with UnitOfWork(database, readonly=True) as uow:
        return uow.session.scalar(select(SyncCursor.value).where(SyncCursor.name == CURSOR))


def test_portal_statuses_move_the_dossier_and_a_replay_changes_nothing(
    database: Database, sim: PortalSim
) -> None:
    codes = receive_dossiers(database, 3)
    with closing(Outbox(database, http_factory(sim))) as outbox:
        assert outbox.run_once().sent == 3
    first, second, third = (dossier(database, c).portal_reference or "" for c in codes)

    with closing(http_factory(sim)()) as client:
        quiet = sync_statuses(database, client)
        assert (quiet.applied, quiet.recorded) == (0, 0)  # "received" is what we know already
        before = _cursor(database)
        sim.set_status(first, "processing", "Chuyển phòng Tư pháp")
        sim.set_status(first, "result_ready")
        sim.set_status(second, "supplement_requested", "Thiếu giấy chứng sinh")
        sim.set_status(third, "returned")  # not possible from "received" here

        report = sync_statuses(database, client, page_size=2)
        assert report.pages >= 2  # the feed came in pages and was followed to the end
        assert (report.applied, report.recorded) == (3, 1)

        one, two, three = (dossier(database, c) for c in codes)
        assert (one.state, one.portal_status) == ("result_ready", "result_ready")
        assert (two.state, two.portal_status) == ("supplement_requested", "supplement_requested")
        assert (three.state, three.portal_status) == ("received", "returned")
        assert three.returned_at is None
        moves = [(e.from_state, e.to_state) for e in events(database, codes[0], "portal_status")]
        assert moves == [("received", "processing"), ("processing", "result_ready")]
        # A supplement request is written as the action itself, so Mẫu 02 can be printed.
        (note,) = [e.note for e in events(database, codes[1], "request_supplement")]
        assert note == "Hệ thống dịch vụ công: Yêu cầu bổ sung hồ sơ — Thiếu giấy chứng sinh"
        (only,) = events(database, codes[2], "portal_status")
        assert only.to_state is None
        assert "không thay đổi" in (only.note or "")
        assert only.data["status"] == "returned"
        assert only.data["portal_code"] == third

        # A crash after the events but before the cursor is impossible (one transaction);
        # a replayed page (cursor set back by hand) is recognised change by change.
        history = {c: len(events(database, c)) for c in codes}
        with UnitOfWork(database) as uow:
            uow.session.execute(
                update(SyncCursor).where(SyncCursor.name == CURSOR).values(value=before)
            )
            uow.commit()
        replay = sync_statuses(database, client)
        assert replay.replayed == 4
        assert (replay.applied, replay.recorded) == (0, 0)
        assert {c: len(events(database, c)) for c in codes} == history

        # The result handed over (online channel): the dossier is returned, timing recorded.
        sim.set_status(first, "returned")
        assert sync_statuses(database, client).applied == 1
    returned = dossier(database, codes[0])
    assert returned.state == "returned"
    assert returned.returned_at is not None
    assert returned.result_timing in {"early", "on_time", "late"}
