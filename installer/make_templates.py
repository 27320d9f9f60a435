"""Builds the official-form templates in resources/templates with python-docx and docxtpl tags.

Run once from the checkout (``.venv/bin/python installer/make_templates.py``) after changing a form;
the .docx files it writes are committed. Keeping the layout here as code makes it reviewable; an
office may still edit the .docx in Word as long as the ``{{ ... }}`` tags survive.

Mẫu 01 follows Circular 01/2018/TT-VPCP (receipt and appointment slip), the layout local systems
print today; the template holds the page twice, "Liên 1: Lưu" and "Liên 2: Giao người nộp hồ sơ".

``to_khai.docx`` is one declaration (tờ khai) for every form in resources/forms: the national
motto, the form's title, "Kính gửi", each section's "label: value" lines (or two sections side by
side in a table), the undertaking and the signatures. The program decides which lines to print;
the general wording is here, and a form's own request sentence, undertaking and signers come from
its "print" block in resources/forms.

``mau02.docx`` … ``mau07.docx`` are the papers after the receipt, after the same circular: the
request to complete a dossier, the refusal, the apology and extension letter, the notice that
handling stopped (new in 2025), the tracking slip of hand-overs, and the log book (A4 landscape).
``documents/notices.py`` fills them.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "resources" / "templates"

FONT = "Times New Roman"
SIZE = Pt(13)  # the national rules for administrative documents allow 13-14 pt

COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")


def _base_document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4 portrait
    section.top_margin = section.bottom_margin = Cm(1.5)
    section.left_margin = Cm(2.5)  # binding edge, as the rules ask
    section.right_margin = Cm(1.5)
    for name in ("Normal", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = SIZE
        # python-docx sets only ascii/hAnsi; Vietnamese text may fall back to the other slots.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for slot in ("w:eastAsia", "w:cs"):
            fonts.set(qn(slot), FONT)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_before = normal.space_after = Pt(0)
    normal.line_spacing = 1.1
    return doc


def _para(
    container: DocxDocument | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: Pt | None = None,
    space_before: float = 0,
    space_after: float = 0,
) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size is not None:
            run.font.size = size
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _cell_para(cell: _Cell, text: str = "", **kwargs: object) -> Paragraph:
    """The cell's first (empty) paragraph gets the text; later calls add paragraphs."""
    first = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.text:
        first._p.getparent().remove(first._p)  # add_paragraph below takes its place
    return _para(cell, text, **kwargs)  # type: ignore[arg-type]


def _borderless(table: Table, widths: tuple[float, ...]) -> None:
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid LibreOffice lays out by; Word reads the cells'
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _header(
    doc: DocxDocument,
    widths: tuple[float, float] = (6.0, 11.0),
    *,
    number: str = "Số: {{ number }}",
    subject: str | None = None,
) -> None:
    """The official header; ``subject`` is the "V/v …" line a letter carries under its number."""
    table = doc.add_table(rows=1, cols=2)
    # 6 cm breaks the centre's name as such headers are set, "TRUNG TÂM PHỤC VỤ / HÀNH CHÍNH
    # CÔNG", not after "HÀNH" (Times New Roman and its metric twin Liberation Serif alike).
    _borderless(table, widths)
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    _cell_para(left, "{{ unit_name }}", align=center, size=Pt(12))
    _cell_para(left, "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", bold=True, align=center, size=Pt(12))
    _cell_para(left, number, align=center, space_before=6)
    if subject is not None:
        _cell_para(left, subject, align=center, size=Pt(12))
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=center, size=Pt(12))
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, align=center)
    _cell_para(
        right,
        "{{ place }}, ngày {{ d }} tháng {{ m }} năm {{ y }}",
        italic=True,
        align=center,
        space_before=6,
    )


def _code_and_qr(doc: DocxDocument) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, (13.5, 3.5))
    left, right = table.rows[0].cells
    _cell_para(left, "Mã hồ sơ: {{ code }}", bold=True, space_before=12)
    _cell_para(left, "Tra cứu tình trạng hồ sơ: quét mã QR bên cạnh.", italic=True, size=Pt(11))
    _cell_para(right, "{{ qr }}", align=WD_ALIGN_PARAGRAPH.RIGHT)


