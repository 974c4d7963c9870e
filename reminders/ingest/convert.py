"""Old Word (.doc), .rtf and .odt → .docx bytes, through LibreOffice headless.

The one place that runs `soffice`. Each conversion gets its own profile folder, so two
imports at once do not fight over LibreOffice's lock, and its own temporary folder, so a
failed conversion leaves nothing behind.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from reminders.errors import InputError

CONVERTED = (".doc", ".rtf", ".odt")
_TIMEOUT_SECONDS = 180
MISSING = ("cần LibreOffice để đọc tệp {suffix}: hãy cài gói Debian "
           "'libreoffice-writer-nogui' (hoặc lưu lại tệp thành .docx)")


# How each format's files begin; LibreOffice would read any other bytes as plain text.
_MAGIC = {".doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".rtf": b"{\\rtf", ".odt": b"PK\x03\x04"}


def check(data: bytes, name: str) -> None:
    """Raise InputError unless `data` begins as a file of its suffix does."""
    suffix = Path(name).suffix.lower()
    magic = _MAGIC.get(suffix)
    if magic is not None and not data.lstrip()[: len(magic)] == magic:
        raise InputError(f"tệp {suffix} hỏng hoặc không đúng định dạng {suffix}", file=name)
    if suffix == ".odt" and b"application/vnd.oasis.opendocument.text" not in data[:200]:
        raise InputError("tệp .odt hỏng hoặc không phải văn bản OpenDocument", file=name)


class LibreOfficeConverter:
    def __init__(self, program: str) -> None:
        self.program = program

    @classmethod
    def find(cls) -> LibreOfficeConverter | None:
        program = shutil.which("soffice") or shutil.which("libreoffice")
        return cls(program) if program else None

    def __call__(self, data: bytes, name: str) -> bytes:
        """The .docx bytes of `data` (a file called `name`); raises InputError."""
        suffix = Path(name).suffix.lower()
        check(data, name)
        with tempfile.TemporaryDirectory(prefix="reminders-convert-") as folder:
            work = Path(folder)
            source = work / f"input{suffix}"
            source.write_bytes(data)
            command = [self.program, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                       "--headless", "--norestore", "--convert-to", "docx:MS Word 2007 XML",
                       "--outdir", str(work / "out"), str(source)]
            try:
                subprocess.run(command, capture_output=True, timeout=_TIMEOUT_SECONDS,
                               check=False)
            except subprocess.TimeoutExpired:
                raise InputError("LibreOffice chuyển đổi tệp quá lâu, đã dừng",
                                 file=name) from None
            except OSError as exc:
                raise InputError(f"không chạy được LibreOffice ({exc.strerror})",
                                 file=name) from None
            converted = work / "out" / "input.docx"
            if not converted.exists():
                raise InputError(f"LibreOffice không chuyển được tệp {suffix}: tệp hỏng hoặc "
                                 "không đúng định dạng", file=name)
            return converted.read_bytes()
