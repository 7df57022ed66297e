"""Answer sets: checking them against a survey and turning them into scale scores.

A :class:`ResponseSet` is what one respondent submitted in one wave. It is checked as a
whole before anything is stored or analysed: every key must be a question this respondent
is asked, every value must lie on the item's scale, and every required question must be
answered. The first problem is raised as one InvalidInput sentence naming the respondent,
the wave and the question, so that nothing is half-accepted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation.library import Instrument
from tracktwo.parts.surveys.evaluation.templating import (
    ExpandedItem,
    Side,
    check_sides,
    expand_items,
    item_key,
    targets_for,
)

__all__ = [
    "GROUPS",
    "ResponseSet",
    "ScaleScore",
    "Survey",
    "check_wave",
    "score_response",
    "validate_response",
    "wave_order",
]

#: ``treatment`` are the initiative's participants, ``comparison`` the comparison group.
GROUPS = ("treatment", "comparison")
_WAVE = re.compile(r"^(pre|post|followup([2-9]|[1-9][0-9]+)?)$")
_RESPONDENT = re.compile(r"^[^\s,;]{1,100}$")


def check_wave(wave: str) -> None:
    """Raise InvalidInput unless ``wave`` is pre, post, followup, followup2, followup3 ..."""
    if not _WAVE.match(wave):
        raise InvalidInput(
            f"{wave!r} is not a wave; use pre, post, followup, followup2, followup3 and so on."
        )


def wave_order(wave: str) -> int:
    """Position of a wave in time: pre 0, post 1, followup 2, followupN N + 1."""
    check_wave(wave)
    if wave in ("pre", "post"):
        return 0 if wave == "pre" else 1
    suffix = wave.removeprefix("followup")
    return 2 if not suffix else int(suffix) + 1


@dataclass(frozen=True)
class Survey:
    """What a survey asks: its instruments (possibly with edited wordings) and the sides."""

    instruments: tuple[Instrument, ...]
    sides: tuple[Side, ...]

    def __post_init__(self) -> None:
        check_sides(self.sides)
        if not self.instruments:
            raise InvalidInput("A survey needs at least one instrument.")
        ids = [instrument.id for instrument in self.instruments]
        for instrument_id in ids:
            if ids.count(instrument_id) > 1:
                raise InvalidInput(f"The survey lists instrument {instrument_id} twice.")

    def questions(self, respondent_side: str | None) -> tuple[ExpandedItem, ...]:
        """Every question a respondent of ``respondent_side`` is asked, in order."""
        return tuple(
            question
            for instrument in self.instruments
            for question in expand_items(instrument, self.sides, respondent_side)
        )

    def instrument(self, instrument_id: str) -> Instrument:
        """The survey's instrument with this id (KeyError if it has none)."""
        for instrument in self.instruments:
            if instrument.id == instrument_id:
                return instrument
        raise KeyError(instrument_id)

    @property
    def per_target_scales(self) -> bool:
        """Whether other-side scales are also reported per target side (three or more sides)."""
        return len(self.sides) >= 3


@dataclass(frozen=True)
class ResponseSet:
    """One respondent's answers in one wave, keyed by question key (see ``item_key``).

    ``respondent`` is a pseudonymous id that stays the same across waves; ``side`` is None
    for a respondent who has not declared one.
    """

    respondent: str
    wave: str
    answers: Mapping[str, float]
    side: str | None = None
    group: str = "treatment"
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class ScaleScore:
    """A respondent's score on one scale, and the item values (after reversal) behind it.

    ``scale`` is the instrument id, or ``<instrument>@side:<id>`` for the score toward one
    target side. For the instrument-level score of an other-side scale, both the score and
    each item value are means over the sides the respondent was asked about.
    """

    scale: str
    instrument_id: str
    target: str | None
    score: float | None
    items: Mapping[str, float] = field(default_factory=dict)


def _where(response: ResponseSet) -> str:
    return f"Respondent {response.respondent}, wave {response.wave}"


