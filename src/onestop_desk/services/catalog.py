"""The procedure catalog: loaded from the bundled JSON into each office's rows."""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, Text, and_, bindparam, cast, or_, select

from onestop_desk.core.catalog import (
    Catalog,
    CatalogError,
    ProcedureSpec,
    parse_catalog,
    parse_procedures,
)
from onestop_desk.core.forms import FormDefinition, FormDefinitionError, parse_form
from onestop_desk.core.text import search_key
from onestop_desk.db.models import Field, Procedure
from onestop_desk.errors import InputError, NotFound
from onestop_desk.resources import resource_path
from onestop_desk.services.uow import UnitOfWork


@dataclass(frozen=True)
class CatalogData:
    """The catalog as validated types plus the raw JSON entries stored in the database."""

    catalog: Catalog
    raw_fields: dict[str, dict[str, Any]]
    raw_procedures: dict[str, dict[str, Any]]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"Không đọc được tệp danh mục {path.name}: {exc}.") from exc
    if not isinstance(data, dict):
        raise InputError(f"Tệp danh mục {path.name} phải chứa một đối tượng JSON.")
    return data


def load_catalog(folder: Path | None = None) -> CatalogData:
    """Read and validate ``fields.json`` and ``procedures.json`` (bundled ones by default)."""
    folder = folder or resource_path("catalog")
    fields_data = _read_json(folder / "fields.json")
    procedures_data = _read_json(folder / "procedures.json")
    try:
        catalog = parse_catalog(fields_data, procedures_data)
    except CatalogError as exc:
        raise InputError(f"Danh mục thủ tục không hợp lệ: {exc}") from exc
    return CatalogData(
        catalog=catalog,
        raw_fields={f["code"]: f for f in fields_data["fields"]},
        raw_procedures={p["code"]: p for p in procedures_data["procedures"]},
    )


@dataclass(frozen=True)
class SeedResult:
    fields_added: int
    fields_updated: int
    procedures_added: int
    procedures_updated: int


def seed_catalog(
    uow: UnitOfWork, office_id: uuid.UUID, data: CatalogData, *, now: datetime
) -> SeedResult:
    """Insert or update the office's fields and procedures from the catalog (idempotent)."""
    session = uow.session
    fields = {f.code: f for f in session.scalars(select(Field).where(Field.office_id == office_id))}
    added_f = updated_f = 0
    for spec in data.catalog.fields:
        row = fields.get(spec.code)
        if row is None:
            row = Field(office_id=office_id, code=spec.code)
            session.add(row)
            fields[spec.code] = row
            added_f += 1
        elif (row.name, row.ticket_prefix, row.sort_order) != (
            spec.name,
            spec.ticket_prefix,
            spec.sort_order,
        ):
            updated_f += 1
        row.name, row.ticket_prefix, row.sort_order = spec.name, spec.ticket_prefix, spec.sort_order
    session.flush()

    existing = session.scalars(select(Procedure).where(Procedure.office_id == office_id))
    procedures = {p.code: p for p in existing}
    added_p = updated_p = 0
    for pspec in data.catalog.procedures:
        raw = data.raw_procedures[pspec.code]
        values: dict[str, Any] = {
            "field_id": fields[pspec.field].id,
            "name": pspec.name,
            "name_key": search_key(pspec.name),
            "processing_time": raw["processing_time"],
            "fee": raw["fee"],
            "documents": raw.get("documents", []),
            "form": pspec.form,
            "result": pspec.result,
            "legal_basis": list(pspec.legal_basis),
        }
        prow = procedures.get(pspec.code)
        if prow is None:
            session.add(Procedure(office_id=office_id, code=pspec.code, **values))
            added_p += 1
            continue
        if any(getattr(prow, key) != value for key, value in values.items()):
            updated_p += 1
            for key, value in values.items():
                setattr(prow, key, value)
    result = SeedResult(added_f, updated_f, added_p, updated_p)
    uow.audit(
        "catalog.seeded",
        office_id=office_id,
        at=now,
        fields_added=added_f,
        fields_updated=updated_f,
        procedures_added=added_p,
        procedures_updated=updated_p,
    )
    return result


@dataclass(frozen=True)
class ProcedureSummary:
    """A procedure as the counter's picker shows it: time, fee and the papers to bring."""

    code: str
    name: str
    field_code: str
    field_name: str
    processing_time: str
    fee: str
    documents: tuple[str, ...]
    form: str | None


def procedure_spec(row: Procedure) -> ProcedureSpec:
    """The typed catalog entry of a stored procedure (its time, fee and document rules)."""
    raw = {
        "code": row.code,
        "name": row.name,
        "field": row.field.code,
        "processing_time": row.processing_time,
        "fee": row.fee,
        "documents": row.documents,
        "form": row.form,
        "result": row.result,
        "legal_basis": row.legal_basis,
    }
    try:
        (spec,) = parse_procedures({"version": 1, "procedures": [raw]}, [row.field.code])
    except CatalogError as exc:
        raise InputError(f"Thủ tục {row.code} trong cơ sở dữ liệu không hợp lệ: {exc}") from exc
    return spec


def _summary(row: Procedure) -> ProcedureSummary:
    spec = procedure_spec(row)
    fee = spec.fee.note or "; ".join(spec.fee.quote().lines)
    return ProcedureSummary(
        code=spec.code,
        name=spec.name,
        field_code=row.field.code,
        field_name=row.field.name,
        processing_time=spec.processing_time.describe(),
        fee=fee,
        documents=tuple(d.name for d in spec.documents),
        form=spec.form,
    )


