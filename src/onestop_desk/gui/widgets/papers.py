"""The papers a counter makes for a dossier (Mẫu 01–06, declaration, thermal slip) and opens.

The reception pane and the dossier list share these. Everything here but ``open_paper`` is slow
(documents, LibreOffice, the printer) and runs in background operations.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from onestop_desk.config import Paths, Settings
from onestop_desk.db.database import Database
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.dossier import DossierView
from onestop_desk.services.office import OfficeInfo

#: Shows a made paper to the specialist (the system's PDF or Word viewer; tests pass their own).
Opener = Callable[[Path], None]


def papers_folder(paths: Paths, code: str) -> Path:
    """The dossier's own folder of papers, created when missing."""
    folder = paths.papers_dir / code
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def printable(docx: Path) -> Path:
    """The PDF where LibreOffice is installed (preview and print), else the .docx itself."""
    from onestop_desk.documents.pdf import find_office, to_pdf

    if find_office() is None:
        return docx
    return to_pdf(docx, docx.parent)


def receipt_paper(paths: Paths, view: DossierView, office: OfficeInfo) -> Path:
    """Mẫu 01, the receipt and appointment slip, ready to print."""
    from onestop_desk.documents.receipt import render_receipt
    from onestop_desk.services.papers import receipt_data

    out = papers_folder(paths, view.code) / f"Mau01-{view.code}.docx"
    return printable(render_receipt(receipt_data(view, office), out))


def declaration_paper(paths: Paths, view: DossierView, office: OfficeInfo) -> Path:
    """The filled declaration (tờ khai) the citizen signs, ready to print."""
    from onestop_desk.documents.declaration import render_declaration
    from onestop_desk.services.papers import declaration_data

    out = papers_folder(paths, view.code) / f"ToKhai-{view.code}.docx"
    return printable(render_declaration(declaration_data(view, office), out))


def notice_paper(database: Database, paths: Paths, code: str, form: str) -> Path:
    """Mẫu 02–06 of a dossier, from its history, ready to print."""
    from onestop_desk.services.lifecycle.notices import notice_document
    from onestop_desk.services.uow import UnitOfWork

    with UnitOfWork(database, readonly=True) as uow:
        write = notice_document(uow, code, form)
    out = papers_folder(paths, code) / f"Mau{form}-{code}.docx"
    return printable(write(out))


def print_slip(
    settings: Settings, view: DossierView, office: OfficeInfo, preview: PreviewSink | None
) -> None:
    """The 80 mm thermal appointment slip, on the slip printer of the settings."""
    from onestop_desk.printing.printers import print_slip as print_on_printer
    from onestop_desk.services.papers import slip_content

    printer = settings.printer
    print_on_printer(
        slip_content(view, office), printer.slip_url, width_dots=printer.width_dots, preview=preview
    )


def open_paper(path: Path, opener: Opener | None) -> None:
    """Show a made paper: with ``opener``, else the system's program; KnownError if none."""
    if opener is not None:
        opener(path)
        return
    from onestop_desk.documents.pdf import open_with_system

    open_with_system(path, "open")
