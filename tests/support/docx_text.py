"""Read a .docx back as text, the way the tests check what a citizen would read."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.table import Table


def document_text(source: Path | DocumentObject, *, footers: bool = False) -> str:
    """Paragraphs and table cells (nested too), in document order, one per line.

    ``footers`` adds the page footers (where the declaration prints its dossier code).
    """
    doc = Document(str(source)) if isinstance(source, Path) else source
    lines: list[str] = [p.text for p in doc.paragraphs]

    def walk(table: Table) -> None:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    walk(inner)

    for table in doc.tables:
        walk(table)
    if footers:
        for section in doc.sections:
            lines.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(lines)
