"""Surveys through the JSON API: the evaluation report for facilitators and observers, and
answering for participant clients (``tp_`` token, as for dialogues)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.api import LinkOut, add_join_route, links_out
from tracktwo.kernel.errors import NotAuthenticated
from tracktwo.parts.surveys.actions.answers import (
    questionnaire_for,
    submit_response,
)
from tracktwo.parts.surveys.actions.data import survey_results
from tracktwo.parts.surveys.actions.surveys import active_survey_links, list_surveys, survey_for
from tracktwo.parts.surveys.models import Survey
from tracktwo.web.api.schemas import ERRORS, Strict
from tracktwo.web.context import ApiContext, api_context
from tracktwo.web.params import PathId

router = APIRouter(responses=ERRORS)
add_join_route(router, "surveys")
Ctx = Annotated[ApiContext, api_context]


class WaveOut(BaseModel):
    id: int
    name: str = Field(description="pre, post, followup, followup2 ...")
    label: str
    state: str = Field(description="draft, open or closed; at most one wave is open.")
    opens_at: datetime | None
    closes_at: datetime | None


class SurveyOut(BaseModel):
    id: int
    initiative_id: int
    title: str
    instruments: list[str]
    waves: list[WaveOut]
    links: list[LinkOut] | None = Field(description="Survey links (facilitators only).")


class LabelOut(BaseModel):
    value: float
    text: str
    language: str


class QuestionOut(BaseModel):
    number: int
    key: str = Field(description="Send the answer under this key.")
    text: str
    language: str = Field(
        description="The language of the text (the participant's, if translated)."
    )
    widget: str
    minimum: float
    maximum: float
    integer: bool
    required: bool
    labels: list[LabelOut]
    current: float | None = Field(description="The answer already given in this wave, if any.")


class QuestionnaireOut(BaseModel):
    wave: str | None = Field(description="The wave taking answers now, or null.")
    accepting: bool
    reason: str | None = Field(description="Why no answers are taken now, when not accepting.")
    questions: list[QuestionOut]


class ResponseIn(Strict):
    answers: Annotated[
        dict[str, float | None],
        Field(description="Question key -> answer; null or a missing key means not answered."),
    ]
    wave: Annotated[str, Field(max_length=16)] | None = Field(
        default=None,
        description="The wave the answers were given for; refused (409) if another wave is "
        "open by now.",
    )


class ResponseOut(BaseModel):
    response_id: int
    wave: str
    replaced: bool = Field(
        description="True when an earlier answer set for this wave was replaced; it is kept "
        "in the history."
    )


def survey_out(ctx: ApiContext, survey: Survey, *, with_links: bool) -> SurveyOut:
    return SurveyOut(
        id=survey.id,
        initiative_id=survey.initiative_id,
        title=survey.title,
        instruments=[str(data["id"]) for data in survey.instruments],
        waves=[
            WaveOut(
                id=wave.id,
                name=wave.name,
                label=wave.label,
                state=wave.state.value,
                opens_at=wave.opens_at,
                closes_at=wave.closes_at,
            )
            for wave in survey.waves
        ],
        links=links_out(ctx, active_survey_links(ctx.db, survey)) if with_links else None,
    )


@router.get(
    "/initiatives/{initiative_id}/surveys",
    response_model=list[SurveyOut],
    summary="The initiative's evaluation surveys",
)
def list_(ctx: Ctx, initiative_id: PathId) -> list[SurveyOut]:
    user = ctx.require_user()
    role = role_in(ctx.db, user, initiative_id)
    surveys = list_surveys(ctx.db, user, initiative_id)
    manage = bool(role and role.at_least(Role.FACILITATOR))
    return [survey_out(ctx, survey, with_links=manage) for survey in surveys]


@router.get("/surveys/{survey_id}", response_model=SurveyOut)
def read(ctx: Ctx, survey_id: PathId) -> SurveyOut:
    user = ctx.require_user()
    survey = survey_for(ctx.db, user, survey_id)
    role = role_in(ctx.db, user, survey.initiative_id)
    return survey_out(ctx, survey, with_links=bool(role and role.at_least(Role.FACILITATOR)))


@router.get(
    "/surveys/{survey_id}/results",
    responses={
        200: {
            "description": "The evaluation report, in the JSON of `tracktwo evaluate` "
            "(docs/evaluation.md): suppressed below the cell threshold, without respondent "
            "ids, the same for facilitators and observers.",
            "content": {"application/json": {}},
        },
        204: {"description": "Nobody has answered yet."},
    },
    summary="The evaluation report of the survey's current answers",
)
def results(ctx: Ctx, survey_id: PathId) -> Response:
    if ctx.user is None:
        raise NotAuthenticated(
            "The results are for facilitators and observers: use a facilitator's API token."
        )
    _, report = survey_results(
        ctx.db, ctx.user, survey_id, min_cell=ctx.platform.settings.min_cell_size
    )
    if report is None:
        return Response(status_code=204)
    return JSONResponse(report)


@router.get(
    "/surveys/{survey_id}/questions",
    response_model=QuestionnaireOut,
    summary="The open wave's questions for this participant, in their language",
)
def questions(ctx: Ctx, survey_id: PathId) -> QuestionnaireOut:
    participant = ctx.require_participant()
    found = questionnaire_for(ctx.db, participant, survey_id, participant.language)
    return QuestionnaireOut(
        wave=found.wave.name if found.wave is not None else None,
        accepting=found.refusal is None,
        reason=found.refusal,
        questions=[
            QuestionOut(
                number=question.number,
                key=question.key,
                text=question.text,
                language=question.language,
                widget=question.widget,
                minimum=question.minimum,
                maximum=question.maximum,
                integer=question.integer,
                required=question.required,
                labels=[
                    LabelOut(value=value, text=text, language=language)
                    for value, text, language in question.labels
                ],
                current=question.value,
            )
            for section in found.sections
            for question in section.questions
        ],
    )


@router.post(
    "/surveys/{survey_id}/responses",
    status_code=201,
    response_model=ResponseOut,
    summary="Answer the open wave (participant token); answering again replaces the answers",
)
def respond(ctx: Ctx, survey_id: PathId, body: ResponseIn) -> ResponseOut:
    participant = ctx.require_participant()
    answers: dict[str, Any] = dict(body.answers)
    submitted = submit_response(
        ctx.db, participant, survey_id, answers, source="api", wave_name=body.wave
    )
    return ResponseOut(
        response_id=submitted.response.id, wave=submitted.wave.name, replaced=submitted.replaced
    )
