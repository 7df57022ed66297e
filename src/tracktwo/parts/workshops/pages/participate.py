"""Participants' workshop pages: join from a link, then one screen per step on their phone.

The same pseudonymous identity and cookie as the dialogues (``tt_p{initiative_id}``): someone
who already took part in a dialogue of the initiative joins a workshop without a new code.
Pages are small plain forms in the participant's language; our script only keeps the live
part of the page current (server-sent events) and never replaces a form being typed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Form
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from tracktwo.common.participation.actions import UNDECLARED, set_language
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import InvalidInput, TracktwoError
from tracktwo.kernel.i18n import translator
from tracktwo.parts.dialogues.pages.participate import (
    _participant,
    _remember_language,
    _render,
    device_secret,
    require_consent,
    resume_with,
    welcome,
)
from tracktwo.parts.workshops.actions.ideas import (
    active_ideas,
    answer_question,
    ask_question,
    cast_preferences,
    clarify_own_idea,
    clusters_of,
    my_preferences,
    questions_by_idea,
    submit_idea,
)
from tracktwo.parts.workshops.actions.mapping import cast_pair_vote, current_question, my_pair_vote
from tracktwo.parts.workshops.actions.results import figure_text, is_final, workshop_result
from tracktwo.parts.workshops.actions.translations import (
    idea_text_for,
    question_language,
    question_text_for,
)
from tracktwo.parts.workshops.actions.workshops import (
    join_workshop,
    membership_in,
    require_member,
    workshop_link_for_token,
)
from tracktwo.parts.workshops.models import Workshop, WorkshopMember
from tracktwo.parts.workshops.pages.live import Since, change_stream
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import MAX_ID, IdField, PathId

router = page_router()
Ctx = Annotated[PageContext, Depends(page_context)]


# --- joining --------------------------------------------------------------------------------


def _join_page(
    ctx: PageContext,
    token: str,
    language: str,
    participant: Participant | None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    link = workshop_link_for_token(ctx.db, token)
    return ctx.render(
        "workshops/participate/join.html",
        status_code=status_code,
        language=language,
        link=link,
        workshop=link.workshop,
        initiative=link.workshop.initiative,
        participant=participant,
        error=error,
    )


@router.get("/wj/{token}")
def join_form(ctx: Ctx, token: str, lang: str = "") -> Response:
    link = workshop_link_for_token(ctx.db, token)
    initiative = link.workshop.initiative
    participant = _participant(ctx, initiative.id)
    if participant is not None and membership_in(ctx.db, participant, link.workshop_id):
        return ctx.redirect(f"/w/{link.workshop_id}")
    language = (
        lang
        if lang in initiative.languages
        else (participant.language if participant else initiative.languages[0])
    )
    return _join_page(ctx, token, language, participant)


@router.post("/wj/{token}")
def join(
    ctx: Ctx,
    token: str,
    language: Annotated[str, Form()] = "",
    side: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
) -> Response:
    link = workshop_link_for_token(ctx.db, token)
    initiative = link.workshop.initiative
    try:
        require_consent(consent, language)
        joined = join_workshop(
            ctx.db,
            token,
            secret=device_secret(ctx, initiative.id),
            side=side or UNDECLARED,
            language=language or None,
        )
    except TracktwoError as exc:
        ctx.db.rollback()
        chosen = language if language in initiative.languages else initiative.languages[0]
        return _join_page(ctx, token, chosen, None, exc.message, exc.status_code)
    ctx.db.commit()
    return welcome(
        ctx,
        joined.participant,
        joined.new_secret,
        title=link.workshop.title,
        continue_url=f"/w/{link.workshop_id}",
        resume_path="/wr/",
    )


@router.get("/wr/{secret}")
def resume(ctx: Ctx, secret: str) -> Response:
    """The private resume link of a workshop participant."""

    def last_workshop(participant: Participant) -> str | None:
        last = ctx.db.scalar(
            select(WorkshopMember.workshop_id)
            .where(WorkshopMember.participant_id == participant.id)
            .order_by(WorkshopMember.joined_at.desc(), WorkshopMember.id.desc())
            .limit(1)
        )
        return f"/w/{last}" if last else None

    return resume_with(
        ctx,
        secret,
        "This resume link is not valid; use the invitation link of your workshop instead.",
        last_workshop,
    )


# --- the step screens -----------------------------------------------------------------------


def _member(ctx: PageContext, workshop_id: int) -> tuple[Workshop, Participant]:
    workshop = ctx.db.get(Workshop, workshop_id)
    participant = _participant(ctx, workshop.initiative_id) if workshop else None
    workshop = require_member(ctx.db, participant, workshop_id)
    assert participant is not None
    return workshop, participant


def _screen_values(ctx: PageContext, workshop: Workshop, person: Participant) -> dict[str, Any]:
    db = ctx.db
    step = workshop.step.value
    ideas = active_ideas(db, workshop.id)
    values: dict[str, Any] = {
        "workshop": workshop,
        "step": step,
        "ideas": ideas,
        "shown_idea": lambda idea: idea_text_for(idea, person.language),
        "question_shown": question_text_for(workshop, person.language),
        "question_language": question_language(workshop),
        "my_turn": (not workshop.round_robin) or workshop.turn_participant_id == person.id,
        "live_key": step,
    }
    if step in ("ideas", "clarification"):
        values["questions"] = questions_by_idea(db, ideas)
        values["live_key"] = f"{step}-{values['my_turn']}"
    if step in ("clustering", "voting"):
        values["clusters"] = clusters_of(db, workshop.id)
    if step == "voting":
        values["chosen"] = my_preferences(db, person, workshop.id)
    if step == "mapping":
        question = current_question(db, workshop)
        values["question"] = question
        values["my_answer"] = (
            my_pair_vote(db, person, workshop, question.number) if question else None
        )
        values["live_key"] = f"mapping-{question.number if question else 'done'}"
    if is_final(workshop):
        result = workshop_result(db, workshop)
        values["tree"] = Markup(
            result.tree_svg(figure_text(person.language), language=person.language) or ""
        )
        values["root_drivers"] = result.root_drivers
    return values


def _screen(
    ctx: PageContext,
    workshop: Workshop,
    person: Participant,
    *,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return _render(
        ctx,
        "workshops/participate/workshop.html",
        person,
        status_code=status_code,
        error=error,
        typed=typed or {},
        **_screen_values(ctx, workshop, person),
    )


@router.get("/w/{workshop_id}")
def screen(ctx: Ctx, workshop_id: PathId) -> Response:
    workshop, person = _member(ctx, workshop_id)
    ctx.db.commit()  # last-seen time
    return _screen(ctx, workshop, person)


@router.get("/w/{workshop_id}/events")
async def events(ctx: Ctx, workshop_id: PathId, since: Since = None) -> Response:
    await run_in_threadpool(_member, ctx, workshop_id)
    return change_stream(ctx, workshop_id, since=since, public=True)


def _act(
    ctx: PageContext,
    workshop_id: int,
    typed: dict[str, str],
    run: Callable[[Participant], object],
    done: Callable[[Callable[..., str]], str],
) -> Response:
    """One participant action: commit and come back to the screen, or show why not.

    ``done`` is given the participant's gettext and returns the confirmation to show.
    """
    workshop, person = _member(ctx, workshop_id)
    try:
        run(person)
    except TracktwoError as exc:
        ctx.db.rollback()
        return _screen(
            ctx, workshop, person, error=exc.message, typed=typed, status_code=exc.status_code
        )
    ctx.db.commit()
    return ctx.redirect(f"/w/{workshop_id}", done=done(translator(person.language)))


@router.post("/w/{workshop_id}/ideas")
def add_idea(
    ctx: Ctx,
    workshop_id: PathId,
    text: Annotated[str, Form()] = "",
    clarification: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        ctx,
        workshop_id,
        {"text": text, "clarification": clarification},
        lambda person: submit_idea(ctx.db, person, workshop_id, text, clarification),
        lambda _: _("Thank you. Your idea is on the list."),
    )


@router.post("/w/{workshop_id}/ideas/{idea_id}/clarify")
def clarify(
    ctx: Ctx, workshop_id: PathId, idea_id: PathId, clarification: Annotated[str, Form()] = ""
) -> Response:
    return _act(
        ctx,
        workshop_id,
        {f"clarification_{idea_id}": clarification},
        lambda person: clarify_own_idea(ctx.db, person, idea_id, clarification),
        lambda _: _("Your explanation is saved."),
    )


@router.post("/w/{workshop_id}/ideas/{idea_id}/ask")
def ask(
    ctx: Ctx, workshop_id: PathId, idea_id: PathId, question: Annotated[str, Form()] = ""
) -> Response:
    return _act(
        ctx,
        workshop_id,
        {f"question_{idea_id}": question},
        lambda person: ask_question(ctx.db, idea_id, question, participant=person),
        lambda _: _("Your question was sent to the author."),
    )


@router.post("/w/{workshop_id}/questions/{question_id}/answer")
def answer(
    ctx: Ctx, workshop_id: PathId, question_id: PathId, answer: Annotated[str, Form()] = ""
) -> Response:
    return _act(
        ctx,
        workshop_id,
        {f"answer_{question_id}": answer},
        lambda person: answer_question(ctx.db, question_id, answer, participant=person),
        lambda _: _("Your answer is saved."),
    )


@router.post("/w/{workshop_id}/preferences")
def preferences(
    ctx: Ctx,
    workshop_id: PathId,
    idea_id: Annotated[list[IdField], Form()] = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    return _act(
        ctx,
        workshop_id,
        {},
        lambda person: cast_preferences(ctx.db, person, workshop_id, idea_id),
        lambda _: _("Your choice is saved. You can change it until voting closes."),
    )


@router.post("/w/{workshop_id}/answer")
def pair_answer(
    ctx: Ctx,
    workshop_id: PathId,
    question_number: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    from_idea: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    to_idea: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    answer: Annotated[str, Form()] = "",
) -> Response:
    def run(person: Participant) -> None:
        if answer not in ("yes", "no"):
            raise InvalidInput("An answer to an influence question is yes or no.")
        cast_pair_vote(
            ctx.db,
            person,
            workshop_id,
            question_number,
            answer == "yes",
            from_idea_id=from_idea,
            to_idea_id=to_idea,
        )

    return _act(ctx, workshop_id, {}, run, lambda _: _("Your answer is counted."))


@router.post("/w/{workshop_id}/language")
def change_language(
    ctx: Ctx, workshop_id: PathId, language: Annotated[str, Form()] = ""
) -> Response:
    _, person = _member(ctx, workshop_id)
    set_language(ctx.db, person, language)
    ctx.db.commit()
    response = ctx.redirect(f"/w/{workshop_id}")
    _remember_language(ctx, response, person.language)
    return response
