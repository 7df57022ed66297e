"""The influence-mapping step: the group answers "does progress on A help progress on B?".

The ideas with preference votes become the map, most voted first (that is the engine's tie-break
order, so the most important ideas are structured first). The engine
(:class:`tracktwo.parts.workshops.ism.ism.IsmSession`) chooses each question and infers everything
that
follows; its state is one JSON document, saved after every change.

One question at a time is *shown* to the group; each showing has a number
(``WorkshopMap.question_number``) and votes belong to one showing, so a re-vote starts from
zero and a vote from a stale phone is refused. When the facilitator closes the question, the
votes per side (plus, in hybrid mode, the facilitator's count of people without devices) go
through the workshop's decision rule (:func:`tracktwo.parts.workshops.ism.decision.decide`). Yes or
no
goes into the engine; undecided leaves the question open for a re-vote or a deferral; the
engine never guesses.

Contradictions come only from the facilitator: entering the group's answer to another pair
(to dispute an inferred relation) or revising an earlier answer. They are refused by the
engine, stored with the chains of answers behind them, and shown until the facilitator puts
one of those answers back to the group (``withdraw_answer``) or changes it. Every decision,
applied or refused, is a :class:`PairDecision` row: the map's audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound
from tracktwo.kernel.i18n import N_
from tracktwo.parts.workshops.actions.workshops import (
    UNDECLARED_SIDE,
    require_member,
    require_step,
    side_name,
    touch,
    workshop_for,
)
from tracktwo.parts.workshops.ism.decision import Decision, combine_tallies, decide
from tracktwo.parts.workshops.ism.ism import AnswerOutcome, IsmSession, Pair
from tracktwo.parts.workshops.models import (
    DecisionRule,
    Idea,
    PairDecision,
    PairVote,
    PreferenceVote,
    Workshop,
    WorkshopMap,
    WorkshopMode,
    WorkshopStep,
)
from tracktwo.store.base import utcnow

__all__ = [
    "QUESTION_CLOSED",
    "MapOverview",
    "Question",
    "cast_pair_vote",
    "close_question",
    "contradiction_view",
    "current_question",
    "decisions_of",
    "defer_question",
    "discard_unanswered_map",
    "dismiss_contradiction",
    "enter_answer",
    "group_decision",
    "load_map",
    "map_overview",
    "my_pair_vote",
    "pair_tallies",
    "revise_answer",
    "revote_question",
    "start_map",
    "withdraw_answer",
]

QUESTION_CLOSED = N_("This question is no longer open; the page now shows the current one.")
MAPPING_ONLY = N_("Influence questions can be answered only during the mapping step.")


@dataclass(frozen=True)
class Question:
    """The question shown to the group now."""

    number: int  # the showing (WorkshopMap.question_number)
    pair: Pair  # element indices (i helps j?)
    source: Idea
    target: Idea


@dataclass(frozen=True)
class MapOverview:
    """Everything the pages need about a map, with ideas in the map's element order."""

    map: WorkshopMap
    session: IsmSession
    ideas: list[Idea]
    question: Question | None

    @property
    def labels(self) -> list[str]:
        return [idea.text for idea in self.ideas]

    def element_of(self, idea_id: int) -> int:
        try:
            return self.map.idea_ids.index(idea_id)
        except ValueError:
            raise NotFound(f"Idea {idea_id} is not part of the influence map.") from None


# --- loading and saving ---------------------------------------------------------------------


def load_map(
    db: Session, workshop: Workshop, *, for_update: bool = False
) -> tuple[WorkshopMap, IsmSession] | None:
    """The map row and its engine, or None before the mapping step.

    ``for_update`` locks the row (PostgreSQL) so that two facilitators' clicks are applied one
    after the other rather than one silently undoing the other.
    """
    query = select(WorkshopMap).where(WorkshopMap.workshop_id == workshop.id)
    if for_update:
        query = query.with_for_update()
    row = db.scalar(query)
    if row is None:
        return None
    return row, IsmSession.from_dict(row.state)


def _save(row: WorkshopMap, session: IsmSession, previous: Pair | None) -> None:
    """Store the engine and open the next question; a new pair is a new showing."""
    upcoming = session.next_question()
    if upcoming != previous:
        row.question_number += 1
        row.question_opened_at = utcnow() if upcoming is not None else None
    row.state = session.to_dict()
    row.finished_at = utcnow() if session.finished else None


