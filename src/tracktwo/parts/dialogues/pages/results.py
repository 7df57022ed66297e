"""The results page of a dialogue (observers included) and its live updates.

Live updates are server-sent events. The event stream asks the database every few seconds
whether a newer analysis snapshot exists, which works the same with one server on SQLite and
with many servers on PostgreSQL, and costs one indexed query per open page per poll.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi.responses import Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.models import Role
from tracktwo.parts.dialogues.actions.analysis import analysis_version
from tracktwo.parts.dialogues.actions.dialogues import dialogue_for
from tracktwo.parts.dialogues.actions.findings import dialogue_findings
from tracktwo.parts.dialogues.opinion.figures import (
    agreement_bars,
    group_share_bars,
    opinion_map,
    participation_chart,
)
from tracktwo.parts.dialogues.opinion.findings import split_small_rows, suppressed_count
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.live import poll_stream
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]
POLL_SECONDS = 2.0


@router.get("/dialogues/{dialogue_id}/results")
def results(ctx: Ctx, dialogue_id: PathId) -> Response:
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id)
    role = role_in(ctx.db, user, dialogue.initiative_id)
    # Observers read this page, so it follows the brief's rules: a side with fewer than
    # min_cell people is not compared with the others, and no share of fewer than min_cell
    # voters is drawn.
    min_cell = ctx.platform.settings.min_cell_size
    findings = dialogue_findings(ctx.db, dialogue, min_cell=min_cell, hide_small_sides=True)
    sides = dialogue.initiative.sides
    colours = findings.side_colours
    common, divisive, hidden = {}, {}, {}
    for view in findings.common_ground:
        rows, hidden[("common", view.id)] = split_small_rows(view.sides, min_cell)
        if rows:
            common[view.id] = Markup(agreement_bars(rows, colours, threshold=findings.threshold))
    for view in findings.divisive:
        rows, hidden[("divisive", view.id)] = split_small_rows(view.groups, min_cell)
        if rows:
            divisive[view.id] = Markup(group_share_bars(rows))
    figures = {
        "map": Markup(opinion_map(findings.result, sides)) if findings.result else None,
        "participation": Markup(participation_chart(findings.participation)),
        "common": common,
        "divisive": divisive,
    }
    return ctx.render(
        "dialogues/results.html",
        dialogue=dialogue,
        findings=findings,
        figures=figures,
        hidden=hidden,
        taking_part=[
            (side, suppressed_count(n, min_cell))
            for side, n in findings.participants_by_side.items()
        ],
        is_facilitator=bool(role and role.at_least(Role.FACILITATOR)),
    )


@router.get("/dialogues/{dialogue_id}/events")
async def events(ctx: Ctx, dialogue_id: PathId) -> Response:
    """``analysis`` when a new snapshot is stored, ``votes`` when the vote count moves."""
    user = ctx.require_user()
    await run_in_threadpool(dialogue_for, ctx.db, user, dialogue_id)

    def describe(last: tuple[int, int], current: tuple[int, int]) -> str | None:
        if current[0] != last[0]:
            return f"event: analysis\ndata: {json.dumps({'snapshot': current[0]})}\n\n"
        if current[1] != last[1]:
            return f"event: votes\ndata: {json.dumps({'votes': current[1]})}\n\n"
        return None

    return poll_stream(
        ctx, lambda db: analysis_version(db, dialogue_id), describe, poll_seconds=POLL_SECONDS
    )
