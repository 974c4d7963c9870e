"""python-docx helpers for letters in the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I).

A4 paper, Times New Roman, the margins the decree sets, borderless two-column tables for
the header and the signature block, and the short rules drawn under the issuer's name and
the motto. Only the layout lives here; what a letter says is in letter.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from reminders.documents.wording import xml_safe

FONT = "Times New Roman"
BODY_PT = 14
# ND30 Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
TOP, BOTTOM, LEFT, RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT_ALIGN = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

# Where w:pBdr goes among a paragraph's properties (Word rejects them out of order).
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
               "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
               "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
               "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
               "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


@dataclass(frozen=True, slots=True, kw_only=True)
class Look:
    """How one paragraph looks; sizes in points, indents in millimetres."""

    size: float = BODY_PT
    bold: bool = False
    italic: bool = False
    align: WD_ALIGN_PARAGRAPH = JUSTIFY
    before: float = 0
    after: float = 0
    first_indent: float = 0
    left_indent: float = 0


def new_document() -> DocxDocument:
    """An empty A4 document with the decree's margins, Times New Roman, Vietnamese."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is not None:  # python-docx sets ascii/hAnsi only; keep every script in TNR
        for script in ("w:eastAsia", "w:cs"):
            fonts.set(qn(script), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")  # spelling and hyphenation in Vietnamese
    r_pr.append(lang)
    return doc


def paragraph(container: DocxDocument | _Cell, text: str, look: Look) -> Paragraph:
    """A paragraph of one run; a cell's first, still empty, paragraph is used first."""
    para = _fresh(container)
    fmt = para.paragraph_format
    fmt.alignment = look.align
    fmt.space_before, fmt.space_after = Pt(look.before), Pt(look.after)
    fmt.line_spacing = 1.0 if isinstance(container, _Cell) else 1.15
    if look.first_indent:
        fmt.first_line_indent = Mm(look.first_indent)
    if look.left_indent:
        fmt.left_indent = Mm(look.left_indent)
    if text:
        run = para.add_run(xml_safe(text))
        run.font.size = Pt(look.size)
        run.font.bold = look.bold
        run.font.italic = look.italic
    return para


def rule(container: DocxDocument | _Cell, *, length_mm: float, width_mm: float) -> Paragraph:
    """A centred horizontal line `length_mm` long: the bottom border of a 1 pt paragraph."""
    para = _fresh(container)
    fmt = para.paragraph_format
    side = max(0.0, (width_mm - length_mm) / 2)
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    para._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)
    return para


def borderless_table(doc: DocxDocument, widths_mm: Sequence[float]) -> Table:
    """One row of fixed-width cells with no borders (the header and signature blocks)."""
    widths: list[Length] = [Mm(w) for w in widths_mm]
    table: Table = doc.add_table(rows=1, cols=len(widths))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        nil = OxmlElement(f"w:{edge}")
        nil.set(qn("w:val"), "nil")
        borders.append(nil)
    # tblBorders comes before shd/tblLayout/tblCellMar/tblLook in CT_TblPr.
    successors = [child for child in tbl_pr
                  if child.tag in {qn(t) for t in ("w:shd", "w:tblLayout", "w:tblCellMar",
                                                   "w:tblLook", "w:tblCaption",
                                                   "w:tblDescription")}]
    if successors:
        successors[0].addprevious(borders)
    else:
        tbl_pr.append(borders)
    return table


def _fresh(container: DocxDocument | _Cell) -> Paragraph:
    if isinstance(container, _Cell):
        first: Paragraph = container.paragraphs[0]
        if len(container.paragraphs) == 1 and not first.runs and first._p.pPr is None:
            return first
    added: Paragraph = container.add_paragraph()
    return added
