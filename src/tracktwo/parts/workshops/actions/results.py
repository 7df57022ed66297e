"""What a workshop produced, for pages, exports and the brief: the influence tree, the root
drivers, MICMAC and the action plan; and the exports (SVG, PNG, relations CSV, JSON).

Facilitators see everything, including which pseudonym wrote which idea. Observers (Track
One) see the map only once it is final (the action-plan step or later), and never an author,
a pseudonym, or votes broken down by side (such small cells could identify people).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor, role_in
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict
from tracktwo.kernel.i18n import translator
from tracktwo.kernel.tracks import track
from tracktwo.parts.workshops.actions.ideas import (
    clusters_of,
    idea_history,
    ideas_of,
    preference_tallies,
    questions_by_idea,
)
from tracktwo.parts.workshops.actions.mapping import MapOverview, decisions_of, map_overview
from tracktwo.parts.workshops.actions.plan import action_items
from tracktwo.parts.workshops.actions.translations import idea_text_for, question_language
from tracktwo.parts.workshops.actions.workshops import members_of, side_name, workshop_for
from tracktwo.parts.workshops.ism.exports import map_json, relations_csv
from tracktwo.parts.workshops.ism.figures import (
    FigureText,
    influence_tree_png,
    influence_tree_svg,
    micmac_svg,
)
from tracktwo.parts.workshops.ism.ism import Structure
from tracktwo.parts.workshops.models import (
    ActionItem,
    Idea,
    Workshop,
    WorkshopAssignment,
    WorkshopStep,
)

__all__ = [
    "WorkshopResult",
    "export_json",
    "figure_text",
    "is_final",
    "relations_csv_for",
    "result_for",
    "tree_png_for",
    "tree_svg_for",
    "workshop_result",
]

EXPORT_FORMAT = "tracktwo.workshop/1"


@dataclass(frozen=True)
class WorkshopResult:
    """The map and plan of one workshop, without any author."""

    workshop: Workshop
    overview: MapOverview | None
    final: bool  # the facilitators closed the mapping step

    @cached_property
    def structure(self) -> Structure | None:
        return self.overview.session.structure() if self.overview is not None else None

    @property
    def ideas(self) -> list[Idea]:
        return self.overview.ideas if self.overview is not None else []

    @property
    def labels(self) -> list[str]:
        return self.overview.labels if self.overview is not None else []

    @property
    def root_drivers(self) -> list[Idea]:
        structure = self.structure
        if structure is None or len(structure.levels) < 2:
            return []
        return [self.ideas[k] for k in structure.root_drivers]

    @property
    def cycles(self) -> list[list[Idea]]:
        structure = self.structure
        if structure is None:
            return []
        return [[self.ideas[k] for k in members] for members in structure.cycles]

    @property
    def numbered_labels(self) -> list[str]:
        """Labels that start with the idea's number in the workshop, as every page shows it."""
        return self.numbered_labels_in(None)

    def numbered_labels_in(self, language: str | None) -> list[str]:
        """Numbered labels in ``language`` where translated (``None``: the originals)."""
        return [
            f"{idea.number}. {idea_text_for(idea, language)[0] if language else idea.text}"
            for idea in self.ideas
        ]

    def tree_svg(self, text: FigureText | None = None, language: str | None = None) -> str | None:
        """The influence tree; ``language`` labels it with translated ideas where they exist."""
        structure = self.structure
        if structure is None:
            return None
        labels = self.numbered_labels_in(language)
        return influence_tree_svg(structure, labels, text=text, numbered=False)

    def tree_png(self) -> bytes | None:
        structure = self.structure
        if structure is None:
            return None
        return influence_tree_png(structure, self.numbered_labels, numbered=False)

    def micmac_svg(self, text: FigureText | None = None) -> str | None:
        structure = self.structure
        if structure is None:
            return None
        numbers = [idea.number for idea in self.ideas]
        return micmac_svg(structure, self.labels, text=text, numbers=numbers)


