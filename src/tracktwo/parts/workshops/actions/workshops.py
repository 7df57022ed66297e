"""Workshops: creating and running them, their steps, join links and participants.

A workshop follows Structured Dialogic Design step by step (reference §1.1): ideas,
clarification, clustering, preference voting, influence mapping, action plan. The facilitators
move it from step to step; participants act only in the workshop they joined and only in its
current step. The ideas, the map and the plan have their own modules
(:mod:`workshop_ideas`, :mod:`workshop_mapping`, :mod:`workshop_plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor, initiative_for
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation import actions as kernel
from tracktwo.common.participation.models import JoinLink, Participant, PartMembership
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound
from tracktwo.kernel.i18n import N_
from tracktwo.kernel.text import clean_text
from tracktwo.parts.workshops.models import (
    DecisionRule,
    Idea,
    IdeaState,
    PreferenceVote,
    Workshop,
    WorkshopMode,
    WorkshopStep,
)

PART = "workshops"  # this part\'s name in the participation kernel

__all__ = [
    "NOT_A_MEMBER",
    "STEP_NAMES",
    "UNDECLARED_SIDE",
    "WorkshopSettings",
    "active_links",
    "advance_turn",
    "create_workshop",
    "list_workshops",
    "members_of",
    "parse_fraction",
    "participants_by_side",
    "pass_turn",
    "regenerate_link",
    "require_member",
    "require_step",
    "set_round_robin",
    "set_step",
    "side_name",
    "touch",
    "update_workshop",
    "workshop_for",
]

MAX_TITLE = 200
MAX_QUESTION = 2000
UNDECLARED_SIDE = "Undeclared"  # the tally key of participants who declared no side
NOT_A_MEMBER = N_("You have not joined this workshop; open its invitation link to take part.")
STEP_NAMES = {
    WorkshopStep.IDEAS: "Ideas",
    WorkshopStep.CLARIFICATION: "Clarification",
    WorkshopStep.CLUSTERING: "Clustering",
    WorkshopStep.VOTING: "Preference voting",
    WorkshopStep.MAPPING: "Influence mapping",
    WorkshopStep.ACTION_PLAN: "Action plan",
    WorkshopStep.CLOSED: "Closed",
}


@dataclass(frozen=True)
class WorkshopSettings:
    """Everything a facilitator sets on a workshop."""

    title: str
    question: str
    votes_per_participant: int = 5
    decision_rule: DecisionRule | str = DecisionRule.SIMPLE_MAJORITY
    qualified_fraction: float | str = 2 / 3
    mode: WorkshopMode | str = WorkshopMode.IN_ROOM
    max_length: int = 200


def parse_fraction(value: float | str) -> float:
    """A qualified-majority threshold from ``2/3``, ``0.75`` or ``75%``: above 1/2, at most 1."""
    text = str(value).strip()
    try:
        exact = (
            Fraction(text[:-1].strip()) / 100
            if text.endswith("%")
            else Fraction(text).limit_denominator(1000)
        )
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(
            f"The qualified majority must be a fraction such as 2/3, 0.75 or 75%; got {text!r}."
        ) from None
    if not Fraction(1, 2) < exact <= 1:
        raise InvalidInput(f"The qualified majority must be above 1/2 and at most 1; got {text}.")
    return float(exact)


def _validated(settings: WorkshopSettings) -> dict[str, object]:
    try:
        rule = DecisionRule(settings.decision_rule)
    except ValueError:
        raise InvalidInput(
            "The decision rule must be simple_majority, qualified_majority or "
            "majority_within_each_side."
        ) from None
    try:
        mode = WorkshopMode(settings.mode)
    except ValueError:
        raise InvalidInput("The mode must be 'in_room' or 'hybrid'.") from None
    if not 1 <= settings.votes_per_participant <= 50:
        raise InvalidInput("Each participant must have between 1 and 50 preference votes.")
    if not 20 <= settings.max_length <= 1000:
        raise InvalidInput("The longest idea allowed must be between 20 and 1000 characters.")
    return {
        "title": clean_text(settings.title, "title", MAX_TITLE),
        "question": clean_text(settings.question, "triggering question", MAX_QUESTION),
        "votes_per_participant": settings.votes_per_participant,
        "decision_rule": rule,
        "qualified_fraction": parse_fraction(settings.qualified_fraction),
        "mode": mode,
        "max_length": settings.max_length,
    }


def workshop_for(
    db: Session, actor: Actor, workshop_id: int, *, at_least: Role = Role.OBSERVER
) -> Workshop:
    """The workshop, if ``actor`` holds at least the given role in its initiative."""
    workshop = db.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(f"There is no workshop with id {workshop_id}.")
    initiative_for(db, actor, workshop.initiative_id, at_least=at_least)
    return workshop


def touch(workshop: Workshop, *, seen_by_participants: bool = True) -> None:
    """Mark the workshop as changed, so that live pages refresh (atomic SQL increments).

    Votes and arrivals change only what the facilitators and the room screen show; phones
    refresh only on ``public_version``, so thirty phones do not all reload on every vote.
    """
    workshop.version = Workshop.version + 1
    if seen_by_participants:
        workshop.public_version = Workshop.public_version + 1


def create_workshop(
    db: Session, actor: Actor, initiative_id: int, settings: WorkshopSettings
) -> Workshop:
    """A new workshop in its ideas step, with a general link and one link per side."""
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.FACILITATOR)
    workshop = Workshop(initiative=initiative, **_validated(settings))
    db.add(workshop)
    db.flush()
    kernel.create_links(db, PART, workshop.id, initiative)
    return workshop


def update_workshop(
    db: Session, actor: Actor, workshop_id: int, settings: WorkshopSettings
) -> Workshop:
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    values = _validated(settings)
    if workshop.step.position > WorkshopStep.VOTING.position and (
        values["votes_per_participant"] != workshop.votes_per_participant
    ):
        raise Conflict("The number of preference votes cannot change once voting is over.")
    if values["question"] != workshop.question:
        workshop.question_translations.clear()  # they translate the old question
    for name, value in values.items():
        setattr(workshop, name, value)
    touch(workshop)
    return workshop


def list_workshops(db: Session, actor: Actor, initiative_id: int) -> list[Workshop]:
    initiative_for(db, actor, initiative_id)
    return list(
        db.scalars(
            select(Workshop)
            .where(Workshop.initiative_id == initiative_id)
            .order_by(Workshop.created_at.desc(), Workshop.id.desc())
        )
    )


def active_links(db: Session, workshop: Workshop) -> list[JoinLink]:
    return kernel.active_links(db, PART, workshop.id)


def regenerate_link(db: Session, actor: Actor, workshop_id: int, link_id: int) -> JoinLink:
    """Revoke a link and make a new one for the same side (for when a link leaked)."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    try:
        return kernel.regenerate_link(db, PART, workshop.id, link_id)
    except NotFound:
        raise NotFound(f"This workshop has no active link {link_id}.") from None


