"""The dialogue sections of the brief: headline figures, common ground, divisions, opinion
groups, the opinion map, and the method with its limits.

They work from ``scope.findings`` alone (``needs_database=False``), so a Polis export analysed
on the command line gets exactly the same sections as a dialogue on the platform.

The Chatham House rule is kept here by construction: the findings carry no participant
identifier and no author; every count of people goes through ``suppressed_count``; a side's
or group's share is shown only when at least ``min_cell`` people voted; the map marks no side
and leaves out groups smaller than ``min_cell``; and a dialogue with fewer than ``min_cell``
participants is not described at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from tracktwo.common.brief.registry import BriefScope, Section, brief_section
from tracktwo.common.brief.render import render_fragment
from tracktwo.parts.dialogues.opinion.figures import (
    agreement_bars,
    opinion_map,
)
from tracktwo.parts.dialogues.opinion.findings import (
    UNDECLARED,
    Findings,
    StatementView,
    row_label,
    small_sides,
    split_small_rows,
    suppressed_count,
)

__all__ = ["brief_map"]

COMMON_GROUND = 6  # statements per dialogue in "common ground"
DIVISIVE = 5  # statements per dialogue in "where they divide"
BRIDGING = {
    "helpful": "bridges the divide",
    "not_helpful": "does not bridge the divide",
    "needs_more_ratings": "not clearly bridging",
    "excluded": "moderated out",
}


@dataclass
class ShareRow:
    """Who voted how on a statement, for one side or one opinion group."""

    label: str
    n: int
    agree: float | None = None
    disagree: float | None = None
    passed: float | None = None
    lower: float | None = None
    upper: float | None = None
    suppressed: bool = False


@dataclass
class StatementItem:
    statement: StatementView
    translations: list[tuple[str, str]]  # (language, text), in the participants' languages
    figure: Markup | None = None
    rows: list[ShareRow] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # sides or groups with too few voters


def _several(scope: BriefScope) -> bool:
    return len(scope.findings) > 1


def _reportable(scope: BriefScope) -> list[Findings]:
    """The dialogues the brief may describe: analysed, and with enough people."""
    return [f for f in scope.findings if f.has_results and f.participants >= scope.min_cell]


def _has_sides(findings: Findings) -> bool:
    return bool(findings.side_colours) and any(v.sides for v in findings.common_ground)


def _share_rows(
    rows: Iterable[Mapping[str, Any]], min_cell: int
) -> tuple[list[ShareRow], list[str]]:
    """Rows of a statement's tally, with those of fewer than ``min_cell`` voters hidden."""
    kept, hidden = split_small_rows(rows, min_cell)
    shown = []
    for row in kept:
        name = row_label(row)
        n = int(row.get("n") or 0)
        shown.append(
            ShareRow(
                label=name,
                n=n,
                agree=(row.get("agree") or 0) / n,
                disagree=(row.get("disagree") or 0) / n,
                passed=(row.get("pass") or 0) / n,
                lower=row.get("lower"),
                upper=row.get("upper"),
            )
        )
    return shown, hidden


def _translations(statement: StatementView, languages: Sequence[str]) -> list[tuple[str, str]]:
    order = list(languages) or sorted(statement.translations)
    return [
        (language, statement.translations[language])
        for language in order
        if language != statement.language and statement.translations.get(language)
    ]


def _period(first: datetime | None, last: datetime | None) -> str:
    if first is None or last is None:
        return "–"
    start, end = (moment.strftime("%d %B %Y").lstrip("0") for moment in (first, last))
    return start if start == end else f"{start} to {end}"


def _section(key: str, title: str, template: str, summary: str = "", **values: Any) -> Section:
    return Section(key=key, title=title, html=render_fragment(template, **values), summary=summary)


# --- 1. headline figures --------------------------------------------------------------------


