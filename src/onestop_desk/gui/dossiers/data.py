"""What the dossier tab reads and does: plain functions that run in background operations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from onestop_desk.context import AppContext
from onestop_desk.core.calendar import WorkCalendar
from onestop_desk.core.lifecycle import DossierAction
from onestop_desk.gui.widgets import papers
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.calendar import office_calendar
from onestop_desk.services.dossier import DossierView, get_dossier
from onestop_desk.services.dossier_list import (
    DossierFilter,
    DossierRow,
    FilterCounts,
    dossier_counts,
    list_dossiers,
)
from onestop_desk.services.lifecycle.actions import perform
from onestop_desk.services.lifecycle.commands import DossierCommand
from onestop_desk.services.lifecycle.status import DossierStatus, about_to_be_late, dossier_status
from onestop_desk.services.office import OfficeInfo, find_office, office_info
from onestop_desk.services.submissions import retry_submission
from onestop_desk.services.uow import UnitOfWork

#: The list never holds more rows than this; the search narrows it down.
LIST_LIMIT = 500

#: Paper keys: the notices by form number, and the reception's own papers.
RECEIPT, DECLARATION, SLIP = "01", "declaration", "slip"
NOTICE_NAMES: Mapping[str, str] = {
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}
#: The paper an action's dialog promises, offered once the action is done.
PAPER_OF_ACTION: Mapping[DossierAction, str] = {
    DossierAction.REQUEST_SUPPLEMENT: "02",
    DossierAction.REFUSE: "03",
    DossierAction.EXTEND: "04",
    DossierAction.STOP: "05",
    DossierAction.RETURN_RESULT: "06",
}


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: a filter, the search typed, the order, perhaps a set of codes."""

    filter: DossierFilter = DossierFilter.OPEN
    search: str = ""
    sort: str = "due_at"
    descending: bool = False
    codes: tuple[str, ...] | None = None  # the dossiers about to be late, from the banner


@dataclass(frozen=True)
class ListSnapshot:
    """One read of the list, its counts and the dossiers about to be late."""

    query: ListQuery
    office: OfficeInfo
    rows: list[DossierRow]
    counts: FilterCounts
    soon_late: tuple[str, ...]
    limit: int


@dataclass(frozen=True)
class DossierDetail:
    """Everything the detail panel and the action dialogs need about one dossier."""

    status: DossierStatus
    view: DossierView  # for the reprints: Mẫu 01, declaration, slip
    office: OfficeInfo
    calendar: WorkCalendar  # the dialog proposing a new due date counts working days


def _office(ctx: AppContext, uow: UnitOfWork) -> OfficeInfo:
    return office_info(find_office(uow, ctx.settings.office.ward_code))


def read_list(
    ctx: AppContext, office: OfficeInfo | None, query: ListQuery, now: datetime
) -> ListSnapshot:
    """The list, the counts per filter and the dossiers about to be late, read together."""
    with UnitOfWork(ctx.database, readonly=True) as uow:
        office = office or _office(ctx, uow)
        rows = list_dossiers(
            uow,
            office.id,
            filter=query.filter,
            search=query.search,
            sort=query.sort,
            descending=query.descending,
            now=now,
            limit=LIST_LIMIT,
            codes=query.codes,
        )
        counts = dossier_counts(uow, office.id, now=now, search=query.search)
        soon = about_to_be_late(uow, office.id, now=now)
    return ListSnapshot(
        query=query,
        office=office,
        rows=rows,
        counts=counts,
        soon_late=tuple(s.code for s in soon),
        limit=LIST_LIMIT,
    )


def read_detail(
    ctx: AppContext, office: OfficeInfo | None, code: str, now: datetime
) -> DossierDetail:
    with UnitOfWork(ctx.database, readonly=True) as uow:
        office = office or _office(ctx, uow)
        status = dossier_status(uow, code, now=now)
        view = get_dossier(uow, status.code)
        calendar = office_calendar(uow, office.id)
    return DossierDetail(status=status, view=view, office=office, calendar=calendar)


def act(
    ctx: AppContext,
    code: str,
    command: DossierCommand,
    *,
    staff_id: uuid.UUID | None,
    now: datetime,
) -> DossierStatus:
    """Run one lifecycle action as its dialog collected it."""
    with UnitOfWork(ctx.database, source="counter") as uow:
        return perform(uow, code, command, staff_id=staff_id, now=now)


def retry(ctx: AppContext, code: str, *, staff_id: uuid.UUID | None, now: datetime) -> str:
    """Queue a failed online submission again; returns the dossier's code."""
    with UnitOfWork(ctx.database, source="outbox") as uow:
        return retry_submission(uow, code, staff_id, now=now).dossier_code


def make_paper(ctx: AppContext, detail: DossierDetail, paper: str) -> Path:
    """Write one paper of the dossier (Mẫu 01, the declaration or a notice); returns its file."""
    if paper == RECEIPT:
        return papers.receipt_paper(ctx.paths, detail.view, detail.office)
    if paper == DECLARATION:
        return papers.declaration_paper(ctx.paths, detail.view, detail.office)
    return papers.notice_paper(ctx.database, ctx.paths, detail.status.code, paper)


def print_slip(ctx: AppContext, detail: DossierDetail, preview: PreviewSink | None) -> None:
    """Print the appointment slip again on the thermal printer."""
    papers.print_slip(ctx.settings, detail.view, detail.office, preview)
