"""Official forms as .docx documents: plain data in, a filled template file out (no Qt, no SQL).

PDFs for printing and preview come from LibreOffice headless (``documents.pdf``).
"""

from __future__ import annotations

from onestop_desk.documents.declaration import (
    DeclarationData,
    DeclarationLine,
    DeclarationSection,
    printed_sections,
    render_declaration,
)
from onestop_desk.documents.pdf import (
    OfficeNotInstalled,
    OpenWithSystemFailed,
    PdfConversionFailed,
    PdfConversionTimeout,
    PdfToolMissing,
    find_office,
    open_with_system,
    pdf_page_png,
    to_pdf,
)
from onestop_desk.documents.receipt import (
    OutputUnwritable,
    ReceiptData,
    ReceiptDocumentLine,
    TemplateCorrupt,
    TemplateMissing,
    format_moment,
    format_processing_time,
    render_receipt,
)

__all__ = [
    "DeclarationData",
    "DeclarationLine",
    "DeclarationSection",
    "OfficeNotInstalled",
    "OpenWithSystemFailed",
    "OutputUnwritable",
    "PdfConversionFailed",
    "PdfConversionTimeout",
    "PdfToolMissing",
    "ReceiptData",
    "ReceiptDocumentLine",
    "TemplateCorrupt",
    "TemplateMissing",
    "find_office",
    "format_moment",
    "format_processing_time",
    "open_with_system",
    "pdf_page_png",
    "printed_sections",
    "render_declaration",
    "render_receipt",
    "to_pdf",
]