def _documents_table(doc: DocxDocument) -> None:
    table = doc.add_table(rows=4, cols=4)
    table.style = doc.styles["Table Grid"]
    # The last column holds "Bản sao chứng thực" on one line.
    _borderless(table, (1.1, 9.5, 2.3, 4.1))
    center = WD_ALIGN_PARAGRAPH.CENTER
    for cell, text in zip(
        table.rows[0].cells, ("TT", "Tên giấy tờ", "Số lượng", "Bản chính/bản sao"), strict=True
    ):
        _cell_para(cell, text, bold=True, align=center)
    # docxtpl repeats the row between the {%tr %} rows, which it removes.
    _cell_para(table.rows[1].cells[0], "{%tr for line in lines %}")
    for cell, text, align in zip(
        table.rows[2].cells,
        ("{{ loop.index }}", "{{ line.name }}", "{{ line.count }}", "{{ line.kind_label }}"),
        (center, None, center, center),
        strict=True,
    ):
        _cell_para(cell, text, align=align)
    _cell_para(table.rows[3].cells[0], "{%tr endfor %}")


def _signatures(doc: DocxDocument) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, (8.5, 8.5))
    center = WD_ALIGN_PARAGRAPH.CENTER
    for cell, title, name in zip(
        table.rows[0].cells,
        ("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"),
        ("{{ applicant_name }}", "{{ receiver_name }}"),
        strict=True,
    ):
        _cell_para(cell, title, bold=True, align=center, space_before=6)
        _cell_para(cell, "(Ký và ghi rõ họ tên)", italic=True, align=center, space_after=48)
        _cell_para(cell, name, bold=True, align=center)


