"""The fictional demo initiative that `tracktwo demo` (and `make demo`) sets up.

Kelmar is an invented island; its two communities, their places and every statement here
were written for tracktwo and describe no real people or conflict.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.accounts.actions import create_user, set_password
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.actions import SideInput, create_initiative
from tracktwo.common.initiatives.models import Initiative, Membership, Role
from tracktwo.common.participation.actions import join_dialogue
from tracktwo.common.participation.models import Participant
from tracktwo.parts.dialogues.actions.dialogues import (
    DialogueSettings,
    create_dialogue,
    set_dialogue_state,
)
from tracktwo.parts.dialogues.actions.moderation import set_translation
from tracktwo.parts.dialogues.actions.participation import submit_statement
from tracktwo.parts.dialogues.models import Dialogue, InvitationLink, Statement, Vote
from tracktwo.parts.surveys.actions.data import import_responses_csv
from tracktwo.parts.surveys.actions.surveys import WavePlan, create_survey, set_wave_state
from tracktwo.parts.surveys.models import Survey
from tracktwo.parts.workshops.demo import seed_workshops
from tracktwo.parts.workshops.models import Workshop
from tracktwo.store.base import utcnow

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
    dialogue_id: int
    workshop_ids: list[int]  # the finished workshop, then the one in its mapping step
    survey_ids: list[int]  # the evaluation survey (pre wave closed, post wave open)
    join_links: dict[str, str]  # side name (or "Everyone") -> the path of its join link
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


# (text, how Hill villagers lean, how Harbour townspeople lean, how cooperative people lean):
# leanings from -1 (disagree) to 1 (agree), used to simulate plausible votes.
STATEMENTS = [
    (
        "The spring belongs to everyone on the island, not to the village nearest to it.",
        -0.6,
        0.9,
        0.5,
    ),
    ("Hill villages should have first call on the spring water in dry summers.", 0.9, -0.9, -0.2),
    (
        "A joint water council with equal seats for both communities should manage the reservoir.",
        0.4,
        0.5,
        1.0,
    ),
    ("The Harbour towns take more water than they need, because of tourism.", 0.9, -0.8, 0.1),
    ("Farmers in the hills are paid too little for the water they give up.", 0.9, -0.3, 0.5),
    ("Both communities suffered during the drought years.", 0.6, 0.6, 1.0),
    ("The other community exaggerates how much it suffered in the drought.", 0.5, 0.5, -0.9),
    (
        "Independent engineers, not politicians, should measure how much water each town uses.",
        0.6,
        0.6,
        0.9,
    ),
    ("A desalination plant at the harbour would take pressure off the spring.", 0.5, 0.7, 0.6),
    ("The cost of a desalination plant should be shared by both communities.", -0.6, 0.6, 0.6),
    (
        "Leaking pipes should be repaired before anyone talks about new sources of water.",
        0.8,
        0.7,
        0.8,
    ),
    (
        "Schoolchildren from both communities should learn about the island's water together.",
        0.4,
        0.5,
        1.0,
    ),
    ("The old agreement on the spring was unfair and should be renegotiated.", -0.8, 0.9, 0.2),
    ("Water should cost the same everywhere on the island.", -0.5, 0.8, 0.4),
    ("I trust the other community to keep a water agreement.", -0.3, -0.4, 0.9),
    ("Past water disputes should be settled in court, not in dialogue groups.", 0.2, 0.2, -0.8),
    ("The reservoir level should be published every week for everyone to see.", 0.7, 0.7, 0.9),
    (
        "New hotels at the harbour should be built only if they bring their own water.",
        0.9,
        -0.7,
        0.3,
    ),
    ("Hill villages should be paid for protecting the forest around the spring.", 0.9, -0.2, 0.6),
    ("Any water agreement should be approved by a vote in both communities.", 0.6, 0.6, 0.8),
    ("People from the other community are welcome in my town.", -0.2, -0.2, 1.0),
    ("The island's leaders use the water question to win votes.", 0.6, 0.6, 0.7),
    (
        "The women who carry the burden of shortages at home should be part of the negotiations.",
        0.4,
        0.5,
        0.9,
    ),
    (
        "In a drought, emergency water should be shared equally, whoever owns the source.",
        -0.2,
        0.8,
        0.9,
    ),
]
TRANSLATIONS = {
    "ar": {
        2: "ينبغي أن يدير الخزانَ مجلسُ مياه مشترك يضم عددًا متساويًا من المقاعد للمجتمعين.",
        5: "عانى المجتمعان كلاهما خلال سنوات الجفاف.",
        7: "ينبغي أن يقيس مهندسون مستقلون، لا السياسيون، كمية المياه التي تستهلكها كل بلدة.",
        10: "ينبغي إصلاح الأنابيب المتسربة قبل أن يتحدث أحد عن مصادر جديدة للمياه.",
        16: "ينبغي نشر مستوى الخزان كل أسبوع ليراه الجميع.",
        19: "ينبغي أن يُوافَق على أي اتفاق بشأن المياه بتصويت في المجتمعين كليهما.",
    },
    "el": {
        2: (
            "Ένα κοινό συμβούλιο υδάτων με ίσες έδρες για "
            "τις δύο κοινότητες πρέπει να διαχειρίζεται τον ταμιευτήρα."
        ),
        5: "Και οι δύο κοινότητες υπέφεραν στα χρόνια της ξηρασίας.",
        7: (
            "Ανεξάρτητοι μηχανικοί, όχι πολιτικοί, πρέπει να "
            "μετρούν πόσο νερό χρησιμοποιεί κάθε πόλη."
        ),
        10: (
            "Οι σωλήνες που έχουν διαρροές πρέπει να "
            "επισκευαστούν πριν μιλήσει κανείς για νέες πηγές νερού."
        ),
        16: "Η στάθμη του ταμιευτήρα πρέπει να δημοσιεύεται κάθε εβδομάδα για να τη βλέπουν όλοι.",
        19: "Κάθε συμφωνία για το νερό πρέπει να εγκρίνεται με ψηφοφορία και στις δύο κοινότητες.",
    },
}
PARTICIPANT_STATEMENTS = [
    ("Hill villages", "The forest rangers should come from both communities."),
    ("Harbour towns", "Fishing families lose most when the river mouth dries up."),
    ("Harbour towns", "Fishing families lose most when the river-mouth dries up!"),
]


def _simulate_votes(db: Session, dialogue: Dialogue, tokens: dict[str, str]) -> None:
    """Fictional participants who vote plausibly: leanings plus noise, seeded, so the demo
    shows the same groups every time."""
    rng = random.Random(7)
    rows = list(
        db.scalars(
            select(Statement).where(Statement.dialogue_id == dialogue.id).order_by(Statement.id)
        )
    )
    leanings = {entry[0]: entry[1:] for entry in STATEMENTS}
    now = utcnow()
    people = (
        [("Hill villages", "hill")] * 26
        + [("Harbour towns", "harbour")] * 24
        + [("Hill villages", "bridge")] * 8
        + [("Harbour towns", "bridge")] * 8
        + [("", "bridge")] * 4
    )
    for index, (side_name, leaning) in enumerate(people):
        token = tokens.get(side_name) or tokens["Everyone"]
        joined = join_dialogue(
            db,
            token,
            side=None if side_name else "undeclared",
            language="en" if index % 5 else "ar",
        )
        column = {"hill": 0, "harbour": 1, "bridge": 2}[leaning]
        start = now - timedelta(days=5) + timedelta(minutes=97 * index)
        order = rows[:]
        rng.shuffle(order)
        for position, statement in enumerate(order[: rng.randint(14, len(order))]):
            score = leanings[statement.text][column] + rng.gauss(0, 0.45)
            value = 1 if score > 0.35 else -1 if score < -0.35 else 0
            db.add(
                Vote(
                    dialogue_id=dialogue.id,
                    statement_id=statement.id,
                    participant_id=joined.participant.id,
                    value=value,
                    created_at=start + timedelta(seconds=20 * position),
                )
            )
    db.flush()


def _seed_dialogue(db: Session, initiative: Initiative, facilitator: User) -> Dialogue:
    dialogue = create_dialogue(
        db,
        facilitator,
        initiative.id,
        DialogueSettings(
            topic="The Kelmar spring and the reservoir",
            prompt="What should happen to the spring, the reservoir and the water between our "
            "communities in the next five years?",
        ),
        seed_statements=[entry[0] for entry in STATEMENTS],
    )
    set_dialogue_state(db, facilitator, dialogue.id, "open")
    statement_ids = dialogue_statement_ids(db, dialogue)
    for language, texts in TRANSLATIONS.items():
        for index, text in texts.items():
            set_translation(db, facilitator, dialogue.id, statement_ids[index], language, text)
    tokens = {(link.side.name if link.side else "Everyone"): link.token for link in dialogue.links}
    _simulate_votes(db, dialogue, tokens)
    for side_name, text in PARTICIPANT_STATEMENTS:
        joined = join_dialogue(db, tokens[side_name])
        submit_statement(db, joined.participant, dialogue.id, text, analysis_delay=0)
    return dialogue


# Mean change from pre to post per side (thermometer points, trust scale points): a small
# improvement, larger for the Hill villages, as a short programme might plausibly bring.
SURVEY_CHANGE = {"Hill villages": (7.0, 0.4), "Harbour towns": (4.0, 0.2)}


def _seed_survey(db: Session, initiative: Initiative, facilitator: User) -> None:
    """A pre/post survey answered by the demo's participants, imported as a file would be
    (their pseudonyms link the answers to them); seeded, so the results never change.

    The four who declared no side did not answer: fewer than five people, they would be
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
    people = db.scalars(
        select(Participant)
        .where(Participant.initiative_id == initiative.id, Participant.side_id.is_not(None))
        .order_by(Participant.id)
    )
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


