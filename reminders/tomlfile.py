"""Reading TOML files with Vietnamese errors that name the file and the line.

tomllib keeps no positions, so the lines of tables and keys are found again by a
light scan of the text; that is enough to point a person at the right place.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reminders.errors import InputError

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")
_DECODE_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(slots=True)
class TomlLines:
    """Where each table and key of a TOML text starts (1-based lines)."""

    tables: dict[tuple[str, int], int] = field(default_factory=dict)
    keys: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def table(self, name: str, index: int = 0) -> int | None:
        return self.tables.get((name, index))

    def key(self, table: str, key: str, index: int = 0) -> int | None:
        return self.keys.get((table, index, key)) or self.table(table, index)


def scan_lines(text: str) -> TomlLines:
    """Map ``[table]`` / ``[[array]]`` headers and their keys to line numbers."""
    found = TomlLines()
    counts: dict[str, int] = {}
    current, index = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            current = header.group(2).replace('"', "").replace(" ", "")
            if header.group(1) == "[[":
                index = counts.get(current, -1) + 1
                counts[current] = index
            else:
                index = 0
            found.tables[(current, index)] = number
            continue
        key = _KEY.match(raw)
        if key:
            name = key.group(1).strip('"')
            found.keys.setdefault((current, index, name), number)
    return found


def load_toml(
    path: Path, *, error: type[InputError] = InputError
) -> tuple[dict[str, Any], TomlLines]:
    """Parse ``path``; a missing or malformed file raises ``error`` naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("không tìm thấy tệp", file=str(path)) from None
    except UnicodeDecodeError:
        raise error("tệp không phải văn bản UTF-8", file=str(path)) from None
    except OSError as exc:
        raise error(f"không đọc được tệp ({exc.strerror})", file=str(path)) from None
    return parse_toml(text, name=str(path), error=error)


def parse_toml(
    text: str, *, name: str, error: type[InputError] = InputError
) -> tuple[dict[str, Any], TomlLines]:
    """Parse TOML ``text``; ``name`` is what error messages call it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        pos = _DECODE_POS.search(str(exc))
        line = int(pos.group(1)) if pos else None
        rows = text.splitlines()
        bad = rows[line - 1].strip() if line and line <= len(rows) else None
        raise error("cú pháp TOML không hợp lệ", file=name, line=line, text=bad) from None
    return data, scan_lines(text)