def _mau01_page(doc: DocxDocument, copy_label: str) -> None:
    _header(doc)
    _para(
        doc,
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=Pt(14),
        space_before=12,
    )
    _para(doc, f"({copy_label})", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _code_and_qr(doc)
    rows = (
        "Bộ phận tiếp nhận: {{ desk_name }}",
        "Tiếp nhận hồ sơ của: {{ applicant_name }}",
        "Địa chỉ: {{ address }}",
        "Số điện thoại: {{ phone }}    Email: {{ email }}",
        "Số định danh cá nhân/CCCD: {{ id_number }}",
        "Nội dung yêu cầu giải quyết: {{ procedure_name }}",
        "1. Thành phần hồ sơ nộp gồm:",
    )
    for text in rows:
        _para(doc, text, space_before=3)
    _documents_table(doc)
    items = (
        "2. Số lượng hồ sơ: {{ set_count }} (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định là: {{ processing_time }}",
        "4. Thời gian nhận hồ sơ: {{ received_text }}",
        "5. Thời gian trả kết quả giải quyết hồ sơ: {{ due_text }}",
        "6. Đăng ký nhận kết quả tại: {{ result_channel }}",
        "Phí, lệ phí: {{ fee }}",
        "Vào Sổ theo dõi hồ sơ, Quyển số: {{ book_volume }}    Số thứ tự: {{ book_sequence }}",
    )
    for text in items:
        _para(doc, text, space_before=3)
    _signatures(doc)
    _para(doc, "Ghi chú:", bold=True, italic=True, size=Pt(11), space_before=6)
    notes = (
        "- Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên: một liên chuyển kèm "
        "theo Phiếu kiểm soát quá trình giải quyết hồ sơ và được lưu tại Bộ phận Một cửa; một liên "
        "giao cho người nộp hồ sơ.",
        "- Người nộp hồ sơ có thể đăng ký nhận kết quả tại nhà qua dịch vụ bưu chính công ích.",
        "- Khi đến nhận kết quả, đề nghị mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả này.",
    )
    for text in notes:
        _para(doc, text, italic=True, size=Pt(11))


def build_mau01(out: Path) -> Path:
    """Writes the Mẫu 01 template: the same page for each copy, a page break between them."""
    doc = _base_document()
    for index, label in enumerate(COPIES):
        if index:
            _para(doc).add_run().add_break(WD_BREAK.PAGE)
        _mau01_page(doc, label)
    _stable_core_properties(doc, "Mẫu 01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    return _save(doc, out)


# --- the declaration (tờ khai) --------------------------------------------------------------------

UNDERTAKING = (
    "Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật "
    "về cam đoan của mình."
)


def _tag_para(doc: DocxDocument, tag: str) -> None:
    """A paragraph holding only a ``{%p ... %}`` tag: docxtpl removes it along with the tag."""
    _para(doc, tag)


def _keep_row_together(table: Table) -> None:
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _declaration_signature(doc: DocxDocument) -> None:
    """The form's own signers two to a row; without them, the requester on the right."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    hint = "(Ký, ghi rõ họ, chữ đệm, tên)"
    date_line = "{{ place }}, ngày {{ d }} tháng {{ m }} năm {{ y }}"
    _tag_para(doc, "{%p if signer_rows %}")
    table = doc.add_table(rows=3, cols=2)
    _borderless(table, (8.25, 8.25))
    _cell_para(table.rows[0].cells[0], "{%tr for row in signer_rows %}")
    for side, cell in zip(("left", "right"), table.rows[1].cells, strict=True):
        # The date heads the right column of the first row; the left keeps a line to match.
        _cell_para(cell, "{%p if loop.first %}")
        if side == "right":
            _cell_para(cell, date_line, italic=True, align=center, space_before=6)
        else:
            _cell_para(cell, space_before=6)
        _cell_para(cell, "{%p endif %}")
        _cell_para(cell, f"{{{{ row.{side}.title|upper }}}}", bold=True, align=center)
        _cell_para(
            cell,
            f"{{% if row.{side}.title %}}{hint}{{% endif %}}",
            italic=True,
            align=center,
            space_after=54,
        )
        _cell_para(cell, f"{{{{ row.{side}.name }}}}", bold=True, align=center)
    _cell_para(table.rows[2].cells[0], "{%tr endfor %}")
    _keep_row_together(table)
    _tag_para(doc, "{%p else %}")
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, (7.0, 9.5))
    _keep_row_together(table)
    cell = table.rows[0].cells[1]
    _cell_para(cell, date_line, italic=True, align=center, space_before=6)
    _cell_para(cell, "NGƯỜI YÊU CẦU", bold=True, align=center)
    _cell_para(cell, hint, italic=True, align=center, space_after=54)
    _cell_para(cell, "{{ applicant_name }}", bold=True, align=center)
    _tag_para(doc, "{%p endif %}")


def _declaration_columns(doc: DocxDocument) -> None:
    """Two sections side by side, as the marriage declaration sets "Bên nữ" and "Bên nam"."""
    _tag_para(doc, "{%p if part.table %}")
    table = doc.add_table(rows=4, cols=3)
    table.style = doc.styles["Table Grid"]
    _borderless(table, (5.0, 5.75, 5.75))
    center = WD_ALIGN_PARAGRAPH.CENTER
    header = table.rows[0].cells
    _cell_para(header[0])
    for cell, side in zip(header[1:], ("left", "right"), strict=True):
        _cell_para(cell, f"{{{{ part.table.{side} }}}}", bold=True, align=center, space_before=2)
    _cell_para(table.rows[1].cells[0], "{%tr for row in part.table.rows %}")
    row = table.rows[2].cells
    _cell_para(row[0], "{{ row.label }}", space_before=2, space_after=2)
    for cell, side in zip(row[1:], ("left", "right"), strict=True):
        _cell_para(
            cell,
            f"{{{{ row.{side}.value }}}}"
            f"{{% if row.{side}.words %}} (bằng chữ: {{{{ row.{side}.words }}}}){{% endif %}}",
            space_before=2,
            space_after=2,
        )
    _cell_para(table.rows[3].cells[0], "{%tr endfor %}")
    _keep_row_together(table)
    _tag_para(doc, "{%p endif %}")


def _declaration_footer(doc: DocxDocument) -> None:
    """The dossier it belongs to, on every page, small: the office finds a loose page's home."""
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(
        "Mã hồ sơ: {{ code }} – {{ procedure_name }} – {{ unit_name }}, {{ received_date }}"
    )
    run.italic = True
    run.font.size = Pt(11)


def build_to_khai(out: Path) -> Path:
    """Writes the declaration template: docxtpl loops over the parts between "Kính gửi" and the end.

    Context: ``title``; ``addressed_to`` (may be empty); ``parts``, each one of: an ``intro``
    sentence; a section with ``number`` (I, II...), ``title`` and ``lines`` of ``label``,
    ``value`` and ``words`` (a date in words, or empty); or a ``table`` with the ``left`` and
    ``right`` titles and ``rows`` of ``label``, ``left`` and ``right`` (each ``value``, ``words``).
    Then ``undertaking`` (empty: the general one below); ``signer_rows``, each a ``left`` and a
    ``right`` of ``title`` and ``name`` (empty: the requester, ``applicant_name``, signs);
    ``place``, ``d``, ``m``, ``y``; and for the footer ``code``, ``procedure_name``,
    ``unit_name``, ``received_date``.
    """
    doc = _base_document()
    section = doc.sections[0]
    # A declaration is one A4 page or two: the standard administrative margins, not Mẫu 01's.
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.footer_distance = Cm(1)
    # Single spacing keeps the birth declaration, the longest, with its signature on one page.
    doc.styles["Normal"].paragraph_format.line_spacing = 1.0
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=center)
    _para(doc, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, align=center, size=Pt(14))
    _para(doc, "{{ title|upper }}", bold=True, align=center, size=Pt(14), space_before=12)
    _tag_para(doc, "{%p if addressed_to %}")
    _para(doc, "Kính gửi: {{ addressed_to }}", align=center, space_before=12, space_after=6)
    _tag_para(doc, "{%p endif %}")
    _tag_para(doc, "{%p for part in parts %}")
    _tag_para(doc, "{%p if part.intro %}")
    intro = _para(doc, "{{ part.intro }}", space_before=6, space_after=3)
    intro.paragraph_format.keep_with_next = True
    _tag_para(doc, "{%p endif %}")
    _tag_para(doc, "{%p if part.title %}")
    heading = _para(doc, "{{ part.number }}. {{ part.title|upper }}", bold=True, space_before=6)
    heading.paragraph_format.keep_with_next = True
    _tag_para(doc, "{%p endif %}")
    _tag_para(doc, "{%p for line in part.lines %}")
    # 1 pt apart, not 2: with its request sentence and longer undertaking it still fits.
    line = _para(doc, space_before=1)
    # Label and value in runs of their own, so an office can restyle the values (bold) in Word.
    for text in (
        "{{ line.label }}: ",
        "{{ line.value }}",
        "{% if line.words %} (bằng chữ: {{ line.words }}){% endif %}",
    ):
        line.add_run(text)
    _tag_para(doc, "{%p endfor %}")
    _declaration_columns(doc)
    _tag_para(doc, "{%p endfor %}")
    undertaking = _para(
        doc,
        f"{{% if undertaking %}}{{{{ undertaking }}}}{{% else %}}{UNDERTAKING}{{% endif %}}",
        space_before=9,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    undertaking.paragraph_format.first_line_indent = Cm(1)
    undertaking.paragraph_format.keep_with_next = True
    _declaration_signature(doc)
    _declaration_footer(doc)
    _stable_core_properties(doc, "Tờ khai (mẫu chung cho các biểu mẫu)")
    return _save(doc, out)


# --- Mẫu 02-07: the papers after the receipt ------------------------------------------------------

CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def _title(doc: DocxDocument, text: str, subtitle: str | None = None) -> None:
    _para(doc, text, bold=True, align=CENTER, size=Pt(14), space_before=18)
    if subtitle is not None:
        _para(doc, subtitle, bold=True, align=CENTER)
    _para(doc, space_after=6)


def _body(doc: DocxDocument, text: str, *, indent: bool = False, space_before: float = 3) -> None:
    paragraph = _para(doc, text, align=JUSTIFY, space_before=space_before)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)


def _lines_para(doc: DocxDocument, loop: str, text: str, *, indent: bool = False) -> None:
    """One paragraph per item of ``loop`` ("line in reason_lines")."""
    _tag_para(doc, f"{{%p for {loop} %}}")
    _body(doc, text, indent=indent, space_before=0)
    _tag_para(doc, "{%p endfor %}")


def _repeat_header_row(table: Table) -> None:
    """The column titles again at the top of every page the table runs onto."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)


def _loop_table(
    doc: DocxDocument,
    widths: tuple[float, ...],
    titles: tuple[str, ...],
    loop: str,
    cells: tuple[tuple[str, ...], ...],
    *,
    size: Pt,
    centred: tuple[int, ...] = (),
) -> Table:
    """A grid: a header row, then one row per item of ``loop`` with ``cells`` paragraphs each."""
    table = doc.add_table(rows=4, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    _borderless(table, widths)
    for cell, text in zip(table.rows[0].cells, titles, strict=True):
        _cell_para(cell, text, bold=True, align=CENTER, size=size)
    # docxtpl repeats the row between the {%tr %} rows, which it removes.
    _cell_para(table.rows[1].cells[0], f"{{%tr for {loop} %}}")
    for index, (cell, lines) in enumerate(zip(table.rows[2].cells, cells, strict=True)):
        for text in lines:
            _cell_para(cell, text, align=CENTER if index in centred else None, size=size)
    _cell_para(table.rows[3].cells[0], "{%tr endfor %}")
    _repeat_header_row(table)
    _keep_row_together(table)
    return table


def _contact_lines(doc: DocxDocument) -> None:
    _para(doc, "Địa chỉ: {{ address }}", space_before=3)
    _para(doc, "Số điện thoại: {{ phone }}    Email: {{ email }}", space_before=3)


def _signer(cell: _Cell, title: str, hint: str, name: str) -> None:
    _cell_para(cell, title, bold=True, align=CENTER, space_before=12)
    _cell_para(cell, hint, italic=True, align=CENTER, space_after=54)
    _cell_para(cell, name, bold=True, align=CENTER)


def _one_signature(doc: DocxDocument, title: str, name: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, (8.0, 9.0))
    _keep_row_together(table)
    _signer(table.rows[0].cells[1], title, "(Ký và ghi rõ họ tên)", name)


def _letter_signature(doc: DocxDocument) -> None:
    """ "Nơi nhận" on the left, the head of the agency on the right, as official letters end."""
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, (8.0, 9.0))
    _keep_row_together(table)
    left, right = table.rows[0].cells
    _cell_para(left, "Nơi nhận:", bold=True, italic=True, size=Pt(12), space_before=12)
    _cell_para(left, "- Như trên;", size=Pt(11))
    _cell_para(left, "- Lưu: VT, hồ sơ {{ code }}.", size=Pt(11))
    _signer(right, "GIÁM ĐỐC", "(Ký, ghi rõ họ tên và đóng dấu)", "{{ signer_name }}")


def build_mau02(out: Path) -> Path:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: what is missing, why, and whom to ask."""
    doc = _base_document()
    _header(doc)
    _title(doc, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
    for text in (
        "Mã hồ sơ: {{ code }}",
        "Hồ sơ của: {{ applicant_name }}",
        "Số định danh cá nhân/CCCD: {{ id_number }}",
        "Nội dung yêu cầu giải quyết: {{ procedure_name }}",
    ):
        _para(doc, text, space_before=3)
    _contact_lines(doc)
    # A request from the online system may name no papers, only a note: then the reason says.
    _tag_para(doc, "{%p if items %}")
    _para(doc, "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", space_before=6, space_after=3)
    _loop_table(
        doc,
        (1.1, 9.0, 2.3, 4.6),
        ("TT", "Tên giấy tờ cần bổ sung, hoàn thiện", "Số lượng", "Hình thức"),
        "item in items",
        (
            ("{{ loop.index }}",),
            ("{{ item.name }}",),
            ("{{ item.count }}",),
            ("{{ item.kind_label }}",),
        ),
        size=SIZE,
        centred=(0, 2, 3),
    )
    _para(
        doc,
        "(Hình thức: bản chính, bản sao có chứng thực hoặc bản chụp)",
        italic=True,
        size=Pt(11),
    )
    _tag_para(doc, "{%p else %}")
    _para(
        doc, "Yêu cầu hoàn thiện hồ sơ theo nội dung nêu tại phần lý do dưới đây.", space_before=6
    )
    _tag_para(doc, "{%p endif %}")
    _para(doc, "Lý do:", bold=True, space_before=6)
    _lines_para(doc, "line in reason_lines", "{{ line }}", indent=True)
    _body(
        doc,
        "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {{ salutation|lower }} liên hệ với "
        "{{ contact_name }}, số điện thoại {{ contact_phone }} để được hướng dẫn./.",
        indent=True,
        space_before=6,
    )
    _one_signature(doc, "NGƯỜI HƯỚNG DẪN", "{{ guide_name }}")
    _stable_core_properties(doc, "Mẫu 02 - Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    return _save(doc, out)


def build_mau03(out: Path) -> Path:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ: the specific reasons, signed by both sides."""
    doc = _base_document()
    _header(doc)
    _title(doc, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    for text in (
        "Mã hồ sơ: {{ code }}",
        "{{ desk_name }} tiếp nhận hồ sơ của: {{ applicant_name }}",
        "Số định danh cá nhân/CCCD: {{ id_number }}",
    ):
        _para(doc, text, space_before=3)
    _contact_lines(doc)
    _para(doc, "Nội dung yêu cầu giải quyết: {{ procedure_name }}", space_before=3)
    _body(
        doc,
        "Qua xem xét, {{ desk_name }} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do "
        "cụ thể như sau:",
        indent=True,
        space_before=6,
    )
    _lines_para(doc, "line in reason_lines", "- {{ line }}", indent=True)
    _body(doc, "Xin thông báo để {{ salutation|lower }} được biết và thực hiện./.", indent=True)
    _signatures_two(
        doc,
        ("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"),
        ("{{ applicant_name }}", "{{ receiver_name }}"),
    )
    _stable_core_properties(doc, "Mẫu 03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    return _save(doc, out)


def _signatures_two(doc: DocxDocument, titles: tuple[str, str], names: tuple[str, str]) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, (8.5, 8.5))
    _keep_row_together(table)
    for cell, title, name in zip(table.rows[0].cells, titles, names, strict=True):
        _signer(cell, title, "(Ký và ghi rõ họ tên)", name)


def build_mau04(out: Path) -> Path:
    """The apology and request for more time, sent to the citizen before the due date passes."""
    doc = _base_document()
    _header(
        doc,
        subject="V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ",
    )
    _title(doc, "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN", "THỜI GIAN GIẢI QUYẾT HỒ SƠ")
    _para(doc, "Kính gửi: {{ salutation }} {{ applicant_name }}", align=CENTER, space_after=3)
    _para(doc, "Địa chỉ: {{ address }}", align=CENTER, italic=True, space_after=6)
    _body(
        doc,
        "Ngày {{ received_date }}, {{ agency_name }} tiếp nhận hồ sơ của {{ salutation|lower }} "
        "{{ applicant_name }}, mã hồ sơ {{ code }}, đề nghị giải quyết thủ tục: "
        "{{ procedure_name }}.",
        indent=True,
    )
    _body(
        doc,
        "Thời hạn trả kết quả ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả là "
        "{{ old_due_text }}.",
        indent=True,
    )
    _body(
        doc,
        "Tuy nhiên, đến nay {{ agency_name }} chưa thể trả kết quả giải quyết hồ sơ của "
        "{{ salutation|lower }} đúng hạn như đã hẹn. Lý do:",
        indent=True,
    )
    _lines_para(doc, "line in reason_lines", "- {{ line }}", indent=True)
    _body(
        doc,
        "Sự chậm trễ này đã gây phiền hà, làm tốn thời gian, chi phí đi lại của "
        "{{ salutation|lower }}. {{ agency_name }} trân trọng xin lỗi {{ salutation|lower }} và "
        "đề nghị gia hạn thời gian giải quyết hồ sơ; kết quả giải quyết sẽ được trả cho "
        "{{ salutation|lower }} vào {{ new_due_text }}.",
        indent=True,
    )
    _body(doc, "Trân trọng./.", indent=True)
    _letter_signature(doc)
    _stable_core_properties(doc, "Mẫu 04 - Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
    return _save(doc, out)


def build_mau05(out: Path) -> Path:
    """The notice that handling of a dossier is stopped, with the reason and its legal basis."""
    doc = _base_document()
    _header(doc, subject="V/v dừng giải quyết hồ sơ")
    _title(doc, "THÔNG BÁO", "Về việc dừng giải quyết hồ sơ thủ tục hành chính")
    _para(doc, "Kính gửi: {{ salutation }} {{ applicant_name }}", align=CENTER, space_after=3)
    _para(doc, "Địa chỉ: {{ address }}", align=CENTER, italic=True, space_after=6)
    _body(
        doc,
        "Ngày {{ received_date }}, {{ agency_name }} đã tiếp nhận hồ sơ của "
        "{{ salutation|lower }} {{ applicant_name }}, mã hồ sơ {{ code }}, đề nghị giải quyết "
        "thủ tục: {{ procedure_name }}.",
        indent=True,
    )
    _body(doc, "Căn cứ:", indent=True)
    _lines_para(doc, "line in legal_basis_lines", "- {{ line }};", indent=True)
    _body(
        doc,
        "{{ agency_name }} thông báo dừng giải quyết hồ sơ nêu trên. Lý do:",
        indent=True,
    )
    _lines_para(doc, "line in reason_lines", "- {{ line }}", indent=True)
    _body(
        doc,
        "Xin thông báo để {{ salutation|lower }} được biết. Mọi vướng mắc xin liên hệ Bộ phận "
        "Một cửa của {{ agency_name }}./.",
        indent=True,
    )
    _letter_signature(doc)
    _stable_core_properties(doc, "Mẫu 05 - Thông báo dừng giải quyết hồ sơ")
    return _save(doc, out)


def build_mau06(out: Path) -> Path:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: one row per hand-over, with signatures."""
    doc = _base_document()
    _header(doc)
    _title(doc, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    _para(doc, "Mã hồ sơ: {{ code }}", bold=True, align=CENTER)
    _para(
        doc,
        "(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: {{ receipt_number }})",
        italic=True,
        align=CENTER,
        space_after=6,
    )
    for text in (
        "Người nộp hồ sơ: {{ applicant_name }}",
        "Nội dung yêu cầu giải quyết: {{ procedure_name }}",
        "Cơ quan giải quyết hồ sơ: {{ deciding_body }}",
        "Thời gian nhận hồ sơ: {{ received_text }}",
        "Thời gian hẹn trả kết quả: {{ due_text }}",
    ):
        _para(doc, text, space_before=3)
    _para(doc, space_after=3)
    small = Pt(12)
    _loop_table(
        doc,
        (4.3, 3.3, 3.6, 2.8, 3.0),
        (
            "TÊN CƠ QUAN, BỘ PHẬN GIAO, NHẬN",
            "THỜI GIAN GIAO, NHẬN HỒ SƠ",
            "NGƯỜI GIAO, NGƯỜI NHẬN (Ký và ghi rõ họ tên)",
            "KẾT QUẢ (Trước hạn / Đúng hạn / Quá hạn)",
            "GHI CHÚ",
        ),
        "h in handovers",
        (
            ("{{ loop.index }}. Giao: {{ h.giver }}", "Nhận: {{ h.receiver }}"),
            ("{{ h.time }}",),
            ("Người giao: {{ h.giver_person }}", "", "Người nhận: {{ h.receiver_person }}", ""),
            ("{{ h.timing }}",),
            ("{{ h.note }}",),
        ),
        size=small,
        centred=(1, 3),
    )
    _stable_core_properties(doc, "Mẫu 06 - Phiếu kiểm soát quá trình giải quyết hồ sơ")
    return _save(doc, out)


# 26.7 cm between the margins; a date ("23/11/2026") fits its column on one line at 11 pt.
LOGBOOK_WIDTHS = (1.0, 2.9, 3.0, 2.3, 2.8, 2.2, 2.3, 2.3, 2.3, 2.0, 1.9, 1.7)


def build_mau07(out: Path) -> Path:
    """Sổ theo dõi hồ sơ: A4 landscape, a row per dossier, the column titles on every page."""
    doc = _base_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(1.5), Cm(1.5)
    # Wide enough for the centre's name on one line; the motto sits over the right half.
    _header(doc, (10.0, 16.7), number="Quyển số: {{ number }}")
    _title(doc, "SỔ THEO DÕI HỒ SƠ")
    _para(
        doc,
        "Hồ sơ tiếp nhận từ ngày {{ start }} đến ngày {{ end }} – tổng số: {{ count }} hồ sơ",
        italic=True,
        align=CENTER,
        space_after=6,
    )
    small = Pt(11)
    _loop_table(
        doc,
        LOGBOOK_WIDTHS,
        (
            "TT",
            "Mã hồ sơ",
            "Tên thủ tục hành chính",
            "Tên cá nhân, tổ chức",
            "Địa chỉ, số điện thoại",
            "Cơ quan giải quyết",
            "Ngày, giờ nhận hồ sơ",
            "Ngày, giờ hẹn trả kết quả",
            "Ngày, giờ trả kết quả",
            "Hình thức nhận kết quả",
            "Ký nhận",
            "Ghi chú",
        ),
        "r in rows",
        (
            ("{{ r.number }}",),
            ("{{ r.code }}",),
            ("{{ r.procedure_name }}",),
            ("{{ r.applicant_name }}",),
            ("{{ r.address }}", "{% if r.phone %}ĐT: {{ r.phone }}{% endif %}"),
            ("{{ r.deciding_body }}",),
            ("{{ r.received.date }}", "{{ r.received.time }}"),
            ("{{ r.due.date }}", "{{ r.due.time }}"),
            ("{{ r.returned.date }}", "{{ r.returned.time }}"),
            ("{{ r.result_channel }}",),
            ("{{ r.returned_to }}",),
            ("{{ r.note }}",),
        ),
        size=small,
        centred=(0, 6, 7, 8),
    )
    _stable_core_properties(doc, "Mẫu 07 - Sổ theo dõi hồ sơ")
    return _save(doc, out)


def _save(doc: DocxDocument, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    _fix_zip_times(out)
    return out


def _fix_zip_times(path: Path) -> None:
    """Rewrites the archive with fixed member times, so an unchanged form gives identical bytes."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members:
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)),
                blob,
                compress_type=zipfile.ZIP_DEFLATED,
            )


def _stable_core_properties(doc: DocxDocument, title: str) -> None:
    props = doc.core_properties
    props.author = props.last_modified_by = "OneStop Desk"
    props.title = title
    props.comments = "Generated by installer/make_templates.py; keep the Jinja tags intact."
    props.revision = 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out-dir", type=Path, default=TEMPLATES)
    args = parser.parse_args()
    print(build_mau01(args.out_dir / "mau01_tiep_nhan.docx"))
    print(build_to_khai(args.out_dir / "to_khai.docx"))
    for number, build in (
        ("02", build_mau02),
        ("03", build_mau03),
        ("04", build_mau04),
        ("05", build_mau05),
        ("06", build_mau06),
        ("07", build_mau07),
    ):
        print(build(args.out_dir / f"mau{number}.docx"))


if __name__ == "__main__":
    main()
