"""Participants' pages: join from a link, vote one statement at a time, add a statement.

Made for cheap phones on slow connections: small pages, plain forms that work without
JavaScript, the participant's own language and writing direction. Participants have no
account: a secret in a cookie (one per initiative) and a private resume link identify them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select

from tracktwo.common.participation.actions import (
    UNDECLARED,
    join_dialogue,
    link_for_token,
    membership_of,
    participant_for_secret,
    require_membership,
    set_language,
)
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput, PermissionDenied, TracktwoError
from tracktwo.kernel.i18n import translator
from tracktwo.parts.dialogues.actions.analysis import latest_snapshot
from tracktwo.parts.dialogues.actions.dialogues import is_accepting
from tracktwo.parts.dialogues.actions.participation import (
    cast_vote,
    choose_next_statement,
    progress_of,
    submit_statement,
)
from tracktwo.parts.dialogues.models import Dialogue, DialogueMembership, Statement, Vote
from tracktwo.parts.dialogues.opinion import project_participant
from tracktwo.parts.dialogues.opinion.figures import participant_map
from tracktwo.parts.surveys.models import SurveyRespondent
from tracktwo.web.context import LANGUAGE_COOKIE, PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import FormId, PathId

router = page_router()
Ctx = Annotated[PageContext, Depends(page_context)]
COOKIE_DAYS = 365
MAP_AFTER_VOTES = 7  # as Polis: a participant is placed in the groups after seven votes


def cookie_name(initiative_id: int) -> str:
    return f"tt_p{initiative_id}"


def _participant(ctx: PageContext, initiative_id: int) -> Participant | None:
    return participant_for_secret(ctx.db, ctx.request.cookies.get(cookie_name(initiative_id)))


def _remember(ctx: PageContext, response: Response, initiative_id: int, secret: str) -> None:
    response.set_cookie(
        cookie_name(initiative_id),
        secret,
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=ctx.platform.settings.secure_cookies,
    )


def _remember_language(ctx: PageContext, response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=ctx.platform.settings.secure_cookies,
    )


def _statement_view(statement: Statement, language: str) -> dict[str, object]:
    """The text in the participant's language, with the original to hand."""
    translation = next((t for t in statement.translations if t.language == language), None)
    return {
        "id": statement.id,
        "text": translation.text if translation else statement.text,
        "language": language if translation else statement.language,
        "original": statement.text if translation else None,
        "original_language": statement.language,
        "is_seed": statement.is_seed,
    }


def _render(
    ctx: PageContext, template: str, person: Participant, status_code: int = 200, **values: object
) -> Response:
    """A participant's page, in their language, with ``participant`` available to it."""
    return ctx.render(
        template, status_code=status_code, language=person.language, participant=person, **values
    )


@router.get("/j/{token}")
def join_form(ctx: Ctx, token: str, lang: str = "") -> Response:
    link = link_for_token(ctx.db, token)
    dialogue = link.dialogue
    initiative = dialogue.initiative
    participant = _participant(ctx, initiative.id)
    if participant is not None and membership_of(ctx.db, participant, dialogue.id):
        return ctx.redirect(f"/d/{dialogue.id}")
    language = (
        lang
        if lang in initiative.languages
        else (participant.language if participant else initiative.languages[0])
    )
    return ctx.render(
        "participate/join.html",
        language=language,
        link=link,
        dialogue=dialogue,
        initiative=initiative,
        participant=participant,
        error=None,
        reason=None if dialogue.state.value != "draft" else "draft",
    )


def require_consent(consent: str, language: str) -> None:
    """Every join form asks the person to confirm they read how their answers are used."""
    if consent != "yes":
        raise InvalidInput(
            translator(language or "en")(
                "Please confirm that you have read how your answers are used."
            )
        )


def device_secret(ctx: PageContext, initiative_id: int) -> str | None:
    """The participant secret this browser holds for the initiative, if any."""
    return ctx.request.cookies.get(cookie_name(initiative_id))


@router.post("/j/{token}")
def join(
    ctx: Ctx,
    token: str,
    language: Annotated[str, Form()] = "",
    side: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
) -> Response:
    link = link_for_token(ctx.db, token)
    initiative = link.dialogue.initiative
    try:
        require_consent(consent, language)
        joined = join_dialogue(
            ctx.db,
            token,
            secret=device_secret(ctx, initiative.id),
            side=side or UNDECLARED,
            language=language or None,
        )
    except TracktwoError as exc:
        ctx.db.rollback()
        return ctx.render(
            "participate/join.html",
            status_code=exc.status_code,
            language=language if language in initiative.languages else initiative.languages[0],
            link=link,
            dialogue=link.dialogue,
            initiative=initiative,
            participant=None,
            error=exc.message,
            reason=None,
        )
    ctx.db.commit()
    return welcome(
        ctx,
        joined.participant,
        joined.new_secret,
        title=link.dialogue.topic,
        continue_url=f"/d/{link.dialogue_id}",
        resume_path="/r/",
    )


def welcome(
    ctx: PageContext,
    participant: Participant,
    new_secret: str | None,
    *,
    title: str,
    continue_url: str,
    resume_path: str,
) -> Response:
    """After joining: a known participant goes straight on; a new one gets the cookie and,
    once, the private resume link (``resume_path`` + secret)."""
    response: Response
    if new_secret is None:
        response = ctx.redirect(continue_url)
    else:
        response = ctx.render(
            "participate/welcome.html",
            language=participant.language,
            title=title,
            continue_url=continue_url,
            resume_link=f"{ctx.platform.settings.base_url}{resume_path}{new_secret}",
        )
        _remember(ctx, response, participant.initiative_id, new_secret)
    _remember_language(ctx, response, participant.language)
    return response


