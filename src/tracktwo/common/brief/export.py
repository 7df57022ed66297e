"""The brief of a Polis export analysed on the command line, without the platform's database.

The analysis document (``OpinionResult.to_dict()``, or the JSON ``tracktwo analyze`` writes)
already holds every statement's text, so it is all the brief needs: its findings are read by
the same :func:`tracktwo.parts.dialogues.opinion.findings.with_analysis` the platform uses for its
dialogues.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tracktwo.common.brief.registry import BriefScope
from tracktwo.parts.dialogues.opinion.findings import (
    UNDECLARED,
    Findings,
    StatementId,
    StatementText,
    statement_key,
    with_analysis,
)

__all__ = ["SIDE_COLOURS", "export_findings", "export_scope"]

# Okabe and Ito's palette: distinct for the common colour-vision deficiencies.
SIDE_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"]


def _moment(milliseconds: Any) -> datetime | None:
    return None if milliseconds is None else datetime.fromtimestamp(int(milliseconds) / 1000, UTC)


def export_findings(
    document: Mapping[str, Any],
    *,
    topic: str,
    min_cell: int,
    vote_times: Sequence[int] = (),
    language: str | None = None,
) -> Findings:
    """What an analysed export found, as the brief and the results page present it.

    Parameters
    ----------
    document
        The analysis document, with statement texts (as ``tracktwo analyze`` writes it).
    topic
        What the conversation was about (the export's topic, or its folder's name).
    min_cell
        The smallest number of people a published figure may describe.
    vote_times
        The votes' timestamps in milliseconds (``votes.csv``), for the dates of the brief;
        without them the dates come from the document's participation series, if any.
    language
        The statements' language, when known (a Polis export does not say).
    """
    summary = document.get("summary") or {}
    side_names = [str(row["side"]) for row in document.get("sides") or []]
    people = Counter(p.get("side") or UNDECLARED for p in document.get("participants", []))
    by_side = {name: people.get(name, 0) for name in side_names}
    by_side[UNDECLARED] = people.get(UNDECLARED, 0)
    times = list(vote_times) or [row[0] for row in document.get("participation") or []]
    texts = {
        statement_key(row["id"]): StatementText(text=str(row["text"]), language=language)
        for row in document.get("statements", [])
        if row.get("text")
    }

    def known(ids: Sequence[StatementId]) -> Mapping[StatementId, StatementText]:
        return {i: texts[i] for i in ids if i in texts}

    findings = Findings(
        topic=topic,
        participants_by_side=by_side,
        participants=int(summary.get("n_participants") or len(document.get("participants", []))),
        statements=int(summary.get("n_statements") or len(document.get("statements", []))),
        votes=int(summary.get("n_votes") or 0),
        first_vote=_moment(min(times)) if times else None,
        last_vote=_moment(max(times)) if times else None,
        min_cell=min_cell,
        side_colours={
            name: SIDE_COLOURS[i % len(SIDE_COLOURS)] for i, name in enumerate(side_names)
        },
    )
    return with_analysis(findings, document, known, hide_small_sides=True)


def export_scope(
    document: Mapping[str, Any],
    *,
    topic: str,
    min_cell: int,
    vote_times: Sequence[int] = (),
    language: str | None = None,
    source: str = "",
) -> BriefScope:
    """The scope of the brief of one analysed export (no database, no initiative)."""
    findings = export_findings(
        document, topic=topic, min_cell=min_cell, vote_times=vote_times, language=language
    )
    return BriefScope(
        None,
        None,
        [],
        min_cell,
        title=topic,
        subtitle=source or "Findings from a Polis conversation",
        findings=[findings],
        languages=[language] if language else [],
    )
