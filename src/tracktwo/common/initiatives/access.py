"""Who may do what in an initiative. Every action that touches an initiative calls this."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.models import Initiative, Membership, Role
from tracktwo.kernel.errors import NotFound, PermissionDenied

__all__ = ["SYSTEM", "Actor", "initiative_for", "role_in"]

# The CLI acts as the operator of the server, who can do anything; it passes SYSTEM.
SYSTEM = None
Actor = User | None

_NEEDS = {
    Role.OBSERVER: "read this initiative",
    Role.FACILITATOR: "do this (facilitators and owners only)",
    Role.OWNER: "do this (owners only)",
}


def role_in(db: Session, actor: Actor, initiative_id: int) -> Role | None:
    if actor is SYSTEM:
        return Role.OWNER
    return db.scalar(
        select(Membership.role).where(
            Membership.initiative_id == initiative_id, Membership.user_id == actor.id
        )
    )


def initiative_for(
    db: Session, actor: Actor, initiative_id: int, *, at_least: Role = Role.OBSERVER
) -> Initiative:
    """The initiative, if it exists and ``actor`` holds at least the given role in it."""
    initiative = db.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFound(f"There is no initiative with id {initiative_id}.")
    role = role_in(db, actor, initiative_id)
    if role is None:
        raise PermissionDenied(
            f"You have no role in the initiative “{initiative.name}”; ask one of its owners "
            "to add you."
        )
    if not role.at_least(at_least):
        raise PermissionDenied(
            f"As {role.value} of “{initiative.name}” you may not {_NEEDS[at_least]}."
        )
    return initiative
