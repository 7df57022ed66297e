"""Parameter types shared by pages and the API.

Ids are bounded so that a number too large for the database is a clear 4xx answer, not an
overflow deep in the driver.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path
from pydantic import Field

__all__ = ["MAX_ID", "FormId", "IdField", "PathId"]

MAX_ID = 2**31 - 1  # the range of an INTEGER column on PostgreSQL

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
