"""Workshops through the JSON API: reading them and their export (facilitator or observer
token), and the influence questions for participant clients (participant token from ``join``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.api import LinkOut, add_join_route, links_out
from tracktwo.parts.workshops.actions.mapping import cast_pair_vote, current_question, my_pair_vote
from tracktwo.parts.workshops.actions.results import export_json
from tracktwo.parts.workshops.actions.workshops import (
    active_links,
    list_workshops,
    require_member,
    workshop_for,
)
from tracktwo.parts.workshops.models import Workshop
from tracktwo.web.api.schemas import ERRORS, Strict
from tracktwo.web.context import ApiContext, api_context
from tracktwo.web.params import MAX_ID, PathId

router = APIRouter(responses=ERRORS)
add_join_route(router, "workshops")
Ctx = Annotated[ApiContext, api_context]


class WorkshopOut(BaseModel):
    id: int
    initiative_id: int
    title: str
    triggering_question: str
    step: str = Field(
        description="ideas, clarification, clustering, voting, mapping, action_plan or closed."
    )
    decision_rule: str
    links: list[LinkOut] | None = Field(description="Join links (facilitators only).")


class IdeaOut(BaseModel):
    id: int
    number: int
    text: str = Field(description="As written, in ``language``.")
    language: str
    translations: dict[str, str] = Field(
        default_factory=dict, description="The facilitators' translations, by language."
    )


class QuestionOut(BaseModel):
    question_number: int = Field(description="Send it back with the answer.")
    source: IdeaOut = Field(description="Does progress on this idea significantly help ...")
    target: IdeaOut = Field(description="... progress on this one?")
    your_answer: bool | None


class CurrentQuestionOut(BaseModel):
    question: QuestionOut | None = Field(
        description="Null when no influence question is open (another step, or the map is done)."
    )


class AnswerIn(Strict):
    question_number: int = Field(ge=0, le=MAX_ID)
    yes: bool


def workshop_out(ctx: ApiContext, workshop: Workshop, *, with_links: bool) -> WorkshopOut:
    links = links_out(ctx, active_links(ctx.db, workshop)) if with_links else None
    return WorkshopOut(
        id=workshop.id,
        initiative_id=workshop.initiative_id,
        title=workshop.title,
        triggering_question=workshop.question,
        step=workshop.step.value,
        decision_rule=workshop.decision_rule.value,
        links=links,
    )


@router.get("/initiatives/{initiative_id}/workshops", response_model=list[WorkshopOut])
def list_(ctx: Ctx, initiative_id: PathId) -> list[WorkshopOut]:
    user = ctx.require_user()
    manage = bool(
        (role_in(ctx.db, user, initiative_id) or Role.OBSERVER).at_least(Role.FACILITATOR)
    )
    return [
        workshop_out(ctx, w, with_links=manage) for w in list_workshops(ctx.db, user, initiative_id)
    ]


@router.get("/workshops/{workshop_id}", response_model=WorkshopOut)
def read(ctx: Ctx, workshop_id: PathId) -> WorkshopOut:
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id)
    role = role_in(ctx.db, user, workshop.initiative_id)
    return workshop_out(ctx, workshop, with_links=bool(role and role.at_least(Role.FACILITATOR)))


@router.get(
    "/workshops/{workshop_id}/export",
    response_model=dict[str, Any],
    summary="Everything about a workshop (observers: the final map and plan, no authors)",
)
def export(ctx: Ctx, workshop_id: PathId) -> dict[str, Any]:
    return export_json(ctx.db, ctx.require_user(), workshop_id)


@router.get(
    "/workshops/{workshop_id}/question",
    response_model=CurrentQuestionOut,
    summary="The influence question open now (participant token)",
)
def question(ctx: Ctx, workshop_id: PathId) -> CurrentQuestionOut:
    person = ctx.require_participant()
    workshop = require_member(ctx.db, person, workshop_id)
    current = current_question(ctx.db, workshop)
    if current is None:
        return CurrentQuestionOut(question=None)

    def idea(item: Any) -> IdeaOut:
        return IdeaOut(
            id=item.id,
            number=item.number,
            text=item.text,
            language=item.language,
            translations={t.language: t.text for t in item.translations},
        )

    return CurrentQuestionOut(
        question=QuestionOut(
            question_number=current.number,
            source=idea(current.source),
            target=idea(current.target),
            your_answer=my_pair_vote(ctx.db, person, workshop, current.number),
        )
    )


@router.post(
    "/workshops/{workshop_id}/answers",
    status_code=201,
    response_model=CurrentQuestionOut,
    summary="Answer the open influence question; 409 when it is no longer open",
)
def answer(ctx: Ctx, workshop_id: PathId, body: AnswerIn) -> CurrentQuestionOut:
    person = ctx.require_participant()
    cast_pair_vote(ctx.db, person, workshop_id, body.question_number, body.yes)
    return question(ctx, workshop_id)
