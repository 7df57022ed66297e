"""The participation kernel: one invitation link, one membership, one join flow for every part.

A participant is one pseudonymous identity per initiative, shared by its dialogues, workshops,
surveys and whatever part comes next. Their secret lives in a cookie on their device and in a
private resume link; we keep only its hash. There is no account, no name and no contact detail.

A part invites people to one of its things (a dialogue, a workshop, a survey) with
:func:`create_links`; :func:`join` is the one way in, from a link's token, for pages, API and
CLI alike. What differs between parts - whether the thing takes people now, what happens
when someone joins, where they go next - is the part's :class:`Joinable`, named by its
manifest's ``participation``. The public API is listed in ``__all__`` and described in
docs/architecture.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Protocol

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.models import Initiative, Side
from tracktwo.common.participation.models import JoinLink, Participant, PartMembership
from tracktwo.kernel.errors import InvalidInput, NotFound, PermissionDenied
from tracktwo.kernel.i18n import N_
from tracktwo.kernel.text import is_plain_token
from tracktwo.kernel.tokens import hash_secret, new_secret
from tracktwo.store.base import utcnow

__all__ = [
    "LINK_GONE",
    "UNDECLARED",
    "Identity",
    "JoinTarget",
    "Joinable",
    "Joined",
    "active_links",
    "create_links",
    "has_taken_part",
    "identify_participant",
    "join",
    "joinable",
    "last_place",
    "link_for_token",
    "members_of",
    "membership_of",
    "new_pseudonym",
    "participant_for_secret",
    "regenerate_link",
    "require_member",
    "set_language",
]

UNDECLARED = "undeclared"  # the form value for "I prefer not to say which side"
LINK_GONE = N_(
    "This invitation link does not work any more; ask the person who sent it for a new one."
)
# Crockford-like alphabet: no 0/O or 1/I/L, so a pseudonym read aloud is not misheard.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_SEEN_RESOLUTION = timedelta(minutes=10)


def new_pseudonym() -> str:
    return "P-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def participant_for_secret(db: Session, secret: str | None) -> Participant | None:
    if not secret or not is_plain_token(secret):
        return None
    participant = db.scalar(
        select(Participant).where(Participant.token_hash == hash_secret(secret))
    )
    if participant is not None and utcnow() - participant.last_seen_at > _SEEN_RESOLUTION:
        participant.last_seen_at = utcnow()  # coarse on purpose: we do not track activity
    return participant


def _side_choice(
    initiative: Initiative, preset_side_id: int | None, side: str | int | None
) -> int | None:
    """The side a joining participant ends up with: their choice, else the link's side."""
    if side is None:
        return preset_side_id
    if side == UNDECLARED or side == "":
        return None
    try:
        side_id = int(side)
    except (TypeError, ValueError):
        raise InvalidInput(N_("Choose one of the sides, or that you prefer not to say.")) from None
    if side_id not in {s.id for s in initiative.sides}:
        raise InvalidInput(
            N_("Choose one of the sides of this dialogue, or that you prefer not to say.")
        )
    return side_id


def _language(initiative: Initiative, language: str | None) -> str:
    if language and language in initiative.languages:
        return language
    if language:
        raise InvalidInput(
            "Choose one of the languages of this dialogue: " + ", ".join(initiative.languages) + "."
        )
    return initiative.languages[0]


@dataclass(frozen=True)
class Identity:
    participant: Participant
    new_secret: str | None  # set when a new identity was made
    side_changed: bool  # an existing participant chose another side


def identify_participant(
    db: Session,
    initiative: Initiative,
    *,
    secret: str | None,
    side: str | int | None,
    language: str | None,
    preset_side_id: int | None,
) -> Identity:
    """The participant behind ``secret`` in this initiative, or a new one.

    Shared by every way of joining (dialogue, workshop and survey links): one pseudonymous
    identity per initiative. ``side`` is a side id, :data:`UNDECLARED`, or ``None`` for
    ``preset_side_id`` (the link's side); a secret from another initiative is ignored.
    """
    participant = participant_for_secret(db, secret)
    if participant is None or participant.initiative_id != initiative.id:
        fresh = new_secret_for_participant()
        participant = Participant(
            initiative=initiative,
            pseudonym=_unique_pseudonym(db, initiative.id),
            token_hash=hash_secret(fresh),
            side_id=_side_choice(initiative, preset_side_id, side),
            language=_language(initiative, language),
        )
        db.add(participant)
        db.flush()
        return Identity(participant, fresh, side_changed=False)
    if language:
        participant.language = _language(initiative, language)
    before = participant.side_id
    if side is not None:
        participant.side_id = _side_choice(initiative, preset_side_id, side)
    return Identity(participant, None, side_changed=participant.side_id != before)


