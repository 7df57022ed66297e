"""Dialogues through the JSON API: for integrators (facilitator token) and for participant
clients and load tests (participant token from ``join``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.api import LinkOut, add_join_route, links_out
from tracktwo.kernel.errors import InvalidInput, NotAuthenticated
from tracktwo.parts.dialogues.actions.analysis import latest_snapshot, public_result
from tracktwo.parts.dialogues.actions.dialogues import (
    DialogueSettings,
    active_links,
    add_seed_statements,
    create_dialogue,
    dialogue_for,
    get_dialogue,
    list_dialogues,
    set_dialogue_state,
    update_dialogue,
)
from tracktwo.parts.dialogues.actions.moderation import moderate, moderation_queue, statement_in
from tracktwo.parts.dialogues.actions.participation import (
    cast_vote,
    choose_next_statement,
    progress_of,
    submit_statement,
)
from tracktwo.parts.dialogues.models import Dialogue, Statement
from tracktwo.web.api.schemas import ERRORS, Strict
from tracktwo.web.context import ApiContext, api_context
from tracktwo.web.params import PathId

router = APIRouter(responses=ERRORS)
add_join_route(router, "dialogues")
Ctx = Annotated[ApiContext, api_context]


class DialogueIn(Strict):
    topic: Annotated[str, Field(min_length=1, max_length=200)]
    prompt: Annotated[str, Field(max_length=2000)] = ""
    seed_statements: Annotated[list[str], Field(max_length=500, default_factory=list)]
    allow_statements: bool = True
    moderation: Literal["strict", "loose"] = "strict"
    statement_limit: Annotated[int, Field(ge=0, le=1000)] = 5
    max_length: Annotated[int, Field(ge=20, le=1000)] = 280
    prioritize_seed: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    state: Literal["draft", "open", "closed"] = "draft"


class DialogueChange(Strict):
    topic: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    prompt: Annotated[str, Field(max_length=2000)] | None = None
    allow_statements: bool | None = None
    moderation: Literal["strict", "loose"] | None = None
    statement_limit: Annotated[int, Field(ge=0, le=1000)] | None = None
    max_length: Annotated[int, Field(ge=20, le=1000)] | None = None
    prioritize_seed: bool | None = None
    state: Literal["draft", "open", "closed"] | None = None


class DialogueOut(BaseModel):
    id: int
    initiative_id: PathId
    topic: str
    prompt: str
    state: str
    allow_statements: bool
    moderation: str
    statement_limit: int
    max_length: int
    prioritize_seed: bool
    opens_at: datetime | None
    closes_at: datetime | None
    links: list[LinkOut] | None = Field(description="Invitation links (facilitators only).")


class StatementOut(BaseModel):
    id: int
    text: str
    language: str
    translation: str | None = Field(
        default=None, description="In the participant's language, when one exists."
    )
    is_seed: bool
    state: str | None = Field(default=None, description="Moderation state (facilitators only).")


class Progress(BaseModel):
    seen: int
    remaining: int


class NextStatementOut(BaseModel):
    statement: StatementOut | None = Field(
        description="Null when there is nothing left to vote on."
    )
    progress: Progress


class VoteIn(Strict):
    statement_id: PathId
    value: Literal[-1, 0, 1]
    key: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="Idempotency key; the Idempotency-Key header works too."
    )


class VoteOut(BaseModel):
    vote_id: int
    duplicate: bool = Field(description="True when this key was already recorded: counted once.")


class StatementIn(Strict):
    text: Annotated[str, Field(min_length=1, max_length=1000)]


class ModerationIn(Strict):
    decision: Literal["accept", "reject"]
    reason: Annotated[str, Field(max_length=500)] = ""


def dialogue_out(ctx: ApiContext, dialogue: Dialogue, *, with_links: bool) -> DialogueOut:
    links = links_out(ctx, active_links(ctx.db, dialogue)) if with_links else None
    return DialogueOut(
        id=dialogue.id,
        initiative_id=dialogue.initiative_id,
        topic=dialogue.topic,
        prompt=dialogue.prompt,
        state=dialogue.state.value,
        allow_statements=dialogue.allow_statements,
        moderation=dialogue.moderation.value,
        statement_limit=dialogue.statement_limit,
        max_length=dialogue.max_length,
        prioritize_seed=dialogue.prioritize_seed,
        opens_at=dialogue.opens_at,
        closes_at=dialogue.closes_at,
        links=links,
    )


def statement_out(
    statement: Statement, language: str | None = None, with_state: bool = False
) -> StatementOut:
    translation = next((t.text for t in statement.translations if t.language == language), None)
    return StatementOut(
        id=statement.id,
        text=statement.text,
        language=statement.language,
        translation=translation,
        is_seed=statement.is_seed,
        state=statement.state.value if with_state else None,
    )


def _settings(body: DialogueIn | DialogueChange, current: Dialogue | None) -> DialogueSettings:
    def pick(name: str, default: Any) -> Any:
        value = getattr(body, name, None)
        if value is not None:
            return value
        return getattr(current, name) if current is not None else default

    return DialogueSettings(
        topic=pick("topic", ""),
        prompt=pick("prompt", ""),
        allow_statements=pick("allow_statements", True),
        moderation=pick("moderation", "strict"),
        statement_limit=pick("statement_limit", 5),
        max_length=pick("max_length", 280),
        prioritize_seed=pick("prioritize_seed", True),
        opens_at=pick("opens_at", None),
        closes_at=pick("closes_at", None),
    )


@router.post(
    "/initiatives/{initiative_id}/dialogues",
    status_code=201,
    response_model=DialogueOut,
    summary="Create a dialogue (facilitators)",
)
def create(ctx: Ctx, initiative_id: PathId, body: DialogueIn) -> DialogueOut:
    user = ctx.require_user()
    dialogue = create_dialogue(
        ctx.db, user, initiative_id, _settings(body, None), seed_statements=body.seed_statements
    )
    if body.state != "draft":
        set_dialogue_state(ctx.db, user, dialogue.id, body.state)
    return dialogue_out(ctx, dialogue, with_links=True)


@router.get("/initiatives/{initiative_id}/dialogues", response_model=list[DialogueOut])
def list_(ctx: Ctx, initiative_id: PathId) -> list[DialogueOut]:
    user = ctx.require_user()
    role = role_in(ctx.db, user, initiative_id)
    dialogues = list_dialogues(ctx.db, user, initiative_id)
    manage = bool(role and role.at_least(Role.FACILITATOR))
    return [dialogue_out(ctx, d, with_links=manage) for d in dialogues]


@router.get("/dialogues/{dialogue_id}", response_model=DialogueOut)
def read(ctx: Ctx, dialogue_id: PathId) -> DialogueOut:
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id)
    role = role_in(ctx.db, user, dialogue.initiative_id)
    return dialogue_out(ctx, dialogue, with_links=bool(role and role.at_least(Role.FACILITATOR)))


@router.patch(
    "/dialogues/{dialogue_id}",
    response_model=DialogueOut,
    summary="Change settings or state: draft, open, closed (facilitators)",
)
def change(ctx: Ctx, dialogue_id: PathId, body: DialogueChange) -> DialogueOut:
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id, at_least=Role.FACILITATOR)
    update_dialogue(ctx.db, user, dialogue_id, _settings(body, dialogue))
    if body.state is not None:
        set_dialogue_state(ctx.db, user, dialogue_id, body.state)
    return dialogue_out(ctx, dialogue, with_links=True)


@router.get(
    "/dialogues/{dialogue_id}/next-statement",
    response_model=NextStatementOut,
    summary="The statement this participant should see next (participant token)",
)
def next_(ctx: Ctx, dialogue_id: PathId) -> NextStatementOut:
    participant = ctx.require_participant()
    statement = choose_next_statement(ctx.db, participant, dialogue_id)
    dialogue = get_dialogue(ctx.db, dialogue_id)
    assert dialogue is not None
    progress = progress_of(ctx.db, participant, dialogue)
    return NextStatementOut(
        statement=statement_out(statement, participant.language) if statement else None,
        progress=Progress(seen=progress.seen, remaining=progress.remaining),
    )


@router.post(
    "/dialogues/{dialogue_id}/votes",
    status_code=201,
    response_model=VoteOut,
    responses={200: {"model": VoteOut, "description": "A retry of a recorded vote"}},
    summary="Vote 1 agree, -1 disagree, 0 pass (participant token); idempotent by key",
)
def vote(
    ctx: Ctx,
    dialogue_id: PathId,
    body: VoteIn,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    participant = ctx.require_participant()
    outcome = cast_vote(
        ctx.db,
        participant,
        dialogue_id,
        body.statement_id,
        body.value,
        idempotency_key=body.key or idempotency_key,
        analysis_delay=ctx.platform.settings.analysis_delay_seconds,
    )
    payload = VoteOut(vote_id=outcome.vote_id, duplicate=outcome.duplicate)
    return JSONResponse(payload.model_dump(), status_code=200 if outcome.duplicate else 201)


@router.post(
    "/dialogues/{dialogue_id}/statements",
    status_code=201,
    response_model=StatementOut,
    summary="Add a statement: a participant's own, or seed statements from facilitators",
)
def add_statement(ctx: Ctx, dialogue_id: PathId, body: StatementIn) -> StatementOut:
    if ctx.participant is not None:
        statement = submit_statement(
            ctx.db,
            ctx.participant,
            dialogue_id,
            body.text,
            analysis_delay=ctx.platform.settings.analysis_delay_seconds,
        )
        return statement_out(statement)
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id, at_least=Role.FACILITATOR)
    if not body.text.strip():
        raise InvalidInput("The statement is empty; write one short sentence.")
    [statement] = add_seed_statements(
        ctx.db, user, dialogue_id, [body.text], language=dialogue.initiative.languages[0]
    )
    return statement_out(statement, with_state=True)


@router.get(
    "/dialogues/{dialogue_id}/statements",
    response_model=list[StatementOut],
    summary="Statements with their moderation state (facilitators)",
)
def statements(
    ctx: Ctx,
    dialogue_id: PathId,
    state: Literal["pending", "accepted", "rejected", "all"] = "all",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> list[StatementOut]:
    user = ctx.require_user()
    queue = moderation_queue(ctx.db, user, dialogue_id, state=state, query=q, page=page)
    return [statement_out(e.statement, with_state=True) for e in queue.entries]


@router.post(
    "/dialogues/{dialogue_id}/statements/{statement_id}/moderation",
    response_model=StatementOut,
    summary="Accept or reject a statement (facilitators)",
)
def moderate_one(
    ctx: Ctx, dialogue_id: PathId, statement_id: PathId, body: ModerationIn
) -> StatementOut:
    user = ctx.require_user()
    moderate(
        ctx.db,
        user,
        dialogue_id,
        [statement_id],
        body.decision,
        reason=body.reason,
        analysis_delay=ctx.platform.settings.analysis_delay_seconds,
    )
    return statement_out(statement_in(ctx.db, dialogue_id, statement_id), with_state=True)


@router.get(
    "/dialogues/{dialogue_id}/analysis",
    responses={
        200: {
            "description": "The latest analysis, in the JSON of `tracktwo analyze` "
            "(schema: analysis.schema.json); observers get it without "
            "participant identifiers.",
            "content": {"application/json": {}},
        },
        204: {"description": "No analysis yet (no votes)."},
    },
    summary="The latest analysis snapshot",
)
def analysis(ctx: Ctx, dialogue_id: PathId) -> Response:
    if ctx.user is None:
        raise NotAuthenticated(
            "The analysis is for facilitators and observers: use a facilitator's API token."
        )
    dialogue = dialogue_for(ctx.db, ctx.user, dialogue_id)
    snapshot = latest_snapshot(ctx.db, dialogue.id)
    if snapshot is None:
        return Response(status_code=204)
    role = role_in(ctx.db, ctx.user, dialogue.initiative_id)
    document = (
        snapshot.result
        if role and role.at_least(Role.FACILITATOR)
        else public_result(snapshot.result)
    )
    return JSONResponse(document)