def figure_text(language: str) -> FigureText:
    """The fixed words of the figures in a language (participants' pages, the brief)."""
    gettext = translator(language)
    return FigureText(
        level=gettext("Level {number}"),
        outcomes=gettext("outcomes"),
        root_drivers=gettext("root drivers"),
        cycle=gettext("Reinforce each other:"),
        unlinked=gettext("Not linked"),
        tree_title=gettext("Influence tree"),
        tree_description=gettext(
            "Ideas in {levels} levels; an arrow points from an idea to an idea it helps. "
            "Root drivers are at the bottom."
        ),
    )


def is_final(workshop: Workshop) -> bool:
    return workshop.step in (WorkshopStep.ACTION_PLAN, WorkshopStep.CLOSED)


def workshop_result(db: Session, workshop: Workshop) -> WorkshopResult:
    """The result as it stands (no access check: for the brief and for callers that checked)."""
    return WorkshopResult(
        workshop=workshop, overview=map_overview(db, workshop), final=is_final(workshop)
    )


def result_for(db: Session, actor: Actor, workshop_id: int) -> WorkshopResult:
    """The result for ``actor``: observers only once the map is final."""
    workshop = workshop_for(db, actor, workshop_id)
    role = role_in(db, actor, workshop.initiative_id)
    if role == Role.OBSERVER and not is_final(workshop):
        raise Conflict(
            "The influence map of this workshop is not finished yet; observers see it once "
            "the facilitators have closed the mapping step."
        )
    return workshop_result(db, workshop)


def tree_svg_for(db: Session, actor: Actor, workshop_id: int) -> str:
    result = result_for(db, actor, workshop_id)
    svg = result.tree_svg()
    if svg is None:
        raise Conflict("This workshop has no influence map yet.")
    return svg


def tree_png_for(db: Session, actor: Actor, workshop_id: int) -> bytes:
    png = result_for(db, actor, workshop_id).tree_png()
    if png is None:
        raise Conflict("This workshop has no influence map yet.")
    return png


def relations_csv_for(db: Session, actor: Actor, workshop_id: int) -> str:
    result = result_for(db, actor, workshop_id)
    if result.overview is None:
        raise Conflict("This workshop has no influence map yet.")
    return relations_csv(
        result.overview.session,
        labels=result.labels,
        ids=[f"#{idea.number}" for idea in result.ideas],
    )


# --- JSON -----------------------------------------------------------------------------------


def _idea_json(idea: Idea, *, authors: dict[int, str] | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": idea.id,
        "number": idea.number,
        "text": idea.text,
        "clarification": idea.clarification,
        "language": idea.language,
        "translations": {t.language: t.text for t in idea.translations},
        "state": idea.state.value,
        "merged_into": idea.merged_into_id,
        "split_from": idea.split_from_id,
        "cluster": idea.cluster_id,
        "round": idea.round,
        "created_at": idea.created_at.isoformat(),
    }
    if authors is not None:
        row["author"] = authors.get(idea.author_id) if idea.author_id else None
    return row


def _plan_json(items: list[ActionItem]) -> list[dict[str, Any]]:
    return [
        {
            "option": item.option,
            "owner": item.owner,
            "track": item.track,
            "track_name": track(item.track).name if item.track else None,
            "status": item.status.value,
            "drivers": [idea.number for idea in item.drivers],
        }
        for item in items
    ]