def dialogue_statement_ids(db: Session, dialogue: Dialogue) -> list[int]:
    return list(
        db.scalars(
            select(Statement.id).where(Statement.dialogue_id == dialogue.id).order_by(Statement.id)
        )
    )


def seed_demo(db: Session) -> DemoAccess:
    """Create the demo initiative and its accounts, or refresh their passwords if they exist."""
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
        _seed_dialogue(db, initiative, facilitator)
        _seed_survey(db, initiative, facilitator)
        seed_workshops(db, initiative, facilitator)
    db.flush()
    dialogue = db.scalars(
        select(Dialogue).where(Dialogue.initiative_id == initiative.id).order_by(Dialogue.id)
    ).first()
    assert dialogue is not None
    links = {
        (link.side.name if link.side else "Everyone"): f"/j/{link.token}"
        for link in db.scalars(
            select(InvitationLink).where(
                InvitationLink.dialogue_id == dialogue.id, InvitationLink.revoked_at.is_(None)
            )
        )
    }
    return DemoAccess(
        initiative_id=initiative.id,
        dialogue_id=dialogue.id,
        workshop_ids=list(
            db.scalars(
                select(Workshop.id)
                .where(Workshop.initiative_id == initiative.id)
                .order_by(Workshop.id)
            )
        ),
        survey_ids=list(
            db.scalars(
                select(Survey.id).where(Survey.initiative_id == initiative.id).order_by(Survey.id)
            )
        ),
        join_links=links,
        facilitator_email=FACILITATOR_EMAIL,
        facilitator_password=facilitator_password,
        observer_email=OBSERVER_EMAIL,
        observer_password=observer_password,
    )
