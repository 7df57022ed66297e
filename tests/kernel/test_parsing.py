"""Numbers and moments from text: ASCII digits only, finite, bounded, one-sentence errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.parsing import (
    MAX_ID,
    moment_from_milliseconds,
    parse_float,
    parse_id,
    parse_int,
    parse_moment,
)

# Every one of these passed str.isdigit() or int() or float() somewhere and then broke.
NOT_ASCII_INTEGERS = [
    *("²", "٣", "१२", "１２", "1_000", "1.0", "1e3", "0x10"),
    *("", " ", "+", "-", "\x00"),
]


@pytest.mark.parametrize("text", NOT_ASCII_INTEGERS)
def test_only_ascii_digits_make_an_integer(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^The side must be a whole number from 0 to 9\.$"):
        parse_int(text, "side", minimum=0, maximum=9)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7), (" 7\n", 7), ("+7", 7), ("007", 7), (7, 7), (np.int64(7), 7), (b"7", 7)],
)
def test_ordinary_integers_are_read(value: object, expected: int) -> None:
    assert parse_int(value, "count", minimum=0, maximum=9) == expected


@pytest.mark.parametrize("value", [True, 7.0, None, [7], "9" * 20, "9" * 5000, str(MAX_ID + 1)])
def test_other_values_and_huge_numbers_are_refused(value: object) -> None:
    with pytest.raises(InvalidInput, match=r"whole number"):
        parse_id(value, "dialogue")
    assert parse_id(str(MAX_ID)) == MAX_ID


def test_unbounded_and_negative_ranges_are_described() -> None:
    assert parse_int("-5", "offset", minimum=None, maximum=None) == -5
    with pytest.raises(InvalidInput, match=r"of at least 1"):
        parse_int("0", "page", minimum=1, maximum=None)
    with pytest.raises(InvalidInput, match=r"of at most 3"):
        parse_int("4", "depth", minimum=None, maximum=3)


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "1e400", "²", "1,5", "", "0x1p3"])
def test_floats_must_be_finite_ascii_decimals(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^The significance z must be a number\.$"):
        parse_float(text, "significance z")


def test_floats_are_read_and_bounded() -> None:
    assert parse_float("1.96", "z") == 1.96
    assert parse_float(".5e1", "z") == 5.0
    assert parse_float(2.5, "z") == 2.5
    with pytest.raises(InvalidInput, match=r"from 0 to 1"):
        parse_float("1.5", "share", minimum=0, maximum=1)
    with pytest.raises(InvalidInput):
        parse_float(float("nan"), "share")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T14:30:00+02:00", datetime(2025, 3, 1, 12, 30, tzinfo=UTC)),
        ("2025-03-01T14:30:00Z", datetime(2025, 3, 1, 14, 30, tzinfo=UTC)),
        ("2025-03-01 14:30", datetime(2025, 3, 1, 14, 30, tzinfo=UTC)),
        ("2025-03-01", datetime(2025, 3, 1, tzinfo=UTC)),
    ],
)
def test_moments_are_read_as_utc(text: str, expected: datetime) -> None:
    assert parse_moment(text, "submission time") == expected


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+23:59",  # OverflowError in astimezone, once a 500
        "9999-12-31T23:59:59-23:59",
        "1899-12-31",
        "2200-01-01",
        "٢٠٢٥-03-01",
        "yesterday",
        "2025-02-30",
        "2025-03-01T25:00",
        "",
    ],
)
def test_impossible_or_out_of_range_moments_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^The submission time must"):
        parse_moment(text, "submission time")


def test_aware_and_naive_datetimes_are_accepted_as_values() -> None:
    local = datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=3)))
    assert parse_moment(local, "time") == datetime(2025, 1, 1, 9, tzinfo=UTC)
    assert parse_moment(datetime(2025, 1, 1), "time").tzinfo is UTC


@pytest.mark.parametrize(
    "value", ["1e400", "inf", "²", str(-(10**13)), str(10**20), "1403054214196.5"]
)
def test_polis_milliseconds_are_whole_and_in_range(value: str) -> None:
    with pytest.raises(InvalidInput, match=r"^The timestamp must be"):
        moment_from_milliseconds(value, "timestamp")
    assert moment_from_milliseconds("1403054214196", "timestamp").year == 2014


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_every_ascii_integer_round_trips_or_is_refused_by_range(number: int) -> None:
    try:
        parsed = parse_int(str(number), "n", minimum=-(2**63), maximum=2**63 - 1)
    except InvalidInput:
        assert not -(2**63) <= number <= 2**63 - 1
    else:
        assert parsed == number


@given(st.text(max_size=30))
def test_any_text_is_a_bounded_integer_or_one_sentence(text: str) -> None:
    try:
        value = parse_id(text, "statement")
    except InvalidInput as error:
        assert error.message == f"The statement must be a whole number from 1 to {MAX_ID}."
    else:
        assert 1 <= value <= MAX_ID
        assert text.strip(" \t\r\n").lstrip("+").isascii()