# --- participants ---------------------------------------------------------------------------


def require_member(db: Session, participant: Participant | None, workshop_id: int) -> Workshop:
    """The workshop, if this participant joined it; a clear refusal otherwise."""
    workshop = db.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(f"There is no workshop with id {workshop_id}.")
    kernel.require_member(db, participant, PART, workshop_id, workshop.initiative_id)
    return workshop


def require_step(workshop: Workshop, step: WorkshopStep, refusal: str) -> None:
    """Refuse (409) with ``refusal`` unless the workshop is in ``step``."""
    if workshop.step != step:
        raise Conflict(refusal)


def members_of(db: Session, workshop_id: int) -> list[PartMembership]:
    """Members in the order they joined: the order of the round-robin."""
    return kernel.members_of(db, PART, workshop_id)


def side_name(participant: Participant) -> str:
    return participant.side.name if participant.side is not None else UNDECLARED_SIDE


def participants_by_side(db: Session, workshop: Workshop) -> dict[str, int]:
    """How many members each side has (and how many declared none)."""
    counts = {side.name: 0 for side in workshop.initiative.sides} | {UNDECLARED_SIDE: 0}
    for member in members_of(db, workshop.id):
        counts[side_name(member.participant)] += 1
    return counts


# --- round-robin ----------------------------------------------------------------------------


def set_round_robin(db: Session, actor: Actor, workshop_id: int, on: bool) -> Workshop:
    """Nominal Group Technique: one idea per person per turn, the facilitator stepping through."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    require_step(
        workshop, WorkshopStep.IDEAS, "Round-robin is part of the ideas step; go back to it first."
    )
    workshop.round_robin = on
    if on and workshop.turn_participant_id is None:
        members = members_of(db, workshop.id)
        if not members:
            raise Conflict("Nobody has joined yet; share the invitation links first.")
        workshop.turn_participant_id = members[0].participant_id
    touch(workshop)
    return workshop


def advance_turn(db: Session, actor: Actor, workshop_id: int) -> Workshop:
    """Give the turn to the next member; after the last one a new round starts."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    if not workshop.round_robin:
        raise Conflict("Round-robin is off; turn it on to step through the participants.")
    pass_turn(db, workshop)
    return workshop


