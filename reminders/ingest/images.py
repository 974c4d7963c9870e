"""Photos and scans saved as images (.jpg, .png, .tif) → a Document, through OCR.

Each frame of a multi-page TIFF is a page; a phone photo is turned upright by its EXIF
orientation first. Frames are read one at a time.
"""

from __future__ import annotations

import io

from reminders.errors import InputError
from reminders.ingest.document import Document
from reminders.ingest.pdf import PageReader, Progress, _document, _Page, scanned_page

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")


def read_image(data: bytes, name: str, *, ocr: PageReader,
               progress: Progress | None = None) -> Document:
    """OCR every frame of an image file; raises InputError naming `name`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError("không đọc được ảnh: tệp hỏng hoặc không phải ảnh", file=name) from exc
    pages: list[_Page] = []
    for index in range(frames):
        try:
            image.seek(index)
            upright = ImageOps.exif_transpose(image)
        except (OSError, EOFError) as exc:
            raise InputError(f"không đọc được trang {index + 1} của ảnh", file=name) from exc
        try:
            found = ocr(upright)
        except InputError as exc:
            raise InputError(f"trang {index + 1}: {exc.message}", file=name) from None
        height = upright.height * 595.0 / max(upright.width, 1)
        pages.append(scanned_page(index + 1, height, found))
        if progress is not None:
            progress(index + 1, frames)
    return _document(name, pages)
