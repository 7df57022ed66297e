"""The demo's two workshops on the invented island of Kelmar.

One is finished: eleven obstacles from both communities (two of them merged), clusters,
preference votes, a complete influence map decided by a majority within each side, and a
joint action plan. The other stops in the middle of its influence map, with a question open
and a few votes cast, so that the console, the presenter screen and the phones have something
live to show. Every idea was written for tracktwo and describes no real people.

The group's votes on influence questions are simulated from a hand-written "true" map (with a
dissenting voice now and then), seeded, so the demo is the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.accounts.models import User
from tracktwo.common.demo import DemoContext, DemoEntry, DemoPart
from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.actions import join
from tracktwo.common.participation.models import Participant
from tracktwo.parts.workshops.actions.ideas import (
    answer_question,
    ask_question,
    assign_clusters,
    cast_preferences,
    create_cluster,
    merge_ideas,
    submit_idea,
)
from tracktwo.parts.workshops.actions.mapping import (
    close_question,
    current_question,
    defer_question,
)
from tracktwo.parts.workshops.actions.plan import ActionInput, add_action_item
from tracktwo.parts.workshops.actions.translations import (
    set_idea_translation,
    set_question_translation,
)
from tracktwo.parts.workshops.actions.workshops import (
    WorkshopSettings,
    create_workshop,
    set_step,
)
from tracktwo.parts.workshops.models import Idea, PairVote, Workshop

__all__ = ["seed_workshops"]

HILL, HARBOUR = "Hill villages", "Harbour towns"

# (side, idea, clarification); the two about figures are merged during clarification.
OBSTACLES = [
    (HILL, "Nobody maintains the old pipes between the hills and the coast.", ""),
    (HILL, "Farmers fear they will lose their land if the spring is shared.", ""),
    (HILL, "Hill villages have no seat where water decisions are made.", ""),
    (HILL, "Our children learn only our own side's story of the drought years.", ""),
    (HILL, "The Harbour towns do not trust our figures for the spring.", ""),
    (HARBOUR, "We do not trust the Hill villages' figures for the spring.", ""),
    (HARBOUR, "Hotels take more water in summer than the towns can spare.", ""),
    (HARBOUR, "Fishing families suffer first when the river mouth dries up.", ""),
    (HARBOUR, "Politicians on both sides use the water question to win votes.", ""),
    (HARBOUR, "There is no independent body to measure the water.", "Not the island council."),
    (HARBOUR, "Leaks lose a third of the water before it reaches the harbour.", ""),
]
MERGED = "Neither community trusts the other's figures for the spring."
CLUSTERS = {
    "Trust and information": [MERGED, OBSTACLES[9][1], OBSTACLES[3][1]],
    "Pipes and supply": [OBSTACLES[0][1], OBSTACLES[10][1], OBSTACLES[6][1]],
    "Voice and livelihoods": [OBSTACLES[2][1], OBSTACLES[1][1], OBSTACLES[7][1], OBSTACLES[8][1]],
}
# "A helps B": progress on A significantly helps progress on B (the simulated truth).
INFLUENCES = [
    (OBSTACLES[9][1], MERGED),
    (OBSTACLES[2][1], MERGED),
    (MERGED, OBSTACLES[1][1]),
    (MERGED, OBSTACLES[8][1]),
    (OBSTACLES[0][1], OBSTACLES[10][1]),
    (OBSTACLES[10][1], OBSTACLES[6][1]),
    (OBSTACLES[8][1], OBSTACLES[1][1]),
]
BALLOTS = {  # per participant: the ideas they pick (by text)
    0: [MERGED, OBSTACLES[2][1], OBSTACLES[1][1], OBSTACLES[0][1], OBSTACLES[9][1]],
    1: [MERGED, OBSTACLES[1][1], OBSTACLES[2][1], OBSTACLES[8][1], OBSTACLES[10][1]],
    2: [OBSTACLES[2][1], OBSTACLES[1][1], OBSTACLES[0][1], MERGED, OBSTACLES[6][1]],
    3: [MERGED, OBSTACLES[9][1], OBSTACLES[10][1], OBSTACLES[6][1], OBSTACLES[8][1]],
    4: [OBSTACLES[10][1], OBSTACLES[9][1], MERGED, OBSTACLES[6][1], OBSTACLES[0][1]],
    5: [OBSTACLES[9][1], MERGED, OBSTACLES[8][1], OBSTACLES[10][1], OBSTACLES[2][1]],
}
PLAN = [
    (
        "An office of engineers from both communities measures the spring and the reservoir "
        "and publishes the figures.",
        "Kelmar engineers' association",
        2,
        "agreed",
        [OBSTACLES[9][1]],
    ),
    (
        "Two seats for the Hill villages on the island's water board.",
        "Island council",
        1,
        "proposed",
        [OBSTACLES[2][1]],
    ),
    (
        "A joint repair programme for the old pipeline, paid for by the diaspora fund.",
        "Kelmar diaspora fund",
        8,
        "in_progress",
        [OBSTACLES[0][1]],
    ),
]

# The facilitators' translations of the question and of a few ideas (the initiative speaks
# English, Arabic and Greek), so phones in Arabic or Greek show something translated.
QUESTION_TRANSLATIONS = {
    "ar": "ما العقبات التي علينا معالجتها لكي نتقاسم مياه كِلمار بإنصاف؟",
    "el": "Ποια εμπόδια πρέπει να αντιμετωπίσουμε για να μοιραστούμε δίκαια το νερό του Κέλμαρ;",
}
IDEA_TRANSLATIONS = {
    MERGED: {
        "ar": "لا تثق أيٌّ من الجماعتين بأرقام الأخرى عن النبع.",
        "el": "Καμία από τις δύο κοινότητες δεν εμπιστεύεται τα στοιχεία της άλλης για την πηγή.",
    },
    OBSTACLES[2][1]: {
        "ar": "ليس لقرى التلال مقعد حيث تُتخذ قرارات المياه.",
        "el": "Τα ορεινά χωριά δεν έχουν θέση εκεί όπου παίρνονται οι αποφάσεις για το νερό.",
    },
    OBSTACLES[6][1]: {
        "ar": "تأخذ الفنادق في الصيف مياهًا أكثر مما تستطيع المدن الاستغناء عنه.",
        "el": "Τα ξενοδοχεία παίρνουν το καλοκαίρι περισσότερο νερό απ' όσο αντέχουν οι πόλεις.",
    },
    OBSTACLES[9][1]: {
        "ar": "لا توجد هيئة مستقلة لقياس المياه.",
        "el": "Δεν υπάρχει ανεξάρτητος φορέας που να μετρά το νερό.",
    },
}
FIRST_YEAR = [
    (HILL, "Publish the reservoir level every week."),
    (HILL, "Pay hill farmers for protecting the forest around the spring."),
    (HARBOUR, "Agree an emergency sharing rule for drought summers."),
    (HARBOUR, "Fix the worst leaks on the coast pipeline."),
    (HILL, "Hold an open meeting every month, in a hill village and a harbour town in turn."),
    (HARBOUR, "Train young people from both communities as water monitors."),
]
FIRST_YEAR_INFLUENCES = [(0, 2), (5, 0), (3, 2), (4, 1)]


def _people(db: Session, workshop: Workshop, count: int) -> list[Participant]:
    """``count`` participants, alternately through the Hill and the Harbour links.

    They write their ideas in English, the room's working language (an idea is recorded in its
    author's language); call :func:`_read_in_arabic` afterwards for those whose phones show
    the workshop in Arabic.
    """
    tokens = {link.side.name: link.token for link in workshop.links if link.side is not None}
    people = []
    for index in range(count):
        side = (HILL, HARBOUR)[index % 2]
        people.append(join(db, tokens[side], language="en").participant)
    return people


def _read_in_arabic(people: Sequence[Participant]) -> None:
    for person in people[::3]:
        person.language = "ar"


def _vote_and_close(
    db: Session,
    facilitator: User,
    workshop: Workshop,
    people: Sequence[Participant],
    truth: nx.DiGraph,
    rng: random.Random,
    *,
    questions: int | None = None,
) -> None:
    """Answer up to ``questions`` influence questions as the room would (None: all of them).

    Votes follow the true map; now and then one person per side dissents, which a majority
    within each side absorbs. The votes are stored directly, like the dialogue's simulated
    votes, and each question is closed through the action, so the audit trail is real.
    """
    asked = 0
    while (question := current_question(db, workshop)) is not None:
        if questions is not None and asked >= questions:
            return
        source, target = question.source.id, question.target.id
        true = target in nx.descendants(truth, source)
        dissenters = {rng.choice(people[:2]).id} if rng.random() < 0.3 else set()
        for person in people:
            db.add(
                PairVote(
                    workshop_id=workshop.id,
                    question_number=question.number,
                    from_idea_id=source,
                    to_idea_id=target,
                    participant_id=person.id,
                    yes=true != (person.id in dissenters),
                )
            )
        db.flush()
        decision = close_question(db, facilitator, workshop.id, question.number)
        if decision.outcome == "undecided":  # cannot happen with one dissenter; never loop
            defer_question(db, facilitator, workshop.id, question.number)
        asked += 1


def _obstacles(db: Session, initiative: Initiative, facilitator: User, rng: random.Random) -> None:
    workshop = create_workshop(
        db,
        facilitator,
        initiative.id,
        WorkshopSettings(
            title="Obstacles to sharing the water",
            question="What are the obstacles we must deal with to share the water of Kelmar "
            "fairly?",
            decision_rule="majority_within_each_side",
        ),
    )
    people = _people(db, workshop, 6)
    by_side = {HILL: [p for p in people if p.side and p.side.name == HILL], HARBOUR: []}
    by_side[HARBOUR] = [p for p in people if p not in by_side[HILL]]
    ids: dict[str, int] = {}
    for position, (side, text, clarification) in enumerate(OBSTACLES):
        author = by_side[side][position % 3]
        ids[text] = submit_idea(db, author, workshop.id, text, clarification).id
    _read_in_arabic(people)
    set_step(db, facilitator, workshop.id, "clarification")
    farmers = ids[OBSTACLES[1][1]]
    asked = ask_question(db, farmers, "Which land do you mean?", participant=by_side[HARBOUR][0])
    answer_question(
        db,
        asked.id,
        "The terraces below the spring, if a water council took them over.",
        participant=by_side[HILL][1],
    )
    merged = merge_ideas(
        db, facilitator, workshop.id, [ids[OBSTACLES[4][1]], ids[OBSTACLES[5][1]]], MERGED
    )
    ids[MERGED] = merged.id
    _translate(db, facilitator, workshop, ids)
    set_step(db, facilitator, workshop.id, "clustering")
    for name, members in CLUSTERS.items():
        cluster = create_cluster(db, facilitator, workshop.id, name)
        assign_clusters(db, facilitator, workshop.id, {ids[text]: cluster.id for text in members})
    set_step(db, facilitator, workshop.id, "voting")
    for index, ballot in BALLOTS.items():
        cast_preferences(db, people[index], workshop.id, [ids[text] for text in ballot])
    set_step(db, facilitator, workshop.id, "mapping")
    truth = nx.DiGraph([(ids[a], ids[b]) for a, b in INFLUENCES])
    truth.add_nodes_from(ids.values())
    _vote_and_close(db, facilitator, workshop, people, truth, rng)
    set_step(db, facilitator, workshop.id, "action_plan")
    for option, owner, track, status, drivers in PLAN:
        add_action_item(
            db,
            facilitator,
            workshop.id,
            ActionInput(
                option=option,
                owner=owner,
                track=track,
                status=status,
                driver_ids=[ids[text] for text in drivers],
            ),
        )


def _translate(db: Session, facilitator: User, workshop: Workshop, ids: dict[str, int]) -> None:
    languages = workshop.initiative.languages
    for language, text in QUESTION_TRANSLATIONS.items():
        if language in languages:
            set_question_translation(db, facilitator, workshop.id, language, text)
    for original, translations in IDEA_TRANSLATIONS.items():
        idea = db.get(Idea, ids[original])
        assert idea is not None
        for language, text in translations.items():
            # Demo participants who chose Arabic wrote some ideas; never translate into them.
            if language in languages and language != idea.language:
                set_idea_translation(db, facilitator, workshop.id, idea.id, language, text)


def _first_year(db: Session, initiative: Initiative, facilitator: User, rng: random.Random) -> None:
    workshop = create_workshop(
        db,
        facilitator,
        initiative.id,
        WorkshopSettings(
            title="A joint water council's first year",
            question="What could a joint water council do in its first year?",
            votes_per_participant=3,
            mode="hybrid",
        ),
    )
    people = _people(db, workshop, 5)
    ids = [
        submit_idea(db, people[index % len(people)], workshop.id, text).id
        for index, (_, text) in enumerate(FIRST_YEAR)
    ]
    _read_in_arabic(people)
    for step in ("clarification", "clustering", "voting"):
        set_step(db, facilitator, workshop.id, step)
    for index, person in enumerate(people):
        picks = [ids[(index + k) % len(ids)] for k in range(3)]
        cast_preferences(db, person, workshop.id, picks)
    set_step(db, facilitator, workshop.id, "mapping")
    truth = nx.DiGraph([(ids[a], ids[b]) for a, b in FIRST_YEAR_INFLUENCES])
    truth.add_nodes_from(ids)
    _vote_and_close(db, facilitator, workshop, people, truth, rng, questions=6)
    question = current_question(db, workshop)
    if question is not None:  # a question open, with three of five phones answered
        for person in people[:3]:
            db.add(
                PairVote(
                    workshop_id=workshop.id,
                    question_number=question.number,
                    from_idea_id=question.source.id,
                    to_idea_id=question.target.id,
                    participant_id=person.id,
                    yes=person is not people[1],
                )
            )


def seed_workshops(db: Session, initiative: Initiative, facilitator: User) -> None:
    """Add the two demo workshops to the demo initiative."""
    rng = random.Random(11)
    _obstacles(db, initiative, facilitator, rng)
    _first_year(db, initiative, facilitator, rng)
    db.flush()


def load_demo(ctx: DemoContext) -> DemoPart:
    """The two demo workshops (once) and their consoles."""
    found = list(
        ctx.db.scalars(
            select(Workshop.id)
            .where(Workshop.initiative_id == ctx.initiative.id)
            .order_by(Workshop.id)
        )
    )
    if not found:
        seed_workshops(ctx.db, ctx.initiative, ctx.facilitator)
        return load_demo(ctx)
    return DemoPart(ids=found, entries=[DemoEntry("Workshop", f"/workshops/{w}") for w in found])