def _ideas_by_vote(db: Session, workshop: Workshop) -> list[int]:
    counts: dict[int, int] = {}
    numbers: dict[int, int] = {}
    for idea_id, number in db.execute(
        select(PreferenceVote.idea_id, Idea.number)
        .join(Idea, Idea.id == PreferenceVote.idea_id)
        .where(PreferenceVote.workshop_id == workshop.id, PreferenceVote.replaced_at.is_(None))
    ):
        counts[idea_id] = counts.get(idea_id, 0) + 1
        numbers[idea_id] = number
    return sorted(counts, key=lambda idea_id: (-counts[idea_id], numbers[idea_id]))


def start_map(db: Session, workshop: Workshop) -> WorkshopMap:
    """Begin the mapping step with the voted ideas, most voted first."""
    existing = db.scalar(select(WorkshopMap).where(WorkshopMap.workshop_id == workshop.id))
    if existing is not None:
        return existing
    idea_ids = _ideas_by_vote(db, workshop)
    if len(idea_ids) < 2:
        raise Conflict("At least two ideas need preference votes before they can be mapped.")
    session = IsmSession.start(len(idea_ids), order=range(len(idea_ids)))
    row = WorkshopMap(workshop_id=workshop.id, idea_ids=idea_ids, state={}, question_number=0)
    _save(row, session, None)
    db.add(row)
    db.flush()
    return row


def discard_unanswered_map(db: Session, workshop: Workshop) -> None:
    """Going back to voting: allowed only while the group has answered nothing."""
    loaded = load_map(db, workshop, for_update=True)
    if loaded is None:
        return
    row, session = loaded
    if session.answers:
        raise Conflict(
            f"The group has answered {len(session.answers)} influence questions; going back to "
            "voting would discard them, so the map stays."
        )
    db.delete(row)
    db.flush()


def _mapping(
    db: Session, actor: Actor, workshop_id: int
) -> tuple[Workshop, WorkshopMap, IsmSession]:
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    require_step(
        workshop,
        WorkshopStep.MAPPING,
        "The influence map can be changed only in the mapping step; go back to it.",
    )
    loaded = load_map(db, workshop, for_update=True)
    if loaded is None:
        raise Conflict("This workshop has no influence map yet.")
    return workshop, *loaded


def _ideas(db: Session, row: WorkshopMap) -> list[Idea]:
    found = {idea.id: idea for idea in db.scalars(select(Idea).where(Idea.id.in_(row.idea_ids)))}
    return [found[idea_id] for idea_id in row.idea_ids]


def _question(db: Session, row: WorkshopMap, session: IsmSession) -> Question | None:
    pair = session.next_question()
    if pair is None:
        return None
    source, target = (db.get(Idea, row.idea_ids[k]) for k in pair)
    assert source is not None and target is not None
    return Question(number=row.question_number, pair=pair, source=source, target=target)


def current_question(db: Session, workshop: Workshop) -> Question | None:
    loaded = load_map(db, workshop)
    if loaded is None or workshop.step != WorkshopStep.MAPPING:
        return None
    return _question(db, *loaded)


def map_overview(db: Session, workshop: Workshop) -> MapOverview | None:
    loaded = load_map(db, workshop)
    if loaded is None:
        return None
    row, session = loaded
    question = _question(db, row, session) if workshop.step == WorkshopStep.MAPPING else None
    return MapOverview(map=row, session=session, ideas=_ideas(db, row), question=question)


# --- participants' votes --------------------------------------------------------------------


