"""Respondents' pages: enter a survey from its link and answer the open wave.

Made like the dialogue pages for cheap phones: plain forms without JavaScript, the
participant's language and writing direction, and the same identity (the ``tt_p<initiative>``
cookie), so someone who took part in a dialogue answers under the same pseudonym. Sliders
are number inputs: an untouched range input would send its middle value as if it were an
answer, while an empty number input is honestly "not answered".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from tracktwo.common.participation.actions import set_language
from tracktwo.common.participation.models import Participant
from tracktwo.common.participation.pages import (
    participant_on_device,
    remember_language,
    render_for,
)
from tracktwo.kernel.errors import Conflict
from tracktwo.kernel.i18n import translator
from tracktwo.parts.surveys.actions.answers import (
    AnswerProblem,
    Questionnaire,
    questionnaire_for,
    submit_response,
)
from tracktwo.parts.surveys.actions.surveys import get_survey
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]


def _number(value: float) -> str:
    return f"{value:g}"


def problem_message(problem: AnswerProblem, questionnaire: Questionnaire, language: str) -> str:
    """The problem in the respondent's language, naming the question by number and text."""
    gettext = translator(language)
    text = next(
        (
            question.text
            for section in questionnaire.sections
            for question in section.questions
            if question.key == problem.key
        ),
        "",
    )
    if problem.kind == "missing":
        return gettext(
            "Please answer question {number}: “{text}”", number=problem.number, text=text
        )
    if problem.kind in ("number", "range") and problem.scale is not None:
        low, high = _number(problem.scale.min), _number(problem.scale.max)
        if problem.scale.integer:
            return gettext(
                "Question {number} (“{text}”): please give a whole number from {low} to {high}.",
                number=problem.number,
                text=text,
                low=low,
                high=high,
            )
        return gettext(
            "Question {number} (“{text}”): please give a number from {low} to {high}.",
            number=problem.number,
            text=text,
            low=low,
            high=high,
        )
    return gettext("This questionnaire has changed; please answer it again.")


def _respondent(ctx: PageContext, survey_id: int) -> Participant | None:
    survey = get_survey(ctx.db, survey_id)
    return participant_on_device(ctx, survey.initiative_id) if survey is not None else None


def _questionnaire_page(
    ctx: PageContext,
    participant: Participant,
    questionnaire: Questionnaire,
    *,
    editing: bool,
    typed: dict[str, str] | None = None,
    error: str | None = None,
    invalid: str | None = None,
    status_code: int = 200,
) -> Response:
    values = (
        typed
        if typed is not None
        else {
            question.key: _number(question.value)
            for section in questionnaire.sections
            for question in section.questions
            if question.value is not None
        }
    )
    return render_for(
        ctx,
        "surveys/participate/questionnaire.html",
        participant,
        status_code=status_code,
        q=questionnaire,
        survey=questionnaire.survey,
        editing=editing or questionnaire.current is None,
        values=values,
        error=error,
        invalid=invalid,
        number=_number,
    )


@router.get("/q/{survey_id}")
def questionnaire_page(ctx: Ctx, survey_id: PathId, edit: str = "") -> Response:
    participant = _respondent(ctx, survey_id)
    questionnaire = questionnaire_for(
        ctx.db, participant, survey_id, participant.language if participant else "en"
    )
    assert participant is not None
    return _questionnaire_page(ctx, participant, questionnaire, editing=bool(edit))


@router.post("/q/{survey_id}")
async def answer(ctx: Ctx, survey_id: PathId) -> Response:
    participant = _respondent(ctx, survey_id)
    questionnaire = questionnaire_for(
        ctx.db, participant, survey_id, participant.language if participant else "en"
    )
    assert participant is not None
    form = await ctx.request.form()
    asked = {question.key for section in questionnaire.sections for question in section.questions}
    # Only the questions' fields: the CSRF token and buttons are not answers.
    typed = {name: str(value) for name, value in form.items() if name in asked}
    shown_wave = form.get("wave")
    try:
        with ctx.attempt():
            submit_response(
                ctx.db,
                participant,
                survey_id,
                typed,
                wave_name=shown_wave if isinstance(shown_wave, str) else None,
            )
    except AnswerProblem as problem:
        return _questionnaire_page(
            ctx,
            participant,
            questionnaire,
            editing=True,
            typed=typed,
            error=problem_message(problem, questionnaire, participant.language),
            invalid=problem.key,
            status_code=400,
        )
    except Conflict as conflict:
        # Another wave opened (or this one closed) while the form was being filled in: the
        # answers are not kept in the form, so they are not sent again for the wrong wave.
        return _questionnaire_page(
            ctx,
            participant,
            questionnaire,
            editing=True,
            error=translator(participant.language)(conflict.message),
            status_code=409,
        )
    gettext = translator(participant.language)
    done = gettext("Thank you. Your answers have been saved.")
    return ctx.redirect(f"/q/{survey_id}", done=done)


@router.post("/q/{survey_id}/language")
def change_language(ctx: Ctx, survey_id: PathId, language: Annotated[str, Form()] = "") -> Response:
    participant = _respondent(ctx, survey_id)
    questionnaire_for(ctx.db, participant, survey_id, "en")  # refuses strangers
    assert participant is not None
    set_language(ctx.db, participant, language)
    response = ctx.redirect(f"/q/{survey_id}")
    remember_language(ctx, response, participant.language)
    return response
