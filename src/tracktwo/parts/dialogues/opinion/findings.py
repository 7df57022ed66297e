"""What an analysis found, prepared for people: the results page and the Track One brief.

One pure function, :func:`with_analysis`, reads the JSON document of an analysis
(``OpinionResult.to_dict()``, as stored in a snapshot or written by ``tracktwo analyze``)
together with the statements' texts, and picks what people are shown: the common ground
across the sides, where the sides divide, and what distinguishes each opinion group. The
platform (statements in the database) and the command line (a Polis export, no database) both
call it, so a dialogue and an export are reported in exactly the same way.

Everything here is safe to show to observers: participants appear only as anonymous points
on the map, statements carry no author, and a count of fewer than ``min_cell`` people (for
example how many members of one side are in a small opinion group) is suppressed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from tracktwo.parts.dialogues.opinion.figures import group_letter

__all__ = [
    "TOP",
    "UNDECLARED",
    "Findings",
    "GroupView",
    "StatementId",
    "StatementText",
    "StatementView",
    "public_result",
    "row_label",
    "small_sides",
    "split_small_rows",
    "statement_key",
    "suppressed_count",
    "with_analysis",
]

TOP = 8
UNDECLARED = "Undeclared"
StatementId = int | str  # the platform's ids are integers; a Polis export's may be text


@dataclass(frozen=True)
class StatementText:
    """A statement as people read it: its words, their language, and its translations."""

    text: str
    language: str | None  # None when unknown (a Polis export does not say)
    translations: Mapping[str, str] = field(default_factory=dict)  # language -> text


@dataclass
class StatementView:
    id: StatementId
    text: str
    language: str | None
    translations: Mapping[str, str]  # language -> translated text
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
    n_success: int = 0  # for representative statements: how many in the group voted that way
    n_trials: int = 0  # for representative statements: how many in the group voted on it


@dataclass
class GroupView:
    id: int
    letter: str
    size: int
    composition: list[tuple[str, str]]  # (side, count or "fewer than N")
    representative: list[StatementView]


@dataclass(kw_only=True)
class Findings:
    """A dialogue's (or a Polis conversation's) counts, and what its latest analysis found."""

    topic: str
    participants_by_side: dict[str, int]  # side name -> people; "Undeclared" last
    participants: int
    statements: int
    votes: int
    first_vote: datetime | None
    last_vote: datetime | None
    min_cell: int
    side_colours: dict[str, str]  # the declared sides, in order, with their colours
    analysed_at: datetime | None = None
    has_results: bool = False
    participation: list[tuple[datetime, int, int]] = field(default_factory=list)
    common_ground: list[StatementView] = field(default_factory=list)
    common_ground_method: str = "consensus"  # "cross-side" or "consensus"
    divisive: list[StatementView] = field(default_factory=list)  # across opinion groups
    divisive_sides: list[StatementView] = field(default_factory=list)  # across declared sides
    groups: list[GroupView] = field(default_factory=list)
    result: dict[str, Any] | None = None  # the public document (no participant identifiers)
    threshold: float = 0.7


FindingsT = TypeVar("FindingsT", bound=Findings)
TextLoader = Callable[[Sequence[StatementId]], Mapping[StatementId, StatementText]]


def public_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """The analysis document as observers may see it: no participant identifier anywhere.

    Participants stay as anonymous points (position, group, side) so the map can be drawn;
    their pseudonyms are removed.
    """
    public = dict(result)
    public["participants"] = [
        {key: value for key, value in row.items() if key != "id"}
        for row in result.get("participants", [])
    ]
    return public


def suppressed_count(n: int, min_cell: int) -> str:
    """A count of people as it may be published: small non-zero counts are hidden."""
    return str(n) if n >= min_cell or n == 0 else f"fewer than {min_cell}"


def row_label(row: Mapping[str, Any]) -> str:
    """The name of a tally row: its side, or "Group A" for an opinion group."""
    return str(row["side"]) if "side" in row else f"Group {group_letter(int(row['group']))}"


def split_small_rows(
    rows: Iterable[Mapping[str, Any]], min_cell: int
) -> tuple[list[Mapping[str, Any]], list[str]]:
    """A statement's per-side or per-group tally rows: those with at least ``min_cell``
    voters, and the names of those hidden because fewer voted."""
    everything = list(rows)
    kept = [row for row in everything if int(row.get("n") or 0) >= min_cell]
    hidden = [row_label(row) for row in everything if int(row.get("n") or 0) < min_cell]
    return kept, hidden


def statement_key(value: Any) -> StatementId:
    """A statement id as the findings use it: text stays text, anything else is an integer."""
    return value if isinstance(value, str) else int(value)


def small_sides(findings: Findings) -> list[str]:
    """The declared sides that took part with fewer than ``min_cell`` people.

    Rankings that compare the sides (common ground across the sides, where the sides divide)
    would, with such a side, tell what a handful of people think even with their shares
    hidden; with ``hide_small_sides`` the findings compare opinion groups instead.
    """
    return [
        side
        for side in findings.side_colours
        if 0 < findings.participants_by_side.get(side, 0) < findings.min_cell
    ]


def _chosen_ids(
    result: Mapping[str, Any],
    by_id: Mapping[StatementId, Mapping[str, Any]],
    top: int,
    compare_sides: bool,
) -> tuple[str, list[StatementId]]:
    """The common ground: by cross-side agreement when there are sides, else by consensus."""
    cross = (result.get("cross_side") or []) if compare_sides else []
    if cross:
        return "cross-side", [statement_key(entry["statement"]) for entry in cross[:top]]
    agreed = [
        statement_key(entry["statement"])
        for entry in result.get("consensus", [])
        if entry.get("direction") == "agree"
    ]
    chosen = [sid for sid in agreed if sid in by_id][:top]
    if not chosen:  # nothing passes Polis's consensus test yet: rank by group-aware consensus
        ranked = sorted(by_id.values(), key=lambda r: -(r.get("group_aware_consensus") or 0))
        chosen = [statement_key(row["id"]) for row in ranked[:top]]
    return "consensus", chosen


def with_analysis(
    findings: FindingsT,
    document: Mapping[str, Any],
    texts: TextLoader,
    *,
    top: int = TOP,
    hide_small_sides: bool = False,
) -> FindingsT:
    """``findings`` completed with what the analysis ``document`` found.

    Parameters
    ----------
    findings
        The counts of the dialogue or conversation (from the database or an export).
    document
        The analysis document (``OpinionResult.to_dict()``), possibly with the
        ``participation`` series the platform adds. Participant identifiers in it are dropped.
    texts
        Returns the texts of the statements it is asked for (statements it does not know
        are left out of the findings).
    top
        How many statements each list (common ground, divisive) keeps.
    hide_small_sides
        Never compare the sides when one took part with fewer than ``min_cell`` people
        (see :func:`small_sides`): the brief's rule. The results page, which follows a
        dialogue as people join, compares the sides from the first votes.
    """
    result = public_result(document)
    threshold = float((result.get("settings") or {}).get("cross_side_threshold", 0.7))
    by_id = {statement_key(row["id"]): row for row in result.get("statements", [])}
    compare_sides = not (hide_small_sides and small_sides(findings))
    method, chosen = _chosen_ids(result, by_id, top, compare_sides)
    divisive_ids = [statement_key(entry["statement"]) for entry in result.get("divisive", [])[:top]]
    by_sides = (result.get("divisive_sides") or []) if compare_sides else []
    side_divisive_ids = [statement_key(entry["statement"]) for entry in by_sides[:top]]
    representative_ids = [
        statement_key(rep["statement"])
        for group in result.get("groups", [])
        for rep in group.get("representative", [])
    ]
    wanted = chosen + divisive_ids + side_divisive_ids + representative_ids
    known = texts(list(dict.fromkeys(wanted)))

    def view(statement_id: StatementId) -> StatementView | None:
        base = known.get(statement_id)
        row = by_id.get(statement_id)
        if base is None or row is None:
            return None
        n = int(row.get("n_votes") or 0)
        return StatementView(
            id=statement_id,
            text=base.text,
            language=base.language,
            translations=dict(base.translations),
            sides=list(row.get("sides") or []),
            groups=list(row.get("groups") or []),
            agree_share=(row.get("agree") or 0) / n if n else None,
            n_votes=n,
            bridging=row.get("bridging"),
            bridging_status=row.get("bridging_status"),
            group_aware_consensus=row.get("group_aware_consensus"),
            cross_side_consensus=bool(row.get("cross_side_consensus")),
        )

    composition = _composition(result, list(findings.side_colours), findings.min_cell)
    groups = []
    for group in result.get("groups", []):
        gid = int(group["id"])
        representative = []
        for rep in group.get("representative", []):
            item = view(statement_key(rep["statement"]))
            if item is not None:
                item.direction = rep.get("direction")
                item.share = rep.get("p_success")
                item.n_success = int(rep.get("n_success") or 0)
                item.n_trials = int(rep.get("n_trials") or 0)
                representative.append(item)
        groups.append(
            GroupView(
                id=gid,
                letter=group_letter(gid),
                size=int(group.get("size") or 0),
                composition=composition.get(gid, []),
                representative=representative,
            )
        )
    return dataclasses.replace(
        findings,
        has_results=True,
        result=result,
        threshold=threshold,
        participation=[
            (datetime.fromtimestamp(ms / 1000, UTC), votes, people)
            for ms, votes, people in result.get("participation", [])
        ],
        common_ground_method=method,
        common_ground=[v for v in map(view, chosen) if v is not None],
        divisive=[v for v in map(view, divisive_ids) if v is not None],
        divisive_sides=[v for v in map(view, side_divisive_ids) if v is not None],
        groups=groups,
    )


def _composition(
    result: Mapping[str, Any], side_names: list[str], min_cell: int
) -> dict[int, list[tuple[str, str]]]:
    """How many members of each side are in each group, suppressing small cells."""
    counts: dict[int, dict[str, int]] = {}
    for person in result.get("participants", []):
        group = person.get("group")
        if group is None:
            continue
        side = person.get("side") or UNDECLARED
        counts.setdefault(int(group), {}).setdefault(side, 0)
        counts[int(group)][side] += 1
    return {
        group: [
            (side, suppressed_count(by_side.get(side, 0), min_cell))
            for side in [*side_names, UNDECLARED]
        ]
        for group, by_side in counts.items()
    }