def cast_pair_vote(
    db: Session,
    participant: Participant,
    workshop_id: int,
    question_number: int,
    yes: bool,
    *,
    from_idea_id: int | None = None,
    to_idea_id: int | None = None,
) -> PairVote:
    """A participant's yes or no on the question shown now; a later vote replaces theirs.

    A vote for a showing that is over (the page was stale) is refused with 409, as is a vote
    whose pair does not match the current question.
    """
    workshop = require_member(db, participant, workshop_id)
    require_step(workshop, WorkshopStep.MAPPING, MAPPING_ONLY)
    if not isinstance(yes, bool):
        raise InvalidInput(N_("An answer to an influence question is yes or no."))
    loaded = load_map(db, workshop)
    question = _question(db, *loaded) if loaded is not None else None
    if question is None or question.number != question_number:
        raise Conflict(QUESTION_CLOSED)
    if (from_idea_id, to_idea_id) != (None, None) and (from_idea_id, to_idea_id) != (
        question.source.id,
        question.target.id,
    ):
        raise Conflict(QUESTION_CLOSED)
    vote = PairVote(
        workshop_id=workshop.id,
        question_number=question.number,
        from_idea_id=question.source.id,
        to_idea_id=question.target.id,
        participant_id=participant.id,
        yes=yes,
    )
    db.add(vote)
    touch(workshop, seen_by_participants=False)
    db.flush()
    return vote


def my_pair_vote(
    db: Session, participant: Participant, workshop: Workshop, question_number: int
) -> bool | None:
    return db.scalar(
        select(PairVote.yes)
        .where(
            PairVote.workshop_id == workshop.id,
            PairVote.question_number == question_number,
            PairVote.participant_id == participant.id,
        )
        .order_by(PairVote.id.desc())
        .limit(1)
    )


def pair_tallies(
    db: Session, workshop: Workshop, question_number: int
) -> dict[str, tuple[int, int]]:
    """(yes, no) per side for one showing, each participant's latest vote counted once.

    Every declared side is listed (0, 0 when nobody voted: it matters for the rule "majority
    within each side"); participants without a side appear as "Undeclared" when they voted.
    """
    latest: dict[int, bool] = {}
    for participant_id, yes in db.execute(
        select(PairVote.participant_id, PairVote.yes)
        .where(PairVote.workshop_id == workshop.id, PairVote.question_number == question_number)
        .order_by(PairVote.id)
    ):
        latest[participant_id] = yes
    tallies = {side.name: (0, 0) for side in workshop.initiative.sides}
    for participant in db.scalars(select(Participant).where(Participant.id.in_(latest))):
        name = side_name(participant)
        yes_count, no_count = tallies.get(name, (0, 0))
        said_yes = latest[participant.id]
        tallies[name] = (yes_count + said_yes, no_count + (not said_yes))
    return tallies


# --- the facilitator's decisions ------------------------------------------------------------


def _check_room_tallies(
    workshop: Workshop, room: Mapping[str, tuple[int, int]] | None
) -> dict[str, tuple[int, int]]:
    if not room or not any(yes or no for yes, no in room.values()):
        return {}
    if workshop.mode != WorkshopMode.HYBRID:
        raise InvalidInput(
            "Counts typed for the room are for hybrid workshops; switch the mode in the settings."
        )
    known = {side.name for side in workshop.initiative.sides} | {UNDECLARED_SIDE}
    for name, (yes, no) in room.items():
        if name not in known:
            raise InvalidInput(f"{name!r} is not a side of this workshop.")
        if yes < 0 or no < 0 or yes > 10_000 or no > 10_000:
            raise InvalidInput("Counts of the room must be whole numbers from 0 to 10000.")
    return {name: (int(yes), int(no)) for name, (yes, no) in room.items() if yes or no}


def group_decision(
    workshop: Workshop,
    device: Mapping[str, tuple[int, int]],
    room: Mapping[str, tuple[int, int]],
) -> Decision:
    """The workshop's rule on device votes plus the room's count.

    Under "majority within each side", participants who declared no side are not a side: their
    votes are shown with the tallies but cannot make or block a decision.
    """
    combined = combine_tallies(device, room)
    if workshop.decision_rule == DecisionRule.MAJORITY_WITHIN_EACH_SIDE:
        combined.pop(UNDECLARED_SIDE, None)
    return decide(
        combined,
        workshop.decision_rule.value,
        fraction=Fraction(workshop.qualified_fraction).limit_denominator(1000),
    )


