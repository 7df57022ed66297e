"""Which brief someone may read: the scope of an initiative's brief, or of one dialogue's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.brief.registry import BriefScope
from tracktwo.common.initiatives.access import Actor, initiative_for
from tracktwo.common.initiatives.models import Role
from tracktwo.kernel.errors import InvalidInput, NotFound
from tracktwo.parts.dialogues.actions.dialogues import dialogue_for
from tracktwo.parts.dialogues.models import Dialogue

__all__ = ["brief_scope"]


def brief_scope(
    db: Session,
    actor: Actor,
    *,
    initiative_id: int | None = None,
    dialogue_id: int | None = None,
    min_cell: int,
    at_least: Role = Role.OBSERVER,
) -> BriefScope:
    """The brief of an initiative (all its dialogues) or of one dialogue, if ``actor`` holds
    at least ``at_least`` in the initiative.

    Observers may read a brief; downloading one is for facilitators (the web pages pass
    ``at_least=Role.FACILITATOR`` for downloads).
    """
    if dialogue_id is not None:
        dialogue = dialogue_for(db, actor, dialogue_id, at_least=at_least)
        if initiative_id is not None and dialogue.initiative_id != initiative_id:
            initiative = initiative_for(db, actor, initiative_id, at_least=at_least)
            raise NotFound(
                f"The initiative “{initiative.name}” has no dialogue with id {dialogue_id}."
            )
        initiative = dialogue.initiative
        return BriefScope(
            db,
            initiative,
            [dialogue],
            min_cell,
            title=dialogue.topic,
            subtitle=f"A dialogue of the initiative “{initiative.name}”",
        )
    if initiative_id is None:
        raise InvalidInput("Say which initiative (or which dialogue) the brief is about.")
    initiative = initiative_for(db, actor, initiative_id, at_least=at_least)
    dialogues = list(
        db.scalars(
            select(Dialogue)
            .where(Dialogue.initiative_id == initiative.id)
            .order_by(Dialogue.created_at, Dialogue.id)
        )
    )
    count = "one dialogue" if len(dialogues) == 1 else f"{len(dialogues)} dialogues"
    subtitle = f"Findings from {count}" if dialogues else "No dialogues yet"
    return BriefScope(db, initiative, dialogues, min_cell, title=initiative.name, subtitle=subtitle)