def export_json(db: Session, actor: Actor, workshop_id: int) -> dict[str, Any]:
    """Everything about a workshop as plain JSON types.

    Facilitators get the whole record: pseudonymous participants and their side assignments,
    every idea with its author, revisions and clarification questions, ballots, the map with
    its audit trail of decisions, and the plan. Observers get the final map, the ideas in it
    (no authors), preference totals (no breakdown by side) and the plan.
    """
    result = result_for(db, actor, workshop_id)
    workshop = result.workshop
    facilitator = bool(
        (role_in(db, actor, workshop.initiative_id) or Role.OBSERVER).at_least(Role.FACILITATOR)
    )
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "triggering_question": workshop.question,
            "question_language": question_language(workshop),
            "question_translations": {t.language: t.text for t in workshop.question_translations},
            "step": workshop.step.value,
            "votes_per_participant": workshop.votes_per_participant,
            "decision_rule": workshop.decision_rule.value,
            "qualified_fraction": workshop.qualified_fraction,
            "mode": workshop.mode.value,
            "created_at": workshop.created_at.isoformat(),
        },
        "sides": [side.name for side in workshop.initiative.sides],
    }
    tallies = preference_tallies(db, workshop)
    mapped = {idea.id for idea in result.ideas}
    if facilitator:
        data.update(_facilitator_record(db, workshop))
        data["preference_votes"] = [
            {"idea": t.idea.number, "total": t.total, "by_side": t.by_side} for t in tallies
        ]
    else:
        data["ideas"] = [_idea_json(idea, authors=None) for idea in result.ideas]
        data["preference_votes"] = [
            {"idea": t.idea.number, "total": t.total} for t in tallies if t.idea.id in mapped
        ]
    data["clusters"] = [
        {"id": cluster.id, "name": cluster.name} for cluster in clusters_of(db, workshop.id)
    ]
    if result.overview is not None:
        data["map"] = {
            "ideas": [idea.number for idea in result.ideas],
            **map_json(result.overview.session, labels=result.labels),
        }
        if not facilitator:
            data["map"].pop("state")  # its answer order is part of the audit trail
        else:
            data["map"]["decisions"] = [
                {
                    "kind": d.kind,
                    "from": d.from_idea_id,
                    "to": d.to_idea_id,
                    "outcome": d.outcome,
                    "reason": d.reason,
                    "device_tallies": d.device_tallies,
                    "room_tallies": d.room_tallies,
                    "rule": d.rule,
                    "qualified_fraction": d.qualified_fraction,
                    "applied": d.applied,
                    "contradiction": d.contradiction,
                    "created_at": d.created_at.isoformat(),
                }
                for d in decisions_of(db, workshop)
            ]
    data["action_plan"] = _plan_json(action_items(db, workshop))
    return data


def _facilitator_record(db: Session, workshop: Workshop) -> dict[str, Any]:
    members = members_of(db, workshop.id)
    pseudonyms = {m.participant.id: m.participant.pseudonym for m in members}
    sides = {side.id: side.name for side in workshop.initiative.sides}
    ideas = ideas_of(db, workshop.id)
    questions = questions_by_idea(db, ideas)
    idea_rows = []
    for idea in ideas:
        row = _idea_json(idea, authors=pseudonyms)
        row["revisions"] = [
            {
                "kind": r.kind,
                "text_before": r.text_before,
                "text_after": r.text_after,
                "clarification_before": r.clarification_before,
                "clarification_after": r.clarification_after,
                "related": r.related,
                "at": r.created_at.isoformat(),
            }
            for r in idea_history(db, idea)
        ]
        row["questions"] = [
            {"question": q.question, "answer": q.answer} for q in questions.get(idea.id, [])
        ]
        idea_rows.append(row)
    participants = {
        p.id: p for p in db.scalars(select(Participant).where(Participant.id.in_(pseudonyms)))
    }
    return {
        "participants": [
            {
                "pseudonym": m.participant.pseudonym,
                "side": side_name(participants[m.participant_id]),
                "joined_at": m.joined_at.isoformat(),
            }
            for m in members
        ],
        "assignments": [
            {
                "pseudonym": pseudonyms.get(a.participant_id),
                "side": sides.get(a.side_id) if a.side_id else None,
                "reason": a.reason,
                "at": a.created_at.isoformat(),
            }
            for a in db.scalars(
                select(WorkshopAssignment)
                .where(WorkshopAssignment.workshop_id == workshop.id)
                .order_by(WorkshopAssignment.id)
            )
        ],
        "ideas": idea_rows,
    }
