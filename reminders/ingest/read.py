"""Open an input file and pick its reader by suffix; every failure is a Vietnamese InputError.

The readers are pure given bytes, except scans (OCR) and old Word files (LibreOffice),
whose programs come in through `Tools`, built once by the caller.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reminders.errors import InputError
from reminders.ingest import convert, ocr
from reminders.ingest.document import Document
from reminders.ingest.images import IMAGE_SUFFIXES
from reminders.ingest.pdf import PageReader, Progress

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
WEB_SUFFIXES = (".html", ".htm")
SUFFIXES = (".docx", *TEXT_SUFFIXES, ".xlsx", ".xlsm", ".csv", ".pdf", *convert.CONVERTED,
            *WEB_SUFFIXES, *IMAGE_SUFFIXES)
Converter = Callable[[bytes, str], bytes]


@dataclass(frozen=True, slots=True)
class InputFile:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class Tools:
    """The outside programs some formats need; None where one is not installed."""

    ocr: PageReader | None = None
    convert: Converter | None = None
    progress: Progress | None = None

    @classmethod
    def system(cls, progress: Progress | None = None) -> Tools:
        """Tesseract and LibreOffice as installed on this machine."""
        return cls(ocr=ocr.TesseractOcr.find(), convert=convert.LibreOfficeConverter.find(),
                   progress=progress)


def load(path: Path) -> InputFile:
    """The bytes of `path`; raises InputError for a missing, unreadable or unknown file."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            "định dạng tệp không được hỗ trợ; chỉ nhận .docx, .doc, .odt, .rtf, .pdf, .txt, "
            ".md, .html, .xlsx, .csv và ảnh .jpg, .png, .tif", file=name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("không tìm thấy tệp", file=name) from None
    except IsADirectoryError:
        raise InputError("đây là một thư mục, không phải tệp", file=name) from None
    except OSError as exc:
        raise InputError(f"không mở được tệp ({exc.strerror})", file=name) from None
    return InputFile(name=path.name, data=data)


def read_document(source: InputFile, tools: Tools | None = None) -> Document:
    """The Document in `source`. `tools`: None finds the installed programs when needed."""
    suffix = Path(source.name).suffix.lower()
    if suffix == ".docx":
        from reminders.ingest.docx import read_docx

        return read_docx(source.data, source.name)
    if suffix == ".pdf":
        from reminders.ingest.pdf import read_pdf

        tools = tools or Tools.system()
        return read_pdf(source.data, source.name, ocr=tools.ocr, progress=tools.progress)
    if suffix in IMAGE_SUFFIXES:
        from reminders.ingest.images import read_image

        tools = tools or Tools.system()
        if tools.ocr is None:
            raise InputError(ocr.MISSING, file=source.name)
        return read_image(source.data, source.name, ocr=tools.ocr, progress=tools.progress)
    if suffix in convert.CONVERTED:
        from reminders.ingest.docx import read_docx

        convert.check(source.data, source.name)
        tools = tools or Tools.system()
        if tools.convert is None:
            raise InputError(convert.MISSING.format(suffix=suffix), file=source.name)
        return read_docx(tools.convert(source.data, source.name), source.name)
    if suffix in WEB_SUFFIXES:
        from reminders.ingest.html import read_html

        return read_html(source.data, source.name)
    if suffix in (".xlsx", ".xlsm"):
        from reminders.ingest.sheet import read_xlsx

        return read_xlsx(source.data, source.name)
    if suffix == ".csv":
        from reminders.ingest.sheet import read_csv

        return read_csv(source.data, source.name)
    data = _FRONT_MATTER.sub(b"", source.data, count=1)
    if len(_MARKUP.findall(data[:200_000])) >= 8:
        # Markdown saved from a site often is the site's HTML: read it as the page it is.
        from reminders.ingest.html import read_html

        return read_html(data, source.name)
    from reminders.ingest.text import read_text

    return read_text(data, source.name)


# A static site's header block ("---json {…} ---" or "--- key: value ---") is not text.
_FRONT_MATTER = re.compile(rb"\A\s*---[a-z]*\r?\n.*?\r?\n---\s*\r?\n", re.S)
_MARKUP = re.compile(rb"<(?:table|tr|td|th|p|div|br|span|strong)\b", re.I)