def new_secret_for_participant() -> str:
    return new_secret("tp_")


def _unique_pseudonym(db: Session, initiative_id: int) -> str:
    while True:
        pseudonym = new_pseudonym()
        taken = db.scalar(
            select(Participant.id).where(
                Participant.initiative_id == initiative_id, Participant.pseudonym == pseudonym
            )
        )
        if taken is None:
            return pseudonym


def set_language(db: Session, participant: Participant, language: str) -> None:
    participant.language = _language(participant.initiative, language)


# --- what a part tells the kernel -----------------------------------------------------------


@dataclass(frozen=True)
class JoinTarget:
    """What the join page shows about the thing a link leads to."""

    id: int
    initiative: Initiative
    title: str
    lead: str | None = None  # the facilitator's words: the dialogue's prompt, the question
    intro: str | None = None  # or the part's own words (a message, translated on the page)
    # Why nobody can join right now (shown instead of the form), as a message to translate.
    notice: str | None = None
    # "How your answers are used": (message, values) pairs, translated on the page.
    about: Sequence[tuple[str, dict[str, object]]] = field(default_factory=tuple)


class Joinable(Protocol):
    """A part's side of joining. Implemented once per part, in its actions layer."""

    part: str
    #: where a participant's private resume link starts (``/r/`` unless the part kept another)
    resume_path: str
    #: what a resume link that names nobody is told
    resume_refusal: str
    #: the API's answer when a link is used on another dialogue's (workshop's ...) join URL
    wrong_target: str
    #: the refusals a participant who has not joined sees (translated messages)
    not_known: str
    not_joined: str

    def target(self, db: Session, target_id: int, *, min_cell: int) -> JoinTarget | None:
        """The dialogue, workshop or survey ``target_id``, or None if there is none
        (``min_cell``: the platform's smallest published group, for the join page's text)."""
        ...

    def refuse(self, db: Session, link: JoinLink, identity: Identity, first_time: bool) -> None:
        """Raise :class:`Conflict` when this person cannot join now (closed, not yet open ...)."""
        ...

    def joined(
        self,
        db: Session,
        link: JoinLink,
        membership: PartMembership,
        identity: Identity,
        first_time: bool,
    ) -> None:
        """What the part records when someone joins (or joins again, e.g. with a new side)."""
        ...

    def place(self, target_id: int) -> str:
        """The page a member continues on, e.g. ``/d/12``."""
        ...


@cache
def joinable(part: str) -> Joinable:
    """The :class:`Joinable` of the part named ``part`` (from its manifest)."""
    from tracktwo.parts import part_named

    manifest = part_named(part)
    if manifest.participation is None:
        raise LookupError(f"the part {part!r} takes no participants")
    found: Joinable = manifest.load(manifest.participation)
    return found


# --- links ----------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(12)


def create_links(
    db: Session,
    part: str,
    target_id: int,
    initiative: Initiative,
    *,
    per_side: bool = True,
    comparison: bool = False,
) -> list[JoinLink]:
    """A general link, one per side (``per_side``) and one for a comparison group."""
    sides: list[Side | None] = [None, *(initiative.sides if per_side else [])]
    links = [
        JoinLink(
            initiative=initiative, part=part, target_id=target_id, side=side, token=_new_token()
        )
        for side in sides
    ]
    if comparison:
        links.append(
            JoinLink(
                initiative=initiative,
                part=part,
                target_id=target_id,
                comparison=True,
                token=_new_token(),
            )
        )
    db.add_all(links)
    db.flush()
    return links


def active_links(db: Session, part: str, target_id: int) -> list[JoinLink]:
    return list(
        db.scalars(
            select(JoinLink)
            .where(
                JoinLink.part == part,
                JoinLink.target_id == target_id,
                JoinLink.revoked_at.is_(None),
            )
            .order_by(JoinLink.id)
        )
    )


