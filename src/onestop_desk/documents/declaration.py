"""The filled declaration (tờ khai) the citizen signs: a form and its values in, a .docx out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from onestop_desk.core.forms import FormDefinition, FormField, PrintLayout, Section, derive
from onestop_desk.core.text import nfc
from onestop_desk.documents._docx import fill_template
from onestop_desk.resources import resource_path

TEMPLATE_PARTS = ("templates", "to_khai.docx")
TEMPLATE_NAME = "mẫu tờ khai"
# The field a form names its addressee with ("Kính gửi: …"), printed under the title.
ADDRESSEE = "addressed_to"
# A required field left empty keeps a line to write on by hand rather than vanishing.
BLANK = "…" * 20
# The same in a column of the side-by-side table, a third of the width.
CELL_BLANK = "…" * 8


@dataclass(frozen=True)
class DeclarationData:
    """A declaration to print: the form, what was typed into it, and the dossier it belongs to.

    ``values`` maps full field ids (``mother.full_name``) to text; ``derived`` maps derived ids
    to their text (``core.forms.derive``), and ``None`` computes them from ``values``.
    """

    unit_name: str  # "UBND XÃ HÒA SƠN", in the footer with the dossier code
    place: str  # the place in the date line: "Hòa Sơn"
    form: FormDefinition
    values: Mapping[str, str]
    derived: Mapping[str, str] | None
    code: str  # dossier code
    procedure_name: str
    received_at: date  # the day in the date line; a datetime will do
    applicant_name: str  # signs as "Người yêu cầu" when the form names no signers


@dataclass(frozen=True)
class DeclarationLine:
    """One printed "label: value" line; ``words`` is the date in words beside it, or empty."""

    label: str
    value: str
    words: str = ""


@dataclass(frozen=True)
class DeclarationSection:
    """A section as printed: its title and the lines that have something to say."""

    title: str
    lines: tuple[DeclarationLine, ...]


@dataclass(frozen=True)
class DeclarationCell:
    """One value in the side-by-side table; ``words`` as in ``DeclarationLine``."""

    value: str
    words: str = ""


@dataclass(frozen=True)
class DeclarationRow:
    """A row of the side-by-side table: the label, then the left and the right section's value."""

    label: str
    left: DeclarationCell
    right: DeclarationCell


@dataclass(frozen=True)
class DeclarationTable:
    """Two sections side by side ("Bên nữ | Bên nam"): their titles and a row per field."""

    titles: tuple[str, str]
    rows: tuple[DeclarationRow, ...]


@dataclass(frozen=True)
class DeclarationIntro:
    """The form's request sentence ("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:")."""

    text: str


DeclarationPart = DeclarationSection | DeclarationTable | DeclarationIntro


@dataclass(frozen=True)
class DeclarationSigner:
    """A signature block: its title and the name printed under the space to sign."""

    title: str
    name: str


def render_declaration(data: DeclarationData, out: Path, *, template: Path | None = None) -> Path:
    """Fills the declaration template with ``data`` and writes it to ``out``; returns ``out``."""
    return fill_template(
        template or resource_path(*TEMPLATE_PARTS),
        out,
        lambda doc: _context(data),
        template_name=TEMPLATE_NAME,
        document_name="tờ khai",
    )


def addressee(data: DeclarationData) -> str:
    """The "Kính gửi" value; empty when the form has none (a dotted line if it is missing)."""
    values = _clean(data.values)
    for f in data.form.fields():
        if _bare(f.id) == ADDRESSEE:
            return values.get(f.id, "") or (BLANK if f.required else "")
    return ""


def printed_sections(data: DeclarationData) -> list[DeclarationSection]:
    """The sections the declaration prints as "label: value" lines, in the form's order.

    An optional section nobody filled in (every field empty or at its default) is left out, as
    are empty optional fields; an empty required field keeps a dotted line to write on. Sections
    printed side by side in a table are not among them (see ``printed_parts``).
    """
    return [part for part in printed_parts(data) if isinstance(part, DeclarationSection)]


def printed_parts(data: DeclarationData) -> list[DeclarationPart]:
    """What comes between "Kính gửi" and the undertaking, in print order.

    The sections as lines, the two ``columns`` sections as one table in the first one's place,
    and the form's request sentence after the section it follows.
    """
    values = _clean(data.values)
    derived = _clean(derive(data.form, values) if data.derived is None else data.derived)
    words_for = {item.source: derived.get(item.id, "") for item in data.form.derived}
    layout = data.form.print_layout or PrintLayout()
    sections = {section.id: section for section in data.form.sections}
    left_id, right_id = layout.columns or ("", "")
    parts: list[DeclarationPart] = []
    if layout.intro and layout.intro_after is None:
        parts.append(DeclarationIntro(layout.intro))
    for section in data.form.sections:
        if section.id == left_id:
            parts.append(_table(section, sections[right_id], values, words_for))
        elif section.id != right_id and (section.required or not _untouched(section, values)):
            lines: list[DeclarationLine] = []
            for f in section.fields:
                if _bare(f.id) == ADDRESSEE:
                    continue
                value = values.get(f.id, "")
                if value:
                    lines.append(DeclarationLine(f.label, value, words_for.get(f.id, "")))
                elif f.required:
                    lines.append(DeclarationLine(f.label, BLANK))
            if lines:
                parts.append(DeclarationSection(section.title, tuple(lines)))
        if layout.intro and section.id == layout.intro_after:
            parts.append(DeclarationIntro(layout.intro))
    return parts