def validate_response(response: ResponseSet, survey: Survey) -> ResponseSet:
    """Check one answer set completely and return it with every value as a float.

    Raises
    ------
    InvalidInput
        Naming the respondent, wave and question: a malformed id, wave or group; an unknown
        side; a key that is not a question this respondent is asked; a value off the item's
        scale; or an unanswered required question.
    """
    if not _RESPONDENT.match(response.respondent):
        raise InvalidInput(
            f"The respondent id {response.respondent!r} is not valid; use 1 to 100 characters "
            "without spaces, commas or semicolons."
        )
    check_wave(response.wave)
    if response.group not in GROUPS:
        raise InvalidInput(
            f"{_where(response)}: the group {response.group!r} is not valid; "
            "use treatment or comparison."
        )
    if response.side is not None and response.side not in {side.id for side in survey.sides}:
        known = ", ".join(side.id for side in survey.sides)
        raise InvalidInput(
            f"{_where(response)}: the side {response.side!r} is not one of the sides ({known})."
        )
    questions = {question.key: question for question in survey.questions(response.side)}
    values: dict[str, float] = {}
    for key, raw in response.answers.items():
        question = questions.get(key)
        if question is None:
            raise InvalidInput(
                f"{_where(response)}: {key} is not a question this respondent is asked "
                f"({_who(response.side)})."
            )
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise InvalidInput(
                f"{_where(response)}: the answer {raw!r} to {key} is not a number."
            ) from None
        problem = question.item.scale.problem_with(value)
        if problem is not None:
            raise InvalidInput(f"{_where(response)}: the answer {raw!r} to {key} {problem}.")
        values[key] = value
    for key, question in questions.items():
        if question.item.required and key not in values:
            raise InvalidInput(
                f"{_where(response)}: the required question {key} has no answer; "
                "add it or leave out this respondent's answers for this wave."
            )
    return ResponseSet(
        response.respondent,
        response.wave,
        values,
        response.side,
        response.group,
        response.submitted_at,
    )


def _who(side: str | None) -> str:
    if side is None:
        return "respondents without a side are asked about every side and no own-side item"
    return f"a member of side {side} is asked about the other sides"


def _apply_rule(instrument: Instrument, values: Mapping[str, float]) -> float | None:
    rule = instrument.scoring
    if rule.rule == "difference":
        minuend, subtrahend = str(rule.minuend), str(rule.subtrahend)
        if minuend in values and subtrahend in values:
            return values[minuend] - values[subtrahend]
        return None
    if not values:
        return None
    return math.fsum(values.values()) / len(values)


def _item_values(
    instrument: Instrument, answers: Mapping[str, float], target: str | None
) -> dict[str, float]:
    """Item id -> answer after reversal, for the questions about ``target``."""
    values: dict[str, float] = {}
    for item in instrument.items:
        key = item_key(instrument.id, item.id, target if item.refers_to == "other_side" else None)
        if key in answers:
            value = answers[key]
            values[item.id] = item.scale.reverse(value) if item.reverse else value
    return values


def _mean_by_item(per_target: Sequence[Mapping[str, float]]) -> dict[str, float]:
    item_ids = sorted({item_id for values in per_target for item_id in values})
    averaged: dict[str, float] = {}
    for item_id in item_ids:
        found = [values[item_id] for values in per_target if item_id in values]
        averaged[item_id] = math.fsum(found) / len(found)
    return averaged


def score_response(response: ResponseSet, survey: Survey) -> dict[str, ScaleScore]:
    """Scale scores of one validated answer set, keyed by scale.

    Every instrument gives a score under its own id. An instrument asked about the other
    side gives, per side asked about, the scoring rule applied to that side's items; the
    instrument-level score is the mean of those per-side scores (with two sides, simply the
    score toward the other side). With three or more sides each per-side score is also
    returned under ``<instrument>@side:<id>``. A score is None when its items are missing,
    e.g. the Ascent of Man for a respondent without a side (no ingroup rating).
    """
    scores: dict[str, ScaleScore] = {}
    targets = [side.id for side in targets_for(survey.sides, response.side)]
    for instrument in survey.instruments:
        if not instrument.refers_to_other_side:
            values = _item_values(instrument, response.answers, None)
            scores[instrument.id] = ScaleScore(
                instrument.id, instrument.id, None, _apply_rule(instrument, values), values
            )
            continue
        per_target = {
            target: _item_values(instrument, response.answers, target) for target in targets
        }
        target_scores = {
            target: _apply_rule(instrument, values) for target, values in per_target.items()
        }
        if survey.per_target_scales:
            for target, values in per_target.items():
                scale = f"{instrument.id}@side:{target}"
                scores[scale] = ScaleScore(
                    scale, instrument.id, target, target_scores[target], values
                )
        defined = [score for score in target_scores.values() if score is not None]
        usable = [
            per_target[target] for target, score in target_scores.items() if score is not None
        ]
        scores[instrument.id] = ScaleScore(
            instrument.id,
            instrument.id,
            None,
            math.fsum(defined) / len(defined) if defined else None,
            _mean_by_item(usable),
        )
    return scores
