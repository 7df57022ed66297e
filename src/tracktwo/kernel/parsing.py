"""Numbers and moments read from text people or files send: one set of rules everywhere.

Path segments, query strings, headers (``Last-Event-ID``), form fields, CSV cells, JSON
settings and command-line options all reach tracktwo as text. Python's own conversions are
too generous for that: ``str.isdigit()`` is true for "²" and "٣", ``int()`` accepts
Arabic-Indic digits and underscores, ``float()`` accepts "nan", "inf" and "1e400" (which is
infinite), and ``datetime.astimezone`` overflows for year 1 with a positive offset. Each of
those reached a 500 once. The functions here accept only ASCII digits, only finite values,
only bounded ranges, and say in one sentence what was expected.
"""

from __future__ import annotations

import ipaddress
import math
import numbers
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from tracktwo.kernel.errors import InvalidInput

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_ID",
    "IPNetwork",
    "moment_from_milliseconds",
    "parse_float",
    "parse_id",
    "parse_int",
    "parse_moment",
    "parse_networks",
]

MAX_ID = 2**31 - 1  # an INTEGER column on PostgreSQL; SQLite's are wider
# Moments outside these are typing mistakes or attacks, and nothing downstream needs them.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# ISO 8601 as datetime.fromisoformat reads it, restricted to ASCII.
_MOMENT = re.compile(r"[0-9T:.+\-Z ]+")
# Longer texts are refused before any conversion is attempted.
_MAX_CHARACTERS = 64


def _text(value: object) -> str | None:
    if isinstance(value, bool):  # True is an int in Python, never a number here
        return None
    if isinstance(value, numbers.Integral):  # int, and numpy's integers from pandas
        return str(int(value))
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    # ASCII white space around a value is harmless; anything else is part of the value.
    return value.strip(" \t\r\n")


def _range_text(minimum: int | float | None, maximum: int | float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" of at least {minimum}"
    if maximum is not None:
        return f" of at most {maximum}"
    return ""


def parse_int(
    value: object, what: str, *, minimum: int | None = 0, maximum: int | None = MAX_ID
) -> int:
    """A whole number written with ASCII digits (and an optional sign), within the bounds.

    ``value`` may be text, bytes or already an ``int`` (from JSON); booleans and floats are
    refused. The message names ``what`` and the allowed range.
    """
    text = _text(value)
    expected = f"The {what} must be a whole number{_range_text(minimum, maximum)}."
    if text is None or len(text) > _MAX_CHARACTERS or _INTEGER.fullmatch(text) is None:
        raise InvalidInput(expected)
    number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidInput(expected)
    return number


def parse_id(value: object, what: str = "id") -> int:
    """A database id: a whole number from 1 to :data:`MAX_ID`."""
    return parse_int(value, what, minimum=1, maximum=MAX_ID)


def parse_float(
    value: object, what: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A finite decimal number (ASCII digits, optional exponent) within the bounds.

    "nan", "inf" and numbers too large for a float (``1e400``) are refused.
    """
    expected = f"The {what} must be a number{_range_text(minimum, maximum)}."
    if isinstance(value, float):
        number = value
    else:
        text = _text(value)
        if text is None or len(text) > _MAX_CHARACTERS or _DECIMAL.fullmatch(text) is None:
            raise InvalidInput(expected)
        number = float(text)
    if not math.isfinite(number):
        raise InvalidInput(expected)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidInput(expected)
    return number


def _bounded(moment: datetime, what: str, earliest: datetime, latest: datetime) -> datetime:
    if not earliest <= moment < latest:
        raise InvalidInput(
            f"The {what} must lie between {earliest.year} and {latest.year}; "
            f"{moment.date().isoformat()} does not."
        )
    return moment


def parse_moment(
    value: object,
    what: str,
    *,
    earliest: datetime = EARLIEST,
    latest: datetime = LATEST,
) -> datetime:
    """An ISO 8601 date or date and time, as an aware UTC ``datetime`` within the bounds.

    A moment without an offset is taken to be UTC; a date alone is its midnight.
    """
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value)
        expected = (
            f"The {what} must be a date and time such as 2025-03-01T14:30:00+02:00 (ISO 8601)."
        )
        if text is None or len(text) > _MAX_CHARACTERS or _MOMENT.fullmatch(text) is None:
            raise InvalidInput(expected)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(expected) from None
    try:
        aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 with a positive offset, year 9999 with -1
        raise InvalidInput(
            f"The {what} must lie between {earliest.year} and {latest.year}."
        ) from None
    return _bounded(aware, what, earliest, latest)


def moment_from_milliseconds(
    value: object,
    what: str,
    *,
    earliest: datetime = EARLIEST,
    latest: datetime = LATEST,
) -> datetime:
    """A UTC moment from milliseconds since 1970 (how Polis writes times), within the bounds."""
    milliseconds = parse_int(value, what, minimum=None, maximum=None)
    low = int(earliest.timestamp() * 1000)
    high = int(latest.timestamp() * 1000)
    if not low <= milliseconds < high:
        raise InvalidInput(
            f"The {what} must be a time in milliseconds between {earliest.year} and {latest.year}."
        )
    return datetime.fromtimestamp(milliseconds / 1000, UTC)


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """IP addresses or networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``), blanks skipped.

    Raises ValueError naming the first entry that is neither (for settings validators).
    """
    networks: list[IPNetwork] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not an IP address or network") from None
    return tuple(networks)
