"""Official forms as .docx documents: plain data in, a filled template file out (no Qt, no SQL)."""

from __future__ import annotations

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
    "OutputUnwritable",
    "ReceiptData",
    "ReceiptDocumentLine",
    "TemplateCorrupt",
    "TemplateMissing",
    "format_moment",
    "format_processing_time",
    "render_receipt",
]
