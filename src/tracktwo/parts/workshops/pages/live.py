"""The room's presenter screen, the results page (observers included), the exports, and the
server-sent events that keep workshop pages live.

Every change to a workshop bumps ``Workshop.version`` in the same transaction, so an open
page needs one indexed read per poll to know it is stale, on SQLite and on PostgreSQL with
several servers alike. The stream sends a ``change`` event; our script then fetches the page
again and swaps in its live part (or reloads when the step or the question changed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse, Response, StreamingResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.models import Role
from tracktwo.kernel.parsing import parse_int
from tracktwo.parts.workshops.actions.ideas import active_ideas, clusters_of, voters_by_side
from tracktwo.parts.workshops.actions.mapping import pair_tallies
from tracktwo.parts.workshops.actions.plan import action_items
from tracktwo.parts.workshops.actions.results import (
    export_json,
    is_final,
    relations_csv_for,
    tree_png_for,
    tree_svg_for,
    workshop_result,
)
from tracktwo.parts.workshops.actions.translations import question_language, translations_in
from tracktwo.parts.workshops.actions.workshops import (
    participants_by_side,
    workshop_for,
    workshop_version,
)
from tracktwo.parts.workshops.pages.console import NAMES
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.downloads import attachment, attachment_headers
from tracktwo.web.live import poll_stream
from tracktwo.web.pages import page_router
from tracktwo.web.params import MAX_ID, PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]
POLL_SECONDS = 1.5
# The version a live page was drawn from, in its event stream's address.
Since = Annotated[int | None, Query(ge=0, le=MAX_ID)]


def seen_version(ctx: PageContext, since: int | None) -> int | None:
    """The version the browser last saw: the event id it resumes from (``Last-Event-ID``, sent
    by the browser when it reconnects), else the one the page was drawn from (``?since=``)."""
    resumed = ctx.request.headers.get("last-event-id", "")
    if resumed:
        return parse_int(resumed, "Last-Event-ID header", minimum=0, maximum=10**12)
    return since


def change_stream(
    ctx: PageContext, workshop_id: int, *, since: int | None = None, public: bool = False
) -> StreamingResponse:
    """``change`` whenever the workshop's version (``public``: as participants see it) moves."""

    def describe(last: int, current: int) -> str | None:
        if current == last:
            return None
        return f"id: {current}\nevent: change\ndata: {json.dumps({'version': current})}\n\n"

    return poll_stream(
        ctx,
        lambda db: workshop_version(db, workshop_id, public=public),
        describe,
        poll_seconds=POLL_SECONDS,
        seen=seen_version(ctx, since),
    )


@router.get("/workshops/{workshop_id}/events")
async def events(ctx: Ctx, workshop_id: PathId, since: Since = None) -> Response:
    user = ctx.require_user()
    await run_in_threadpool(workshop_for, ctx.db, user, workshop_id)
    return change_stream(ctx, workshop_id, since=since)


@router.get("/workshops/{workshop_id}/present")
def present(ctx: Ctx, workshop_id: PathId) -> Response:
    """The screen for the room: large, live, and without any pseudonym."""
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id, at_least=Role.FACILITATOR)
    result = workshop_result(ctx.db, workshop)
    overview = result.overview
    languages = workshop.initiative.languages
    values: dict[str, Any] = {
        "workshop": workshop,
        "names": NAMES,
        "ideas": active_ideas(ctx.db, workshop.id),
        "joined": participants_by_side(ctx.db, workshop),
        "result": result,
        "tree": Markup(result.tree_svg() or ""),
        "question": overview.question if overview else None,
        "question_language": question_language(workshop),
        "question_translations": translations_in(
            workshop.question_translations, question_language(workshop), languages
        ),
        "translated": lambda idea: translations_in(idea.translations, idea.language, languages),
    }
    if values["question"] is not None:
        values["tallies"] = pair_tallies(ctx.db, workshop, values["question"].number)
        values["remaining"] = overview.session.remaining()  # type: ignore[union-attr]
        values["answered"] = len(overview.session.answers)  # type: ignore[union-attr]
    if workshop.step.value in ("clustering", "voting"):
        values["clusters"] = clusters_of(ctx.db, workshop.id)
    if workshop.step.value == "voting":
        values["voters"] = voters_by_side(ctx.db, workshop)
    if is_final(workshop):
        values["items"] = action_items(ctx.db, workshop)
    return ctx.render("workshops/present.html", **values)


@router.get("/workshops/{workshop_id}/results")
def results(ctx: Ctx, workshop_id: PathId) -> Response:
    """The map and the plan. Observers see them once the map is final, never an author."""
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id)
    role = role_in(ctx.db, user, workshop.initiative_id)
    is_facilitator = bool(role and role.at_least(Role.FACILITATOR))
    visible = is_final(workshop) or is_facilitator
    result = workshop_result(ctx.db, workshop) if visible else None
    return ctx.render(
        "workshops/results.html",
        workshop=workshop,
        names=NAMES,
        tab="results",
        is_facilitator=is_facilitator,
        result=result,
        tree=Markup(result.tree_svg() or "") if result else None,
        micmac=Markup(result.micmac_svg() or "") if result else None,
        items=action_items(ctx.db, workshop) if visible else [],
        final=is_final(workshop),
    )


def _download(
    ctx: PageContext,
    workshop_id: int,
    make: Callable[[], bytes | str],
    media_type: str,
    filename: str,
) -> Response:
    ctx.require_user()
    return attachment(make(), media_type, f"workshop-{workshop_id}-{filename}")


@router.get("/workshops/{workshop_id}/tree.svg")
def tree_svg(ctx: Ctx, workshop_id: PathId) -> Response:
    return _download(
        ctx,
        workshop_id,
        lambda: tree_svg_for(ctx.db, ctx.user, workshop_id),
        "image/svg+xml",
        "influence-tree.svg",
    )


@router.get("/workshops/{workshop_id}/tree.png")
def tree_png(ctx: Ctx, workshop_id: PathId) -> Response:
    return _download(
        ctx,
        workshop_id,
        lambda: tree_png_for(ctx.db, ctx.user, workshop_id),
        "image/png",
        "influence-tree.png",
    )


@router.get("/workshops/{workshop_id}/relations.csv")
def relations(ctx: Ctx, workshop_id: PathId) -> Response:
    user = ctx.require_user()
    workshop_for(ctx.db, user, workshop_id, at_least=Role.FACILITATOR)
    return _download(
        ctx,
        workshop_id,
        lambda: relations_csv_for(ctx.db, user, workshop_id),
        "text/csv; charset=utf-8",
        "relations.csv",
    )


@router.get("/workshops/{workshop_id}/export.json")
def everything(ctx: Ctx, workshop_id: PathId) -> Response:
    user = ctx.require_user()
    data = export_json(ctx.db, user, workshop_id)
    return JSONResponse(data, headers=attachment_headers(f"workshop-{workshop_id}.json"))
