"""The fictional demo initiative that `tracktwo demo` (and `make demo`) sets up.

Kelmar is an invented island; its two communities, their places and every statement here
were written for tracktwo and describe no real people or conflict. This module makes the
accounts and the initiative; each part adds its own demo data (its manifest's ``demo``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.accounts.actions import create_user, set_password
from tracktwo.common.accounts.models import User
from tracktwo.common.demo import DemoContext, DemoPart
from tracktwo.common.initiatives.actions import SideInput, create_initiative
from tracktwo.common.initiatives.models import Initiative, Membership, Role
from tracktwo.parts import registered_parts

__all__ = ["DemoAccess", "seed_demo"]

FACILITATOR_EMAIL = "facilitator@demo.tracktwo.invalid"
OBSERVER_EMAIL = "observer@demo.tracktwo.invalid"
INITIATIVE_NAME = "Sharing the waters of Kelmar"
DESCRIPTION = (
    "A fictional Track Two process on the island of Kelmar, where the Hill villages and the "
    "Harbour towns share one spring, one reservoir and a long memory of the drought years. "
    "Everything in this demo is invented."
)


@dataclass(frozen=True)
class DemoAccess:
    """What `tracktwo demo` prints: who can sign in, and where to go."""

    initiative_id: int
    parts: dict[str, DemoPart]  # part name -> what its demo loader made and the pages to show
    facilitator_email: str
    facilitator_password: str
    observer_email: str
    observer_password: str


def _account(db: Session, email: str, name: str, password: str) -> User:
    user = db.scalar(select(User).where(User.email == email))
    if user is None:
        return create_user(db, email=email, password=password, display_name=name)
    set_password(db, user, password)  # a fresh password on every run, printed once
    return user


def seed_demo(db: Session) -> DemoAccess:
    """Create the demo initiative and its accounts (or refresh their passwords if they
    exist), then let every part add its demo data, in the order of the parts."""
    facilitator_password = secrets.token_urlsafe(9)
    observer_password = secrets.token_urlsafe(9)
    facilitator = _account(db, FACILITATOR_EMAIL, "Demo facilitator", facilitator_password)
    observer = _account(db, OBSERVER_EMAIL, "Demo envoy's office (observer)", observer_password)
    initiative = db.scalar(
        select(Initiative)
        .join(Membership)
        .where(Initiative.name == INITIATIVE_NAME, Membership.user_id == facilitator.id)
    )
    if initiative is None:
        initiative = create_initiative(
            db,
            None,
            name=INITIATIVE_NAME,
            description=DESCRIPTION,
            sides=[
                SideInput(name="Hill villages", colour="#0072b2"),
                SideInput(name="Harbour towns", colour="#d55e00"),
            ],
            languages=["en", "ar", "el"],
            owner=facilitator,
        )
        db.add(Membership(initiative=initiative, user=observer, role=Role.OBSERVER))
        db.flush()
    context = DemoContext(db, initiative, facilitator, observer)
    parts: dict[str, DemoPart] = {}
    for part in registered_parts():
        if part.demo is not None:
            parts[part.name] = part.load(part.demo)(context)
    db.flush()
    return DemoAccess(
        initiative_id=initiative.id,
        parts=parts,
        facilitator_email=FACILITATOR_EMAIL,
        facilitator_password=facilitator_password,
        observer_email=OBSERVER_EMAIL,
        observer_password=observer_password,
    )
