"""The surveys part's demo: a pre/post evaluation answered by the dialogue's participants."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.accounts.models import User
from tracktwo.common.demo import DemoContext, DemoEntry, DemoPart
from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.models import Participant
from tracktwo.parts.surveys.actions.data import import_responses_csv
from tracktwo.parts.surveys.actions.surveys import WavePlan, create_survey, set_wave_state
from tracktwo.parts.surveys.models import Survey

__all__ = ["load_demo"]

# Mean change from pre to post per side (thermometer points, trust scale points): a small
# improvement, larger for the Hill villages, as a short programme might plausibly bring.
SURVEY_CHANGE = {"Hill villages": (7.0, 0.4), "Harbour towns": (4.0, 0.2)}


def _seed_survey(
    db: Session, initiative: Initiative, facilitator: User, people: list[Participant]
) -> None:
    """A pre/post survey answered by the demo's participants, imported as a file would be
    (their pseudonyms link the answers to them); seeded, so the results never change.

    ``people`` are the programme's participants with a side (the dialogue's). The four who
    declared no side did not answer: fewer than five people, they would be
    suppressed, and a side with them (docs/evaluation.md, section 6).
    """
    survey = create_survey(
        db,
        facilitator,
        initiative.id,
        "Attitudes before and after the water dialogue",
        ["thermometer", "outgroup_trust"],
        [WavePlan("pre", label="Before the first meeting"), WavePlan("post", label="Afterwards")],
    )
    waves = {wave.name: wave for wave in survey.waves}
    set_wave_state(db, facilitator, survey.id, waves["pre"].id, "closed")
    set_wave_state(db, facilitator, survey.id, waves["post"].id, "open")
    rng = random.Random(11)
    sides = {side.id: side for side in initiative.sides}
    rows = ["respondent,side,wave,item,value"]
    for person in people:
        own = sides[int(person.side_id or 0)]
        [other] = [side for side in initiative.sides if side.id != own.id]
        warmth_change, trust_change = SURVEY_CHANGE[own.name]
        warmth, trust = rng.gauss(42, 14), rng.gauss(3.4, 0.9)
        for wave, shift in (("pre", 0.0), ("post", 1.0)):
            value = warmth + shift * warmth_change + rng.gauss(0, 7)
            answers = {f"thermometer.warmth@side:{other.id}": min(100, max(0, round(value)))}
            for number in range(1, 5):
                item = trust + shift * trust_change + rng.gauss(0, 0.7)
                written = 8 - item if number == 4 else item  # item 4 is reverse-scored
                key = f"outgroup_trust.trust{number}@side:{other.id}"
                answers[key] = min(7, max(1, round(written)))
            rows += [f"{person.pseudonym},{own.id},{wave},{k},{v}" for k, v in answers.items()]
    import_responses_csv(db, facilitator, survey.id, "\n".join(rows) + "\n")


def load_demo(ctx: DemoContext) -> DemoPart:
    """The evaluation survey (once) and its results page."""
    surveys = list(
        ctx.db.scalars(
            select(Survey.id).where(Survey.initiative_id == ctx.initiative.id).order_by(Survey.id)
        )
    )
    if not surveys:
        _seed_survey(ctx.db, ctx.initiative, ctx.facilitator, ctx.people)
        return load_demo(ctx)
    return DemoPart(
        ids=surveys, entries=[DemoEntry("Survey results", f"/surveys/{s}/results") for s in surveys]
    )
