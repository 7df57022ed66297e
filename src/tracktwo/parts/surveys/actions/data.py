"""A survey's answers as data: the evaluation report, CSV export and CSV import.

The report is :func:`tracktwo.parts.surveys.evaluation.analyse` on the current answer sets, with the
platform's cell threshold, so it is the same report ``tracktwo evaluate`` gives for the
exported CSV. It is stored with a fingerprint of everything it depends on and reused until
that changes, so pages stay fast and a result never changes without a reason.

An import checks the whole file and every respondent before it writes anything, and writes
inside the caller's transaction, so a file is imported completely or not at all.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from tracktwo import __version__
from tracktwo.common.initiatives.access import Actor
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.actions import has_taken_part
from tracktwo.common.participation.models import Participant
from tracktwo.common.uploads import UploadLimits, text_lines
from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys import evaluation as core
from tracktwo.parts.surveys.actions.answers import record_response
from tracktwo.parts.surveys.actions.surveys import PART, survey_design, survey_for
from tracktwo.parts.surveys.evaluation.analysis import FORMAT
from tracktwo.parts.surveys.models import (
    Survey,
    SurveyReport,
    SurveyRespondent,
    SurveyResponse,
    SurveyWave,
)

__all__ = [
    "SURVEY_UPLOAD",
    "ImportOutcome",
    "WaveCount",
    "answer_counts",
    "check_responses_import",
    "export_responses_csv",
    "import_responses_csv",
    "import_responses_file",
    "response_sets",
    "survey_report",
    "survey_results",
]

#: The language recorded for answers that came from a file (ISO 639 "undetermined").
IMPORTED_LANGUAGE = "und"


def _group(respondent: SurveyRespondent) -> str:
    return "comparison" if respondent.comparison else "treatment"


def response_sets(db: Session, survey: Survey) -> list[core.ResponseSet]:
    """The current answer set of every respondent and wave, under pseudonymous ids, sorted by
    respondent and wave."""
    rows = db.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.superseded_at.is_(None))
        .options(
            joinedload(SurveyResponse.wave),
            joinedload(SurveyResponse.respondent).joinedload(SurveyRespondent.participant),
        )
        .order_by(SurveyResponse.id)
    )
    sets = [
        core.ResponseSet(
            respondent=row.respondent.pseudonym,
            wave=row.wave.name,
            answers=dict(row.answers),
            side=str(row.respondent.side_id) if row.respondent.side_id is not None else None,
            group=_group(row.respondent),
            submitted_at=row.submitted_at,
        )
        for row in rows
    ]
    # In the order of the CSV export, so that the report depends on the answers alone (not
    # on the order they arrived in) and equals `tracktwo evaluate` on the export exactly.
    sets.sort(key=lambda s: (s.respondent, core.wave_order(s.wave)))
    return sets


def _fingerprint(survey: Survey, sets: list[core.ResponseSet], min_cell: int) -> str:
    document = {
        "tracktwo": __version__,
        "format": FORMAT,
        "min_cell": min_cell,
        "instruments": survey.instruments,
        "sides": [[side.id, side.name] for side in survey.initiative.sides],
        "answers": sorted(
            [s.respondent, s.wave, s.side, s.group, sorted(s.answers.items())] for s in sets
        ),
    }
    encoded = json.dumps(document, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def survey_report(
    db: Session, survey: Survey, *, min_cell: int, store: bool = True
) -> dict[str, Any] | None:
    """The evaluation report of the survey's current answers, or None when there are none.

    No authorisation here: callers check who may read (see :func:`survey_results`). With
    ``store`` a newly computed report is kept for the next reader.
    """
    sets = response_sets(db, survey)
    if not sets:
        return None
    fingerprint = _fingerprint(survey, sets, min_cell)
    cached = db.scalar(
        select(SurveyReport).where(
            SurveyReport.survey_id == survey.id, SurveyReport.fingerprint == fingerprint
        )
    )
    if cached is not None:
        return dict(cached.report)
    started = time.perf_counter()
    report = core.analyse(sets, survey_design(survey), min_cell=min_cell)
    elapsed = int((time.perf_counter() - started) * 1000)
    if store:
        try:
            with db.begin_nested():
                db.execute(
                    delete(SurveyReport).where(
                        SurveyReport.survey_id == survey.id, SurveyReport.min_cell == min_cell
                    )
                )
                db.add(
                    SurveyReport(
                        survey_id=survey.id,
                        fingerprint=fingerprint,
                        min_cell=min_cell,
                        report=report,
                        computed_in_ms=elapsed,
                    )
                )
        except IntegrityError:
            pass  # another request stored the same report a moment ago
    return report


def survey_results(
    db: Session, actor: Actor, survey_id: int, *, min_cell: int
) -> tuple[Survey, dict[str, Any] | None]:
    """The survey and its report, for anyone who may read the initiative (observers too).

    The report is suppressed by construction: no figure describes fewer than ``min_cell``
    respondents, and it carries no respondent id and no free text.
    """
    survey = survey_for(db, actor, survey_id)
    return survey, survey_report(db, survey, min_cell=min_cell)


def export_responses_csv(db: Session, actor: Actor, survey_id: int) -> str:
    """The current answers in the long CSV layout of docs/evaluation.md (facilitators only).

    Respondents appear under their pseudonyms (or the ids an import gave them), never a name.
    """
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    return core.format_responses_csv(response_sets(db, survey))


# --- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    answer_sets: int
    respondents: int
    matched_participants: int  # respondents recognised as the initiative's participants
    new_respondents: int  # identities the file brought that were not known before
    replaced: int  # answer sets that replaced an earlier one (kept in the history)
    summary: str  # what the reader found, as tracktwo evaluate reports it


def _side_label(survey: Survey, side_id: int | None) -> str:
    if side_id is None:
        return "no side"
    side = next((s for s in survey.initiative.sides if s.id == side_id), None)
    return f"side {side_id} ({side.name})" if side else f"side {side_id}"


def _place(
    db: Session,
    survey: Survey,
    respondent_id: str,
    side_id: int | None,
    comparison: bool,
    participant: Participant | None,
    existing: SurveyRespondent | None,
) -> SurveyRespondent:
    """The respondent an imported id stands for, checked against what the survey knows."""
    group = "comparison" if comparison else "treatment"
    if existing is not None:
        if existing.side_id != side_id or existing.comparison != comparison:
            raise InvalidInput(
                f"Respondent {respondent_id} answers this survey on "
                f"{_side_label(survey, existing.side_id)} in the "
                f"{_group(existing)} group, but the file gives "
                f"{_side_label(survey, side_id)} in the {group} group; correct the file."
            )
        return existing
    if participant is not None and comparison and has_taken_part(db, participant, besides=PART):
        raise InvalidInput(
            f"Respondent {respondent_id} is a participant of this initiative's dialogues, "
            "so they cannot be in the comparison group; correct the file."
        )
    return SurveyRespondent(
        survey_id=survey.id,
        participant_id=participant.id if participant else None,
        external_id=None if participant else respondent_id,
        side_id=side_id,
        comparison=comparison,
    )


SURVEY_UPLOAD = UploadLimits("answers file", max_bytes=20 * 1024 * 1024)


def check_responses_import(db: Session, actor: Actor, survey_id: int) -> None:
    """Raise unless ``actor`` may import answers into the survey (before any upload is read)."""
    survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)


def import_responses_file(
    db: Session, actor: Actor, survey_id: int, path: Path, name: str
) -> ImportOutcome:
    """:func:`import_responses_csv` from a file on disk, read one bounded line at a time."""
    return import_responses_csv(db, actor, survey_id, text_lines(path, name or "The file"))


def import_responses_csv(
    db: Session, actor: Actor, survey_id: int, text: str | Iterable[str]
) -> ImportOutcome:
    """Import answers collected elsewhere (CSV, long or wide layout; docs/evaluation.md §4).

    Respondent ids that are pseudonyms of the initiative's participants are matched to them;
    other ids become new respondent identities of this survey. Side ids are the
    initiative's side ids; waves must exist in the survey. Each answer set replaces the
    respondent's current one for that wave, which stays in the history.

    Raises
    ------
    InvalidInput
        One sentence naming the first problem; nothing has been written then.
    """
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    design = survey_design(survey)
    imported = core.parse_responses_csv(text, instruments=design.instruments, sides=design.sides)
    waves: dict[str, SurveyWave] = {wave.name: wave for wave in survey.waves}
    for answer_set in imported.responses:
        if answer_set.wave not in waves:
            raise InvalidInput(
                f"The file has answers for the wave {answer_set.wave}, which this survey does "
                f"not have (it has {', '.join(waves) or 'none'}); add that wave first."
            )
    ids = list(dict.fromkeys(answer_set.respondent for answer_set in imported.responses))
    participants = {
        person.pseudonym: person
        for person in db.scalars(
            select(Participant).where(
                Participant.initiative_id == survey.initiative_id, Participant.pseudonym.in_(ids)
            )
        )
    }
    known = list(
        db.scalars(select(SurveyRespondent).where(SurveyRespondent.survey_id == survey.id))
    )
    by_participant = {r.participant_id: r for r in known if r.participant_id is not None}
    by_external = {r.external_id: r for r in known if r.external_id is not None}
    # Every respondent is checked before anything is written.
    placed: dict[str, SurveyRespondent] = {}
    for answer_set in imported.responses:
        if answer_set.respondent in placed:
            continue
        person = participants.get(answer_set.respondent)
        existing = (
            by_participant.get(person.id) if person else by_external.get(answer_set.respondent)
        )
        placed[answer_set.respondent] = _place(
            db,
            survey,
            answer_set.respondent,
            int(answer_set.side) if answer_set.side is not None else None,
            answer_set.group == "comparison",
            person,
            existing,
        )
    new = [respondent for respondent in placed.values() if respondent.id is None]
    db.add_all(new)
    db.flush()
    replaced = 0
    for answer_set in imported.responses:
        _, was_replaced = record_response(
            db,
            placed[answer_set.respondent],
            waves[answer_set.wave],
            {key: float(value) for key, value in answer_set.answers.items()},
            language=IMPORTED_LANGUAGE,
            source="import",
            submitted_at=answer_set.submitted_at,
        )
        replaced += was_replaced
    return ImportOutcome(
        answer_sets=len(imported.responses),
        respondents=len(placed),
        matched_participants=sum(1 for rid in placed if rid in participants),
        new_respondents=len(new),
        replaced=replaced,
        summary=imported.summary(),
    )


@dataclass(frozen=True)
class WaveCount:
    """How many answered one wave: participants per side, and the comparison group."""

    name: str
    by_side: dict[str, int]  # side name (or "No side declared") -> participants who answered
    participants: int
    comparison: int


def answer_counts(db: Session, survey: Survey) -> list[WaveCount]:
    """Current answer sets per wave and side, for the facilitator's overview (not suppressed:
    facilitators run the survey; observers see the suppressed report only)."""
    rows = db.execute(
        select(
            SurveyResponse.wave_id,
            SurveyRespondent.side_id,
            SurveyRespondent.comparison,
            func.count(SurveyResponse.id),
        )
        .join(SurveyRespondent, SurveyRespondent.id == SurveyResponse.respondent_id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.superseded_at.is_(None))
        .group_by(SurveyResponse.wave_id, SurveyRespondent.side_id, SurveyRespondent.comparison)
    ).all()
    names: dict[int | None, str] = {side.id: side.name for side in survey.initiative.sides}
    counts = []
    for wave in survey.waves:
        by_side = dict.fromkeys([*names.values(), "No side declared"], 0)
        comparison = 0
        for wave_id, side_id, is_comparison, count in rows:
            if wave_id != wave.id:
                continue
            if is_comparison:
                comparison += count
            else:
                by_side[names.get(side_id, "No side declared")] += count
        counts.append(WaveCount(wave.name, by_side, sum(by_side.values()), comparison))
    return counts
