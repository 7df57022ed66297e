"""CSV that is safe to open in a spreadsheet: every export writes its rows through here.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` leaks data, ``=cmd|'/C calc'!A0`` once ran programs), and a leading tab
carriage return or line feed can hide such a start. Exports carry participants' own words, so, as
OWASP recommends for CSV injection, a text cell with one of those first characters is written
with a leading apostrophe, which spreadsheets show as text and do not display. The csv module
already quotes cells holding separators and quotes.

Numbers are left alone, including text that is a plain number ("-3", "+1.5e3"): a literal
cannot run anything, and a prefixed one would stop being a number for the analyst.

The change can be undone: :func:`restore_cell` turns a neutralised cell back into the text
that was written, so tracktwo reading its own export (a Polis folder, an answers file) gets
the original text. A text that itself starts with apostrophes before a formula character gets
one more, so the two never collide.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

__all__ = [
    "FORMULA_STARTS",
    "SafeCsvWriter",
    "neutralise_cell",
    "restore_cell",
    "safe_cell",
    "safe_row",
    "safe_writer",
]

# OWASP's list, plus the line feed that a carriage return becomes below.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_CARRIAGE_RETURN = re.compile(r"\r\n?")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text``, once any leading apostrophes are set aside."""
    bare = text.lstrip("'")
    return bare.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(bare) is None


def neutralise_cell(text: str) -> str:
    """``text`` with an apostrophe in front when a spreadsheet would take it as a formula."""
    return "'" + text if _looks_like_formula(text) else text


def restore_cell(text: str) -> str:
    """The text :func:`neutralise_cell` was given (identity for any other cell)."""
    return text[1:] if text.startswith("'") and _looks_like_formula(text) else text


def safe_cell(text: str) -> str:
    """A text cell as every export writes it: neutralised, carriage returns as line feeds.

    With LF line ends the csv module (and pandas) quote a cell holding "\n" but not one
    holding only "\r", which a reader then takes for the end of the row. Use this for a
    column written by other means (``DataFrame.to_csv``); :func:`safe_writer` applies it.
    """
    return _CARRIAGE_RETURN.sub("\n", neutralise_cell(text))


def safe_row(row: Iterable[Any]) -> list[Any]:
    """A row with every text cell neutralised; numbers, None and the rest unchanged.

    A carriage return inside a text cell is written as a line feed (see :func:`safe_cell`).
    """
    return [safe_cell(cell) if isinstance(cell, str) else cell for cell in row]


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeCsvWriter:
    """A ``csv.writer`` whose rows pass through :func:`safe_row`."""

    def __init__(self, writer: _Writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(stream: Any, **options: Any) -> SafeCsvWriter:
    """``csv.writer(stream, **options)`` made spreadsheet-safe; LF line ends by default."""
    options.setdefault("lineterminator", "\n")
    return SafeCsvWriter(csv.writer(stream, **options))
