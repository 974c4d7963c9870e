"""One JSON object per line, safe for readers that split on any Unicode line break."""

from __future__ import annotations

import json
from typing import Any

# Raw in JSON strings but line breaks to str.splitlines and many JSON-lines readers.
_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029",
                         "\x1c": "\\u001c", "\x1d": "\\u001d", "\x1e": "\\u001e"})


def line(value: Any) -> str:
    """`value` as one line of JSON (Vietnamese kept readable), ending in a newline."""
    return json.dumps(value, ensure_ascii=False).translate(_BREAKS) + "\n"
