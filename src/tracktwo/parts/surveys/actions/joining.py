"""How people enter a survey: the surveys part's side of the participation kernel.

Someone who already answers the survey keeps their group and side (their
:class:`SurveyRespondent`, made when they first enter). The comparison link makes new
respondents part of the comparison group, which is refused to anyone who takes part in the
programme (that would put one person in both groups).
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracktwo.common.participation.actions import Identity, JoinTarget, has_taken_part
from tracktwo.common.participation.models import JoinLink, Participant, PartMembership
from tracktwo.kernel.errors import Conflict
from tracktwo.kernel.i18n import N_
from tracktwo.parts.surveys.actions.answers import NOT_A_RESPONDENT
from tracktwo.parts.surveys.actions.surveys import PART, open_wave
from tracktwo.parts.surveys.models import Survey, SurveyRespondent

__all__ = ["JOINABLE", "SurveyJoining"]

NOTHING_OPEN = N_("There is no questionnaire to answer at the moment; please come back later.")


def _took_part(db: Session, participant: Participant) -> bool:
    """Whether this person is in the programme: joined something else, or answers as a
    participant (not in the comparison group)."""
    as_participant = db.scalar(
        select(
            exists().where(
                SurveyRespondent.participant_id == participant.id,
                SurveyRespondent.comparison.is_(False),
            )
        )
    )
    return bool(as_participant) or has_taken_part(db, participant, besides="surveys")


class SurveyJoining:
    part = PART
    resume_path = "/r/"
    resume_refusal = N_(
        "This resume link is not valid; use the invitation link of your dialogue instead."
    )
    wrong_target = "This survey link belongs to another survey."
    not_known = NOT_A_RESPONDENT
    not_joined = NOT_A_RESPONDENT

    def target(self, db: Session, target_id: int, *, min_cell: int) -> JoinTarget | None:
        survey = db.get(Survey, target_id)
        if survey is None:
            return None
        return JoinTarget(
            id=survey.id,
            initiative=survey.initiative,
            title=survey.title,
            intro=N_(
                "A short questionnaire about how you see the communities involved. It takes "
                "about five minutes."
            ),
            notice=NOTHING_OPEN if open_wave(survey) is None else None,
            about=(
                (
                    N_(
                        "You answer without an account and without giving your name. We keep "
                        "your answers, the community you chose and your language under a "
                        "random code, so that answers before and after the programme can be "
                        "compared."
                    ),
                    {},
                ),
                (
                    N_(
                        "Results show only groups of at least {n} people, never anyone's own "
                        "answers."
                    ),
                    {"n": min_cell},
                ),
            ),
        )

    def refuse(self, db: Session, link: JoinLink, identity: Identity, first_time: bool) -> None:
        if not first_time:
            return
        survey = db.get(Survey, link.target_id)
        assert survey is not None
        if open_wave(survey) is None:
            raise Conflict(NOTHING_OPEN)
        if link.comparison and identity.new_secret is None and _took_part(db, identity.participant):
            raise Conflict(
                N_(
                    "You take part in this programme, so please answer with the link for "
                    "participants, not the comparison group's link."
                )
            )

    def joined(
        self,
        db: Session,
        link: JoinLink,
        membership: PartMembership,
        identity: Identity,
        first_time: bool,
    ) -> None:
        if not first_time:
            return
        participant = identity.participant
        db.add(
            SurveyRespondent(
                survey_id=link.target_id,
                participant_id=participant.id,
                side_id=participant.side_id,
                comparison=link.comparison,
                link_id=link.id,
            )
        )
        db.flush()

    def place(self, target_id: int) -> str:
        return f"/q/{target_id}"


JOINABLE = SurveyJoining()
