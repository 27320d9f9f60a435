"""What every .docx form shares: the typed errors and one fast, safe docxtpl fill."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from onestop_desk.errors import KnownError

_MAX_COMPILED = 64  # template parts kept compiled; each form has a handful


class TemplateMissing(KnownError):
    """The form template is not where the program expects it."""


class TemplateCorrupt(KnownError):
    """The form template exists but is not a usable .docx template."""


class OutputUnwritable(KnownError):
    """The filled document cannot be written where it was asked to go."""


def fill_template(
    source: Path,
    out: Path,
    context: Callable[[Any], dict[str, Any]],
    *,
    template_name: str,
    document_name: str,
) -> Path:
    """Fills the docxtpl template ``source`` and writes ``out``; returns ``out``.

    ``context`` receives the template object (for pictures) and returns the values. The names go
    into the messages: ``template_name`` "mẫu tờ khai", ``document_name`` "tờ khai".
    """
    from jinja2 import TemplateError

    try:
        doc = _fast_template_class()(io.BytesIO(_template_bytes(source, template_name)))
        doc.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _corrupt(source, template_name) from exc
    values = context(doc)
    try:
        doc.render(values, jinja_env=_jinja_env(), autoescape=True)
    except TemplateError as exc:  # someone broke the {{ }} tags while editing the form in Word
        raise _corrupt(source, template_name) from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(out))
    except OSError as exc:
        raise OutputUnwritable(
            f"Không ghi được {document_name} vào {out}: {exc.strerror or exc}.",
            "Hãy chọn thư mục khác có quyền ghi, hoặc đóng tệp nếu nó đang mở trong Word.",
        ) from exc
    return out


@cache
def _template_bytes(path: Path, template_name: str) -> bytes:
    """The template file, read once per process: parsing it again is the cheap part."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise TemplateMissing(
            f"Không tìm thấy {template_name} tại {path}.",
            "Hãy cài đặt lại chương trình hoặc chép lại thư mục resources/templates.",
        ) from exc
    except OSError as exc:
        raise TemplateMissing(
            f"Không đọc được {template_name} tại {path}: {exc.strerror or exc}.",
            "Hãy kiểm tra quyền đọc tệp hoặc cài đặt lại chương trình.",
        ) from exc


@cache
def _jinja_env() -> Any:
    """A Jinja environment that compiles each distinct template part once per process.

    docxtpl recompiles every part on every render; for one template the parts never change, so
    compiling is a third of a render's time spent on the same answer.
    """
    from jinja2 import Environment

    class _CompilingOnce(Environment):
        def __init__(self) -> None:
            super().__init__(autoescape=True)
            self._compiled: dict[str, Any] = {}

        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            compiled = self._compiled.get(source)
            if compiled is None:
                if len(self._compiled) > _MAX_COMPILED:  # a template edited while running
                    self._compiled.clear()
                compiled = self._compiled[source] = super().from_string(source)
            return compiled

    return _CompilingOnce()


@cache
def _fast_template_class() -> Any:
    """docxtpl's DocxTemplate with its regex clean-up of the XML remembered per input."""
    from docxtpl import DocxTemplate

    patched: dict[str, str] = {}

    class _FastTemplate(DocxTemplate):  # type: ignore[misc]
        def patch_xml(self, src_xml: str) -> str:
            result = patched.get(src_xml)
            if result is None:
                if len(patched) > _MAX_COMPILED:
                    patched.clear()
                result = patched[src_xml] = super().patch_xml(src_xml)
            return result

    return _FastTemplate


def _corrupt(path: Path, template_name: str) -> TemplateCorrupt:
    return TemplateCorrupt(
        f"{template_name[:1].upper()}{template_name[1:]} tại {path} bị hỏng hoặc sai cú pháp.",
        "Hãy khôi phục tệp mẫu gốc (cài đặt lại chương trình) "
        "hoặc sửa lại các thẻ {{ … }} trong mẫu.",
    )