def pass_turn(db: Session, workshop: Workshop) -> None:
    members = [m.participant_id for m in members_of(db, workshop.id)]
    if not members:
        workshop.turn_participant_id = None
        return
    current = workshop.turn_participant_id
    position = members.index(current) if current in members else -1
    if position + 1 >= len(members):
        workshop.round += 1
        workshop.turn_participant_id = members[0]
    else:
        workshop.turn_participant_id = members[position + 1]
    touch(workshop)
    db.flush()


# --- steps ----------------------------------------------------------------------------------


def set_step(
    db: Session,
    actor: Actor,
    workshop_id: int,
    step: WorkshopStep | str,
    *,
    accept_incomplete_map: bool = False,
) -> Workshop:
    """Move the workshop one step forward or back.

    Forward: preference voting needs ideas; influence mapping needs at least two ideas with
    votes (they become the map, most voted first); the action plan needs a finished map unless
    ``accept_incomplete_map`` (unknown relations are then read as "no"). Back: always one step,
    except that going back from mapping is refused once the group has answered a question,
    because the map's ideas would no longer match the votes.
    """
    from tracktwo.parts.workshops.actions.mapping import discard_unanswered_map, start_map

    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    try:
        target = WorkshopStep(step)
    except ValueError:
        raise InvalidInput(
            "A workshop step is one of " + ", ".join(s.value for s in WorkshopStep) + "."
        ) from None
    distance = target.position - workshop.step.position
    if distance == 0:
        return workshop
    if abs(distance) != 1:
        raise Conflict(
            f"A workshop moves one step at a time; it is in the {STEP_NAMES[workshop.step]} step."
        )
    if distance == 1:
        _check_forward(db, workshop, target, accept_incomplete_map)
        if target == WorkshopStep.MAPPING:
            start_map(db, workshop)
    elif workshop.step == WorkshopStep.MAPPING:
        discard_unanswered_map(db, workshop)
    if target != WorkshopStep.IDEAS:
        workshop.round_robin = False
    workshop.step = target
    touch(workshop)
    return workshop


def _check_forward(
    db: Session, workshop: Workshop, target: WorkshopStep, accept_incomplete_map: bool
) -> None:
    from tracktwo.parts.workshops.actions.mapping import load_map

    if target == WorkshopStep.CLARIFICATION:
        ideas = db.scalar(
            select(func.count(Idea.id)).where(
                Idea.workshop_id == workshop.id, Idea.state == IdeaState.ACTIVE
            )
        )
        if (ideas or 0) < 2:
            raise Conflict("The group needs at least two ideas before clarification.")
    elif target == WorkshopStep.MAPPING:
        voted = db.scalar(
            select(func.count(func.distinct(PreferenceVote.idea_id))).where(
                PreferenceVote.workshop_id == workshop.id, PreferenceVote.replaced_at.is_(None)
            )
        )
        if (voted or 0) < 2:
            raise Conflict(
                "At least two ideas need preference votes before they can be mapped; wait for "
                "the votes."
            )
    elif target == WorkshopStep.ACTION_PLAN:
        loaded = load_map(db, workshop)
        if loaded is None:
            raise Conflict("This workshop has no influence map yet.")
        _, session = loaded
        if not session.finished and not accept_incomplete_map:
            remaining = session.remaining().upper_bound
            raise Conflict(
                f"The influence map is not finished ({remaining} relations are still unknown); "
                "answer the remaining questions, or confirm that the unknown relations may be "
                "read as 'no'."
            )


def get_workshop(db: Session, workshop_id: int) -> Workshop | None:
    """The workshop, or None (no access check: for finding whose participant is asking)."""
    return db.get(Workshop, workshop_id)


def workshop_version(db: Session, workshop_id: int, *, public: bool = False) -> int:
    """The counter live pages watch (``public``: the one participants' phones watch)."""
    column = Workshop.public_version if public else Workshop.version
    return int(db.scalar(select(column).where(Workshop.id == workshop_id)) or 0)