def signers(data: DeclarationData) -> list[DeclarationSigner]:
    """The form's own signature blocks, left to right; empty: the template's "Người yêu cầu"."""
    layout = data.form.print_layout
    if layout is None:
        return []
    values = _clean(data.values)
    return [DeclarationSigner(s.title, values.get(s.name_from, "")) for s in layout.signers]


def _table(
    left: Section, right: Section, values: Mapping[str, str], words_for: Mapping[str, str]
) -> DeclarationTable:
    """A row per field of ``left`` (then any only ``right`` has), matched by bare field id."""
    by_name = {_bare(f.id): f for f in right.fields}
    pairs: list[tuple[FormField | None, FormField | None]] = [
        (f, by_name.pop(_bare(f.id), None)) for f in left.fields
    ]
    pairs += [(None, f) for f in by_name.values()]

    # An optional side nobody filled in prints empty, as an untouched section is left out.
    blank = {
        section.id: not section.required and _untouched(section, values)
        for section in (left, right)
    }

    def cell(section: Section, f: FormField | None) -> DeclarationCell:
        if f is None or blank[section.id]:
            return DeclarationCell("")
        value = values.get(f.id, "")
        if value:
            return DeclarationCell(value, words_for.get(f.id, ""))
        return DeclarationCell(CELL_BLANK if f.required else "")

    rows: list[DeclarationRow] = []
    for mine, theirs in pairs:
        label = mine.label if mine is not None else theirs.label if theirs is not None else ""
        row = DeclarationRow(label, cell(left, mine), cell(right, theirs))
        if row.left.value or row.right.value:
            rows.append(row)
    return DeclarationTable((left.title, right.title), tuple(rows))


def _context(data: DeclarationData) -> dict[str, Any]:
    received = data.received_at
    parts: list[dict[str, Any]] = []
    number = 0
    for part in printed_parts(data):
        item: dict[str, Any] = {"intro": "", "number": "", "title": "", "lines": [], "table": None}
        if isinstance(part, DeclarationIntro):
            item["intro"] = part.text
        elif isinstance(part, DeclarationSection):
            number += 1
            item["number"], item["title"] = _roman(number), part.title
            item["lines"] = [asdict(line) for line in part.lines]
        else:
            item["table"] = {
                "left": part.titles[0],
                "right": part.titles[1],
                "rows": [asdict(row) for row in part.rows],  # label, left/right value, words
            }
        parts.append(item)
    layout = data.form.print_layout or PrintLayout()
    return {
        "unit_name": _nfc(data.unit_name),
        "place": _nfc(data.place),
        "d": f"{received.day:02d}",
        "m": f"{received.month:02d}",
        "y": str(received.year),
        "received_date": f"{received:%d/%m/%Y}",
        "title": data.form.title,
        "addressed_to": addressee(data),
        "parts": parts,
        "undertaking": layout.undertaking or "",
        "signer_rows": _signer_rows(signers(data)),
        "code": data.code,
        "procedure_name": _nfc(data.procedure_name),
        "applicant_name": _nfc(data.applicant_name),
    }


def _signer_rows(people: list[DeclarationSigner]) -> list[dict[str, dict[str, str]]]:
    """Two signers to a row, left and right; a lone last one signs on the right, as usual."""
    nobody = {"title": "", "name": ""}
    rows: list[dict[str, dict[str, str]]] = []
    for start in range(0, len(people), 2):
        pair = [{"title": p.title, "name": p.name} for p in people[start : start + 2]]
        left, right = (nobody, pair[0]) if len(pair) == 1 else (pair[0], pair[1])
        rows.append({"left": left, "right": right})
    return rows


def _roman(number: int) -> str:
    """I, II, III... for section headings (a form has far fewer than 40 sections)."""
    tens, units = divmod(number, 10)
    digits = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
    return "X" * tens + digits[units]


def _bare(field_id: str) -> str:
    return field_id.rpartition(".")[2]


def _nfc(text: str) -> str:
    return nfc(text).strip()


def _clean(values: Mapping[str, str]) -> dict[str, str]:
    return {key: _nfc(value) for key, value in values.items()}


def _untouched(section: Section, values: Mapping[str, str]) -> bool:
    """Nothing typed: every field empty or still at its fixed default (as core.forms.validate)."""
    return all(values.get(f.id, "") in ("", f.default or "") for f in section.fields)