def _record(
    db: Session,
    workshop: Workshop,
    row: WorkshopMap,
    pair: Pair,
    *,
    kind: str,
    outcome: str,
    actor: Actor,
    reason: str = "",
    applied: bool = True,
    result: AnswerOutcome | None = None,
    device: Mapping[str, tuple[int, int]] | None = None,
    room: Mapping[str, tuple[int, int]] | None = None,
) -> PairDecision:
    contradiction = None
    if result is not None and result.contradiction is not None:
        # For a revision, the pair and value that were tried, so the chains read true.
        tried = {"tried": [*pair, outcome == "yes"]} if kind == "revise" else {}
        contradiction = {"kind": kind, **tried, **result.contradiction.to_dict()}
        row.contradiction = contradiction
    decision = PairDecision(
        workshop_id=workshop.id,
        question_number=row.question_number if kind in ("vote", "defer", "revote") else None,
        from_idea_id=row.idea_ids[pair[0]],
        to_idea_id=row.idea_ids[pair[1]],
        kind=kind,
        outcome=outcome,
        reason=reason,
        device_tallies={name: list(counts) for name, counts in (device or {}).items()},
        room_tallies={name: list(counts) for name, counts in (room or {}).items()},
        rule=workshop.decision_rule.value,
        qualified_fraction=(
            workshop.qualified_fraction
            if workshop.decision_rule == DecisionRule.QUALIFIED_MAJORITY
            else None
        ),
        applied=applied,
        inferred_cells=len(result.inferred) if result is not None else 0,
        contradiction=contradiction,
        decided_by_id=actor.id if actor is not None else None,
    )
    db.add(decision)
    touch(workshop)
    db.flush()
    return decision


def _current_or_refuse(
    db: Session, row: WorkshopMap, session: IsmSession, question_number: int
) -> Question:
    question = _question(db, row, session)
    if question is None:
        raise Conflict("Every relation of this map is known; there is no open question.")
    if question.number != question_number:
        raise Conflict(
            "This question was already closed (perhaps in another window); reload the page."
        )
    return question


def close_question(
    db: Session,
    actor: Actor,
    workshop_id: int,
    question_number: int,
    room_tallies: Mapping[str, tuple[int, int]] | None = None,
) -> PairDecision:
    """Close the vote on the current question and apply the group's decision if there is one.

    Undecided (a tie, no votes, or the rule not met) is recorded and the question stays open:
    the facilitator then lets more people vote and closes again, starts a re-vote, or defers.
    """
    workshop, row, session = _mapping(db, actor, workshop_id)
    question = _current_or_refuse(db, row, session, question_number)
    room = _check_room_tallies(workshop, room_tallies)
    device = pair_tallies(db, workshop, question.number)
    decision = group_decision(workshop, device, room)
    if decision.answer is None:
        return _record(
            db,
            workshop,
            row,
            question.pair,
            kind="vote",
            outcome="undecided",
            reason=decision.reason,
            actor=actor,
            device=device,
            room=room,
        )
    result = session.answer(*question.pair, yes=decision.answer)
    recorded = _record(
        db,
        workshop,
        row,
        question.pair,
        kind="vote",
        outcome=decision.outcome,
        reason=decision.reason,
        actor=actor,
        result=result,
        device=device,
        room=room,
    )
    _save(row, session, question.pair)
    return recorded


def revote_question(
    db: Session, actor: Actor, workshop_id: int, question_number: int
) -> PairDecision:
    """Show the current question again with a clean slate (the earlier votes stay on record)."""
    workshop, row, session = _mapping(db, actor, workshop_id)
    question = _current_or_refuse(db, row, session, question_number)
    recorded = _record(
        db, workshop, row, question.pair, kind="revote", outcome="undecided", actor=actor
    )
    row.question_number += 1
    row.question_opened_at = utcnow()
    return recorded


def defer_question(
    db: Session, actor: Actor, workshop_id: int, question_number: int
) -> PairDecision:
    """Put the current question aside until every other question has been asked."""
    workshop, row, session = _mapping(db, actor, workshop_id)
    question = _current_or_refuse(db, row, session, question_number)
    session.defer(*question.pair)
    recorded = _record(
        db, workshop, row, question.pair, kind="defer", outcome="deferred", actor=actor
    )
    # Always a new showing, even when the deferred question is the only one left.
    _save(row, session, None)
    return recorded


def _pair_of(row: WorkshopMap, from_idea_id: int, to_idea_id: int) -> Pair:
    try:
        pair = (row.idea_ids.index(from_idea_id), row.idea_ids.index(to_idea_id))
    except ValueError:
        raise NotFound("Both ideas must be part of the influence map.") from None
    if pair[0] == pair[1]:
        raise InvalidInput("Choose two different ideas.")
    return pair


