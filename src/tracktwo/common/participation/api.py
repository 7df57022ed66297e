"""The one join flow of the JSON API: every part's ``POST /<part>/{target_id}/join``.

A part adds the route to its router with :func:`add_join_route`; the body, the answer, the
side and the participant's existing token are handled here, once, and the joining itself is
the kernel's :func:`~tracktwo.common.participation.actions.join`. :class:`LinkOut` is how
every part lists its invitation links.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tracktwo.common.participation.actions import (
    LINK_GONE,
    UNDECLARED,
    join,
    joinable,
    link_for_token,
)
from tracktwo.common.participation.models import JoinLink, Participant
from tracktwo.kernel.errors import InvalidInput, NotFound
from tracktwo.web.api.schemas import Strict
from tracktwo.web.context import ApiContext, api_context, bearer_token
from tracktwo.web.params import IdField, PathId

__all__ = ["JoinIn", "JoinOut", "LinkOut", "add_join_route", "links_out"]


class LinkOut(BaseModel):
    id: int
    side: str | None = Field(description="The side this link presets; null for the general link.")
    comparison: bool = Field(
        default=False, description="True for an evaluation's comparison-group link."
    )
    url: str


def links_out(ctx: ApiContext, links: Sequence[JoinLink]) -> list[LinkOut]:
    base = ctx.platform.settings.base_url
    return [
        LinkOut(
            id=link.id,
            side=link.side.name if link.side else None,
            comparison=link.comparison,
            url=f"{base}/j/{link.token}",
        )
        for link in links
    ]


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


def _chosen_side(body: BaseModel) -> str | int | None:
    """The side the body asks for: ``None`` when ``side_id`` is left out (the link's side),
    :data:`UNDECLARED` when it is null."""
    if "side_id" not in body.model_fields_set:
        return None
    side_id: int | None = getattr(body, "side_id", None)
    return side_id if side_id is not None else UNDECLARED


def _presented_secret(ctx: ApiContext) -> str | None:
    """The participant token sent with the request, if it names a known participant."""
    return bearer_token(ctx.request) if ctx.participant is not None else None


def _joined(participant: Participant, new_secret: str | None) -> JoinOut:
    return JoinOut(
        participant_token=new_secret,
        pseudonym=participant.pseudonym,
        side=participant.side.name if participant.side else None,
        language=participant.language,
    )


def add_join_route(router: APIRouter, part: str) -> None:
    """``POST /<part>/{target_id}/join`` on ``router``: join with an invitation link."""

    def join_with_link(
        ctx: Annotated[ApiContext, api_context], target_id: PathId, body: JoinIn
    ) -> JoinOut:
        link = link_for_token(ctx.db, body.link)
        if link.part != part:  # another part's link is no link of this part's
            raise NotFound(LINK_GONE)
        if link.target_id != target_id:
            raise InvalidInput(joinable(part).wrong_target)
        result = join(
            ctx.db,
            body.link,
            secret=_presented_secret(ctx),
            side=_chosen_side(body),
            language=body.language,
        )
        return _joined(result.participant, result.new_secret)

    router.add_api_route(
        f"/{part}/{{target_id}}/join",
        join_with_link,
        methods=["POST"],
        status_code=201,
        response_model=JoinOut,
        summary="Join with an invitation link; returns a participant token",
        name=f"{part}-join",
    )
