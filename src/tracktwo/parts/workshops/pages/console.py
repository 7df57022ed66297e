"""Facilitators' workshop pages: create, the step-by-step console, settings, ideas, clusters,
the influence questions and the action plan.

Every form posts to a thin route that calls one action, commits, and redirects to the console
(post/redirect/get). When an action refuses, the console is shown again with the sentence and
with what was typed, at the refusal's status code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from markupsafe import Markup

from tracktwo.common.initiatives.access import initiative_for, role_in
from tracktwo.common.initiatives.actions import get_initiative
from tracktwo.common.initiatives.models import Initiative, Role
from tracktwo.kernel.errors import InvalidInput, NotFound, TracktwoError
from tracktwo.kernel.parsing import MAX_ID, parse_int
from tracktwo.kernel.tracks import TRACKS
from tracktwo.parts.workshops.actions.ideas import (
    active_ideas,
    add_idea_for,
    answer_question,
    ask_question,
    assign_clusters,
    clusters_of,
    create_cluster,
    delete_cluster,
    edit_idea,
    idea_history,
    ideas_of,
    merge_ideas,
    preference_tallies,
    propose_clustering,
    questions_by_idea,
    rename_cluster,
    split_idea,
    voters_by_side,
)
from tracktwo.parts.workshops.actions.mapping import (
    close_question,
    contradiction_view,
    decisions_of,
    defer_question,
    dismiss_contradiction,
    enter_answer,
    group_decision,
    pair_tallies,
    revise_answer,
    revote_question,
    withdraw_answer,
)
from tracktwo.parts.workshops.actions.plan import (
    ActionInput,
    action_items,
    add_action_item,
    update_action_item,
)
from tracktwo.parts.workshops.actions.results import workshop_result
from tracktwo.parts.workshops.actions.workshops import (
    STEP_NAMES,
    UNDECLARED_SIDE,
    WorkshopSettings,
    active_links,
    advance_turn,
    create_workshop,
    list_workshops,
    members_of,
    participants_by_side,
    regenerate_link,
    set_round_robin,
    set_step,
    update_workshop,
    workshop_for,
)
from tracktwo.parts.workshops.models import ActionStatus, DecisionRule, Workshop, WorkshopStep
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import IdField, PathId
from tracktwo.web.templating import environment

router = page_router()
Ctx = Annotated[PageContext, page_context]

RULE_NAMES = {
    DecisionRule.SIMPLE_MAJORITY: "Simple majority",
    DecisionRule.QUALIFIED_MAJORITY: "Qualified majority",
    DecisionRule.MAJORITY_WITHIN_EACH_SIDE: "A majority within each side",
}
STATUS_NAMES = {
    ActionStatus.PROPOSED: "Proposed",
    ActionStatus.AGREED: "Agreed",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
}
NAMES = {"steps": STEP_NAMES, "rules": RULE_NAMES, "statuses": STATUS_NAMES, "tracks": TRACKS}


def workshops_panel(ctx: PageContext, initiative: Initiative, role: Role) -> Markup:
    workshops = list_workshops(ctx.db, ctx.user, initiative.id)
    return Markup(
        environment.get_template("workshops/panel.html").render(
            initiative=initiative,
            workshops=workshops,
            can_manage=role.at_least(Role.FACILITATOR),
            names=NAMES,
        )
    )


# --- creating and settings ------------------------------------------------------------------


def _number(value: str, what: str) -> int:
    return parse_int(value, what)


def _settings(form: dict[str, str]) -> WorkshopSettings:
    return WorkshopSettings(
        title=form.get("title", ""),
        question=form.get("question", ""),
        votes_per_participant=_number(form.get("votes_per_participant", "5"), "number of votes"),
        decision_rule=form.get("decision_rule", "simple_majority"),
        qualified_fraction=form.get("qualified_fraction", "2/3") or "2/3",
        mode=form.get("mode", "in_room"),
        max_length=_number(form.get("max_length", "200"), "longest idea"),
    )


def _values(workshop: Workshop | None) -> dict[str, Any]:
    if workshop is None:
        return {
            "title": "",
            "question": "",
            "votes_per_participant": 5,
            "decision_rule": "simple_majority",
            "qualified_fraction": "2/3",
            "mode": "in_room",
            "max_length": 200,
        }
    return {
        "title": workshop.title,
        "question": workshop.question,
        "votes_per_participant": workshop.votes_per_participant,
        "decision_rule": workshop.decision_rule.value,
        "qualified_fraction": _fraction_text(workshop.qualified_fraction),
        "mode": workshop.mode.value,
        "max_length": workshop.max_length,
    }


def _fraction_text(value: float) -> str:
    from fractions import Fraction

    exact = Fraction(value).limit_denominator(1000)
    return f"{exact.numerator}/{exact.denominator}"


async def _form(request: Request) -> dict[str, str]:
    """The posted form's single values (text fields), for re-showing what was typed."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _form_page(
    ctx: PageContext,
    initiative: Initiative,
    workshop: Workshop | None,
    values: dict[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return ctx.render(
        "workshops/form.html",
        status_code=status_code,
        initiative=initiative,
        workshop=workshop,
        values=values,
        error=error,
        names=NAMES,
    )


@router.get("/initiatives/{initiative_id}/workshops/new")
def new_workshop(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    initiative = initiative_for(ctx.db, user, initiative_id, at_least=Role.FACILITATOR)
    return _form_page(ctx, initiative, None, _values(None))


@router.post("/initiatives/{initiative_id}/workshops")
async def create(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    form = await _form(ctx.request)
    try:
        with ctx.attempt():
            workshop = create_workshop(ctx.db, user, initiative_id, _settings(form))
    except TracktwoError as exc:
        initiative = get_initiative(ctx.db, user, initiative_id)
        values = {**_values(None), **form}
        return _form_page(ctx, initiative, None, values, exc.message, exc.status_code)
    return ctx.redirect(
        f"/workshops/{workshop.id}",
        done="The workshop was created. Share its links; participants can add ideas now.",
    )


@router.get("/workshops/{workshop_id}/settings")
def settings_form(ctx: Ctx, workshop_id: PathId) -> Response:
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id, at_least=Role.FACILITATOR)
    return _form_page(ctx, workshop.initiative, workshop, _values(workshop))


@router.post("/workshops/{workshop_id}/settings")
async def save_settings(ctx: Ctx, workshop_id: PathId) -> Response:
    user = ctx.require_user()
    form = await _form(ctx.request)
    try:
        with ctx.attempt():
            update_workshop(ctx.db, user, workshop_id, _settings(form))
    except TracktwoError as exc:
        workshop = workshop_for(ctx.db, user, workshop_id, at_least=Role.FACILITATOR)
        values = {**_values(workshop), **form}
        return _form_page(ctx, workshop.initiative, workshop, values, exc.message, exc.status_code)
    return ctx.redirect(f"/workshops/{workshop_id}", done="The settings were saved.")


# --- the console ----------------------------------------------------------------------------


def _console_values(ctx: PageContext, workshop: Workshop) -> dict[str, Any]:
    """What the console shows for the workshop's current step."""
    db = ctx.db
    base = ctx.platform.settings.base_url
    step = workshop.step
    values: dict[str, Any] = {
        "workshop": workshop,
        "initiative": workshop.initiative,
        "names": NAMES,
        "steps": list(WorkshopStep),
        "links": [(link, f"{base}/j/{link.token}") for link in active_links(ctx.db, workshop)],
        "joined": participants_by_side(db, workshop),
        "members": [m.participant for m in members_of(db, workshop.id)],
        "ideas": active_ideas(db, workshop.id),
        "undeclared": UNDECLARED_SIDE,
    }
    if step in (WorkshopStep.IDEAS, WorkshopStep.CLARIFICATION):
        values["questions"] = questions_by_idea(db, values["ideas"])
    if step in (WorkshopStep.CLUSTERING, WorkshopStep.VOTING):
        values["clusters"] = clusters_of(db, workshop.id)
    if step == WorkshopStep.VOTING:
        values["tallies"] = preference_tallies(db, workshop)
        values["voters"] = voters_by_side(db, workshop)
    result = workshop_result(db, workshop)
    overview = values["overview"] = result.overview
    if overview is not None:
        decisions = decisions_of(db, workshop)
        values["result"] = result
        values["tree"] = Markup(result.tree_svg() or "")
        values["contradiction"] = contradiction_view(overview)
        values["remaining"] = overview.session.remaining()
        values["relations"] = list(overview.session.relations())
        values["answer_kinds"] = _answer_kinds(decisions)
        if overview.question is not None:
            counts = pair_tallies(db, workshop, overview.question.number)
            values["pair_counts"] = counts
            values["preview"] = group_decision(workshop, counts, {})
            values["last_decision"] = next(
                (
                    d
                    for d in reversed(decisions)
                    if d.kind == "vote" and d.question_number == overview.question.number
                ),
                None,
            )
        if step in (WorkshopStep.ACTION_PLAN, WorkshopStep.CLOSED):
            values["micmac"] = Markup(result.micmac_svg() or "")
            values["items"] = action_items(db, workshop)
    return values


def _answer_kinds(decisions: list[Any]) -> dict[tuple[int, int], str]:
    """How each direct answer came about (the last applied decision on its pair)."""
    kinds: dict[tuple[int, int], str] = {}
    for decision in decisions:
        if decision.applied and decision.kind in ("vote", "entered", "revise"):
            kinds[(decision.from_idea_id, decision.to_idea_id)] = (
                f"{decision.kind}: {decision.reason}" if decision.reason else decision.kind
            )
    return kinds


def _console(
    ctx: PageContext,
    workshop_id: int,
    *,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id, at_least=Role.FACILITATOR)
    return ctx.render(
        "workshops/console.html",
        status_code=status_code,
        error=error,
        typed=typed or {},
        **_console_values(ctx, workshop),
    )


@router.get("/workshops/{workshop_id}")
def console(ctx: Ctx, workshop_id: PathId) -> Response:
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id)
    if role_in(ctx.db, user, workshop.initiative_id) == Role.OBSERVER:
        return ctx.redirect(f"/workshops/{workshop_id}/results")
    return _console(ctx, workshop_id)


async def _act(
    ctx: PageContext, workshop_id: int, run: Callable[[dict[str, str]], str], anchor: str = ""
) -> Response:
    """Run one action from a console form: commit and redirect, or show the refusal."""
    ctx.require_user()
    form = await _form(ctx.request)
    try:
        with ctx.attempt():
            done = run(form)
    except TracktwoError as exc:
        return _console(
            ctx, workshop_id, error=exc.message, typed=form, status_code=exc.status_code
        )
    return ctx.redirect(f"/workshops/{workshop_id}{anchor}", done=done)


def _id(value: str | None, what: str = "choice") -> int:
    try:
        number = parse_int(value or "", what, minimum=None, maximum=None)
    except InvalidInput:
        raise InvalidInput(f"The {what} is missing; reload the page and try again.") from None
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(f"There is no such {what}; reload the page and try again.")
    return number


def _yes(value: str | None) -> bool:
    if value not in ("yes", "no"):
        raise InvalidInput("Choose yes or no.")
    return value == "yes"


@router.post("/workshops/{workshop_id}/step")
async def change_step(ctx: Ctx, workshop_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        workshop = set_step(
            ctx.db,
            ctx.user,
            workshop_id,
            form.get("step", ""),
            accept_incomplete_map=form.get("accept_incomplete") == "on",
        )
        return f"The workshop is now in the {STEP_NAMES[workshop.step]} step."

    return await _act(ctx, workshop_id, run)


@router.post("/workshops/{workshop_id}/links/{link_id}/regenerate")
async def new_link(ctx: Ctx, workshop_id: PathId, link_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        regenerate_link(ctx.db, ctx.user, workshop_id, link_id)
        return "The old link no longer works; share the new one."

    return await _act(ctx, workshop_id, run, "#links")


# --- ideas and clarification ----------------------------------------------------------------


@router.post("/workshops/{workshop_id}/round-robin")
async def round_robin(ctx: Ctx, workshop_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        if form.get("action") == "next":
            advance_turn(ctx.db, ctx.user, workshop_id)
            return "The turn passed to the next person."
        on = form.get("action") == "on"
        set_round_robin(ctx.db, ctx.user, workshop_id, on)
        return "Round-robin is on." if on else "Round-robin is off."

    return await _act(ctx, workshop_id, run, "#round-robin")


@router.post("/workshops/{workshop_id}/ideas")
async def add_idea(ctx: Ctx, workshop_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        author = form.get("author_id", "")
        idea = add_idea_for(
            ctx.db,
            ctx.user,
            workshop_id,
            form.get("text", ""),
            form.get("clarification", ""),
            author_id=_id(author, "author") if author else None,
        )
        return f"Idea {idea.number} was added."

    return await _act(ctx, workshop_id, run, "#ideas")


@router.get("/workshops/{workshop_id}/ideas/{idea_id}")
def idea_page(ctx: Ctx, workshop_id: PathId, idea_id: PathId) -> Response:
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id, at_least=Role.FACILITATOR)
    every_idea = ideas_of(ctx.db, workshop.id)
    idea = next((i for i in every_idea if i.id == idea_id), None)
    if idea is None:
        raise NotFound(f"This workshop has no idea {idea_id}.")
    numbers = {i.id: i.number for i in every_idea}
    return ctx.render(
        "workshops/idea.html",
        workshop=workshop,
        idea=idea,
        history=idea_history(ctx.db, idea),
        questions=questions_by_idea(ctx.db, [idea])[idea.id],
        numbers=numbers,
        editable=workshop.step
        in (WorkshopStep.IDEAS, WorkshopStep.CLARIFICATION, WorkshopStep.CLUSTERING),
        names=NAMES,
    )


@router.post("/workshops/{workshop_id}/ideas/{idea_id}/edit")
async def edit(ctx: Ctx, workshop_id: PathId, idea_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        idea = edit_idea(
            ctx.db, ctx.user, idea_id, form.get("text", ""), form.get("clarification", "")
        )
        return f"Idea {idea.number} was changed; its earlier wording is kept in its history."

    return await _act(ctx, workshop_id, run, "#ideas")


@router.post("/workshops/{workshop_id}/ideas/merge")
async def merge(
    ctx: Ctx,
    workshop_id: PathId,
    idea_id: Annotated[list[IdField], Form()] = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    def run(form: dict[str, str]) -> str:
        merged = merge_ideas(
            ctx.db,
            ctx.user,
            workshop_id,
            idea_id,
            form.get("merged_text", ""),
            form.get("merged_clarification", ""),
        )
        return f"The ideas were merged into idea {merged.number}; the originals are kept."

    return await _act(ctx, workshop_id, run, "#ideas")


@router.post("/workshops/{workshop_id}/ideas/{idea_id}/split")
async def split(ctx: Ctx, workshop_id: PathId, idea_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        made = split_idea(ctx.db, ctx.user, idea_id, form.get("texts", "").splitlines())
        numbers = ", ".join(str(idea.number) for idea in made)
        return f"The idea was split into ideas {numbers}; the original is kept."

    return await _act(ctx, workshop_id, run, "#ideas")


@router.post("/workshops/{workshop_id}/ideas/{idea_id}/questions")
async def record_question(ctx: Ctx, workshop_id: PathId, idea_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        ask_question(ctx.db, idea_id, form.get("question", ""), actor=ctx.user)
        return "The question was recorded."

    return await _act(ctx, workshop_id, run, f"#idea-{idea_id}")


@router.post("/workshops/{workshop_id}/questions/{question_id}/answer")
async def record_answer(ctx: Ctx, workshop_id: PathId, question_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        answer_question(ctx.db, question_id, form.get("answer", ""), actor=ctx.user)
        return "The answer was recorded."

    return await _act(ctx, workshop_id, run, "#ideas")


# --- clusters -------------------------------------------------------------------------------


@router.post("/workshops/{workshop_id}/clusters")
async def new_cluster(ctx: Ctx, workshop_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        cluster = create_cluster(ctx.db, ctx.user, workshop_id, form.get("name", ""))
        return f"The cluster “{cluster.name}” was added."

    return await _act(ctx, workshop_id, run, "#clusters")


@router.post("/workshops/{workshop_id}/clusters/propose")
async def propose(ctx: Ctx, workshop_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        made = propose_clustering(ctx.db, ctx.user, workshop_id)
        if not made:
            return "No similar ideas were found among the unclustered ones."
        return (
            f"{len(made)} clusters were proposed; rename and rearrange them as the group sees fit."
        )

    return await _act(ctx, workshop_id, run, "#clusters")


@router.post("/workshops/{workshop_id}/clusters/assign")
async def assign(ctx: Ctx, workshop_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        assignment = {
            _id(key.removeprefix("cluster_for_"), "idea"): (
                _id(value, "cluster") if value else None
            )
            for key, value in form.items()
            if key.startswith("cluster_for_")
        }
        moved = assign_clusters(ctx.db, ctx.user, workshop_id, assignment)
        return f"{moved} idea{'s' if moved != 1 else ''} moved."

    return await _act(ctx, workshop_id, run, "#clusters")


@router.post("/workshops/{workshop_id}/clusters/{cluster_id}")
async def change_cluster(ctx: Ctx, workshop_id: PathId, cluster_id: PathId) -> Response:
    def run(form: dict[str, str]) -> str:
        if form.get("action") == "delete":
            delete_cluster(ctx.db, ctx.user, workshop_id, cluster_id)
            return "The cluster was removed; its ideas are unclustered."
        rename_cluster(ctx.db, ctx.user, workshop_id, cluster_id, form.get("name", ""))
        return "The cluster was renamed."

    return await _act(ctx, workshop_id, run, "#clusters")


# --- influence mapping ----------------------------------------------------------------------


def _room_tallies(workshop: Workshop, form: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The typed count of the room (hybrid mode): fields room_yes_<n> / room_no_<n> by side."""
    names = [side.name for side in workshop.initiative.sides] + [UNDECLARED_SIDE]
    tallies = {}
    for index, name in enumerate(names):
        counts = []
        for kind in ("yes", "no"):
            raw = form.get(f"room_{kind}_{index}", "").strip() or "0"
            try:
                counts.append(parse_int(raw, "count", minimum=0, maximum=10_000))
            except InvalidInput:
                raise InvalidInput(
                    "Counts of the room must be whole numbers from 0 to 10000."
                ) from None
        tallies[name] = (counts[0], counts[1])
    return tallies


@router.post("/workshops/{workshop_id}/map/{action}")
async def map_action(ctx: Ctx, workshop_id: PathId, action: str) -> Response:
    def run(form: dict[str, str]) -> str:
        db, user = ctx.db, ctx.user
        if action in ("close", "revote", "defer"):
            number = _id(form.get("question_number"), "question number")
            if action == "revote":
                revote_question(db, user, workshop_id, number)
                return "The question is open again; earlier votes on it no longer count."
            if action == "defer":
                defer_question(db, user, workshop_id, number)
                return "The question was put aside until the others are answered."
            workshop = workshop_for(db, user, workshop_id, at_least=Role.FACILITATOR)
            decision = close_question(db, user, workshop_id, number, _room_tallies(workshop, form))
            return f"{decision.outcome.capitalize()}: {decision.reason}"
        if action == "dismiss":
            dismiss_contradiction(db, user, workshop_id)
            return "The earlier answers stand; the contradicting answer was dropped."
        source = _id(form.get("from_idea"), "first idea")
        target = _id(form.get("to_idea"), "second idea")
        if action == "withdraw":
            withdraw_answer(db, user, workshop_id, source, target)
            return "The answer was withdrawn; the group is asked that question again."
        if action in ("enter", "revise"):
            change = enter_answer if action == "enter" else revise_answer
            decision = change(db, user, workshop_id, source, target, _yes(form.get("answer")))
            if not decision.applied:
                return "That answer contradicts earlier ones; see the contradiction below."
            return "The answer was recorded and everything it implies was inferred."
        raise InvalidInput(f"Unknown map action {action!r}.")

    return await _act(ctx, workshop_id, run, "#map")


# --- action plan ----------------------------------------------------------------------------


def _action_input(form: dict[str, str], drivers: list[int]) -> ActionInput:
    track = form.get("track", "")
    return ActionInput(
        option=form.get("option", ""),
        owner=form.get("owner", ""),
        track=_id(track, "track") if track else None,
        status=form.get("status", "proposed"),
        driver_ids=drivers,
    )


@router.post("/workshops/{workshop_id}/plan")
async def add_plan_item(
    ctx: Ctx,
    workshop_id: PathId,
    driver: Annotated[list[IdField], Form()] = [],  # noqa: B006
) -> Response:
    def run(form: dict[str, str]) -> str:
        add_action_item(ctx.db, ctx.user, workshop_id, _action_input(form, driver))
        return "The option was added to the plan."

    return await _act(ctx, workshop_id, run, "#plan")


@router.post("/workshops/{workshop_id}/plan/{item_id}")
async def change_plan_item(
    ctx: Ctx,
    workshop_id: PathId,
    item_id: PathId,
    driver: Annotated[list[IdField], Form()] = [],  # noqa: B006
) -> Response:
    def run(form: dict[str, str]) -> str:
        update_action_item(ctx.db, ctx.user, workshop_id, item_id, _action_input(form, driver))
        return "The option was saved."

    return await _act(ctx, workshop_id, run, "#plan")
