"""How participants join a workshop: the workshops part's side of the participation kernel.

Every side a participant is counted in is logged (:class:`WorkshopAssignment`) with the link
it came through, because a workshop's decisions are tallied per side.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracktwo.common.participation.actions import Identity, JoinTarget
from tracktwo.common.participation.models import JoinLink, PartMembership
from tracktwo.kernel.errors import Conflict
from tracktwo.kernel.i18n import N_
from tracktwo.parts.workshops.actions.workshops import NOT_A_MEMBER, PART, touch
from tracktwo.parts.workshops.models import Workshop, WorkshopAssignment, WorkshopStep

__all__ = ["JOINABLE", "WorkshopJoining"]

ENDED = N_("This workshop has ended; thank you for taking part.")


class WorkshopJoining:
    part = PART
    resume_path = "/wr/"
    resume_refusal = N_(
        "This resume link is not valid; use the invitation link of your workshop instead."
    )
    wrong_target = "This invitation link belongs to another workshop."
    not_known = N_(
        "We do not know you in this workshop yet; open the invitation link you were sent."
    )
    not_joined = NOT_A_MEMBER

    def target(self, db: Session, target_id: int, *, min_cell: int) -> JoinTarget | None:
        workshop = db.get(Workshop, target_id)
        if workshop is None:
            return None
        return JoinTarget(
            id=workshop.id,
            initiative=workshop.initiative,
            title=workshop.title,
            lead=workshop.question,
            about=(
                (
                    N_(
                        "You take part without an account and without giving your name. We "
                        "keep your ideas and votes, the community you chose and your language, "
                        "under a random code."
                    ),
                    {},
                ),
                (
                    N_(
                        "The group sees the ideas without names. Ideas may be quoted, without "
                        "any name, in a summary for officials."
                    ),
                    {},
                ),
            ),
        )

    def refuse(self, db: Session, link: JoinLink, identity: Identity, first_time: bool) -> None:
        workshop = db.get(Workshop, link.target_id)
        if workshop is not None and workshop.step == WorkshopStep.CLOSED:
            raise Conflict(ENDED)

    def joined(
        self,
        db: Session,
        link: JoinLink,
        membership: PartMembership,
        identity: Identity,
        first_time: bool,
    ) -> None:
        if not (first_time or identity.side_changed):
            return
        workshop = db.get(Workshop, link.target_id)
        assert workshop is not None
        participant = identity.participant
        db.add(
            WorkshopAssignment(
                workshop_id=workshop.id,
                participant_id=participant.id,
                side_id=participant.side_id,
                link_id=link.id,
                reason="joined" if first_time else "changed side",
            )
        )
        touch(workshop, seen_by_participants=False)
        db.flush()

    def place(self, target_id: int) -> str:
        return f"/w/{target_id}"


JOINABLE = WorkshopJoining()
