"""Initiatives: create, edit, list, and manage who may work on them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracktwo.common.accounts.actions import IssuedSecret, invite_account, normalise_email
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.access import SYSTEM, Actor, initiative_for
from tracktwo.common.initiatives.models import Initiative, Membership, Role, Side
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound
from tracktwo.kernel.text import clean_text

__all__ = [
    "MemberChange",
    "SideInput",
    "add_member",
    "change_role",
    "create_initiative",
    "get_initiative",
    "list_initiatives",
    "remove_member",
    "update_initiative",
]

MAX_NAME = 120
MAX_DESCRIPTION = 5000
MAX_SIDE_NAME = 80
MAX_SIDES = 12
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
DEFAULT_SIDE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class SideInput:
    """A side as entered in a form or an API call; ``id`` set when it already exists."""

    name: str
    colour: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class MemberChange:
    """What adding a member did: a membership now, or an invitation link to pass on."""

    membership: Membership | None
    invitation: IssuedSecret | None


def _clean_languages(languages: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in languages:
        code = raw.strip().replace("-", "_")
        if not code:
            continue
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            raise InvalidInput(
                f"{raw!r} is not a language code we know; use codes such as en, ar, he, el, tr, "
                "ru or uk."
            ) from None
        normalised = str(locale)
        if normalised not in cleaned:
            cleaned.append(normalised)
    if not cleaned:
        raise InvalidInput("Give at least one language, for example en.")
    return cleaned


def _clean_sides(sides: Sequence[SideInput | str]) -> list[SideInput]:
    entries = [SideInput(name=s) if isinstance(s, str) else s for s in sides]
    # Blank rows of a form with spare side fields are not sides.
    entries = [s for s in entries if s.name.strip() or s.id is not None]
    if len(entries) < 2:
        raise InvalidInput("An initiative needs at least two sides: the parties to the conflict.")
    if len(entries) > MAX_SIDES:
        raise InvalidInput(f"An initiative can have at most {MAX_SIDES} sides.")
    cleaned: list[SideInput] = []
    seen: set[str] = set()
    for position, side in enumerate(entries):
        name = clean_text(side.name, f"name of side {position + 1}", MAX_SIDE_NAME)
        if name.casefold() in seen:
            raise InvalidInput(f"Two sides are both called {name!r}; give each side its own name.")
        seen.add(name.casefold())
        colour = (side.colour or "").strip() or DEFAULT_SIDE_COLOURS[
            position % len(DEFAULT_SIDE_COLOURS)
        ]
        if not _COLOUR.match(colour):
            raise InvalidInput(f"The colour of side {name!r} must look like #1a2b3c.")
        cleaned.append(SideInput(name=name, colour=colour.lower(), id=side.id))
    return cleaned


def create_initiative(
    db: Session,
    actor: Actor,
    *,
    name: str,
    sides: Sequence[SideInput | str],
    description: str = "",
    languages: Sequence[str] = ("en",),
    owner: User | None = None,
) -> Initiative:
    """Create an initiative; the acting user (or ``owner``, for the CLI) becomes its owner."""
    initiative = Initiative(
        name=clean_text(name, "initiative name", MAX_NAME),
        description=clean_text(description, "description", MAX_DESCRIPTION, required=False),
        languages=_clean_languages(languages),
    )
    for position, side in enumerate(_clean_sides(sides)):
        initiative.sides.append(Side(name=side.name, colour=side.colour or "", position=position))
    first_owner = actor if actor is not SYSTEM else owner
    if first_owner is not None:
        initiative.memberships.append(Membership(user=first_owner, role=Role.OWNER))
    db.add(initiative)
    db.flush()
    return initiative


def update_initiative(
    db: Session,
    actor: Actor,
    initiative_id: int,
    *,
    name: str,
    sides: Sequence[SideInput | str],
    description: str = "",
    languages: Sequence[str] = ("en",),
) -> Initiative:
    """Edit an initiative. Sides keep their identity by id; a side that is left out is
    removed, which is refused once anything (a participant, say) refers to it."""
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.OWNER)
    cleaned_sides = _clean_sides(sides)
    initiative.name = clean_text(name, "initiative name", MAX_NAME)
    initiative.description = clean_text(description, "description", MAX_DESCRIPTION, required=False)
    initiative.languages = _clean_languages(languages)
    existing = {side.id: side for side in initiative.sides}
    unknown = [s.id for s in cleaned_sides if s.id is not None and s.id not in existing]
    if unknown:
        raise InvalidInput(f"Side {unknown[0]} does not belong to this initiative.")
    kept_ids = {s.id for s in cleaned_sides if s.id is not None}
    removed = [side for side_id, side in existing.items() if side_id not in kept_ids]
    for side in removed:
        initiative.sides.remove(side)
    # Rename in two steps so that swapping two names does not trip the unique constraint.
    for side in existing.values():
        if side.id in kept_ids:
            side.name = f"~renaming-{side.id}"
    try:
        db.flush()
    except IntegrityError:
        raise Conflict(
            "A side that people have already joined cannot be removed; rename it instead."
        ) from None
    for position, entry in enumerate(cleaned_sides):
        if entry.id is not None:
            side = existing[entry.id]
            side.name, side.colour, side.position = entry.name, entry.colour or "", position
        else:
            initiative.sides.append(
                Side(name=entry.name, colour=entry.colour or "", position=position)
            )
    db.flush()
    return initiative


def get_initiative(db: Session, actor: Actor, initiative_id: int) -> Initiative:
    return initiative_for(db, actor, initiative_id, at_least=Role.OBSERVER)


def list_initiatives(db: Session, actor: Actor) -> list[tuple[Initiative, Role]]:
    """The initiatives the actor may see, newest first, each with the actor's role."""
    if actor is SYSTEM:
        everything = db.scalars(select(Initiative).order_by(Initiative.created_at.desc()))
        return [(initiative, Role.OWNER) for initiative in everything]
    rows = db.execute(
        select(Initiative, Membership.role)
        .join(Membership, Membership.initiative_id == Initiative.id)
        .where(Membership.user_id == actor.id)
        .order_by(Initiative.created_at.desc(), Initiative.id.desc())
    )
    return [(initiative, role) for initiative, role in rows]