# Summaries the picker showed, by procedure id, each with the stored values it was made from:
# parsing a procedure costs far more than reading its columns as text and comparing them.
_SUMMARY_CACHE: dict[uuid.UUID, tuple[tuple[object, ...], ProcedureSummary]] = {}
_SUMMARY_CACHE_MAX = 4096
_SUMMARY_STAMP = (
    Procedure.code,
    Procedure.name,
    cast(Procedure.processing_time, Text).label("processing_time_text"),
    cast(Procedure.fee, Text).label("fee_text"),
    cast(Procedure.documents, Text).label("documents_text"),
    Procedure.form,
    Procedure.result,
    cast(Procedure.legal_basis, Text).label("legal_basis_text"),
    Field.code.label("field_code"),
    Field.name.label("field_name"),
)


# Built once: a search runs on every few keystrokes, and building the statement costs as much
# as running it.
_STAMPED = (
    select(Procedure.id, *_SUMMARY_STAMP)
    .join(Field, Field.id == Procedure.field_id)
    .where(Procedure.id.in_(bindparam("ids", expanding=True)))
)
_LIKE_ESCAPE = "/"


def _like_escaped(text: str) -> str:
    return (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )


@lru_cache(maxsize=16)
def _candidates(word_count: int) -> Select[uuid.UUID, str, str]:
    """An office's active procedures whose code is LIKE ``:prefix`` or key LIKE each ``:word_N``."""
    return select(Procedure.id, Procedure.code, Procedure.name_key).where(
        Procedure.office_id == bindparam("office_id"),
        Procedure.active.is_(True),
        or_(
            Procedure.code.like(bindparam("prefix"), escape=_LIKE_ESCAPE),
            and_(
                *(
                    Procedure.name_key.like(bindparam(f"word_{n}"), escape=_LIKE_ESCAPE)
                    for n in range(word_count)
                )
            ),
        ),
    )


def _summaries(uow: UnitOfWork, ids: list[uuid.UUID]) -> list[ProcedureSummary]:
    """The summaries of procedures ``ids`` in that order, parsed again only when changed."""
    if not ids:
        return []
    stamped = uow.session.connection().execute(_STAMPED, {"ids": ids}).all()
    found: dict[uuid.UUID, ProcedureSummary] = {}
    missing: list[uuid.UUID] = []
    for pid, *stamp in stamped:
        hit = _SUMMARY_CACHE.get(pid)
        if hit is not None and hit[0] == tuple(stamp):
            found[pid] = hit[1]
        else:
            missing.append(pid)
    if missing:
        if len(_SUMMARY_CACHE) + len(missing) > _SUMMARY_CACHE_MAX:
            _SUMMARY_CACHE.clear()
        # The row and its stamp from one statement, so a concurrent edit cannot pair them wrong.
        fresh = uow.session.execute(
            select(Procedure, *_SUMMARY_STAMP)
            .join(Field, Field.id == Procedure.field_id)
            .where(Procedure.id.in_(missing))
        ).all()
        for row, *stamp in fresh:
            summary = _summary(row)
            _SUMMARY_CACHE[row.id] = (tuple(stamp), summary)
            found[row.id] = summary
    return [found[pid] for pid in ids if pid in found]


def search_procedures(
    uow: UnitOfWork, *, office_id: uuid.UUID, text: str, limit: int = 20
) -> list[ProcedureSummary]:
    """Procedures matching a few letters of the name (with or without diacritics) or the code.

    Code prefix first, then names starting with the text, then names containing every word.
    """
    wanted = text.strip()
    words = search_key(wanted).split()
    if not words:
        return []
    phrase = " ".join(words)
    # SQL narrows on the short columns (a superset: SQLite's LIKE ignores ASCII case), the exact
    # ranking is done here, and only the procedures shown are read whole.
    params: dict[str, object] = {"office_id": office_id, "prefix": _like_escaped(wanted) + "%"}
    params.update({f"word_{n}": f"%{_like_escaped(word)}%" for n, word in enumerate(words)})
    candidates = uow.session.connection().execute(_candidates(len(words)), params).all()
    ranked: list[tuple[int, str, str, uuid.UUID]] = []
    for pid, code, name_key in candidates:
        if code.startswith(wanted):
            rank = 0
        elif name_key.startswith(phrase):
            rank = 1
        elif all(word in name_key for word in words):
            rank = 2
        else:
            continue
        # The code (unique in the office) settles equal names the same way on every call.
        ranked.append((rank, name_key, code, pid))
    ranked.sort()
    return _summaries(uow, [pid for *_, pid in ranked[:limit]])


def find_procedure(uow: UnitOfWork, *, office_id: uuid.UUID, code: str) -> ProcedureSummary:
    """One procedure by its code, or a clear error."""
    row = uow.session.scalar(
        select(Procedure).where(Procedure.office_id == office_id, Procedure.code == code.strip())
    )
    if row is None:
        raise NotFound(
            f"Không có thủ tục mã '{code}'.",
            "Tìm thủ tục theo tên bằng 'onestop-desk procedure search TÊN'.",
        )
    return _summary(row)


@functools.lru_cache(maxsize=64)
def load_form(form_id: str) -> FormDefinition:
    """The bundled declaration form ``form_id`` (resources/forms), parsed and checked."""
    path = resource_path("forms", f"{form_id}.json")
    try:
        return parse_form(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise NotFound(f"Không tìm thấy tờ khai '{form_id}' trong thư mục biểu mẫu.") from exc
    except (ValueError, FormDefinitionError) as exc:
        raise InputError(f"Tờ khai '{form_id}' không hợp lệ: {exc}") from exc