@brief_section(10, "headline", needs_database=False)
def headline(scope: BriefScope) -> Section:
    """Who took part and how much, per dialogue; says so plainly when nobody has voted."""
    columns = scope.findings
    cell = scope.min_cell
    sides = list(dict.fromkeys(side for f in columns for side in f.participants_by_side))
    rows: list[tuple[str, list[str], bool]] = [
        ("Participants", [suppressed_count(f.participants, cell) for f in columns], False)
    ]
    if any(side != UNDECLARED for side in sides):
        rows += [
            (
                side,
                [suppressed_count(f.participants_by_side.get(side, 0), cell) for f in columns],
                True,
            )
            for side in sides
        ]
    rows += [
        ("Statements", [f"{f.statements:,}" for f in columns], False),
        ("Votes", [f"{f.votes:,}" for f in columns], False),
        ("Votes cast", [_period(f.first_vote, f.last_vote) for f in columns], False),
    ]
    voted = [f for f in columns if f.votes]
    if not voted:
        where = "this dialogue" if len(columns) == 1 else "any of the initiative's dialogues"
        if not columns:
            where = "this initiative, which has no dialogues yet"
        summary = f"No one has voted yet in {where}, so there are no findings to report."
    elif len(voted) == 1:
        f = voted[0]
        summary = (
            f"{suppressed_count(f.participants, cell).capitalize()} people cast {f.votes:,} "
            f"votes on {f.statements:,} statements ({_period(f.first_vote, f.last_vote)})."
        )
    else:
        summary = (
            f"{sum(f.votes for f in voted):,} votes were cast in {len(voted)} dialogues "
            f"on {sum(f.statements for f in voted):,} statements."
        )
    return _section(
        "headline",
        "Headline figures",
        "dialogues/brief/headline.html",
        summary,
        columns=columns,
        rows=rows,
        several=_several(scope),
        voted=voted,
        too_few=[f for f in voted if f.participants < cell],
        pending=[f for f in voted if not f.has_results and f.participants >= cell],
        has_sides=any(f.side_colours for f in columns),
        min_cell=cell,
        notice=summary,
    )


# --- 2. common ground -----------------------------------------------------------------------


def _common_item(findings: Findings, statement: StatementView, scope: BriefScope) -> StatementItem:
    item = StatementItem(statement, _translations(statement, scope.languages))
    if statement.sides:
        rows, item.hidden = _share_rows(statement.sides, scope.min_cell)
        shown = [r for r in statement.sides if str(r["side"]) not in item.hidden]
        if shown:
            item.figure = Markup(
                agreement_bars(shown, findings.side_colours, threshold=findings.threshold)
            )
    else:
        rows, item.hidden = _share_rows(statement.groups, scope.min_cell)
    item.rows = rows
    return item


@brief_section(20, "common-ground", needs_database=False)
def common_ground(scope: BriefScope) -> Section | None:
    """The statements with the strongest agreement in every side (or every opinion group)."""
    blocks = [
        (f, [_common_item(f, s, scope) for s in f.common_ground[:COMMON_GROUND]], small_sides(f))
        for f in _reportable(scope)
    ]
    blocks = [block for block in blocks if block[1]]
    if not blocks:
        return None
    first, items, _small = blocks[0]
    top = items[0]
    if first.common_ground_method == "cross-side" and top.rows:
        least = round(min(r.agree or 0.0 for r in top.rows) * 100)
        who = "every side with enough voters" if top.hidden else "every side"
        summary = (
            f"Strongest common ground: “{top.statement.text}” — at least {least}% of {who} agrees."
        )
    else:
        summary = f"Most agreed across the opinion groups: “{top.statement.text}”"
    sides = any(f.side_colours for f, _, _ in blocks)
    return _section(
        "common-ground",
        "Common ground across the sides" if sides else "Common ground across the opinion groups",
        "dialogues/brief/common_ground.html",
        summary,
        blocks=blocks,
        several=_several(scope),
        min_cell=scope.min_cell,
        bridging=BRIDGING,
    )


# --- 3. where they divide -------------------------------------------------------------------


def _divisive_item(statement: StatementView, scope: BriefScope) -> StatementItem:
    sides, hidden_sides = _share_rows(statement.sides, scope.min_cell)
    groups, hidden_groups = _share_rows(statement.groups, scope.min_cell)
    item = StatementItem(statement, [])
    item.rows = sides + groups
    item.hidden = hidden_sides + hidden_groups
    return item


