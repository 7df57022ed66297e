"""The dialogues part's demo: the Kelmar water dialogue, its votes and translations.

Kelmar is an invented island; its two communities, their places and every statement here
were written for tracktwo and describe no real people or conflict.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.accounts.models import User
from tracktwo.common.demo import DemoContext, DemoEntry, DemoPart
from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.actions import active_links, join
from tracktwo.common.participation.models import Participant
from tracktwo.parts.dialogues.actions.dialogues import (
    DialogueSettings,
    create_dialogue,
    set_dialogue_state,
)
from tracktwo.parts.dialogues.actions.moderation import set_translation
from tracktwo.parts.dialogues.actions.participation import submit_statement
from tracktwo.parts.dialogues.models import Dialogue, Statement, Vote
from tracktwo.store.base import utcnow

__all__ = ["load_demo"]

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
        joined = join(
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
        joined = join(db, tokens[side_name])
        submit_statement(db, joined.participant, dialogue.id, text, analysis_delay=0)
    return dialogue


def dialogue_statement_ids(db: Session, dialogue: Dialogue) -> list[int]:
    return list(
        db.scalars(
            select(Statement.id).where(Statement.dialogue_id == dialogue.id).order_by(Statement.id)
        )
    )


def load_demo(ctx: DemoContext) -> DemoPart:
    """The dialogue (once), its voters as the programme's people, and its pages."""
    db, initiative = ctx.db, ctx.initiative
    dialogue = db.scalars(
        select(Dialogue).where(Dialogue.initiative_id == initiative.id).order_by(Dialogue.id)
    ).first()
    if dialogue is None:
        dialogue = _seed_dialogue(db, initiative, ctx.facilitator)
    ctx.people = list(
        db.scalars(
            select(Participant)
            .where(Participant.initiative_id == initiative.id, Participant.side_id.is_not(None))
            .order_by(Participant.id)
        )
    )
    joins = [
        DemoEntry(f"Join as {link.side.name if link.side else 'Everyone'}", f"/j/{link.token}")
        for link in active_links(db, "dialogues", dialogue.id)
    ]
    return DemoPart(
        ids=[dialogue.id],
        entries=[DemoEntry("Results", f"/dialogues/{dialogue.id}/results"), *joins],
    )
