"""What a dialogue found, prepared for people: the results page and the Track One brief.

Everything here is safe to show to observers: participants appear only as anonymous points
on the map, statements carry no author, and any breakdown of fewer than ``min_cell`` people
(for example how many members of one side are in a small opinion group) is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracktwo.actions.analysis import latest_snapshot, public_result
from tracktwo.actions.dialogues import dialogue_summary
from tracktwo.store.models import Dialogue, Statement, Vote

__all__ = ["DialogueFindings", "GroupView", "StatementView", "dialogue_findings"]

TOP = 8


@dataclass
class StatementView:
    id: int
    text: str
    language: str
    translations: dict[str, str]  # language -> translated text
    sides: list[dict[str, Any]] = field(default_factory=list)  # per-side share and interval
    groups: list[dict[str, Any]] = field(default_factory=list)  # per-group share
    agree_share: float | None = None
    n_votes: int = 0
    bridging: float | None = None
    bridging_status: str | None = None
    group_aware_consensus: float | None = None
    cross_side_consensus: bool = False
    direction: str | None = None  # for representative statements: agree or disagree
    share: float | None = None  # for representative statements: the group's share that way


@dataclass
class GroupView:
    id: int
    letter: str
    size: int
    composition: list[tuple[str, str]]  # (side, count or "fewer than N")
    representative: list[StatementView]


@dataclass
class DialogueFindings:
    dialogue: Dialogue
    has_results: bool
    participants_by_side: dict[str, int]
    participation: list[tuple[datetime, int, int]]  # (time, votes so far, people so far)
    participants: int
    statements: int
    votes: int
    first_vote: datetime | None
    last_vote: datetime | None
    common_ground: list[StatementView]
    common_ground_method: str  # "cross-side" or "consensus"
    divisive: list[StatementView]
    groups: list[GroupView]
    result: dict[str, Any] | None  # the public snapshot (no participant identifiers)
    analysed_at: datetime | None
    threshold: float
    min_cell: int
    side_colours: dict[str, str]


def _statement_views(db: Session, dialogue: Dialogue, ids: list[int]) -> dict[int, StatementView]:
    if not ids:
        return {}
    rows = db.scalars(
        select(Statement).where(Statement.dialogue_id == dialogue.id, Statement.id.in_(ids))
    )
    return {
        s.id: StatementView(
            id=s.id,
            text=s.text,
            language=s.language,
            translations={t.language: t.text for t in s.translations},
        )
        for s in rows
    }


def _letter(group: int) -> str:
    return chr(ord("A") + group) if 0 <= group < 26 else str(group)


def dialogue_findings(
    db: Session, dialogue: Dialogue, *, min_cell: int, top: int = TOP
) -> DialogueFindings:
    summary = dialogue_summary(db, dialogue)
    first, last = db.execute(
        select(func.min(Vote.created_at), func.max(Vote.created_at)).where(
            Vote.dialogue_id == dialogue.id
        )
    ).one()
    snapshot = latest_snapshot(db, dialogue.id)
    colours = {side.name: side.colour for side in dialogue.initiative.sides}
    findings = DialogueFindings(
        dialogue=dialogue,
        has_results=snapshot is not None,
        participants_by_side=summary.participants_by_side,
        participation=[],
        participants=summary.participants,
        statements=summary.statements,
        votes=summary.votes,
        first_vote=first,
        last_vote=last,
        common_ground=[],
        common_ground_method="consensus",
        divisive=[],
        groups=[],
        result=None,
        analysed_at=snapshot.created_at if snapshot else None,
        threshold=0.7,
        min_cell=min_cell,
        side_colours=colours,
    )
    if snapshot is None:
        return findings
    result = public_result(snapshot.result)
    findings.result = result
    findings.participation = [
        (datetime.fromtimestamp(ms / 1000, UTC), votes, people)
        for ms, votes, people in result.get("participation", [])
    ]
    findings.threshold = float(
        (result.get("settings") or {}).get("cross_side_threshold", findings.threshold)
    )
    by_id = {int(row["id"]): row for row in result.get("statements", [])}

    cross = result.get("cross_side") or []
    if cross:
        findings.common_ground_method = "cross-side"
        chosen = [int(entry["statement"]) for entry in cross[:top]]
    else:
        agreed = [
            int(entry["statement"])
            for entry in result.get("consensus", [])
            if entry.get("direction") == "agree"
        ]
        chosen = [sid for sid in agreed if sid in by_id][:top]
        if not chosen:  # nothing passes Polis's consensus test yet: rank by group-aware consensus
            ranked = sorted(by_id.values(), key=lambda r: -(r.get("group_aware_consensus") or 0))
            chosen = [int(row["id"]) for row in ranked[:top]]
    divisive_ids = [int(entry["statement"]) for entry in result.get("divisive", [])[:top]]
    representative_ids = [
        int(rep["statement"])
        for group in result.get("groups", [])
        for rep in group.get("representative", [])
    ]
    views = _statement_views(db, dialogue, chosen + divisive_ids + representative_ids)

    def view(statement_id: int) -> StatementView | None:
        base = views.get(statement_id)
        row = by_id.get(statement_id)
        if base is None or row is None:
            return None
        item = StatementView(**{**base.__dict__})
        n = int(row.get("n_votes") or 0)
        item.n_votes = n
        item.agree_share = (row.get("agree") or 0) / n if n else None
        item.bridging = row.get("bridging")
        item.bridging_status = row.get("bridging_status")
        item.group_aware_consensus = row.get("group_aware_consensus")
        item.cross_side_consensus = bool(row.get("cross_side_consensus"))
        item.sides = list(row.get("sides") or [])
        item.groups = list(row.get("groups") or [])
        return item

    findings.common_ground = [v for v in map(view, chosen) if v is not None]
    findings.divisive = [v for v in map(view, divisive_ids) if v is not None]
    composition = _composition(result, [s.name for s in dialogue.initiative.sides], min_cell)
    for group in result.get("groups", []):
        gid = int(group["id"])
        reps = []
        for rep in group.get("representative", []):
            item = view(int(rep["statement"]))
            if item is not None:
                item.direction = rep.get("direction")
                item.share = rep.get("p_success")
                reps.append(item)
        findings.groups.append(
            GroupView(
                id=gid,
                letter=_letter(gid),
                size=int(group.get("size") or 0),
                composition=composition.get(gid, []),
                representative=reps,
            )
        )
    return findings


def _composition(
    result: dict[str, Any], side_names: list[str], min_cell: int
) -> dict[int, list[tuple[str, str]]]:
    """How many members of each side are in each group, suppressing small cells."""
    counts: dict[int, dict[str, int]] = {}
    for person in result.get("participants", []):
        group = person.get("group")
        if group is None:
            continue
        side = person.get("side") or "Undeclared"
        counts.setdefault(int(group), {}).setdefault(side, 0)
        counts[int(group)][side] += 1
    suppressed = f"fewer than {min_cell}"
    return {
        group: [
            (side, str(n) if n >= min_cell else (suppressed if n else "0"))
            for side in [*side_names, "Undeclared"]
            for n in [by_side.get(side, 0)]
        ]
        for group, by_side in counts.items()
    }
