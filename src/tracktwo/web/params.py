"""Parameter types shared by pages and the API.

Ids are bounded so that a number too large for the database is a clear 4xx answer, not an
overflow deep in the driver.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Form, Path
from pydantic import Field

from tracktwo.kernel.parsing import MAX_ID, parse_moment

__all__ = [
    "MAX_ID",
    "FormId",
    "IdField",
    "PathId",
    "form_datetime",
]

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]


def form_datetime(value: str) -> datetime | None:
    """A datetime-local form value, read as UTC (the form says so)."""
    if not value.strip():
        return None
    return parse_moment(value, "date and time")