def enter_answer(
    db: Session, actor: Actor, workshop_id: int, from_idea_id: int, to_idea_id: int, yes: bool
) -> PairDecision:
    """The facilitator enters the group's answer to any pair, e.g. to dispute an inferred one.

    If it contradicts earlier answers nothing changes: the contradiction is stored and shown
    with the answers behind it, for the group to revisit one of them.
    """
    return _change(db, actor, workshop_id, (from_idea_id, to_idea_id), "entered", yes)


def revise_answer(
    db: Session, actor: Actor, workshop_id: int, from_idea_id: int, to_idea_id: int, yes: bool
) -> PairDecision:
    """Change an earlier answer; every inference is recomputed, or the change is refused."""
    return _change(db, actor, workshop_id, (from_idea_id, to_idea_id), "revise", yes)


def withdraw_answer(
    db: Session, actor: Actor, workshop_id: int, from_idea_id: int, to_idea_id: int
) -> PairDecision:
    """Put an earlier answer back to the group: it becomes the next question."""
    return _change(db, actor, workshop_id, (from_idea_id, to_idea_id), "withdraw", None)


def _change(
    db: Session,
    actor: Actor,
    workshop_id: int,
    ideas: tuple[int, int],
    kind: str,
    yes: bool | None,
) -> PairDecision:
    workshop, row, session = _mapping(db, actor, workshop_id)
    pair = _pair_of(row, *ideas)
    previous = session.next_question()
    if kind == "withdraw":
        result = session.withdraw(*pair)
    elif kind == "revise":
        result = session.revise(*pair, yes=bool(yes))
    else:
        result = session.answer(*pair, yes=bool(yes), allow_out_of_turn=True)
    recorded = _record(
        db,
        workshop,
        row,
        pair,
        kind=kind,
        outcome="withdrawn" if yes is None else "yes" if yes else "no",
        actor=actor,
        applied=result.applied,
        result=result,
        reason=result.contradiction.message if result.contradiction is not None else "",
    )
    if result.applied:
        row.contradiction = None
        _save(row, session, previous)
    return recorded


def dismiss_contradiction(db: Session, actor: Actor, workshop_id: int) -> None:
    """The group keeps its earlier answers and drops the answer that contradicted them."""
    workshop, row, _ = _mapping(db, actor, workshop_id)
    row.contradiction = None
    touch(workshop)


def decisions_of(db: Session, workshop: Workshop) -> list[PairDecision]:
    return list(
        db.scalars(
            select(PairDecision)
            .where(PairDecision.workshop_id == workshop.id)
            .order_by(PairDecision.id)
        )
    )


def contradiction_view(overview: MapOverview) -> dict[str, Any] | None:
    """The stored contradiction with the ideas behind every pair, for pages to show.

    Each relation is ``{"from": Idea, "to": Idea, "yes": bool, ...}``: the refused answer,
    the cells it clashes with, the chains of answers on either side, and ``revisit``.
    """
    data = overview.map.contradiction
    if not data:
        return None
    ideas = overview.ideas
    # Values that are not in the engine's state: the refused answer and a tried revision.
    assumed = {tuple(data["pair"]): bool(data["yes"])}
    if "tried" in data:
        i, j, yes = data["tried"]
        assumed[(i, j)] = bool(yes)

    def relation(pair: list[int], yes: bool | None = None) -> dict[str, Any]:
        i, j = int(pair[0]), int(pair[1])
        if yes is None:
            yes = assumed.get((i, j), overview.session.cell(i, j).value)
        return {"from": ideas[i], "to": ideas[j], "yes": yes}

    return {
        "kind": data.get("kind", ""),
        "message": data.get("message", ""),
        "answer": relation(data["pair"]),
        "clashes": [
            {
                "cell": relation(clash["cell"], clash["known"]),
                "known_because": [relation(pair) for pair in clash["known_because"]],
                "new_because": [relation(pair) for pair in clash["new_because"]],
            }
            for clash in data["clashes"]
        ],
        "revisit": [relation(pair) for pair in data["revisit"]],
    }
