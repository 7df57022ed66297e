"""What every ``join`` endpoint shares (dialogues, workshops, surveys): the body, the answer,
and reading the side and the participant's existing token."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from tracktwo.common.participation.actions import UNDECLARED
from tracktwo.common.participation.models import Participant
from tracktwo.web.api.schemas import Strict
from tracktwo.web.context import ApiContext, bearer_token
from tracktwo.web.params import IdField

__all__ = ["JoinIn", "JoinOut", "chosen_side", "joined", "presented_secret"]


class JoinIn(Strict):
    link: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="The token of an invitation link (the part after /j/).",
        ),
    ]
    side_id: IdField | None = Field(
        default=None, description="Omit to take the link's side; null for undeclared."
    )
    language: Annotated[str, Field(max_length=16)] | None = None


class JoinOut(BaseModel):
    participant_token: str | None = Field(
        description="Keep it secret: it is the participant's identity. Null when an existing "
        "token was used."
    )
    pseudonym: str
    side: str | None
    language: str


def chosen_side(body: BaseModel) -> str | int | None:
    """The side the body asks for: ``None`` when ``side_id`` is left out (the link's side),
    :data:`UNDECLARED` when it is null."""
    if "side_id" not in body.model_fields_set:
        return None
    side_id: int | None = getattr(body, "side_id", None)
    return side_id if side_id is not None else UNDECLARED


def presented_secret(ctx: ApiContext) -> str | None:
    """The participant token sent with the request, if it names a known participant."""
    return bearer_token(ctx.request) if ctx.participant is not None else None


def joined(participant: Participant, new_secret: str | None) -> JoinOut:
    return JoinOut(
        participant_token=new_secret,
        pseudonym=participant.pseudonym,
        side=participant.side.name if participant.side else None,
        language=participant.language,
    )
