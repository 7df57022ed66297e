"""Building blocks for survey tests: an initiative with two sides, a survey, respondents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracktwo.common.accounts.actions import create_user
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.actions import create_initiative
from tracktwo.common.participation.actions import join as join_link
from tracktwo.common.participation.models import Participant
from tracktwo.parts.surveys.actions.answers import submit_response
from tracktwo.parts.surveys.actions.surveys import WavePlan, create_survey, set_wave_state
from tracktwo.parts.surveys.models import Survey
from tracktwo.store.platform import Platform

INSTRUMENTS = ("thermometer", "outgroup_trust")


@dataclass
class SurveyWorld:
    platform: Platform
    facilitator: User
    initiative_id: int
    survey_id: int
    sides: dict[str, int]  # side name -> side id
    waves: dict[str, int]  # wave name -> wave id
    links: dict[str, str]  # "Hill", "Harbour", "Everyone", "Comparison" -> token

    def other(self, side: str) -> int:
        return next(side_id for name, side_id in self.sides.items() if name != side)


def _link_name(link: object) -> str:
    if getattr(link, "comparison", False):
        return "Comparison"
    side = getattr(link, "side", None)
    return side.name if side is not None else "Everyone"


def make_survey_world(
    platform: Platform,
    *,
    instruments: tuple[str, ...] = INSTRUMENTS,
    waves: tuple[str, ...] = ("pre", "post"),
    open_wave: str | None = "pre",
    languages: tuple[str, ...] = ("en", "ar"),
) -> SurveyWorld:
    with platform.database.transaction() as db:
        facilitator = create_user(db, email="fac@example.org", password="a long password")
        initiative = create_initiative(
            db, facilitator, name="Kelmar", sides=["Hill", "Harbour"], languages=list(languages)
        )
        survey = create_survey(
            db,
            facilitator,
            initiative.id,
            "Before and after",
            instruments,
            [WavePlan(name) for name in waves],
        )
        wave_ids = {wave.name: wave.id for wave in survey.waves}
        if open_wave is not None:
            set_wave_state(db, facilitator, survey.id, wave_ids[open_wave], "open")
        return SurveyWorld(
            platform,
            facilitator,
            initiative.id,
            survey.id,
            {side.name: side.id for side in initiative.sides},
            wave_ids,
            {_link_name(link): link.token for link in survey.links},
        )


def enrol(world: SurveyWorld, link: str = "Hill", **options: object) -> tuple[Participant, str]:
    """A new respondent through a survey link; returns the participant and their secret."""
    with world.platform.database.transaction() as db:
        joined = join_link(db, world.links[link], **options)  # type: ignore[arg-type]
        assert joined.new_secret is not None
        return joined.participant, joined.new_secret


def answers_for(
    world: SurveyWorld, side: str, warmth: float, trust: list[float]
) -> dict[str, float]:
    """A complete answer set for a member of ``side`` (asked about the other side)."""
    other = world.other(side)
    found = {f"thermometer.warmth@side:{other}": warmth}
    for number, value in enumerate(trust, start=1):
        found[f"outgroup_trust.trust{number}@side:{other}"] = value
    return found


def answer(world: SurveyWorld, participant: Participant, answers: Mapping[str, object]) -> int:
    with world.platform.database.transaction() as db:
        person = db.get(Participant, participant.id)
        return submit_response(db, person, world.survey_id, answers).response.id


def open_wave_named(world: SurveyWorld, name: str) -> None:
    with world.platform.database.transaction() as db:
        set_wave_state(db, world.facilitator, world.survey_id, world.waves[name], "open")


def survey_row(world: SurveyWorld, db: Session) -> Survey:
    survey = db.get(Survey, world.survey_id)
    assert survey is not None
    return survey
