"""How participants join a dialogue: the dialogues part's side of the participation kernel."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracktwo.common.participation.actions import Identity, JoinTarget
from tracktwo.common.participation.models import JoinLink, PartMembership
from tracktwo.kernel.errors import Conflict
from tracktwo.kernel.i18n import N_
from tracktwo.parts.dialogues.actions.dialogues import PART
from tracktwo.parts.dialogues.models import Dialogue, DialogueState

__all__ = ["JOINABLE", "DialogueJoining"]

NOT_OPEN = N_("This dialogue has not opened yet; try the link again later.")


class DialogueJoining:
    part = PART
    resume_path = "/r/"
    resume_refusal = N_(
        "This resume link is not valid; use the invitation link of your dialogue instead."
    )
    wrong_target = "This invitation link belongs to another dialogue."
    not_known = N_(
        "We do not know you in this dialogue yet; open the invitation link you were sent."
    )
    not_joined = N_("You have not joined this dialogue; open its invitation link to take part.")

    def target(self, db: Session, target_id: int, *, min_cell: int) -> JoinTarget | None:
        dialogue = db.get(Dialogue, target_id)
        if dialogue is None:
            return None
        return JoinTarget(
            id=dialogue.id,
            initiative=dialogue.initiative,
            title=dialogue.topic,
            lead=dialogue.prompt or None,
            notice=NOT_OPEN if dialogue.state == DialogueState.DRAFT else None,
            about=(
                (
                    N_(
                        "You take part without an account and without giving your name. We "
                        "keep your votes and statements, the community you chose and your "
                        "language, under a random code."
                    ),
                    {},
                ),
                (
                    N_(
                        "Results show only groups of people, never who said what. Statements "
                        "you write may be shown to other participants and quoted, without any "
                        "name, in a summary for officials."
                    ),
                    {},
                ),
            ),
        )

    def refuse(self, db: Session, link: JoinLink, identity: Identity, first_time: bool) -> None:
        dialogue = db.get(Dialogue, link.target_id)
        if dialogue is not None and dialogue.state == DialogueState.DRAFT:
            raise Conflict(NOT_OPEN)

    def joined(
        self,
        db: Session,
        link: JoinLink,
        membership: PartMembership,
        identity: Identity,
        first_time: bool,
    ) -> None:
        """Nothing more to record: the membership is the dialogue's whole list of voters."""

    def place(self, target_id: int) -> str:
        return f"/d/{target_id}"


JOINABLE = DialogueJoining()