def resume_with(
    ctx: PageContext, secret: str, refusal: str, last_place: Callable[[Participant], str | None]
) -> Response:
    """A private resume link: this device becomes the participant's again, and goes to
    ``last_place`` (the page they were last on), or the start page."""
    participant = participant_for_secret(ctx.db, secret)
    if participant is None:
        raise PermissionDenied(refusal)
    target = last_place(participant)
    ctx.db.commit()
    response = ctx.redirect(target or "/")
    _remember(ctx, response, participant.initiative_id, secret)
    return response


@router.get("/r/{secret}")
def resume(ctx: Ctx, secret: str) -> Response:
    """The private resume link of a dialogue participant."""

    def last_dialogue(participant: Participant) -> str | None:
        last = ctx.db.scalar(
            select(DialogueMembership.dialogue_id)
            .where(DialogueMembership.participant_id == participant.id)
            .order_by(DialogueMembership.joined_at.desc())
            .limit(1)
        )
        if last:
            return f"/d/{last}"
        survey = ctx.db.scalar(  # someone who only answers a questionnaire
            select(SurveyRespondent.survey_id)
            .where(SurveyRespondent.participant_id == participant.id)
            .order_by(SurveyRespondent.created_at.desc())
            .limit(1)
        )
        return f"/q/{survey}" if survey else None

    return resume_with(
        ctx,
        secret,
        "This resume link is not valid; use the invitation link of your dialogue instead.",
        last_dialogue,
    )


def _dialogue_and_participant(
    ctx: PageContext, dialogue_id: PathId
) -> tuple[Dialogue, Participant]:
    dialogue = ctx.db.get(Dialogue, dialogue_id)
    participant = _participant(ctx, dialogue.initiative_id) if dialogue else None
    dialogue = require_membership(ctx.db, participant, dialogue_id)
    assert participant is not None
    return dialogue, participant


@router.get("/d/{dialogue_id}")
def statement_page(ctx: Ctx, dialogue_id: PathId) -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    ctx.db.commit()  # last-seen time
    reason = is_accepting(dialogue)
    statement = None if reason else choose_next_statement(ctx.db, participant, dialogue_id)
    progress = progress_of(ctx.db, participant, dialogue)
    return _render(
        ctx,
        "dialogues/participate/statement.html",
        participant,
        dialogue=dialogue,
        progress=progress,
        closed_reason=reason,
        statement=_statement_view(statement, participant.language) if statement else None,
        vote_key=secrets.token_urlsafe(12),
        show_map=progress.seen >= MAP_AFTER_VOTES,
        notice=None,
    )


@router.post("/d/{dialogue_id}/vote")
def vote(
    ctx: Ctx,
    dialogue_id: PathId,
    statement_id: FormId,
    value: Annotated[int, Form()],
    key: Annotated[str, Form()] = "",
) -> Response:
    _, participant = _dialogue_and_participant(ctx, dialogue_id)
    cast_vote(
        ctx.db,
        participant,
        dialogue_id,
        statement_id,
        value,
        idempotency_key=key or None,
        analysis_delay=ctx.platform.settings.analysis_delay_seconds,
    )
    ctx.db.commit()  # the vote is stored before the participant is told so
    return ctx.redirect(f"/d/{dialogue_id}")


@router.get("/d/{dialogue_id}/write")
def write_form(ctx: Ctx, dialogue_id: PathId) -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    return _render(
        ctx, "dialogues/participate/write.html", participant, dialogue=dialogue, text="", error=None
    )


@router.post("/d/{dialogue_id}/write")
def write(ctx: Ctx, dialogue_id: PathId, text: Annotated[str, Form()] = "") -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    gettext = translator(participant.language)
    try:
        submit_statement(
            ctx.db,
            participant,
            dialogue_id,
            text,
            analysis_delay=ctx.platform.settings.analysis_delay_seconds,
        )
    except (InvalidInput, Conflict) as exc:
        ctx.db.rollback()
        return _render(
            ctx,
            "dialogues/participate/write.html",
            participant,
            status_code=exc.status_code,
            dialogue=dialogue,
            text=text,
            error=exc.message,
        )
    ctx.db.commit()
    done = (
        gettext("Thank you. Your statement will be shown to others once a facilitator has read it.")
        if dialogue.moderation.value == "strict"
        else gettext("Thank you. Your statement is now part of the dialogue.")
    )
    return ctx.redirect(f"/d/{dialogue_id}", done=done)


@router.post("/d/{dialogue_id}/language")
def change_language(
    ctx: Ctx, dialogue_id: PathId, language: Annotated[str, Form()] = ""
) -> Response:
    _, participant = _dialogue_and_participant(ctx, dialogue_id)
    set_language(ctx.db, participant, language)
    ctx.db.commit()
    response = ctx.redirect(f"/d/{dialogue_id}")
    _remember_language(ctx, response, participant.language)
    return response


@router.get("/d/{dialogue_id}/map")
def where_i_stand(ctx: Ctx, dialogue_id: PathId) -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    snapshot = latest_snapshot(ctx.db, dialogue_id)
    position = None
    figure = None
    if snapshot is not None:
        votes = ctx.db.execute(
            select(Vote.statement_id, Vote.value)
            .where(Vote.participant_id == participant.id, Vote.dialogue_id == dialogue_id)
            .order_by(Vote.id)
        ).all()
        latest = {sid: value for sid, value in votes}
        try:
            position = project_participant(snapshot.state, list(latest.items()))
        except TracktwoError:
            position = None
        figure = Markup(
            participant_map(
                snapshot.result,
                position,
                dialogue.initiative.sides,
                _=translator(participant.language),
            )
        )
    return _render(
        ctx,
        "dialogues/participate/map.html",
        participant,
        dialogue=dialogue,
        figure=figure,
        position=position,
    )
