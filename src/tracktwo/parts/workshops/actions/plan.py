"""The joint action plan: options that work on the map's root drivers, each with an owner, the
track of multi-track diplomacy that carries it, and a status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor
from tracktwo.common.initiatives.models import Role
from tracktwo.kernel.errors import InvalidInput, NotFound
from tracktwo.kernel.text import clean_text
from tracktwo.kernel.tracks import track
from tracktwo.parts.workshops.actions.workshops import require_step, touch, workshop_for
from tracktwo.parts.workshops.models import (
    ActionItem,
    ActionStatus,
    Idea,
    Workshop,
    WorkshopMap,
    WorkshopStep,
)

__all__ = ["ActionInput", "action_items", "add_action_item", "update_action_item"]

MAX_OPTION = 1000
MAX_OWNER = 200


@dataclass(frozen=True)
class ActionInput:
    option: str
    owner: str = ""
    track: int | None = None
    status: ActionStatus | str = ActionStatus.PROPOSED
    driver_ids: Sequence[int] = ()  # ideas of the map this option works on


def _values(db: Session, workshop: Workshop, entry: ActionInput) -> dict[str, object]:
    try:
        status = ActionStatus(entry.status)
    except ValueError:
        raise InvalidInput(
            "The status must be one of " + ", ".join(s.value for s in ActionStatus) + "."
        ) from None
    if entry.track is not None:
        track(entry.track)
    mapped = db.scalar(select(WorkshopMap.idea_ids).where(WorkshopMap.workshop_id == workshop.id))
    wanted = list(dict.fromkeys(entry.driver_ids))
    if any(idea_id not in (mapped or []) for idea_id in wanted):
        raise InvalidInput("An option can be linked only to ideas of the influence map.")
    drivers = list(db.scalars(select(Idea).where(Idea.id.in_(wanted)))) if wanted else []
    return {
        "option": clean_text(entry.option, "option", MAX_OPTION),
        "owner": clean_text(entry.owner, "owner", MAX_OWNER, required=False),
        "track": entry.track,
        "status": status,
        "drivers": drivers,
    }


def _plan_step(workshop: Workshop) -> None:
    require_step(
        workshop,
        WorkshopStep.ACTION_PLAN,
        "The action plan can be edited only in the action-plan step.",
    )


def add_action_item(db: Session, actor: Actor, workshop_id: int, entry: ActionInput) -> ActionItem:
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _plan_step(workshop)
    position = db.scalar(
        select(func.max(ActionItem.position)).where(ActionItem.workshop_id == workshop.id)
    )
    item = ActionItem(workshop_id=workshop.id, position=(position or 0) + 1)
    for name, value in _values(db, workshop, entry).items():
        setattr(item, name, value)
    db.add(item)
    touch(workshop)
    db.flush()
    return item


def update_action_item(
    db: Session, actor: Actor, workshop_id: int, item_id: int, entry: ActionInput
) -> ActionItem:
    """Change an option (dropping one is a status, so the plan keeps its history)."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _plan_step(workshop)
    item = db.get(ActionItem, item_id)
    if item is None or item.workshop_id != workshop.id:
        raise NotFound(f"This workshop has no action item {item_id}.")
    for name, value in _values(db, workshop, entry).items():
        setattr(item, name, value)
    touch(workshop)
    db.flush()
    return item


def action_items(db: Session, workshop: Workshop) -> list[ActionItem]:
    return list(
        db.scalars(
            select(ActionItem)
            .where(ActionItem.workshop_id == workshop.id)
            .order_by(ActionItem.position, ActionItem.id)
        )
    )
