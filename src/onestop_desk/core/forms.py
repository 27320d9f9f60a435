"""Declaration forms (tờ khai) as data: the format, its parser, validation and derived values.

Format of ``resources/forms/<form_id>.json`` (version 1)::

    {
      "version": 1,
      "id": "birth_registration",
      "title": "Tờ khai đăng ký khai sinh",
      "blocks": {"person": [<field>, ...]},          # optional, reusable groups of fields
      "sections": [
        {"id": "child", "title": "Người được khai sinh", "prefix": "child",
         "fields": [<field>, ...]},
        {"id": "mother", "title": "Mẹ", "use_block": "person", "prefix": "mother"},
        {"id": "father", "title": "Cha", "use_block": "person", "prefix": "father",
         "required": false}
      ],
      "derived": [{"id": "child.date_of_birth_words", "label": "...",
                   "derive": "date_in_words", "from": "child.date_of_birth"}],
      "print": {                                      # optional: the printed declaration
        "intro": "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
        "intro_after": "requester",
        "undertaking": "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là ...",
        "signers": [{"title": "Người yêu cầu", "name_from": "requester.full_name"}]
      }
    }

A field is ``{"id", "label", "type", "required", "choices", "default", "default_from", "rules",
"help"}``; only ``id``, ``label`` and ``type`` are mandatory (``required`` defaults to true).

- ``id`` is a bare name (``full_name``); a section's ``prefix`` makes it ``mother.full_name``.
  A section has either ``fields`` or ``use_block`` (the block's fields, under the prefix).
- ``type``: ``text``, ``date`` (dd/mm/yyyy), ``choice`` (needs ``choices``), ``id_number``
  (12-digit personal ID number), ``address`` (one line; the pickers are the GUI's business),
  ``integer``, ``year`` (four digits).
- ``default`` is a fixed starting value; ``default_from`` (``applicant.full_name``,
  ``applicant.id_number``, ``applicant.date_of_birth``, ``applicant.sex``, ``applicant.address``)
  takes the value from the scanned ID card and wins over ``default``.
- ``rules``: ``{"kind": "max_length", "value": 100}`` (text, address, id_number);
  ``{"kind": "not_future"}`` (date, year); ``{"kind": "min"|"max", "value": n}`` (integer, year);
  ``{"kind": "pattern", "value": "regex", "message": "..."}`` (text);
  ``{"kind": "min_age_gap_years", "value": 12, "of": "child.date_of_birth", "message": "..."}``
  (date, year): this person must be at least ``value`` years older than the ``of`` field; the
  message may say ``{person}`` (the section's title, e.g. "Mẹ") and ``{gap}`` (the actual gap).
- A section with ``"required": false`` (a father who is not declared) is skipped when every field
  is empty or still at its fixed default; once anything is typed, its required fields apply.
- ``derived`` values are computed, never typed; the only derivation is ``date_in_words``.
- ``print`` (every key optional) is what the printed declaration says beyond the fields: ``intro``,
  the request sentence, printed after the section ``intro_after`` (a section id; without it,
  right under "Kính gửi"); ``undertaking``, the closing sentence (without it, the template's
  general one); ``signers``, the signature blocks left to right, each a ``title`` and the field
  ``name_from`` whose value is printed under it (without them, the dossier's applicant signs as
  "Người yêu cầu"); ``columns``, two consecutive section ids printed side by side in one table,
  a row per field of the first matched by bare id (the marriage declaration's "Bên nữ | Bên nam").

Everything here is pure: functions take already-parsed JSON and return plain values.

Over 600 lines on purpose: the parser, the validator and the JSON writer each walk the same
format described above, and read best beside it and each other in one module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal, cast

from onestop_desk.core.citizen_id import validate_id_number
from onestop_desk.core.speech import number_words
from onestop_desk.core.text import nfc

FieldType = Literal["text", "date", "choice", "id_number", "address", "integer", "year"]
RuleKind = Literal["max_length", "not_future", "min", "max", "pattern", "min_age_gap_years"]
DeriveKind = Literal["date_in_words"]

SUPPORTED_VERSION: Final = 1
FIELD_TYPES: Final[tuple[FieldType, ...]] = (
    "text",
    "date",
    "choice",
    "id_number",
    "address",
    "integer",
    "year",
)
RULE_KINDS: Final[tuple[RuleKind, ...]] = (
    "max_length",
    "not_future",
    "min",
    "max",
    "pattern",
    "min_age_gap_years",
)
DERIVE_KINDS: Final[tuple[DeriveKind, ...]] = ("date_in_words",)
APPLICANT_KEYS: Final = frozenset({"full_name", "id_number", "date_of_birth", "sex", "address"})

# Which field types each rule makes sense for; anything else is a mistake in the definition.
_RULE_TYPES: Final[Mapping[RuleKind, frozenset[FieldType]]] = {
    "max_length": frozenset({"text", "address", "id_number"}),
    "not_future": frozenset({"date", "year"}),
    "min": frozenset({"integer", "year"}),
    "max": frozenset({"integer", "year"}),
    "pattern": frozenset({"text"}),
    "min_age_gap_years": frozenset({"date", "year"}),
}
_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_FULL_ID: Final = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_DATE: Final = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_YEAR: Final = re.compile(r"[0-9]{4}")
_INTEGER: Final = re.compile(r"[0-9]+")
_EARLIEST_YEAR: Final = 1900


class FormDefinitionError(ValueError):
    """A form definition file is malformed; str() names the form and the field, in Vietnamese."""


@dataclass(frozen=True)
class Rule:
    """One validation rule on a field."""

    kind: RuleKind
    value: int | str | None = None
    of: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class FormField:
    """One input of a form, with its full id (``mother.full_name``)."""

    id: str
    label: str
    type: FieldType
    required: bool = True
    choices: tuple[str, ...] = ()
    default: str | None = None
    default_from: str | None = None
    rules: tuple[Rule, ...] = ()
    help: str | None = None


@dataclass(frozen=True)
class Section:
    """A step of the guided declaration; block sections already hold their expanded fields."""

    id: str
    title: str
    fields: tuple[FormField, ...]
    required: bool = True
    prefix: str | None = None
    use_block: str | None = None


@dataclass(frozen=True)
class DerivedValue:
    """A value computed from other fields, e.g. the date of birth in words."""

    id: str
    label: str
    derive: DeriveKind
    source: str


@dataclass(frozen=True)
class Signer:
    """A signature block under the declaration: its title and the field naming who signs."""

    title: str
    name_from: str  # full field id, e.g. "bride.full_name"


@dataclass(frozen=True)
class PrintLayout:
    """What the printed declaration says beyond its fields; None or empty means the template's."""

    intro: str | None = None
    intro_after: str | None = None  # section id; None: right under "Kính gửi"
    undertaking: str | None = None
    signers: tuple[Signer, ...] = ()
    columns: tuple[str, str] | None = None  # two section ids printed side by side


