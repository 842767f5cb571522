"""Text clean-up shared by extraction: one normal form for page text, table cells and metadata."""

import re
import unicodedata
from collections.abc import Mapping

# Control characters (C0 except tab and newline, DEL, C1) and lone surrogates: none is
# printable, NUL breaks PostgreSQL text columns and surrogates break UTF-8 JSON.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)
_EXTRA_BLANK_LINES = re.compile(r"\n{4,}")
MAX_METADATA_VALUE_CHARS = 1000


def _clean(text: str) -> str:
    """Unify line endings, apply NFKC and drop unprintable characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNPRINTABLE.sub("", unicodedata.normalize("NFKC", text))


def normalise_text(text: str) -> str:
    """Return page text in Headwater's normal form (NFKC, no control chars, tidy blank lines)."""
    text = _TRAILING_SPACE.sub("", _clean(text))
    # Three or more blank lines (four or more newlines) become two blank lines.
    return _EXTRA_BLANK_LINES.sub("\n\n\n", text).strip("\n")


def normalise_cell(value: str | None) -> str:
    """Return a table cell as one line: None is empty, whitespace runs become one space."""
    if value is None:
        return ""
    return " ".join(_clean(value).split())


def _scalar_to_str(value: object) -> str | None:
    """Render a scalar metadata value as text; None for values that are not scalars."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, str | int | float | bool):
        return str(value)
    return None


def normalise_metadata(metadata: Mapping[object, object]) -> dict[str, str]:
    """Flatten document metadata to str -> str, dropping non-scalar values and capping length."""
    flat: dict[str, str] = {}
    for key, value in metadata.items():
        text = _scalar_to_str(value)
        name = normalise_cell(_scalar_to_str(key))
        if text is None or not name:
            continue
        flat[name] = normalise_cell(text)[:MAX_METADATA_VALUE_CHARS]
    return flat