@brief_section(30, "divisions", needs_database=False)
def divisions(scope: BriefScope) -> Section | None:
    """The statements on which the sides (or, without sides, the opinion groups) differ most."""
    blocks = []
    for f in _reportable(scope):
        by_sides = bool(f.divisive_sides)
        chosen = (f.divisive_sides if by_sides else f.divisive)[:DIVISIVE]
        items = [_divisive_item(s, scope) for s in chosen]
        if items:
            blocks.append((f, by_sides, items))
    if not blocks:
        return None
    return _section(
        "divisions",
        "Where they divide",
        "dialogues/brief/divisions.html",
        blocks=blocks,
        several=_several(scope),
        min_cell=scope.min_cell,
    )


# --- 4. opinion groups ----------------------------------------------------------------------


@brief_section(40, "opinion-groups", needs_database=False)
def opinion_groups(scope: BriefScope) -> Section | None:
    """Each opinion group: its size, its sides, and the statements that set it apart."""
    blocks = [
        (
            f,
            f.groups,
            suppressed_count(
                sum(1 for p in (f.result or {}).get("participants", []) if p.get("group") is None),
                scope.min_cell,
            ),
        )
        for f in _reportable(scope)
        if f.groups
    ]
    if not blocks:
        return None
    return _section(
        "opinion-groups",
        "Opinion groups",
        "dialogues/brief/groups.html",
        blocks=blocks,
        several=_several(scope),
        min_cell=scope.min_cell,
        count=lambda n: suppressed_count(n, scope.min_cell),
    )


# --- 5. the opinion map ---------------------------------------------------------------------


def brief_map(findings: Findings) -> Markup:
    """The opinion map as the brief shows it: groups only, no side marks, no small groups.

    Side shapes would let a reader count how many members of a side sit in a group, a number
    the groups section suppresses when it is small; groups smaller than ``min_cell`` would be
    countable dot by dot.
    """
    result = findings.result or {}
    large = {
        int(g["id"])
        for g in result.get("groups", [])
        if int(g.get("size") or 0) >= findings.min_cell
    }
    document = {
        "participants": [
            {key: value for key, value in person.items() if key != "side"}
            for person in result.get("participants", [])
            if person.get("group") is None or int(person["group"]) in large
        ],
        "groups": [g for g in result.get("groups", []) if int(g["id"]) in large],
    }
    return Markup(opinion_map(document, ()))


@brief_section(45, "opinion-map", needs_database=False)
def map_section(scope: BriefScope) -> Section | None:
    maps = [(f, brief_map(f)) for f in _reportable(scope) if (f.result or {}).get("participants")]
    if not maps:
        return None
    return _section(
        "opinion-map",
        "The opinion map",
        "dialogues/brief/map.html",
        maps=[(f, figure, any(g.size < scope.min_cell for g in f.groups)) for f, figure in maps],
        several=_several(scope),
        min_cell=scope.min_cell,
    )


# --- 8. method and limits -------------------------------------------------------------------


@dataclass
class Presence:
    """How one side took part in one dialogue, as the brief may say it."""

    side: str
    count: str
    absent: bool
    few: bool


def _presence(findings: Findings, min_cell: int) -> list[Presence]:
    return [
        Presence(
            side=side,
            count=suppressed_count(findings.participants_by_side.get(side, 0), min_cell),
            absent=findings.participants_by_side.get(side, 0) == 0,
            few=0 < findings.participants_by_side.get(side, 0) < min_cell,
        )
        for side in findings.side_colours
    ]


@brief_section(80, "method", needs_database=False)
def method(scope: BriefScope) -> Section | None:
    """Who took part and who did not, and what the numbers can and cannot say."""
    voted = [f for f in scope.findings if f.votes]
    if not voted:
        return None
    reported = _reportable(scope)
    settings = next(((f.result or {}).get("settings") or {} for f in reported), {})
    return _section(
        "method",
        "Method and limits",
        "dialogues/brief/method.html",
        dialogues=[
            (
                f,
                _presence(f, scope.min_cell),
                suppressed_count(f.participants_by_side.get(UNDECLARED, 0), scope.min_cell),
            )
            for f in voted
        ],
        several=_several(scope),
        has_sides=any(f.side_colours for f in voted),
        min_cell=scope.min_cell,
        threshold=next((f.threshold for f in reported), 0.7),
        cross_side_min_votes=settings.get("cross_side_min_votes"),
        confidence=settings.get("cross_side_confidence", 0.95),
        analysed=[(f.topic, f.analysed_at) for f in reported if f.analysed_at],
    )