def add_member(
    db: Session, actor: Actor, initiative_id: int, *, email: str, role: Role | str
) -> MemberChange:
    """Give a person a role; someone without an account gets an invitation link instead."""
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.OWNER)
    role = _role(role)
    email = normalise_email(email)
    user = db.scalar(select(User).where(User.email == email))
    if user is None:
        invitation = invite_account(
            db,
            email=email,
            invited_by=actor,
            initiative_id=initiative.id,
            role=role,
        )
        return MemberChange(membership=None, invitation=invitation)
    if any(m.user_id == user.id for m in initiative.memberships):
        raise Conflict(f"{email} is already a member of this initiative; change their role.")
    membership = Membership(initiative=initiative, user=user, role=role)
    db.add(membership)
    db.flush()
    return MemberChange(membership=membership, invitation=None)


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            f"{role!r} is not a role; use one of: " + ", ".join(r.value for r in Role) + "."
        ) from None


def _membership(db: Session, initiative: Initiative, membership_id: int) -> Membership:
    membership = db.get(Membership, membership_id)
    if membership is None or membership.initiative_id != initiative.id:
        raise NotFound(f"There is no member {membership_id} in this initiative.")
    return membership


def _keep_an_owner(initiative: Initiative, leaving: Membership) -> None:
    owners = [m for m in initiative.memberships if m.role == Role.OWNER and m is not leaving]
    if leaving.role == Role.OWNER and not owners:
        raise Conflict("An initiative needs at least one owner; make someone else owner first.")


def change_role(
    db: Session, actor: Actor, initiative_id: int, membership_id: int, role: Role | str
) -> Membership:
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.OWNER)
    membership = _membership(db, initiative, membership_id)
    new_role = _role(role)
    if new_role != Role.OWNER:
        _keep_an_owner(initiative, membership)
    membership.role = new_role
    return membership


def remove_member(db: Session, actor: Actor, initiative_id: int, membership_id: int) -> None:
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.OWNER)
    membership = _membership(db, initiative, membership_id)
    _keep_an_owner(initiative, membership)
    initiative.memberships.remove(membership)
    db.flush()
