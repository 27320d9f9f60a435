"""Procedure catalog (danh mục thủ tục): typed fields, procedures and fee rules, validated."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from functools import cached_property
from typing import Final, Literal, TypeVar

ProcessingKind = Literal["same_day", "working_days"]
FeeKind = Literal["free", "fixed", "per_page", "unset"]
FeePer = Literal["case", "copy"]
DocumentKind = Literal["original", "certified_copy", "copy", "present"]

SUPPORTED_VERSION: Final = 1

# Who a fee may be waived for, with the wording printed on the receipt.
EXEMPTIONS: Final[Mapping[str, str]] = {
    "poor_household": "hộ nghèo",
    "disability": "người khuyết tật",
    "merit": "gia đình có công với cách mạng",
}

# Guided forms the application knows how to fill; a procedure may name one of these or none.
FORMS: Final[frozenset[str]] = frozenset(
    {
        "birth_registration",
        "death_registration",
        "marriage_registration",
        "certified_copy",
        "signature_certification",
        "marital_status_confirmation",
        "permanent_residence",
        "temporary_residence",
    }
)

_PROCESSING_KINDS: Final[tuple[ProcessingKind, ...]] = ("same_day", "working_days")
_FEE_KINDS: Final[tuple[FeeKind, ...]] = ("free", "fixed", "per_page", "unset")
_FEE_PERS: Final[tuple[FeePer, ...]] = ("case", "copy")
_DOCUMENT_KINDS: Final[tuple[DocumentKind, ...]] = ("original", "certified_copy", "copy", "present")

# ASCII classes on purpose: \d would also accept non-Latin digits.
_PROCEDURE_CODE: Final = re.compile(r"[0-9]\.[0-9]{6}(?:\.[0-9A-Z]+)*")
_NATIONAL_CODE_LENGTH: Final = len("1.001193")
_FIELD_CODE: Final = re.compile(r"[A-Z]{1,10}")
_TICKET_PREFIX: Final = re.compile(r"[A-Z]")
_CUTOFF: Final = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")

# Keys each fee kind accepts, so a misspelt or misplaced key is reported instead of ignored.
_FEE_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "free": frozenset({"kind", "note", "exemptions", "late_amount"}),
    "fixed": frozenset({"kind", "note", "exemptions", "late_amount", "amount", "per"}),
    "per_page": frozenset({"kind", "note", "exemptions", "tiers", "cap_per_copy"}),
    "unset": frozenset({"kind", "note", "exemptions"}),
}

_T = TypeVar("_T", bound=str)


class CatalogError(ValueError):
    """The catalog data is malformed; the message names the entry and the problem in Vietnamese."""


def format_vnd(amount: int) -> str:
    """Format an amount in đồng the Vietnamese way: 200000 → "200.000 đ"."""
    return f"{amount:,} đ".replace(",", ".")


@dataclass(frozen=True)
class FieldSpec:
    """A field (lĩnh vực) of procedures, with the letter its queue tickets start with."""

    code: str
    name: str
    ticket_prefix: str
    sort_order: int


@dataclass(frozen=True)
class ProcessingTime:
    """Statutory processing time: same day (with a cut-off hour) or a number of working days."""

    kind: ProcessingKind
    days: int | None
    cutoff: time | None
    note: str | None

    def describe(self) -> str:
        """The time as printed on a receipt, e.g. "Trong ngày" or "5 ngày làm việc"."""
        if self.kind == "working_days":
            return f"{self.days} ngày làm việc"
        if self.cutoff is None:
            return "Trong ngày"
        return (
            f"Trong ngày (nhận hồ sơ sau {self.cutoff:%H:%M} thì trả kết quả"
            " trong ngày làm việc tiếp theo)"
        )


@dataclass(frozen=True)
class FeeTier:
    """One page band of a per-page fee; ``to_page`` None means "and every page after"."""

    from_page: int
    to_page: int | None
    amount: int


@dataclass(frozen=True)
class FeeQuote:
    """A computed fee with its Vietnamese breakdown; ``amount_known`` is False for an unset rate."""

    amount: int
    exempted: bool
    lines: tuple[str, ...]
    amount_known: bool = True


@dataclass(frozen=True)
class FeeRule:
    """What a procedure costs: free, fixed, per page, or "unset" (province rate not entered)."""

    kind: FeeKind
    amount: int
    per: FeePer | None
    tiers: tuple[FeeTier, ...]
    cap_per_copy: int | None
    exemptions: frozenset[str]
    late_amount: int | None
    note: str | None

    def quote(
        self,
        *,
        copies: int = 1,
        pages: int = 1,
        late: bool = False,
        exemption: str | None = None,
    ) -> FeeQuote:
        """Compute the fee for a request; raise ValueError for impossible arguments."""
        if copies < 1:
            raise ValueError(f"Số bản phải từ 1 trở lên, không phải {copies}.")
        if pages < 1:
            raise ValueError(f"Số trang phải từ 1 trở lên, không phải {pages}.")
        if exemption is not None and exemption not in EXEMPTIONS:
            raise ValueError(f"Đối tượng miễn lệ phí không xác định: {exemption!r}.")
        if exemption is not None and exemption in self.exemptions:
            return FeeQuote(0, True, (f"Miễn lệ phí: {EXEMPTIONS[exemption]}",))
        quote = self._charge(copies=copies, pages=pages, late=late)
        if exemption is not None and (quote.amount > 0 or not quote.amount_known):
            refusal = f"Thủ tục này không miễn lệ phí cho {EXEMPTIONS[exemption]}."
            return FeeQuote(quote.amount, False, (*quote.lines, refusal), quote.amount_known)
        return quote

    def _charge(self, *, copies: int, pages: int, late: bool) -> FeeQuote:
        late_unit = self.late_amount if late else None
        if self.kind == "unset":
            line = "Lệ phí theo mức do HĐND tỉnh quy định, chưa có trong danh mục."
            return FeeQuote(0, False, (line,), amount_known=False)
        if self.kind == "free":
            if late_unit is None:
                return FeeQuote(0, False, ("Không thu lệ phí.",))
            return FeeQuote(late_unit, False, (f"Lệ phí đăng ký quá hạn: {format_vnd(late_unit)}",))
        if self.kind == "fixed":
            unit = self.amount if late_unit is None else late_unit
            label = "Lệ phí" if late_unit is None else "Lệ phí đăng ký quá hạn"
            if self.per == "copy":
                total = unit * copies
                line = f"{label}: {format_vnd(unit)}/bản × {copies} bản = {format_vnd(total)}"
                return FeeQuote(total, False, (line,))
            return FeeQuote(unit, False, (f"{label}: {format_vnd(unit)}/trường hợp",))
        return self._charge_pages(copies=copies, pages=pages)

    def _charge_pages(self, *, copies: int, pages: int) -> FeeQuote:
        lines: list[str] = []
        per_copy = 0
        for tier in self.tiers:
            if tier.from_page > pages:
                break
            last = pages if tier.to_page is None else min(tier.to_page, pages)
            count = last - tier.from_page + 1
            subtotal = count * tier.amount
            per_copy += subtotal
            span = f"Trang {last}" if last == tier.from_page else f"Trang {tier.from_page}–{last}"
            lines.append(
                f"{span}: {count} trang × {format_vnd(tier.amount)} = {format_vnd(subtotal)}"
            )
        if self.cap_per_copy is not None and per_copy > self.cap_per_copy:
            per_copy = self.cap_per_copy
            lines.append(f"Mỗi bản tính tối đa {format_vnd(self.cap_per_copy)}")
        total = per_copy * copies
        lines.append(f"{format_vnd(per_copy)}/bản × {copies} bản = {format_vnd(total)}")
        return FeeQuote(total, False, tuple(lines))


@dataclass(frozen=True)
class RequiredDocument:
    """A document the citizen brings; kind "present" means shown at the desk, not kept."""

    name: str
    kind: DocumentKind
    count: int
    optional: bool
    note: str | None


@dataclass(frozen=True)
class ProcedureSpec:
    """One administrative procedure (thủ tục hành chính) as the desk receives it."""

    code: str
    name: str
    field: str
    processing_time: ProcessingTime
    fee: FeeRule
    documents: tuple[RequiredDocument, ...]
    form: str | None
    result: str | None
    legal_basis: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Catalog:
    """The fields and procedures an office offers, with lookups by code."""

    fields: tuple[FieldSpec, ...]
    procedures: tuple[ProcedureSpec, ...]

    def field(self, code: str) -> FieldSpec | None:
        """The field with this code, or None."""
        return self._fields_by_code.get(code)

    def procedure(self, code: str) -> ProcedureSpec | None:
        """The procedure with this code, else the national procedure a provincial code extends."""
        found = self._procedures_by_code.get(code)
        if found is None and _PROCEDURE_CODE.fullmatch(code) is not None:
            found = self._procedures_by_code.get(code[:_NATIONAL_CODE_LENGTH])
        return found

    def procedures_in(self, field_code: str) -> tuple[ProcedureSpec, ...]:
        """The procedures of one field, in catalog order."""
        return tuple(p for p in self.procedures if p.field == field_code)

    @cached_property
    def _fields_by_code(self) -> dict[str, FieldSpec]:
        return {f.code: f for f in self.fields}

    @cached_property
    def _procedures_by_code(self) -> dict[str, ProcedureSpec]:
        return {p.code: p for p in self.procedures}


def parse_fields(data: Mapping[str, object]) -> tuple[FieldSpec, ...]:
    """Validate the parsed fields.json; return the fields sorted by sort_order, then code."""
    top = _Node(data, "Danh mục lĩnh vực")
    top.check_keys({"version", "fields"})
    top.check_version()
    fields: list[FieldSpec] = []
    codes: dict[str, FieldSpec] = {}
    prefixes: dict[str, FieldSpec] = {}
    for position, entry in enumerate(top.objects("fields"), start=1):
        node = entry.relabel(_entry_label("Lĩnh vực", entry, position))
        node.check_keys({"code", "name", "ticket_prefix", "sort_order"})
        spec = FieldSpec(
            code=node.matching("code", _FIELD_CODE, "chỉ gồm chữ in hoa không dấu, ví dụ: HT"),
            name=node.text("name"),
            ticket_prefix=node.matching(
                "ticket_prefix", _TICKET_PREFIX, "một chữ in hoa không dấu, ví dụ: A"
            ),
            sort_order=node.integer("sort_order", minimum=0),
        )
        if spec.code in codes:
            raise top.error(f'mã lĩnh vực "{spec.code}" bị trùng.')
        if (owner := prefixes.get(spec.ticket_prefix)) is not None:
            raise node.error(
                f'tiền tố số thứ tự "{spec.ticket_prefix}" đã dùng cho lĩnh vực {owner.code}.'
            )
        codes[spec.code] = spec
        prefixes[spec.ticket_prefix] = spec
        fields.append(spec)
    return tuple(sorted(fields, key=lambda f: (f.sort_order, f.code)))


def parse_procedures(
    data: Mapping[str, object], field_codes: Collection[str]
) -> tuple[ProcedureSpec, ...]:
    """Validate the parsed procedures.json against the known field codes."""
    top = _Node(data, "Danh mục thủ tục")
    top.check_keys({"version", "procedures"})
    top.check_version()
    procedures: list[ProcedureSpec] = []
    seen: set[str] = set()
    for position, entry in enumerate(top.objects("procedures"), start=1):
        spec = _parse_procedure(
            entry.relabel(_entry_label("Thủ tục", entry, position)), field_codes
        )
        if spec.code in seen:
            raise top.error(f'mã thủ tục "{spec.code}" bị trùng.')
        seen.add(spec.code)
        procedures.append(spec)
    return tuple(procedures)


def parse_catalog(
    fields_data: Mapping[str, object], procedures_data: Mapping[str, object]
) -> Catalog:
    """Validate both parsed catalog files and build the catalog."""
    fields = parse_fields(fields_data)
    procedures = parse_procedures(procedures_data, {f.code for f in fields})
    return Catalog(fields=fields, procedures=procedures)


def _parse_procedure(node: _Node, field_codes: Collection[str]) -> ProcedureSpec:
    node.check_keys(
        {
            "code",
            "name",
            "field",
            "processing_time",
            "fee",
            "documents",
            "form",
            "result",
            "legal_basis",
            "note",
        }
    )
    code = node.matching("code", _PROCEDURE_CODE, "ví dụ: 1.001193 hoặc 2.000815.000.00.00.H55")
    field = node.text("field")
    if field not in field_codes:
        raise node.error(f'lĩnh vực "{field}" không có trong danh mục lĩnh vực.')
    form = node.optional_text("form")
    if form is not None and form not in FORMS:
        raise node.invalid("form", form, sorted(FORMS))
    documents = node.objects("documents") if "documents" in node.data else []
    legal_basis = node.texts("legal_basis") if "legal_basis" in node.data else ()
    return ProcedureSpec(
        code=code,
        name=node.text("name"),
        field=field,
        processing_time=_parse_processing_time(node.child("processing_time")),
        fee=_parse_fee(node.child("fee")),
        documents=tuple(_parse_document(d) for d in documents),
        form=form,
        result=node.optional_text("result"),
        legal_basis=legal_basis,
        note=node.optional_text("note"),
    )


def _parse_processing_time(node: _Node) -> ProcessingTime:
    kind = node.choice("kind", _PROCESSING_KINDS)
    if kind == "same_day":
        node.check_keys({"kind", "cutoff", "note"})
        cutoff = None
        if (raw := node.optional_text("cutoff")) is not None:
            if (match := _CUTOFF.fullmatch(raw)) is None:
                raise node.error(
                    f'trường "{node.path_of("cutoff")}" không đúng dạng giờ:phút: {_show(raw)}'
                    " (ví dụ: 15:00)."
                )
            cutoff = time(int(match.group(1)), int(match.group(2)))
        return ProcessingTime(kind, None, cutoff, node.optional_text("note"))
    node.check_keys({"kind", "days", "note"})
    days = node.integer("days", minimum=1)
    return ProcessingTime(kind, days, None, node.optional_text("note"))


def _parse_fee(node: _Node) -> FeeRule:
    kind = node.choice("kind", _FEE_KINDS)
    node.check_keys(_FEE_KEYS[kind])
    exemptions = node.texts("exemptions") if "exemptions" in node.data else ()
    for name in exemptions:
        if name not in EXEMPTIONS:
            raise node.invalid("exemptions", name, list(EXEMPTIONS))
    amount = 0
    per: FeePer | None = None
    tiers: tuple[FeeTier, ...] = ()
    cap: int | None = None
    if kind == "fixed":
        amount = node.integer("amount", minimum=0)
        per = node.choice("per", _FEE_PERS)
    elif kind == "per_page":
        tiers = _parse_tiers(node)
        if "cap_per_copy" in node.data and node.data["cap_per_copy"] is not None:
            cap = node.integer("cap_per_copy", minimum=0)
    late_amount: int | None = None
    if "late_amount" in node.data and node.data["late_amount"] is not None:
        late_amount = node.integer("late_amount", minimum=0)
    return FeeRule(
        kind=kind,
        amount=amount,
        per=per,
        tiers=tiers,
        cap_per_copy=cap,
        exemptions=frozenset(exemptions),
        late_amount=late_amount,
        note=node.optional_text("note"),
    )


def _parse_tiers(node: _Node) -> tuple[FeeTier, ...]:
    entries = node.objects("tiers")
    if not entries:
        raise node.error(f'trường "{node.path_of("tiers")}" phải có ít nhất một bậc phí.')
    tiers: list[FeeTier] = []
    for index, entry in enumerate(entries):
        entry.check_keys({"from_page", "to_page", "amount"})
        from_page = entry.integer("from_page", minimum=1)
        to_page = None
        if entry.data.get("to_page") is not None:
            to_page = entry.integer("to_page", minimum=from_page)
        expected = 1 if not tiers else _next_page(tiers[-1])
        if from_page != expected:
            raise entry.error(
                f'trường "{entry.path_of("from_page")}" phải là {expected}: các bậc phí phải'
                f" liền nhau, không chồng lấn, bắt đầu từ trang 1 (đang là {from_page})."
            )
        if to_page is None and index != len(entries) - 1:
            raise entry.error(
                f'chỉ bậc cuối cùng mới được để "{entry.path_of("to_page")}" là null.'
            )
        tiers.append(FeeTier(from_page, to_page, entry.integer("amount", minimum=0)))
    if tiers[-1].to_page is not None:
        raise node.error(
            f'bậc cuối cùng của "{node.path_of("tiers")}" phải để "to_page" là null'
            " để tính được mọi số trang."
        )
    return tuple(tiers)


def _next_page(tier: FeeTier) -> int:
    # Only called on closed tiers: an open tier that is not last is rejected before.
    assert tier.to_page is not None
    return tier.to_page + 1


def _parse_document(node: _Node) -> RequiredDocument:
    node.check_keys({"name", "kind", "count", "optional", "note"})
    count = node.integer("count", minimum=1) if "count" in node.data else 1
    optional = node.boolean("optional") if "optional" in node.data else False
    return RequiredDocument(
        name=node.text("name"),
        kind=node.choice("kind", _DOCUMENT_KINDS),
        count=count,
        optional=optional,
        note=node.optional_text("note"),
    )


def _entry_label(noun: str, node: _Node, position: int) -> str:
    code = node.data.get("code")
    if isinstance(code, str) and code.strip():
        return f"{noun} {code.strip()}"
    return f"{noun} thứ {position}"


def _show(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


class _Node:
    """A JSON object being read, with the entry label and key path used in error messages."""

    def __init__(self, data: Mapping[str, object], label: str, path: str = "") -> None:
        self.data = data
        self.label = label
        self.path = path

    def relabel(self, label: str) -> _Node:
        return _Node(self.data, label)

    def path_of(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, message: str) -> CatalogError:
        return CatalogError(f"{self.label}: {message}")

    def invalid(self, key: str, value: object, allowed: Sequence[str]) -> CatalogError:
        return self.error(
            f'trường "{self.path_of(key)}" không hợp lệ: {_show(value)}'
            f" (chỉ nhận: {', '.join(allowed)})."
        )

    def wrong_type(self, key: str, expected: str, value: object) -> CatalogError:
        return self.error(
            f'trường "{self.path_of(key)}" phải là {expected}, không phải {_show(value)}.'
        )

    def check_keys(self, allowed: Collection[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.error(
                    f'không nhận trường "{self.path_of(key)}"; các trường được phép:'
                    f" {', '.join(sorted(allowed))}."
                )

    def check_version(self) -> None:
        version = self.integer("version", minimum=1)
        if version != SUPPORTED_VERSION:
            raise self.error(
                f"phiên bản {version} không được hỗ trợ (chỉ hỗ trợ phiên bản {SUPPORTED_VERSION})."
            )

    def value(self, key: str) -> object:
        if key not in self.data:
            raise self.error(f'thiếu trường "{self.path_of(key)}".')
        return self.data[key]

    def text(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str):
            raise self.wrong_type(key, "chuỗi ký tự", value)
        if not value.strip():
            raise self.error(f'trường "{self.path_of(key)}" không được để trống.')
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.wrong_type(key, "chuỗi ký tự hoặc null", value)
        return value if value.strip() else None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.value(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.wrong_type(key, "danh sách chuỗi ký tự", value)
        return tuple(str(v) for v in value)

    def matching(self, key: str, pattern: re.Pattern[str], hint: str) -> str:
        value = self.text(key)
        if pattern.fullmatch(value) is None:
            raise self.error(
                f'trường "{self.path_of(key)}" không đúng dạng: {_show(value)} ({hint}).'
            )
        return value

    def choice(self, key: str, choices: tuple[_T, ...]) -> _T:
        value = self.value(key)
        for choice in choices:
            if value == choice:
                return choice
        raise self.invalid(key, value, choices)

    def integer(self, key: str, *, minimum: int) -> int:
        value = self.value(key)
        # bool is an int subclass in Python; JSON true/false is never a count or an amount.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.wrong_type(key, "số nguyên", value)
        if value < minimum:
            raise self.error(
                f'trường "{self.path_of(key)}" phải từ {minimum} trở lên, không phải {value}.'
            )
        return value

    def boolean(self, key: str) -> bool:
        value = self.value(key)
        if not isinstance(value, bool):
            raise self.wrong_type(key, "true hoặc false", value)
        return value

    def child(self, key: str) -> _Node:
        value = self.value(key)
        if not isinstance(value, Mapping):
            raise self.wrong_type(key, "đối tượng JSON", value)
        return _Node(_string_keys(value), self.label, self.path_of(key))

    def objects(self, key: str) -> list[_Node]:
        value = self.value(key)
        if not isinstance(value, list):
            raise self.wrong_type(key, "danh sách", value)
        nodes: list[_Node] = []
        for index, item in enumerate(value):
            item_path = f"{self.path_of(key)}[{index}]"
            if not isinstance(item, Mapping):
                raise self.error(
                    f'phần tử "{item_path}" phải là đối tượng JSON, không phải {_show(item)}.'
                )
            nodes.append(_Node(_string_keys(item), self.label, item_path))
        return nodes


def _string_keys(value: Mapping[object, object]) -> Mapping[str, object]:
    # Parsed JSON always has string keys; this only narrows the type for the checker.
    return {str(k): v for k, v in value.items()}
