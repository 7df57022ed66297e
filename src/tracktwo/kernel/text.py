"""Cleaning free text that people type, with one-sentence errors."""

from __future__ import annotations

import re
import unicodedata

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.i18n import N_

__all__ = ["clean_statement_text", "clean_text"]

_SPACES = re.compile(r"\s+")
# Control characters (other than ordinary white space) have no place in a statement, and
# some (bidirectional overrides) can make a text display as something it is not.
_FORBIDDEN = {"Cc", "Cs", "Co"}
_BIDI_OVERRIDES = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def clean_text(value: str, what: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"The {what} must not be empty.")
    if len(value) > limit:
        raise InvalidInput(f"The {what} is too long ({len(value)} characters; at most {limit}).")
    return value


def clean_statement_text(value: str, limit: int) -> str:
    """One short line of text: white space folded, invisible controls removed, NFC-normalised."""
    value = unicodedata.normalize("NFC", value).translate(_BIDI_OVERRIDES)
    value = "".join(
        ch for ch in value if ch.isspace() or unicodedata.category(ch) not in _FORBIDDEN
    )
    value = _SPACES.sub(" ", value).strip()
    if not value:
        raise InvalidInput(N_("The statement is empty; write one short sentence."))
    if len(value) > limit:
        raise InvalidInput(
            f"The statement is too long ({len(value)} characters; at most {limit}). "
            "Shorten it to one clear point."
        )
    return value
