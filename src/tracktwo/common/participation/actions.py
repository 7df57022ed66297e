"""Participants: joining from a link, resuming on another device, choosing a language.

A participant's secret lives in a cookie on their device and in a private resume link; we
keep only its hash. There is no account, no name and no contact detail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.kernel.tokens import hash_secret, new_secret
from tracktwo.parts.dialogues.actions.dialogues import is_accepting
from tracktwo.parts.dialogues.models import (
    Dialogue,
    DialogueMembership,
    DialogueState,
    InvitationLink,
)
from tracktwo.store.base import utcnow

__all__ = [
    "JOINED_ELSEWHERE",
    "UNDECLARED",
    "Identity",
    "Joined",
    "identify_participant",
    "join_dialogue",
    "link_for_token",
    "membership_of",
    "new_pseudonym",
    "participant_for_secret",
    "require_membership",
    "set_language",
]

UNDECLARED = "undeclared"  # the form value for "I prefer not to say which side"
JOINED_ELSEWHERE = "You have not joined this dialogue; open its invitation link to take part."
# Crockford-like alphabet: no 0/O or 1/I/L, so a pseudonym read aloud is not misheard.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_SEEN_RESOLUTION = timedelta(minutes=10)


@dataclass(frozen=True)
class Joined:
    participant: Participant
    membership: DialogueMembership
    # Set only when a new identity was made: the caller puts it in a cookie and shows the
    # private resume link once.
    new_secret: str | None


def new_pseudonym() -> str:
    return "P-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def link_for_token(db: Session, token: str) -> InvitationLink:
    link = db.scalar(select(InvitationLink).where(InvitationLink.token == token))
    if link is None or link.revoked_at is not None:
        raise NotFound(
            "This invitation link does not work any more; ask the person who sent it for a new one."
        )
    return link


def participant_for_secret(db: Session, secret: str | None) -> Participant | None:
    if not secret:
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
        raise InvalidInput("Choose one of the sides, or that you prefer not to say.") from None
    if side_id not in {s.id for s in initiative.sides}:
        raise InvalidInput(
            "Choose one of the sides of this dialogue, or that you prefer not to say."
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


def join_dialogue(
    db: Session,
    token: str,
    *,
    secret: str | None = None,
    side: str | int | None = None,
    language: str | None = None,
) -> Joined:
    """Join the dialogue of an invitation link, as a known participant or a new one.

    ``secret`` is the participant's existing secret (their cookie), if any; an identity
    belongs to one initiative, so a secret from another initiative is ignored and a new
    identity is made. ``side`` is a side id, :data:`UNDECLARED`, or ``None`` for the
    link's side.
    """
    link = link_for_token(db, token)
    dialogue = link.dialogue
    if dialogue.state == DialogueState.DRAFT:
        raise Conflict("This dialogue has not opened yet; try the link again later.")
    identity = identify_participant(
        db,
        dialogue.initiative,
        secret=secret,
        side=side,
        language=language,
        preset_side_id=link.side_id,
    )
    participant, new_secret = identity.participant, identity.new_secret
    membership = membership_of(db, participant, dialogue.id)
    if membership is None:
        membership = DialogueMembership(
            dialogue_id=dialogue.id, participant_id=participant.id, link_id=link.id
        )
        db.add(membership)
        db.flush()
    return Joined(participant=participant, membership=membership, new_secret=new_secret)


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


def membership_of(
    db: Session, participant: Participant, dialogue_id: int
) -> DialogueMembership | None:
    return db.scalar(
        select(DialogueMembership).where(
            DialogueMembership.dialogue_id == dialogue_id,
            DialogueMembership.participant_id == participant.id,
        )
    )


def require_membership(db: Session, participant: Participant | None, dialogue_id: int) -> Dialogue:
    """The dialogue, if this participant joined it; a clear refusal otherwise."""
    dialogue = db.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(f"There is no dialogue with id {dialogue_id}.")
    if participant is None:
        raise PermissionDenied(
            "We do not know you in this dialogue yet; open the invitation link you were sent."
        )
    if (
        participant.initiative_id != dialogue.initiative_id
        or membership_of(db, participant, dialogue_id) is None
    ):
        raise PermissionDenied(JOINED_ELSEWHERE)
    return dialogue


def set_language(db: Session, participant: Participant, language: str) -> None:
    participant.language = _language(participant.initiative, language)


def accepting_or_refuse(dialogue: Dialogue) -> None:
    reason = is_accepting(dialogue)
    if reason is not None:
        raise Conflict(reason)