@dataclass(frozen=True)
class FormDefinition:
    """A parsed, checked form definition."""

    id: str
    title: str
    sections: tuple[Section, ...]
    derived: tuple[DerivedValue, ...] = ()
    print_layout: PrintLayout | None = None

    def fields(self) -> tuple[FormField, ...]:
        """Every input field in order, blocks expanded."""
        return tuple(f for section in self.sections for f in section.fields)

    def field(self, field_id: str) -> FormField | None:
        """The field with this full id, if any."""
        return next((f for f in self.fields() if f.id == field_id), None)


# --- parsing -------------------------------------------------------------------------------------


def _show(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


class _Reader:
    """Reads one JSON object of a form definition, naming the form and the place in errors."""

    def __init__(self, data: object, form_id: str, where: str) -> None:
        self.form_id = form_id
        self.where = where
        if not isinstance(data, Mapping):
            raise self.error(f"phải là đối tượng JSON, không phải {_show(data)}.")
        self.data = cast(Mapping[str, object], data)

    def error(self, message: str) -> FormDefinitionError:
        return FormDefinitionError(f"Biểu mẫu {self.form_id}, {self.where}: {message}")

    def check_keys(self, allowed: frozenset[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.error(
                    f'không nhận khóa "{key}"; các khóa được phép: {", ".join(sorted(allowed))}.'
                )

    def text(self, key: str) -> str:
        if key not in self.data:
            raise self.error(f'thiếu khóa "{key}".')
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(f'"{key}" phải là chuỗi ký tự không rỗng, không phải {_show(value)}.')
        return nfc(value.strip())

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if self.data.get(key) is not None else None

    def name(self, key: str, pattern: re.Pattern[str] = _NAME) -> str:
        value = self.text(key)
        if pattern.fullmatch(value) is None:
            raise self.error(
                f'"{key}" phải gồm chữ thường không dấu, chữ số và dấu gạch dưới: {_show(value)}.'
            )
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f'"{key}" phải là true hoặc false, không phải {_show(value)}.')
        return value

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(f'"{key}" phải là số nguyên, không phải {_show(value)}.')
        return value

    def items(self, key: str) -> list[object]:
        value = self.data.get(key)
        if not isinstance(value, list):
            raise self.error(f'"{key}" phải là danh sách, không phải {_show(value)}.')
        return cast(list[object], value)


def parse_form(data: Mapping[str, object]) -> FormDefinition:
    """Check a form definition (already-parsed JSON) and return it typed, blocks expanded."""
    raw_id = data.get("id")
    top = _Reader(data, raw_id if isinstance(raw_id, str) else "(không rõ mã)", "gốc")
    top.check_keys(frozenset({"version", "id", "title", "sections", "blocks", "derived", "print"}))
    if top.integer("version") != SUPPORTED_VERSION:
        raise top.error(f"chỉ hỗ trợ phiên bản {SUPPORTED_VERSION}, không phải {data['version']}.")
    form_id = top.name("id")
    title = top.text("title")

    blocks: dict[str, list[object]] = {}
    if "blocks" in data:
        block_reader = _Reader(data["blocks"], form_id, "blocks")
        for name in block_reader.data:
            if _NAME.fullmatch(name) is None:
                raise block_reader.error(f"tên khối không hợp lệ: {_show(name)}.")
            blocks[name] = block_reader.items(name)

    sections: list[Section] = []
    for index, raw in enumerate(top.items("sections")):
        sections.append(_parse_section(raw, form_id, index, blocks))
    if not sections:
        raise top.error("biểu mẫu phải có ít nhất một phần (sections).")

    fields = [f for s in sections for f in s.fields]
    by_id: dict[str, FormField] = {}
    for f in fields:
        if f.id in by_id:
            raise top.error(f'trường "{f.id}" xuất hiện hai lần.')
        by_id[f.id] = f
    for f in fields:
        for rule in f.rules:
            if rule.kind == "min_age_gap_years":
                other = by_id.get(rule.of or "")
                if other is None or other.type not in ("date", "year"):
                    raise FormDefinitionError(
                        f'Biểu mẫu {form_id}, trường "{f.id}": quy tắc min_age_gap_years cần '
                        f'"of" là một trường ngày hoặc năm của biểu mẫu, '
                        f"không phải {_show(rule.of)}."
                    )

    derived: list[DerivedValue] = []
    for index, raw in enumerate(top.items("derived") if "derived" in data else []):
        reader = _Reader(raw, form_id, f"derived[{index}]")
        reader.check_keys(frozenset({"id", "label", "derive", "from"}))
        derived_id = reader.name("id", _FULL_ID)
        kind = reader.text("derive")
        if kind not in DERIVE_KINDS:
            raise reader.error(f'"derive" chỉ nhận: {", ".join(DERIVE_KINDS)}; không phải {kind}.')
        source = reader.text("from")
        source_field = by_id.get(source)
        if source_field is None or source_field.type != "date":
            raise reader.error(f'"from" phải là một trường ngày của biểu mẫu: {_show(source)}.')
        if derived_id in by_id:
            raise reader.error(f'"{derived_id}" trùng với một trường nhập.')
        derived.append(DerivedValue(derived_id, reader.text("label"), kind, source))
    layout = _parse_print(data["print"], form_id, sections) if "print" in data else None
    return FormDefinition(form_id, title, tuple(sections), tuple(derived), layout)


def _parse_print(raw: object, form_id: str, sections: Sequence[Section]) -> PrintLayout:
    reader = _Reader(raw, form_id, '"print"')
    reader.check_keys(frozenset({"intro", "intro_after", "undertaking", "signers", "columns"}))
    section_ids = [s.id for s in sections]
    field_ids = [f.id for s in sections for f in s.fields]
    # An example that fits this form, for the message about a wrong "name_from".
    example = next((i for i in field_ids if i.endswith("full_name")), field_ids[0])

    def section_id(value: object, key: str) -> str:
        if value not in section_ids:
            raise reader.error(
                f'"{key}" phải là mã một phần của biểu mẫu ({", ".join(section_ids)}), '
                f"không phải {_show(value)}."
            )
        return value

    intro = reader.optional_text("intro")
    intro_after = None
    if reader.data.get("intro_after") is not None:
        if intro is None:
            raise reader.error('có "intro_after" thì phải có "intro" (câu đề nghị).')
        intro_after = section_id(reader.data["intro_after"], "intro_after")

    signers: list[Signer] = []
    if "signers" in reader.data:
        items = reader.items("signers")
        if not items:
            raise reader.error('"signers" phải có ít nhất một người ký.')
        for index, item in enumerate(items):
            signer = _Reader(item, form_id, f'"print", signers[{index}]')
            signer.check_keys(frozenset({"title", "name_from"}))
            name_from = signer.text("name_from")
            if name_from not in field_ids:
                raise signer.error(
                    f'"name_from" phải là mã đầy đủ của một trường trong biểu mẫu '
                    f'(như "{example}"), không phải {_show(name_from)}.'
                )
            signers.append(Signer(signer.text("title"), name_from))

    columns = None
    if "columns" in reader.data:
        pair = reader.items("columns")
        if len(pair) != 2:
            raise reader.error(f'"columns" phải gồm đúng hai mã phần, không phải {_show(pair)}.')
        first, second = (section_id(item, "columns") for item in pair)
        if section_ids.index(second) != section_ids.index(first) + 1:
            raise reader.error(
                f'hai phần trong "columns" phải liền nhau theo thứ tự: "{first}" rồi "{second}".'
            )
        columns = (first, second)

    return PrintLayout(
        intro=intro,
        intro_after=intro_after,
        undertaking=reader.optional_text("undertaking"),
        signers=tuple(signers),
        columns=columns,
    )


def _parse_section(
    raw: object, form_id: str, index: int, blocks: Mapping[str, list[object]]
) -> Section:
    reader = _Reader(raw, form_id, f"sections[{index}]")
    reader.check_keys(frozenset({"id", "title", "fields", "use_block", "prefix", "required"}))
    section_id = reader.name("id")
    reader.where = f'phần "{section_id}"'
    prefix = reader.name("prefix") if reader.data.get("prefix") is not None else None
    use_block = reader.name("use_block") if reader.data.get("use_block") is not None else None
    if use_block is not None:
        if "fields" in reader.data:
            raise reader.error('chỉ dùng một trong hai: "fields" hoặc "use_block".')
        if use_block not in blocks:
            raise reader.error(f'không có khối "{use_block}" trong "blocks".')
        if prefix is None:
            raise reader.error('phần dùng khối phải có "prefix" (ví dụ "mother").')
        raw_fields = blocks[use_block]
    else:
        raw_fields = reader.items("fields")
    fields = tuple(_parse_field(f, form_id, prefix) for f in raw_fields)
    if not fields:
        raise reader.error("phần phải có ít nhất một trường.")
    return Section(
        id=section_id,
        title=reader.text("title"),
        fields=fields,
        required=reader.boolean("required", True),
        prefix=prefix,
        use_block=use_block,
    )


def _parse_field(raw: object, form_id: str, prefix: str | None) -> FormField:
    reader = _Reader(raw, form_id, "trường")
    name = reader.name("id")
    field_id = f"{prefix}.{name}" if prefix else name
    reader.where = f'trường "{field_id}"'
    reader.check_keys(
        frozenset(
            {"id", "label", "type", "required", "choices", "default", "default_from"}
            | {"rules", "help"}
        )
    )
    kind = reader.text("type")
    if kind not in FIELD_TYPES:
        raise reader.error(f'"type" chỉ nhận: {", ".join(FIELD_TYPES)}; không phải {kind}.')
    field_type = kind
    choices: tuple[str, ...] = ()
    if "choices" in reader.data:
        items = reader.items("choices")
        if not all(isinstance(c, str) and c.strip() for c in items):
            raise reader.error('"choices" phải là danh sách chuỗi ký tự không rỗng.')
        choices = tuple(nfc(str(c).strip()) for c in items)
    if (field_type == "choice") != bool(choices):
        raise reader.error('"choices" cần có (và chỉ có) ở trường kiểu "choice".')
    default = reader.optional_text("default")
    if default is not None and choices and default not in choices:
        raise reader.error(f'giá trị mặc định "{default}" không có trong "choices".')
    default_from = reader.optional_text("default_from")
    if default_from is not None and (
        not default_from.startswith("applicant.")
        or default_from.removeprefix("applicant.") not in APPLICANT_KEYS
    ):
        keys = ", ".join(f"applicant.{k}" for k in sorted(APPLICANT_KEYS))
        raise reader.error(f'"default_from" chỉ nhận: {keys}; không phải {default_from}.')
    rules = tuple(
        _parse_rule(r, form_id, field_id, field_type)
        for r in (reader.items("rules") if "rules" in reader.data else [])
    )
    return FormField(
        id=field_id,
        label=reader.text("label"),
        type=field_type,
        required=reader.boolean("required", True),
        choices=choices,
        default=default,
        default_from=default_from,
        rules=rules,
        help=reader.optional_text("help"),
    )


def _parse_rule(raw: object, form_id: str, field_id: str, field_type: FieldType) -> Rule:
    reader = _Reader(raw, form_id, f'trường "{field_id}", quy tắc')
    reader.check_keys(frozenset({"kind", "value", "of", "message"}))
    kind = reader.text("kind")
    if kind not in RULE_KINDS:
        raise reader.error(f'"kind" chỉ nhận: {", ".join(RULE_KINDS)}; không phải {kind}.')
    rule_kind = kind
    if field_type not in _RULE_TYPES[rule_kind]:
        raise reader.error(f'quy tắc "{kind}" không dùng được cho trường kiểu "{field_type}".')
    message = reader.optional_text("message")
    if rule_kind == "not_future":
        return Rule(rule_kind, message=message)
    if rule_kind == "pattern":
        pattern = reader.text("value")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise reader.error(f"biểu thức chính quy sai: {exc}.") from exc
        if message is None:
            raise reader.error('quy tắc "pattern" cần "message" nói cho người dùng phải nhập gì.')
        return Rule(rule_kind, pattern, message=message)
    value = reader.integer("value")
    if rule_kind == "min_age_gap_years":
        return Rule(rule_kind, value, of=reader.name("of", _FULL_ID), message=message)
    return Rule(rule_kind, value, message=message)


# --- defaults ------------------------------------------------------------------------------------


def defaults_from_applicant(form: FormDefinition, applicant: Mapping[str, str]) -> dict[str, str]:
    """Starting values: each field's fixed ``default``, overridden by the scanned card's value.

    ``applicant`` uses the card's keys (``full_name``, ``id_number``, ``date_of_birth`` as
    dd/mm/yyyy or the QR's ddmmyyyy, ``sex``, ``address``); a missing or blank key leaves the
    field alone.
    """
    values: dict[str, str] = {}
    for f in form.fields():
        if f.default is not None:
            values[f.id] = f.default
        if f.default_from is not None:
            card_value = nfc(applicant.get(f.default_from.removeprefix("applicant."), "")).strip()
            if f.type == "date" and re.fullmatch(r"[0-9]{8}", card_value):
                # The card's QR writes dates as ddmmyyyy.
                card_value = f"{card_value[:2]}/{card_value[2:4]}/{card_value[4:]}"
            if card_value:
                values[f.id] = card_value
    return values


# --- validation ----------------------------------------------------------------------------------


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def parse_date(value: str) -> date | None:
    """A dd/mm/yyyy date (day and month may have one digit), or None."""
    match = _DATE.fullmatch(value.strip())
    if match is None:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _check_type(f: FormField, value: str) -> str | None:
    if f.type == "date":
        if _DATE.fullmatch(value) is None:
            return f"{f.label} phải ghi theo dạng ngày/tháng/năm, ví dụ 15/05/2024."
        if parse_date(value) is None:
            return f"Ngày {value} không có thật; kiểm tra lại ngày và tháng."
    elif f.type == "year":
        if _YEAR.fullmatch(value) is None or int(value) < _EARLIEST_YEAR:
            return f"{f.label} phải là năm gồm 4 chữ số, ví dụ 1995."
    elif f.type == "integer":
        if _INTEGER.fullmatch(value) is None:
            return f"{f.label} phải là số nguyên, chỉ gồm chữ số."
    elif f.type == "choice":
        if value not in f.choices:
            return f"“{value}” không có trong danh sách; chọn một trong: {', '.join(f.choices)}."
    elif f.type == "id_number":
        return validate_id_number(value)
    return None


def _check_rule(rule: Rule, f: FormField, value: str, today: date) -> str | None:
    if rule.kind == "max_length" and isinstance(rule.value, int) and len(value) > rule.value:
        return rule.message or (
            f"{f.label} dài quá {rule.value} ký tự (đang có {len(value)} ký tự)."
        )
    if rule.kind == "pattern" and isinstance(rule.value, str):
        if re.fullmatch(rule.value, value) is None:
            return rule.message
        return None
    if rule.kind == "not_future":
        if f.type == "date":
            when = parse_date(value)
            if when is not None and when > today:
                return rule.message or (
                    f"{f.label} không được sau ngày hôm nay ({today:%d/%m/%Y})."
                )
        elif int(value) > today.year:
            return rule.message or f"{f.label} không được sau năm nay ({today.year})."
        return None
    if rule.kind in ("min", "max") and isinstance(rule.value, int):
        number = int(value)
        if rule.kind == "min" and number < rule.value:
            return rule.message or f"{f.label} phải từ {rule.value} trở lên."
        if rule.kind == "max" and number > rule.value:
            return rule.message or f"{f.label} không được quá {rule.value}."
    return None


def _year_of(f: FormField, value: str) -> int | None:
    if f.type == "year":
        return int(value) if _YEAR.fullmatch(value) else None
    when = parse_date(value)
    return when.year if when else None


def _age_gap_problem(
    form: FormDefinition, f: FormField, rule: Rule, values: Mapping[str, str], person: str
) -> str | None:
    other = form.field(rule.of or "")
    if other is None or not isinstance(rule.value, int):
        return None
    elder_value, younger_value = values.get(f.id, ""), values.get(other.id, "")
    elder_date, younger_date = parse_date(elder_value), parse_date(younger_value)
    if f.type == "date" and other.type == "date" and elder_date and younger_date:
        # Whole years of age at the other's date, counting birthdays exactly.
        gap = younger_date.year - elder_date.year
        if (younger_date.month, younger_date.day) < (elder_date.month, elder_date.day):
            gap -= 1
    else:
        elder_year, younger_year = _year_of(f, elder_value), _year_of(other, younger_value)
        if elder_year is None or younger_year is None:
            return None
        gap = younger_year - elder_year
    if gap >= rule.value:
        return None
    if rule.message:
        return rule.message.replace("{person}", person).replace("{gap}", str(gap))
    return f"{f.label}: phải hơn {_lower_first(other.label)} ít nhất {rule.value} năm."


def _section_untouched(section: Section, values: Mapping[str, str]) -> bool:
    for f in section.fields:
        value = nfc(values.get(f.id, "")).strip()
        if value and value != (f.default or ""):
            return False
    return True


def validate(form: FormDefinition, values: Mapping[str, str], *, today: date) -> dict[str, str]:
    """Every problem as field id → Vietnamese message; an empty dict means the form is complete."""
    clean = {k: nfc(v).strip() for k, v in values.items()}
    problems: dict[str, str] = {}
    # A misspelt key in scripted input (``--data``) would otherwise vanish without a word.
    known = {f.id for f in form.fields()} | {d.id for d in form.derived}
    for key in values:
        if key not in known:
            problems[key] = f"Biểu mẫu “{form.title}” không có trường này."
    for section in form.sections:
        if not section.required and _section_untouched(section, clean):
            continue
        for f in section.fields:
            value = clean.get(f.id, "")
            if not value:
                if f.required:
                    verb = "chọn" if f.type == "choice" else "nhập"
                    problems[f.id] = f"Chưa {verb} {_lower_first(f.label)}."
                continue
            problem = _check_type(f, value)
            for rule in f.rules:
                if problem is not None:
                    break
                problem = _check_rule(rule, f, value, today)
            if problem is not None:
                problems[f.id] = problem
    # Cross-field rules run last, and only between values that are each valid on their own.
    for section in form.sections:
        for f in section.fields:
            for rule in f.rules:
                if rule.kind != "min_age_gap_years" or f.id in problems or rule.of in problems:
                    continue
                problem = _age_gap_problem(form, f, rule, clean, section.title)
                if problem is not None:
                    problems[f.id] = problem
    return problems


# --- derived values ------------------------------------------------------------------------------

# Months are written "tháng tư" (not "tháng bốn"), as on civil-status papers; "tháng một" and
# "tháng mười hai" rather than the lunar "tháng giêng" / "tháng chạp".
_MONTH_WORDS: Final = {4: "tư"}


def date_in_words(value: str) -> str:
    """A dd/mm/yyyy date written out as on a birth certificate.

    Style: "Ngày mười lăm, tháng năm, năm hai nghìn không trăm hai mươi tư". Days 1–10 take
    "mồng" (the written form of spoken "mùng"): "Ngày mồng một, tháng tư, năm hai nghìn".
    Numbers follow ``core.speech.number_words`` (Northern: "linh", "nghìn", "mốt", "tư", "lăm").
    """
    when = parse_date(value)
    if when is None:
        raise ValueError(f"Ngày không đúng dạng ngày/tháng/năm: {value!r}.")
    day = " ".join(number_words(when.day))
    if when.day <= 10:
        day = f"mồng {day}"
    month = _MONTH_WORDS.get(when.month) or " ".join(number_words(when.month))
    year = " ".join(number_words(when.year))
    return f"Ngày {day}, tháng {month}, năm {year}"


def derive(form: FormDefinition, values: Mapping[str, str]) -> dict[str, str]:
    """The derived values whose source is a valid date; others are left out."""
    result: dict[str, str] = {}
    for item in form.derived:
        source = nfc(values.get(item.source, "")).strip()
        if item.derive == "date_in_words" and parse_date(source) is not None:
            result[item.id] = date_in_words(source)
    return result


# --- export --------------------------------------------------------------------------------------


def _rule_json(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": rule.kind}
    if rule.value is not None:
        out["value"] = rule.value
    if rule.of is not None:
        out["of"] = rule.of
    if rule.message is not None:
        out["message"] = rule.message
    return out


def _field_json(f: FormField) -> dict[str, Any]:
    out: dict[str, Any] = {"id": f.id, "label": f.label, "type": f.type, "required": f.required}
    if f.choices:
        out["choices"] = list(f.choices)
    if f.default is not None:
        out["default"] = f.default
    if f.default_from is not None:
        out["default_from"] = f.default_from
    if f.rules:
        out["rules"] = [_rule_json(r) for r in f.rules]
    if f.help is not None:
        out["help"] = f.help
    return out


def as_json(form: FormDefinition) -> dict[str, Any]:
    """The definition for ``procedure form CODE --json``: blocks expanded, full field ids."""
    sections: list[dict[str, Any]] = []
    for section in form.sections:
        out: dict[str, Any] = {"id": section.id, "title": section.title}
        if not section.required:
            out["required"] = False
        if section.use_block is not None:
            out["use_block"] = section.use_block
        out["fields"] = [_field_json(f) for f in section.fields]
        sections.append(out)
    derived: Sequence[dict[str, Any]] = [
        {"id": d.id, "label": d.label, "derive": d.derive, "from": d.source} for d in form.derived
    ]
    return {
        "version": SUPPORTED_VERSION,
        "id": form.id,
        "title": form.title,
        "sections": sections,
        "derived": list(derived),
    }
