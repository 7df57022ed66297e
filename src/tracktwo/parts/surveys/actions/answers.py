"""What respondents do: enter a survey through its link, see the questions, answer them.

Respondents are the initiative's participants, identified exactly as in its dialogues (the
cookie or the ``tp_`` token), so one person's waves link under one pseudonym without a
name. An answer set is checked whole before anything is stored; answering a wave again
stores a new set and marks the earlier one superseded, so nothing submitted is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.kernel.i18n import N_
from tracktwo.parts.surveys import evaluation as core
from tracktwo.parts.surveys.actions.surveys import (
    BASE_LANGUAGE,
    display_instruments,
    open_wave,
    sides_of,
    survey_design,
    wave_refusal,
)
from tracktwo.parts.surveys.models import (
    Survey,
    SurveyRespondent,
    SurveyResponse,
    SurveyWave,
)
from tracktwo.store.base import utcnow

__all__ = [
    "NOT_A_RESPONDENT",
    "WAVE_CHANGED",
    "AnswerProblem",
    "Question",
    "Questionnaire",
    "Section",
    "Submitted",
    "check_answers",
    "questionnaire_for",
    "record_response",
    "require_respondent",
    "respondent_of",
    "submit_response",
]

NOT_A_RESPONDENT = N_("We do not know you in this questionnaire yet; open the link you were sent.")
WAVE_CHANGED = "This questionnaire has changed; please answer it again."


def respondent_of(db: Session, survey_id: int, participant: Participant) -> SurveyRespondent | None:
    return db.scalar(
        select(SurveyRespondent).where(
            SurveyRespondent.survey_id == survey_id,
            SurveyRespondent.participant_id == participant.id,
        )
    )


def require_respondent(
    db: Session, participant: Participant | None, survey_id: int
) -> tuple[Survey, SurveyRespondent]:
    """The survey and this participant's place in it; a clear refusal otherwise."""
    survey = db.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"There is no survey with id {survey_id}.")
    if participant is None or participant.initiative_id != survey.initiative_id:
        raise PermissionDenied(NOT_A_RESPONDENT)
    respondent = respondent_of(db, survey.id, participant)
    if respondent is None:
        raise PermissionDenied(NOT_A_RESPONDENT)
    return survey, respondent


# --- the questions as one respondent sees them ------------------------------------------------


@dataclass(frozen=True)
class Question:
    number: int  # 1, 2, ... across the whole questionnaire, as shown
    key: str  # the question key answers are stored under
    text: str
    language: str  # the language ``text`` is in (the respondent's, when translated)
    widget: str  # choice, slider or number
    minimum: float
    maximum: float
    integer: bool
    required: bool
    labels: tuple[tuple[float, str, str], ...]  # (value, text, language)
    value: float | None  # the current answer, when the respondent answered this wave

    def choices(self) -> list[tuple[int, str | None, str | None]]:
        """For a choice between whole numbers: (value, label or None, label's language)."""
        labels = {value: (text, language) for value, text, language in self.labels}
        return [
            (value, *labels.get(value, (None, None)))
            for value in range(int(self.minimum), int(self.maximum) + 1)
        ]


@dataclass(frozen=True)
class Section:
    instrument_id: str
    instructions: str | None
    language: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    survey: Survey
    respondent: SurveyRespondent
    wave: SurveyWave | None
    refusal: str | None  # why no answers are taken now, or None
    sections: tuple[Section, ...]
    current: SurveyResponse | None  # this respondent's answer set for the open wave


def _pick(texts: Mapping[str, str], language: str) -> tuple[str, str]:
    for code in (language, BASE_LANGUAGE):
        if code in texts:
            return texts[code], code
    code = next(iter(texts))
    return texts[code], code


def _respondent_side(respondent: SurveyRespondent) -> str | None:
    return str(respondent.side_id) if respondent.side_id is not None else None


def current_response(
    db: Session, respondent: SurveyRespondent, wave: SurveyWave
) -> SurveyResponse | None:
    return db.scalar(
        select(SurveyResponse).where(
            SurveyResponse.respondent_id == respondent.id,
            SurveyResponse.wave_id == wave.id,
            SurveyResponse.superseded_at.is_(None),
        )
    )


def questionnaire_for(
    db: Session, participant: Participant | None, survey_id: int, language: str
) -> Questionnaire:
    """The open wave's questions for this participant, with texts in ``language`` where a
    translation exists and "the other side" filled in for their side."""
    survey, respondent = require_respondent(db, participant, survey_id)
    wave = open_wave(survey)
    refusal = wave_refusal(wave)
    current = current_response(db, respondent, wave) if wave is not None else None
    answers = current.answers if current is not None else {}
    sections: list[Section] = []
    number = 0
    shown = core.Survey(display_instruments(db, survey), sides_of(survey.initiative))
    for instrument in shown.instruments:
        questions = []
        for asked in core.expand_items(instrument, shown.sides, _respondent_side(respondent)):
            number += 1
            scale = asked.item.scale
            text, text_language = _pick(asked.text, language)
            questions.append(
                Question(
                    number=number,
                    key=asked.key,
                    text=text,
                    language=text_language,
                    widget=scale.widget,
                    minimum=scale.min,
                    maximum=scale.max,
                    integer=scale.integer,
                    required=asked.item.required,
                    labels=tuple(
                        (label.value, *_pick(label.text, language)) for label in scale.labels
                    ),
                    value=answers.get(asked.key),
                )
            )
        if questions:
            instructions, instructions_language = (
                _pick(instrument.instructions, language)
                if instrument.instructions
                else (None, language)
            )
            sections.append(
                Section(instrument.id, instructions, instructions_language, tuple(questions))
            )
    return Questionnaire(survey, respondent, wave, refusal, tuple(sections), current)


