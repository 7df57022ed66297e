"""Respondents' pages: enter a survey from its link and answer the open wave.

Made like the dialogue pages for cheap phones: plain forms without JavaScript, the
participant's language and writing direction, and the same identity (the ``tt_p<initiative>``
cookie), so someone who took part in a dialogue answers under the same pseudonym. Sliders
are number inputs: an untouched range input would send its middle value as if it were an
answer, while an empty number input is honestly "not answered".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form
from fastapi.responses import Response

from tracktwo.common.participation.actions import UNDECLARED, set_language
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, TracktwoError
from tracktwo.kernel.i18n import translator
from tracktwo.parts.dialogues.pages.participate import (
    _participant,
    _remember,
    _remember_language,
    _render,
    device_secret,
    require_consent,
)
from tracktwo.parts.surveys.actions.answers import (
    AnswerProblem,
    Questionnaire,
    join_survey,
    questionnaire_for,
    respondent_of,
    submit_response,
    survey_link_for_token,
)
from tracktwo.parts.surveys.actions.surveys import open_wave
from tracktwo.parts.surveys.models import Survey
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId

router = page_router()
Ctx = Annotated[PageContext, Depends(page_context)]


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


@router.get("/s/{token}")
def join_form(ctx: Ctx, token: str, lang: str = "") -> Response:
    link = survey_link_for_token(ctx.db, token)
    survey = link.survey
    initiative = survey.initiative
    participant = _participant(ctx, initiative.id)
    if participant is not None and respondent_of(ctx.db, survey.id, participant):
        return ctx.redirect(f"/q/{survey.id}")
    language = (
        lang
        if lang in initiative.languages
        else (participant.language if participant else initiative.languages[0])
    )
    return ctx.render(
        "surveys/participate/join.html",
        language=language,
        link=link,
        survey=survey,
        initiative=initiative,
        participant=participant,
        error=None,
        closed=open_wave(survey) is None,
        min_cell=ctx.platform.settings.min_cell_size,
    )


@router.post("/s/{token}")
def join(
    ctx: Ctx,
    token: str,
    language: Annotated[str, Form()] = "",
    side: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
) -> Response:
    link = survey_link_for_token(ctx.db, token)
    initiative = link.survey.initiative
    try:
        require_consent(consent, language)
        joined = join_survey(
            ctx.db,
            token,
            secret=device_secret(ctx, initiative.id),
            side=side or UNDECLARED,
            language=language or None,
        )
    except TracktwoError as exc:
        ctx.db.rollback()
        return ctx.render(
            "surveys/participate/join.html",
            status_code=exc.status_code,
            language=language if language in initiative.languages else initiative.languages[0],
            link=link,
            survey=link.survey,
            initiative=initiative,
            participant=None,
            error=exc.message,
            closed=False,
            min_cell=ctx.platform.settings.min_cell_size,
        )
    ctx.db.commit()
    response: Response
    if joined.new_secret is None:
        response = ctx.redirect(f"/q/{link.survey_id}")
    else:
        response = ctx.render(
            "surveys/participate/welcome.html",
            language=joined.participant.language,
            survey=link.survey,
            resume_link=f"{ctx.platform.settings.base_url}/r/{joined.new_secret}",
        )
        _remember(ctx, response, initiative.id, joined.new_secret)
    _remember_language(ctx, response, joined.participant.language)
    return response


def _respondent(ctx: PageContext, survey_id: int) -> Participant | None:
    survey = ctx.db.get(Survey, survey_id)
    return _participant(ctx, survey.initiative_id) if survey is not None else None


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
    return _render(
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
    ctx.db.commit()  # last-seen time
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
        submit_response(
            ctx.db,
            participant,
            survey_id,
            typed,
            wave_name=shown_wave if isinstance(shown_wave, str) else None,
        )
    except AnswerProblem as problem:
        ctx.db.rollback()
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
        ctx.db.rollback()
        return _questionnaire_page(
            ctx,
            participant,
            questionnaire,
            editing=True,
            error=translator(participant.language)(conflict.message),
            status_code=409,
        )
    ctx.db.commit()  # stored before the respondent is told so
    done = translator(participant.language)("Thank you. Your answers have been saved.")
    return ctx.redirect(f"/q/{survey_id}", done=done)


@router.post("/q/{survey_id}/language")
def change_language(ctx: Ctx, survey_id: PathId, language: Annotated[str, Form()] = "") -> Response:
    participant = _respondent(ctx, survey_id)
    questionnaire_for(ctx.db, participant, survey_id, "en")  # refuses strangers
    assert participant is not None
    set_language(ctx.db, participant, language)
    ctx.db.commit()
    response = ctx.redirect(f"/q/{survey_id}")
    _remember_language(ctx, response, participant.language)
    return response
