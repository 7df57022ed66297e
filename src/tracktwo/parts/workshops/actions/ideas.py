"""The workshop's ideas: generation (free or round-robin), clarification, merging and splitting,
clusters, and preference votes.

Ideas keep their history: an edit, a new clarification, a merge or a split each leave an
:class:`IdeaRevision`; a merge makes a new idea and marks the originals ``merged`` (pointing
to it); a split makes new ideas pointing back to the original, which is marked ``split``.
Nothing a participant wrote is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.kernel.i18n import N_
from tracktwo.kernel.text import ISOLATES, clean_text
from tracktwo.parts.workshops.actions.workshops import (
    UNDECLARED_SIDE,
    pass_turn,
    require_member,
    require_step,
    side_name,
    touch,
    workshop_for,
)
from tracktwo.parts.workshops.models import (
    Idea,
    IdeaQuestion,
    IdeaRevision,
    IdeaState,
    PreferenceVote,
    Workshop,
    WorkshopCluster,
    WorkshopStep,
)
from tracktwo.store.base import utcnow

__all__ = [
    "IdeaTally",
    "active_ideas",
    "add_idea_for",
    "answer_question",
    "ask_question",
    "assign_clusters",
    "cast_preferences",
    "clarify_own_idea",
    "clean_idea",
    "clusters_of",
    "create_cluster",
    "delete_cluster",
    "edit_idea",
    "idea_history",
    "ideas_of",
    "merge_ideas",
    "my_preferences",
    "preference_tallies",
    "propose_clustering",
    "questions_by_idea",
    "rename_cluster",
    "split_idea",
    "submit_idea",
    "voters_by_side",
]

MAX_CLARIFICATION = 1000
MAX_QUESTION = 500
MAX_CLUSTER_NAME = 120
EDITABLE_STEPS = (WorkshopStep.IDEAS, WorkshopStep.CLARIFICATION, WorkshopStep.CLUSTERING)


@dataclass(frozen=True)
class IdeaTally:
    """Preference votes for one idea, per side and in all (participants' votes only)."""

    idea: Idea
    by_side: dict[str, int] = field(default_factory=dict)
    total: int = 0


# --- texts ----------------------------------------------------------------------------------


def clean_idea(text: str, limit: int) -> str:
    return clean_text(
        text,
        "idea",
        limit,
        empty_message=N_("The idea is empty; write one short sentence."),
        too_long_hint="Shorten it to one clear point.",
    )


def _clarification(text: str) -> str:
    return clean_text(text, "clarification", MAX_CLARIFICATION, required=False)


def active_ideas(db: Session, workshop_id: int) -> list[Idea]:
    return list(
        db.scalars(
            select(Idea)
            .where(Idea.workshop_id == workshop_id, Idea.state == IdeaState.ACTIVE)
            .order_by(Idea.number)
        )
    )


def _next_number(db: Session, workshop_id: int) -> int:
    return (
        int(db.scalar(select(func.max(Idea.number)).where(Idea.workshop_id == workshop_id)) or 0)
        + 1
    )


def _comparable(text: str) -> str:
    # Case, spacing, closing punctuation and bidi isolates do not make an idea new.
    bare = "".join(ch for ch in text if ch not in ISOLATES)
    return " ".join(bare.casefold().split()).strip(" .!?")


def _refuse_duplicate(db: Session, workshop_id: int, text: str) -> None:
    wanted = _comparable(text)
    for other in db.scalars(
        select(Idea.text).where(Idea.workshop_id == workshop_id, Idea.state == IdeaState.ACTIVE)
    ):
        if _comparable(other) == wanted:
            raise Conflict(N_("This idea is already on the list."))


def _new_idea(
    db: Session,
    workshop: Workshop,
    text: str,
    clarification: str,
    *,
    author: Participant | None,
    entered_by: Actor,
    language: str,
) -> Idea:
    text = clean_idea(text, workshop.max_length)
    _refuse_duplicate(db, workshop.id, text)
    idea = Idea(
        workshop_id=workshop.id,
        number=_next_number(db, workshop.id),
        text=text,
        clarification=_clarification(clarification),
        language=language,
        author_id=author.id if author is not None else None,
        entered_by_id=entered_by.id if entered_by is not None else None,
        round=workshop.round if workshop.round_robin else None,
    )
    db.add(idea)
    if workshop.round_robin and author is not None and author.id == workshop.turn_participant_id:
        pass_turn(db, workshop)
    touch(workshop)
    db.flush()
    return idea


def submit_idea(
    db: Session, participant: Participant, workshop_id: int, text: str, clarification: str = ""
) -> Idea:
    """A participant's idea: in the ideas step, and in round-robin mode only on their turn."""
    workshop = require_member(db, participant, workshop_id)
    require_step(
        workshop,
        WorkshopStep.IDEAS,
        N_("Ideas can be added only while the workshop is collecting ideas."),
    )
    if workshop.round_robin and workshop.turn_participant_id != participant.id:
        raise Conflict(N_("It is not your turn yet; the facilitator will call on you."))
    return _new_idea(
        db,
        workshop,
        text,
        clarification,
        author=participant,
        entered_by=None,
        language=participant.language,
    )


def add_idea_for(
    db: Session,
    actor: Actor,
    workshop_id: int,
    text: str,
    clarification: str = "",
    *,
    author_id: int | None = None,
) -> Idea:
    """A facilitator types an idea in: their own, or a participant's (round-robin in the room)."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    require_step(
        workshop, WorkshopStep.IDEAS, "Ideas can be added only in the ideas step; go back to it."
    )
    author = None
    if author_id is not None:
        author = db.get(Participant, author_id)
        if author is None:
            raise NotFound(f"There is no participant with id {author_id}.")
        require_member(db, author, workshop.id)
    return _new_idea(
        db,
        workshop,
        text,
        clarification,
        author=author,
        entered_by=actor,
        language=author.language if author else workshop.initiative.languages[0],
    )


def _idea_in(db: Session, workshop: Workshop, idea_id: int) -> Idea:
    idea = db.get(Idea, idea_id)
    if idea is None or idea.workshop_id != workshop.id:
        raise NotFound(f"This workshop has no idea {idea_id}.")
    return idea


def _idea_for(db: Session, actor: Actor, idea_id: int) -> tuple[Workshop, Idea]:
    idea = db.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea with id {idea_id}.")
    workshop = workshop_for(db, actor, idea.workshop_id, at_least=Role.FACILITATOR)
    return workshop, idea


def _editable(db: Session, workshop: Workshop, ideas: Sequence[Idea]) -> None:
    if workshop.step not in EDITABLE_STEPS:
        raise Conflict(
            "Ideas can be edited, merged or split only before preference voting; go back to "
            "clarification first."
        )
    for idea in ideas:
        if idea.state != IdeaState.ACTIVE:
            raise Conflict(f"Idea {idea.number} was already {idea.state.value}; use the new one.")
    voted = db.scalar(
        select(func.count(PreferenceVote.id)).where(
            PreferenceVote.idea_id.in_([idea.id for idea in ideas]),
            PreferenceVote.replaced_at.is_(None),
        )
    )
    if voted:
        raise Conflict("Ideas that already have preference votes cannot be changed.")


def _revision(
    db: Session,
    idea: Idea,
    kind: str,
    *,
    text_before: str,
    clarification_before: str,
    related: Sequence[int] = (),
    actor: Actor = None,
    participant: Participant | None = None,
) -> None:
    db.add(
        IdeaRevision(
            idea_id=idea.id,
            kind=kind,
            text_before=text_before,
            text_after=idea.text,
            clarification_before=clarification_before,
            clarification_after=idea.clarification,
            related=list(related),
            user_id=actor.id if actor is not None else None,
            participant_id=participant.id if participant is not None else None,
        )
    )


def edit_idea(
    db: Session, actor: Actor, idea_id: int, text: str, clarification: str | None = None
) -> Idea:
    """A facilitator rewords an idea (with its author's agreement); the old text is kept."""
    workshop, idea = _idea_for(db, actor, idea_id)
    _editable(db, workshop, [idea])
    before = (idea.text, idea.clarification)
    idea.text = clean_idea(text, workshop.max_length)
    if clarification is not None:
        idea.clarification = _clarification(clarification)
    if idea.text != before[0]:
        # A translation of the old wording would tell readers something the idea no longer
        # says; the facilitators' translations page lists the idea as untranslated again.
        idea.translations.clear()
    if (idea.text, idea.clarification) != before:
        _revision(
            db, idea, "edited", text_before=before[0], clarification_before=before[1], actor=actor
        )
        touch(workshop)
    db.flush()
    return idea


def clarify_own_idea(
    db: Session, participant: Participant, idea_id: int, clarification: str
) -> Idea:
    """The author explains their idea (ideas and clarification steps)."""
    idea = db.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea with id {idea_id}.")
    workshop = require_member(db, participant, idea.workshop_id)
    if workshop.step not in (WorkshopStep.IDEAS, WorkshopStep.CLARIFICATION):
        raise Conflict(N_("Ideas can be explained only during the ideas and clarification steps."))
    if idea.author_id != participant.id:
        raise PermissionDenied(N_("Only the author of an idea can explain it."))
    before = idea.clarification
    idea.clarification = _clarification(clarification)
    if idea.clarification != before:
        _revision(
            db,
            idea,
            "clarified",
            text_before=idea.text,
            clarification_before=before,
            participant=participant,
        )
        touch(workshop)
    db.flush()
    return idea


def ask_question(
    db: Session,
    idea_id: int,
    question: str,
    *,
    participant: Participant | None = None,
    actor: Actor = None,
) -> IdeaQuestion:
    """A question about what an idea means: questions only, no criticism (clarification step).

    Asked by a participant of the workshop, or typed in by a facilitator (``actor``).
    """
    idea = db.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea with id {idea_id}.")
    if participant is not None:
        workshop = require_member(db, participant, idea.workshop_id)
    else:
        workshop = workshop_for(db, actor, idea.workshop_id, at_least=Role.FACILITATOR)
    require_step(
        workshop,
        WorkshopStep.CLARIFICATION,
        N_("Questions about ideas can be asked only during the clarification step."),
    )
    if idea.state != IdeaState.ACTIVE:
        raise Conflict(f"Idea {idea.number} was {idea.state.value}; ask about the new one.")
    if not question.strip():
        raise InvalidInput(N_("Write your question first."))
    text = clean_text(question, "question", MAX_QUESTION)
    asked = IdeaQuestion(
        idea_id=idea.id,
        question=text,
        asked_by_id=participant.id if participant is not None else None,
        asked_by_user_id=actor.id if actor is not None else None,
    )
    db.add(asked)
    touch(workshop)
    db.flush()
    return asked


def answer_question(
    db: Session,
    question_id: int,
    answer: str,
    *,
    participant: Participant | None = None,
    actor: Actor = None,
) -> IdeaQuestion:
    """The idea's author answers (or a facilitator records the answer given in the room)."""
    asked = db.get(IdeaQuestion, question_id)
    if asked is None:
        raise NotFound(f"There is no clarification question with id {question_id}.")
    idea = db.get(Idea, asked.idea_id)
    assert idea is not None
    if participant is not None:
        workshop = require_member(db, participant, idea.workshop_id)
        if idea.author_id != participant.id:
            raise PermissionDenied(N_("Only the author of an idea can answer questions about it."))
    else:
        workshop = workshop_for(db, actor, idea.workshop_id, at_least=Role.FACILITATOR)
    require_step(
        workshop,
        WorkshopStep.CLARIFICATION,
        N_("Questions about ideas can be answered only during the clarification step."),
    )
    if not answer.strip():
        raise InvalidInput(N_("Write your answer first."))
    asked.answer = clean_text(answer, "answer", MAX_CLARIFICATION)
    asked.answered_by_id = participant.id if participant is not None else None
    asked.answered_by_user_id = actor.id if actor is not None else None
    asked.answered_at = utcnow()
    touch(workshop)
    db.flush()
    return asked


def merge_ideas(
    db: Session,
    actor: Actor,
    workshop_id: int,
    idea_ids: Sequence[int],
    text: str,
    clarification: str = "",
) -> Idea:
    """Replace two or more ideas by one new idea; the originals stay, marked ``merged``."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    unique_ids = list(dict.fromkeys(idea_ids))
    if len(unique_ids) < 2:
        raise InvalidInput("Choose at least two ideas to merge.")
    ideas = sorted((_idea_in(db, workshop, i) for i in unique_ids), key=lambda idea: idea.number)
    _editable(db, workshop, ideas)
    authors = {idea.author_id for idea in ideas}
    merged = Idea(
        workshop_id=workshop.id,
        number=_next_number(db, workshop.id),
        text=clean_idea(text, workshop.max_length),
        clarification=_clarification(clarification),
        language=ideas[0].language,
        # One author keeps ownership (they can still explain it); several authors: nobody's.
        author_id=authors.pop() if len(authors) == 1 else None,
        entered_by_id=actor.id if actor is not None else None,
        cluster_id=ideas[0].cluster_id,
    )
    db.add(merged)
    db.flush()
    for idea in ideas:
        before = (idea.text, idea.clarification)
        idea.state = IdeaState.MERGED
        idea.merged_into_id = merged.id
        _revision(
            db,
            idea,
            "merged",
            text_before=before[0],
            clarification_before=before[1],
            related=[merged.id],
            actor=actor,
        )
    _revision(
        db,
        merged,
        "merged",
        text_before="",
        clarification_before="",
        related=[idea.id for idea in ideas],
        actor=actor,
    )
    touch(workshop)
    db.flush()
    return merged


def split_idea(db: Session, actor: Actor, idea_id: int, texts: Sequence[str]) -> list[Idea]:
    """Replace one idea by two or more; the original stays, marked ``split``."""
    workshop, idea = _idea_for(db, actor, idea_id)
    _editable(db, workshop, [idea])
    parts = [line for line in texts if line.strip()]
    if len(parts) < 2:
        raise InvalidInput("Write at least two ideas to split this one into, one per line.")
    cleaned = [clean_idea(part, workshop.max_length) for part in parts]
    made = []
    for part in cleaned:
        piece = Idea(
            workshop_id=workshop.id,
            number=_next_number(db, workshop.id),
            text=part,
            language=idea.language,
            author_id=idea.author_id,
            entered_by_id=actor.id if actor is not None else None,
            split_from_id=idea.id,
            cluster_id=idea.cluster_id,
            round=idea.round,
        )
        db.add(piece)
        db.flush()
        made.append(piece)
    idea.state = IdeaState.SPLIT
    _revision(
        db,
        idea,
        "split",
        text_before=idea.text,
        clarification_before=idea.clarification,
        related=[piece.id for piece in made],
        actor=actor,
    )
    touch(workshop)
    db.flush()
    return made


def questions_by_idea(db: Session, ideas: Sequence[Idea]) -> dict[int, list[IdeaQuestion]]:
    """Clarification questions and answers of these ideas, oldest first."""
    found: dict[int, list[IdeaQuestion]] = {idea.id: [] for idea in ideas}
    for asked in db.scalars(
        select(IdeaQuestion).where(IdeaQuestion.idea_id.in_(list(found))).order_by(IdeaQuestion.id)
    ):
        found[asked.idea_id].append(asked)
    return found


def ideas_of(db: Session, workshop_id: int) -> list[Idea]:
    """Every idea, merged and split ones included, by number."""
    return list(
        db.scalars(select(Idea).where(Idea.workshop_id == workshop_id).order_by(Idea.number))
    )


def idea_history(db: Session, idea: Idea) -> list[IdeaRevision]:
    return list(
        db.scalars(
            select(IdeaRevision).where(IdeaRevision.idea_id == idea.id).order_by(IdeaRevision.id)
        )
    )


# --- clusters -------------------------------------------------------------------------------


def _clustering_step(workshop: Workshop) -> None:
    require_step(
        workshop,
        WorkshopStep.CLUSTERING,
        "Clusters can be changed only in the clustering step; go back to it.",
    )


def _cluster_in(db: Session, workshop: Workshop, cluster_id: int) -> WorkshopCluster:
    cluster = db.get(WorkshopCluster, cluster_id)
    if cluster is None or cluster.workshop_id != workshop.id:
        raise NotFound(f"This workshop has no cluster {cluster_id}.")
    return cluster


def clusters_of(db: Session, workshop_id: int) -> list[WorkshopCluster]:
    return list(
        db.scalars(
            select(WorkshopCluster)
            .where(WorkshopCluster.workshop_id == workshop_id)
            .order_by(WorkshopCluster.position, WorkshopCluster.id)
        )
    )


def create_cluster(db: Session, actor: Actor, workshop_id: int, name: str) -> WorkshopCluster:
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _clustering_step(workshop)
    position = db.scalar(
        select(func.max(WorkshopCluster.position)).where(WorkshopCluster.workshop_id == workshop.id)
    )
    cluster = WorkshopCluster(
        workshop_id=workshop.id,
        name=clean_text(name, "cluster name", MAX_CLUSTER_NAME),
        position=(position or 0) + 1,
    )
    db.add(cluster)
    touch(workshop)
    db.flush()
    return cluster


def rename_cluster(
    db: Session, actor: Actor, workshop_id: int, cluster_id: int, name: str
) -> WorkshopCluster:
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _clustering_step(workshop)
    cluster = _cluster_in(db, workshop, cluster_id)
    cluster.name = clean_text(name, "cluster name", MAX_CLUSTER_NAME)
    touch(workshop)
    return cluster


def delete_cluster(db: Session, actor: Actor, workshop_id: int, cluster_id: int) -> None:
    """Remove a cluster; its ideas become unclustered (the ideas themselves stay)."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _clustering_step(workshop)
    cluster = _cluster_in(db, workshop, cluster_id)
    for idea in db.scalars(select(Idea).where(Idea.cluster_id == cluster.id)):
        idea.cluster_id = None
    db.delete(cluster)
    touch(workshop)
    db.flush()


def assign_clusters(
    db: Session, actor: Actor, workshop_id: int, assignment: Mapping[int, int | None]
) -> int:
    """Put ideas into clusters (``None``: unclustered). Returns how many ideas moved."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _clustering_step(workshop)
    moved = 0
    for idea_id, cluster_id in assignment.items():
        idea = _idea_in(db, workshop, idea_id)
        if cluster_id is not None:
            _cluster_in(db, workshop, cluster_id)
        if idea.cluster_id != cluster_id:
            idea.cluster_id = cluster_id
            moved += 1
    if moved:
        touch(workshop)
    db.flush()
    return moved


def propose_clustering(db: Session, actor: Actor, workshop_id: int) -> list[WorkshopCluster]:
    """Group the ideas not yet in a cluster by text similarity, as a first draft.

    Existing clusters are never touched; groups of one idea are left unclustered. The names
    are the most central idea of each group, for the facilitator to rename.
    """
    # Imported here: scikit-learn's clustering is slow to import and only this needs it.
    from tracktwo.parts.workshops.ism.clustering import propose_clusters

    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _clustering_step(workshop)
    loose = [idea for idea in active_ideas(db, workshop.id) if idea.cluster_id is None]
    made = []
    for proposal in propose_clusters([idea.text for idea in loose]):
        if len(proposal.members) < 2:
            continue
        cluster = create_cluster(db, actor, workshop.id, proposal.label)
        for member in proposal.members:
            loose[member].cluster_id = cluster.id
        made.append(cluster)
    db.flush()
    return made


# --- preference votes -----------------------------------------------------------------------


def _active_votes(db: Session, workshop_id: int) -> list[PreferenceVote]:
    return list(
        db.scalars(
            select(PreferenceVote).where(
                PreferenceVote.workshop_id == workshop_id, PreferenceVote.replaced_at.is_(None)
            )
        )
    )


def my_preferences(db: Session, participant: Participant, workshop_id: int) -> list[int]:
    """The idea ids this participant currently picks."""
    return [
        vote.idea_id
        for vote in _active_votes(db, workshop_id)
        if vote.participant_id == participant.id
    ]


def cast_preferences(
    db: Session, participant: Participant, workshop_id: int, idea_ids: Sequence[int]
) -> list[int]:
    """A participant's top-N picks. A new ballot replaces the last one (both are kept)."""
    workshop = require_member(db, participant, workshop_id)
    require_step(
        workshop,
        WorkshopStep.VOTING,
        N_("Preference votes can be cast only during the voting step."),
    )
    chosen = list(dict.fromkeys(idea_ids))
    if not chosen:
        raise InvalidInput(N_("Choose at least one idea."))
    if len(chosen) > workshop.votes_per_participant:
        raise InvalidInput(N_("You chose too many ideas; uncheck some and send again."))
    valid = {idea.id for idea in active_ideas(db, workshop.id)}
    if any(idea_id not in valid for idea_id in chosen):
        raise NotFound(N_("One of the ideas you chose is not in this workshop any more."))
    now = utcnow()
    for vote in _active_votes(db, workshop.id):
        if vote.participant_id == participant.id:
            vote.replaced_at = now
    for idea_id in chosen:
        db.add(
            PreferenceVote(workshop_id=workshop.id, participant_id=participant.id, idea_id=idea_id)
        )
    touch(workshop, seen_by_participants=False)
    db.flush()
    return chosen


def preference_tallies(db: Session, workshop: Workshop) -> list[IdeaTally]:
    """Every active idea with its votes per side, most voted first (ties by idea number)."""
    ideas = {idea.id: idea for idea in active_ideas(db, workshop.id)}
    counts: dict[int, dict[str, int]] = {idea_id: {} for idea_id in ideas}
    votes = _active_votes(db, workshop.id)
    voters = {
        participant.id: participant
        for participant in db.scalars(
            select(Participant).where(Participant.id.in_({vote.participant_id for vote in votes}))
        )
    }
    for vote in votes:
        if vote.idea_id in counts:
            side = side_name(voters[vote.participant_id])
            counts[vote.idea_id][side] = counts[vote.idea_id].get(side, 0) + 1
    order = [side.name for side in workshop.initiative.sides] + [UNDECLARED_SIDE]
    tallies = [
        IdeaTally(
            idea=ideas[idea_id],
            by_side={name: by_side.get(name, 0) for name in order},
            total=sum(by_side.values()),
        )
        for idea_id, by_side in counts.items()
    ]
    return sorted(tallies, key=lambda tally: (-tally.total, tally.idea.number))


def voters_by_side(db: Session, workshop: Workshop) -> dict[str, int]:
    """How many participants of each side have cast a ballot."""
    people = set(
        db.scalars(
            select(PreferenceVote.participant_id).where(
                PreferenceVote.workshop_id == workshop.id, PreferenceVote.replaced_at.is_(None)
            )
        )
    )
    counts = {side.name: 0 for side in workshop.initiative.sides} | {UNDECLARED_SIDE: 0}
    for participant in db.scalars(select(Participant).where(Participant.id.in_(people))):
        counts[side_name(participant)] += 1
    return counts
