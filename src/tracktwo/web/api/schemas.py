"""Request and response bodies of the JSON API.

Request models are strict (no silent coercion of ``false`` to ``0``) and refuse unknown
fields, so a client's mistake is reported instead of half-understood.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tracktwo.web.params import IdField

__all__ = [
    "ERRORS",
    "ErrorBody",
    "InitiativeIn",
    "InitiativeOut",
    "InitiativeUpdate",
    "MemberIn",
    "MemberOut",
    "MemberRoleIn",
    "SideIn",
    "SideOut",
    "Strict",
    "UserOut",
]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorBody(BaseModel):
    detail: str = Field(description="One sentence: what was wrong and what to do.")


def _errors(*codes: int) -> dict[int | str, dict[str, object]]:
    return {code: {"model": ErrorBody} for code in codes}


# Declared on every route so the OpenAPI document lists each error a client can meet.
ERRORS = _errors(400, 401, 403, 404, 409, 422)

Name = Annotated[str, Field(min_length=1, max_length=120)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
Language = Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z_-]+$")]


class SideIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    colour: Colour | None = None


class SideUpdate(SideIn):
    id: IdField | None = Field(default=None, description="Set for a side that already exists.")


class InitiativeIn(Strict):
    name: Name
    description: Annotated[str, Field(max_length=5000)] = ""
    languages: Annotated[list[Language], Field(min_length=1, max_length=20)] = ["en"]
    sides: Annotated[list[SideIn], Field(min_length=2, max_length=12)]


class InitiativeUpdate(InitiativeIn):
    sides: Annotated[list[SideUpdate], Field(min_length=2, max_length=12)]  # type: ignore[assignment]


class SideOut(BaseModel):
    id: int
    name: str
    colour: str


class InitiativeOut(BaseModel):
    id: int
    name: str
    description: str
    languages: list[str]
    sides: list[SideOut]
    role: str = Field(description="Your role in this initiative: owner, facilitator or observer.")
    created_at: datetime


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str


class MemberIn(Strict):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    role: Annotated[str, Field(pattern=r"^(owner|facilitator|observer)$")]


class MemberRoleIn(Strict):
    role: Annotated[str, Field(pattern=r"^(owner|facilitator|observer)$")]


class MemberOut(BaseModel):
    id: int | None = Field(description="Membership id; null while an invitation is pending.")
    email: str
    display_name: str | None
    role: str
    invitation_url: str | None = Field(
        default=None,
        description="For someone without an account: a one-time link to pass on to them.",
    )
