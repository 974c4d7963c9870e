"""Open an input file and pick its reader by suffix; every failure is a Vietnamese InputError."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from reminders.errors import InputError
from reminders.ingest.document import Document

SUFFIXES = (".docx", ".txt", ".md", ".xlsx", ".xlsm", ".csv")


@dataclass(frozen=True, slots=True)
class InputFile:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def load(path: Path) -> InputFile:
    """The bytes of `path`; raises InputError for a missing, unreadable or unknown file."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise InputError("tệp .doc (Word 97-2003) chưa được hỗ trợ; hãy lưu lại thành .docx",
                         file=name)
    if suffix not in SUFFIXES:
        raise InputError(
            "định dạng tệp không được hỗ trợ; chỉ nhận .docx, .txt, .md, .xlsx, .csv", file=name
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("không tìm thấy tệp", file=name) from None
    except IsADirectoryError:
        raise InputError("đây là một thư mục, không phải tệp", file=name) from None
    except OSError as exc:
        raise InputError(f"không mở được tệp ({exc.strerror})", file=name) from None
    return InputFile(name=path.name, data=data)


def read_document(source: InputFile) -> Document:
    suffix = Path(source.name).suffix.lower()
    if suffix == ".docx":
        from reminders.ingest.docx import read_docx

        return read_docx(source.data, source.name)
    if suffix in (".xlsx", ".xlsm"):
        from reminders.ingest.sheet import read_xlsx

        return read_xlsx(source.data, source.name)
    if suffix == ".csv":
        from reminders.ingest.sheet import read_csv

        return read_csv(source.data, source.name)
    from reminders.ingest.text import read_text

    return read_text(source.data, source.name)
