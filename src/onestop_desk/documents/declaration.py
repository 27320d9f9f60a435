"""The filled declaration (tờ khai) the citizen signs: a form and its values in, a .docx out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from onestop_desk.core.forms import FormDefinition, Section, derive
from onestop_desk.core.text import nfc
from onestop_desk.documents._docx import fill_template
from onestop_desk.resources import resource_path

TEMPLATE_PARTS = ("templates", "to_khai.docx")
TEMPLATE_NAME = "mẫu tờ khai"
# The field a form names its addressee with ("Kính gửi: …"), printed under the title.
ADDRESSEE = "addressed_to"
# A required field left empty keeps a line to write on by hand rather than vanishing.
BLANK = "…" * 20


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
    applicant_name: str  # the name under the signature


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
    """The sections and lines the declaration prints, in the form's order.

    An optional section nobody filled in (every field empty or at its default) is left out, as
    are empty optional fields; an empty required field keeps a dotted line to write on.
    """
    values = _clean(data.values)
    derived = _clean(derive(data.form, values) if data.derived is None else data.derived)
    words_for = {item.source: derived.get(item.id, "") for item in data.form.derived}
    sections: list[DeclarationSection] = []
    for section in data.form.sections:
        if not section.required and _untouched(section, values):
            continue
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
            sections.append(DeclarationSection(section.title, tuple(lines)))
    return sections


def _context(data: DeclarationData) -> dict[str, Any]:
    received = data.received_at
    return {
        "unit_name": _nfc(data.unit_name),
        "place": _nfc(data.place),
        "d": f"{received.day:02d}",
        "m": f"{received.month:02d}",
        "y": str(received.year),
        "received_date": f"{received:%d/%m/%Y}",
        "title": data.form.title,
        "addressed_to": addressee(data),
        "sections": [
            {
                "number": _roman(number),
                "title": section.title,
                "lines": [
                    {"label": line.label, "value": line.value, "words": line.words}
                    for line in section.lines
                ],
            }
            for number, section in enumerate(printed_sections(data), start=1)
        ],
        "code": data.code,
        "procedure_name": _nfc(data.procedure_name),
        "applicant_name": _nfc(data.applicant_name),
    }


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
