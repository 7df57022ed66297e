"""Participants' workshop pages: join from a link, then one screen per step on their phone.

The same pseudonymous identity and cookie as the dialogues (``tt_p{initiative_id}``): someone
who already took part in a dialogue of the initiative joins a workshop without a new code.
Pages are small plain forms in the participant's language; our script only keeps the live
part of the page current (server-sent events) and never replaces a form being typed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from tracktwo.common.participation.actions import set_language
from tracktwo.common.participation.models import Participant
from tracktwo.common.participation.pages import (
    participant_on_device,
    remember_language,
    render_for,
)
from tracktwo.kernel.errors import InvalidInput, TracktwoError
from tracktwo.kernel.i18n import translator
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
    get_workshop,
    require_member,
)
from tracktwo.parts.workshops.models import Workshop
from tracktwo.parts.workshops.pages.live import Since, change_stream
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import MAX_ID, IdField, PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]


def _member(ctx: PageContext, workshop_id: int) -> tuple[Workshop, Participant]:
    workshop = get_workshop(ctx.db, workshop_id)
    participant = participant_on_device(ctx, workshop.initiative_id) if workshop else None
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
    return render_for(
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
        with ctx.attempt():
            run(person)
    except TracktwoError as exc:
        return _screen(
            ctx, workshop, person, error=exc.message, typed=typed, status_code=exc.status_code
        )
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
    response = ctx.redirect(f"/w/{workshop_id}")
    remember_language(ctx, response, person.language)
    return response
