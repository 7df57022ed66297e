"""Participants' pages: vote one statement at a time, add a statement, see where you stand.

Made for cheap phones on slow connections: small pages, plain forms that work without
JavaScript, the participant's own language and writing direction. Joining is the
participation kernel's (tracktwo.common.participation).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Form
from fastapi.responses import Response
from markupsafe import Markup

from tracktwo.common.participation.actions import set_language
from tracktwo.common.participation.models import Participant
from tracktwo.common.participation.pages import (
    participant_on_device,
    remember_language,
    render_for,
)
from tracktwo.kernel.errors import Conflict, InvalidInput
from tracktwo.kernel.i18n import translator
from tracktwo.parts.dialogues.actions.dialogues import (
    get_dialogue,
    is_accepting,
    require_membership,
)
from tracktwo.parts.dialogues.actions.participation import (
    cast_vote,
    choose_next_statement,
    progress_of,
    standing_of,
    submit_statement,
)
from tracktwo.parts.dialogues.models import Dialogue, Statement
from tracktwo.parts.dialogues.opinion.figures import participant_map
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import FormId, PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]
MAP_AFTER_VOTES = 7  # as Polis: a participant is placed in the groups after seven votes


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


def _dialogue_and_participant(
    ctx: PageContext, dialogue_id: PathId
) -> tuple[Dialogue, Participant]:
    dialogue = get_dialogue(ctx.db, dialogue_id)
    participant = participant_on_device(ctx, dialogue.initiative_id) if dialogue else None
    dialogue = require_membership(ctx.db, participant, dialogue_id)
    assert participant is not None
    return dialogue, participant


@router.get("/d/{dialogue_id}")
def statement_page(ctx: Ctx, dialogue_id: PathId) -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    reason = is_accepting(dialogue)
    statement = None if reason else choose_next_statement(ctx.db, participant, dialogue_id)
    progress = progress_of(ctx.db, participant, dialogue)
    return render_for(
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
    return ctx.redirect(f"/d/{dialogue_id}")


@router.get("/d/{dialogue_id}/write")
def write_form(ctx: Ctx, dialogue_id: PathId) -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    return render_for(
        ctx, "dialogues/participate/write.html", participant, dialogue=dialogue, text="", error=None
    )


@router.post("/d/{dialogue_id}/write")
def write(ctx: Ctx, dialogue_id: PathId, text: Annotated[str, Form()] = "") -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    gettext = translator(participant.language)
    try:
        with ctx.attempt():
            submit_statement(
                ctx.db,
                participant,
                dialogue_id,
                text,
                analysis_delay=ctx.platform.settings.analysis_delay_seconds,
            )
    except (InvalidInput, Conflict) as exc:
        return render_for(
            ctx,
            "dialogues/participate/write.html",
            participant,
            status_code=exc.status_code,
            dialogue=dialogue,
            text=text,
            error=exc.message,
        )
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
    response = ctx.redirect(f"/d/{dialogue_id}")
    remember_language(ctx, response, participant.language)
    return response


@router.get("/d/{dialogue_id}/map")
def where_i_stand(ctx: Ctx, dialogue_id: PathId) -> Response:
    dialogue, participant = _dialogue_and_participant(ctx, dialogue_id)
    standing = standing_of(ctx.db, participant, dialogue_id)
    position = standing.position if standing else None
    figure = (
        Markup(
            participant_map(
                standing.result,
                position,
                dialogue.initiative.sides,
                _=translator(participant.language),
            )
        )
        if standing
        else None
    )
    return render_for(
        ctx,
        "dialogues/participate/map.html",
        participant,
        dialogue=dialogue,
        figure=figure,
        position=position,
    )