def regenerate_link(db: Session, part: str, target_id: int, link_id: int) -> JoinLink:
    """Revoke a link and make a new one for the same side (the caller checks the role)."""
    link = db.get(JoinLink, link_id)
    if link is None or (link.part, link.target_id) != (part, target_id) or link.revoked_at:
        raise NotFound(f"There is no active link {link_id} here.")
    link.revoked_at = utcnow()
    fresh = JoinLink(
        initiative_id=link.initiative_id,
        part=part,
        target_id=target_id,
        side_id=link.side_id,
        comparison=link.comparison,
        token=_new_token(),
    )
    db.add(fresh)
    db.flush()
    return fresh


def link_for_token(db: Session, token: str) -> JoinLink:
    # Anything but a token we could have issued cannot match (and NUL never reaches the driver).
    link = (
        db.scalar(select(JoinLink).where(JoinLink.token == token))
        if is_plain_token(token)
        else None
    )
    if link is None or link.revoked_at is not None:
        raise NotFound(LINK_GONE)
    return link


# --- joining and membership -----------------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    participant: Participant
    membership: PartMembership
    link: JoinLink
    # Set only when a new identity was made: the caller puts it in a cookie and shows the
    # private resume link once.
    new_secret: str | None


def join(
    db: Session,
    token: str,
    *,
    secret: str | None = None,
    side: str | int | None = None,
    language: str | None = None,
) -> Joined:
    """Join what an invitation link leads to, as a known participant or a new one.

    ``secret`` is the participant's existing secret (their cookie or token), if any; an
    identity belongs to one initiative, so a secret from another initiative is ignored and
    a new identity is made. ``side`` is a side id, :data:`UNDECLARED`, or ``None`` for the
    link's side. The part may refuse (a dialogue not open yet, a finished workshop).
    """
    link = link_for_token(db, token)
    part = joinable(link.part)
    identity = identify_participant(
        db,
        link.initiative,
        secret=secret,
        side=side,
        language=language,
        preset_side_id=link.side_id,
    )
    membership = membership_of(db, identity.participant, link.part, link.target_id)
    first_time = membership is None
    part.refuse(db, link, identity, first_time)
    if membership is None:
        membership = PartMembership(
            part=link.part,
            target_id=link.target_id,
            participant_id=identity.participant.id,
            link_id=link.id,
        )
        db.add(membership)
        db.flush()
    part.joined(db, link, membership, identity, first_time)
    return Joined(identity.participant, membership, link, identity.new_secret)


def membership_of(
    db: Session, participant: Participant, part: str, target_id: int
) -> PartMembership | None:
    return db.scalar(
        select(PartMembership).where(
            PartMembership.part == part,
            PartMembership.target_id == target_id,
            PartMembership.participant_id == participant.id,
        )
    )


def members_of(db: Session, part: str, target_id: int) -> list[PartMembership]:
    """Everyone who joined, in the order they joined."""
    return list(
        db.scalars(
            select(PartMembership)
            .where(PartMembership.part == part, PartMembership.target_id == target_id)
            .order_by(PartMembership.joined_at, PartMembership.id)
        )
    )


def require_member(
    db: Session, participant: Participant | None, part: str, target_id: int, initiative_id: int
) -> PartMembership:
    """This participant's membership; the part's clear refusal when they have none."""
    adapter = joinable(part)
    if participant is None:
        raise PermissionDenied(adapter.not_known)
    membership = (
        membership_of(db, participant, part, target_id)
        if participant.initiative_id == initiative_id
        else None
    )
    if membership is None:
        raise PermissionDenied(adapter.not_joined)
    return membership


def has_taken_part(db: Session, participant: Participant, *, besides: str | None = None) -> bool:
    """Whether this participant joined anything of a part other than ``besides``."""
    condition = PartMembership.participant_id == participant.id
    if besides is not None:
        condition = condition & (PartMembership.part != besides)
    return bool(db.scalar(select(exists().where(condition))))


def last_place(db: Session, participant: Participant, prefer: Sequence[str] = ()) -> str | None:
    """The page of what this participant joined last (for their private resume link):
    the last of the parts in ``prefer`` that they joined, in that order, else of any part."""
    newest = select(PartMembership).where(PartMembership.participant_id == participant.id)
    newest = newest.order_by(PartMembership.joined_at.desc(), PartMembership.id.desc()).limit(1)
    for part in (*prefer, None):
        query = newest if part is None else newest.where(PartMembership.part == part)
        last = db.scalar(query)
        if last is not None:
            return joinable(last.part).place(last.target_id)
    return None