# --- answering -----------------------------------------------------------------------------------


class AnswerProblem(InvalidInput):
    """One answer that cannot be accepted, with what a form needs to point at it.

    ``kind`` is ``missing``, ``number`` (not a number), ``range`` (off the scale or not a
    whole number) or ``unknown`` (not a question this respondent is asked).
    """

    def __init__(
        self,
        message: str,
        *,
        key: str,
        kind: str,
        number: int | None = None,
        scale: core.Scale | None = None,
    ) -> None:
        super().__init__(message)
        self.key = key
        self.kind = kind
        self.number = number
        self.scale = scale


def _as_number(raw: object) -> float | None:
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    return None


def check_answers(
    questions: Sequence[core.ExpandedItem], answers: Mapping[str, object]
) -> dict[str, float]:
    """The answers as numbers, or :class:`AnswerProblem` for the first one that is wrong.

    Values may be numbers (the API) or form text (empty text means "not answered").
    """
    position = {question.key: number for number, question in enumerate(questions, start=1)}
    by_key = {question.key: question for question in questions}
    values: dict[str, float] = {}
    for key, raw in answers.items():
        if key not in by_key:
            raise AnswerProblem(
                f"{key} is not one of the questions you are asked; leave it out.",
                key=key,
                kind="unknown",
            )
        question, number = by_key[key], position[key]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        value = _as_number(raw)
        kind, problem = (
            ("number", "is not a number")
            if value is None
            else ("range", question.item.scale.problem_with(value))
        )
        if problem is not None or value is None:
            shown = raw.strip() if isinstance(raw, str) else raw
            raise AnswerProblem(
                f"The answer {shown} to question {number} ({key}) {problem}.",
                key=key,
                kind=kind,
                number=number,
                scale=question.item.scale,
            )
        values[key] = value
    for key, question in by_key.items():
        if question.item.required and key not in values:
            raise AnswerProblem(
                f"Question {position[key]} ({key}) has no answer; it is required.",
                key=key,
                kind="missing",
                number=position[key],
                scale=question.item.scale,
            )
    return values


def record_response(
    db: Session,
    respondent: SurveyRespondent,
    wave: SurveyWave,
    answers: Mapping[str, float],
    *,
    language: str,
    source: str,
    submitted_at: datetime | None = None,
) -> tuple[SurveyResponse, bool]:
    """Store a checked answer set as the current one; an earlier one becomes history.

    Returns the stored set and whether it replaced an earlier one.
    """
    row = SurveyResponse(
        survey_id=respondent.survey_id,
        wave_id=wave.id,
        respondent_id=respondent.id,
        answers=dict(answers),
        language=language,
        source=source,
    )
    try:
        return row, _make_current(db, row, submitted_at)
    except IntegrityError:
        pass
    # Another request stored an answer set for the same wave at the same moment (the
    # one-current-set index refused ours): once more, now seeing it, so it becomes history.
    try:
        return row, _make_current(db, row, submitted_at)
    except IntegrityError:
        raise Conflict(
            N_("Your answers arrived twice at the same moment; please send them again.")
        ) from None


def _make_current(db: Session, row: SurveyResponse, submitted_at: datetime | None) -> bool:
    """Supersede the current set of ``row``'s respondent and wave, then add ``row``; in a
    savepoint, so a clash undoes both. True when a set was superseded."""
    now = utcnow()
    with db.begin_nested():
        earlier = list(
            db.scalars(
                select(SurveyResponse).where(
                    SurveyResponse.respondent_id == row.respondent_id,
                    SurveyResponse.wave_id == row.wave_id,
                    SurveyResponse.superseded_at.is_(None),
                )
            )
        )
        for current in earlier:
            current.superseded_at = now
        db.flush()
        row.submitted_at = submitted_at or now
        db.add(row)
        db.flush()
    return bool(earlier)


@dataclass(frozen=True)
class Submitted:
    response: SurveyResponse
    wave: SurveyWave
    replaced: bool  # an earlier answer set for this wave is now history


def submit_response(
    db: Session,
    participant: Participant | None,
    survey_id: int,
    answers: Mapping[str, object],
    *,
    source: str = "web",
    wave_name: str | None = None,
) -> Submitted:
    """Check a respondent's answers for the open wave completely, then store them.

    ``wave_name`` is the wave the answers were given for (the form says which it showed):
    if another wave has opened meanwhile, the answers are refused rather than filed under
    the wrong wave. Raises :class:`AnswerProblem` naming the first wrong or missing answer;
    nothing is stored then.
    """
    survey, respondent = require_respondent(db, participant, survey_id)
    assert participant is not None
    wave = open_wave(survey)
    refusal = wave_refusal(wave)
    if refusal is not None or wave is None:
        raise Conflict(refusal or "There is no questionnaire to answer at the moment.")
    if wave_name is not None and wave_name != wave.name:
        raise Conflict(WAVE_CHANGED)
    design = survey_design(survey)
    side = _respondent_side(respondent)
    values = check_answers(design.questions(side), answers)
    checked = core.validate_response(
        core.ResponseSet(
            respondent.pseudonym,
            wave.name,
            values,
            side,
            "comparison" if respondent.comparison else "treatment",
        ),
        design,
    )
    response, replaced = record_response(
        db,
        respondent,
        wave,
        {key: float(value) for key, value in checked.answers.items()},
        language=participant.language,
        source=source,
    )
    return Submitted(response=response, wave=wave, replaced=replaced)
