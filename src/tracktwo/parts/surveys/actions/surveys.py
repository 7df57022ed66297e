"""Evaluation surveys: building them from instruments, their wording, waves and links.

A survey keeps its own copy of each instrument (JSON of
:class:`tracktwo.parts.surveys.evaluation.Instrument`),
so wording edits and custom items belong to that survey alone. What may change once answers
exist is limited on purpose: instruments and custom items are fixed then (stored answers
must stay valid questions), while wordings and translations stay editable, because a typo
must be fixable, and the page says plainly that changed wording breaks comparability.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor, initiative_for
from tracktwo.common.initiatives.models import Initiative, Role
from tracktwo.common.participation import actions as kernel
from tracktwo.common.participation.models import JoinLink
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound
from tracktwo.kernel.i18n import N_
from tracktwo.kernel.text import clean_text
from tracktwo.parts.surveys import evaluation as core
from tracktwo.parts.surveys.evaluation.library import SIDE_PLACEHOLDER
from tracktwo.parts.surveys.models import (
    Survey,
    SurveyResponse,
    SurveyTranslation,
    SurveyWave,
    WaveState,
)
from tracktwo.store.base import utcnow

PART = "surveys"  # this part\'s name in the participation kernel

__all__ = [
    "BASE_LANGUAGE",
    "MAX_TITLE",
    "WavePlan",
    "active_survey_links",
    "add_custom_likert",
    "add_custom_numeric",
    "add_instrument",
    "add_wave",
    "create_survey",
    "display_instruments",
    "edit_item_wording",
    "has_answers",
    "instruments_of",
    "list_surveys",
    "next_wave_name",
    "open_wave",
    "regenerate_survey_link",
    "remove_instrument",
    "rename_survey",
    "set_survey_translation",
    "set_wave_state",
    "sides_of",
    "survey_design",
    "survey_for",
    "survey_translations",
    "translation_parts",
    "update_wave",
    "wave_refusal",
]

MAX_TITLE = 200
MAX_ITEM_TEXT = 1000
MAX_CUSTOM_ITEMS = 30
MAX_INSTRUMENTS = 20
#: The language the shipped instruments are written in; wording edits are made in it.
BASE_LANGUAGE = "en"
_CUSTOM_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class WavePlan:
    """A wave as a facilitator plans it: its name (pre, post, followup ...) and dates."""

    name: str
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    label: str = ""


# --- reading -------------------------------------------------------------------------------


def survey_for(
    db: Session, actor: Actor, survey_id: int, *, at_least: Role = Role.OBSERVER
) -> Survey:
    """The survey, if ``actor`` holds at least the given role in its initiative."""
    survey = db.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"There is no survey with id {survey_id}.")
    initiative_for(db, actor, survey.initiative_id, at_least=at_least)
    return survey


def list_surveys(db: Session, actor: Actor, initiative_id: int) -> list[Survey]:
    initiative_for(db, actor, initiative_id)
    return list(
        db.scalars(
            select(Survey)
            .where(Survey.initiative_id == initiative_id)
            .order_by(Survey.created_at.desc(), Survey.id.desc())
        )
    )


def instruments_of(survey: Survey) -> tuple[core.Instrument, ...]:
    """The survey's own copies of its instruments, in the order they are asked."""
    return tuple(core.instrument_from_dict(data) for data in survey.instruments)


def sides_of(initiative: Initiative) -> tuple[core.Side, ...]:
    """The initiative's sides as the evaluation core names them: the side's id as text."""
    return tuple(core.Side(str(side.id), side.name) for side in initiative.sides)


def survey_design(survey: Survey) -> core.Survey:
    """What the survey asks, for validation, scoring and analysis."""
    return core.Survey(instruments_of(survey), sides_of(survey.initiative))


def has_answers(db: Session, survey_id: int) -> bool:
    """Whether anyone has answered (or an import has brought answers) yet."""
    return bool(db.scalar(select(exists().where(SurveyResponse.survey_id == survey_id))))


def active_survey_links(db: Session, survey: Survey) -> list[JoinLink]:
    return kernel.active_links(db, PART, survey.id)


def open_wave(survey: Survey) -> SurveyWave | None:
    """The wave taking answers now, if any (at most one wave is open at a time)."""
    return next((wave for wave in survey.waves if wave.state == WaveState.OPEN), None)


def wave_refusal(wave: SurveyWave | None, now: datetime | None = None) -> str | None:
    """``None`` when the wave takes answers now; otherwise the reason it does not."""
    now = now or utcnow()
    if wave is None or wave.state == WaveState.DRAFT:
        return "There is no questionnaire to answer at the moment; please come back later."
    if wave.state == WaveState.CLOSED or (wave.closes_at is not None and now >= wave.closes_at):
        return N_("This round of the questionnaire is closed; thank you for taking part.")
    if wave.opens_at is not None and now < wave.opens_at:
        return (
            "This round of the questionnaire opens on "
            + wave.opens_at.strftime("%d %B %Y at %H:%M UTC")
            + "."
        )
    return None


# --- building --------------------------------------------------------------------------------


def _check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    for moment in (opens_at, closes_at):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("Opening and closing times need a time zone.")
    if opens_at and closes_at and closes_at <= opens_at:
        raise InvalidInput("A wave's closing time must come after its opening time.")


def _wave(plan: WavePlan) -> SurveyWave:
    core.check_wave(plan.name)
    _check_dates(plan.opens_at, plan.closes_at)
    return SurveyWave(
        name=plan.name,
        label=clean_text(plan.label, "wave label", 80, required=False),
        position=core.wave_order(plan.name),
        opens_at=plan.opens_at,
        closes_at=plan.closes_at,
        state=WaveState.DRAFT,
    )


def _check_wave_set(names: Sequence[str]) -> None:
    if len(set(names)) != len(names):
        repeated = next(name for name in names if names.count(name) > 1)
        raise InvalidInput(f"The wave {repeated} is listed twice; each wave happens once.")
    if "pre" not in names:
        raise InvalidInput(
            "A survey needs a pre wave: changes are measured from the answers before the programme."
        )


def create_survey(
    db: Session,
    actor: Actor,
    initiative_id: int,
    title: str,
    instrument_ids: Sequence[str],
    waves: Sequence[WavePlan] = (WavePlan("pre"), WavePlan("post")),
) -> Survey:
    """A new survey from shipped instruments, with its waves (all in draft) and links."""
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.FACILITATOR)
    chosen = list(dict.fromkeys(instrument_ids))
    if not chosen:
        raise InvalidInput("Choose at least one instrument for the survey.")
    if len(chosen) > MAX_INSTRUMENTS:
        raise InvalidInput(f"A survey can have at most {MAX_INSTRUMENTS} instruments.")
    instruments = [core.builtin_instrument(instrument_id) for instrument_id in chosen]
    _check_wave_set([plan.name for plan in waves])
    survey = Survey(
        initiative=initiative,
        title=clean_text(title, "survey title", MAX_TITLE),
        instruments=[instrument.model_dump(by_alias=True) for instrument in instruments],
    )
    for plan in waves:
        survey.waves.append(_wave(plan))
    db.add(survey)
    db.flush()
    # a general link, one per side, and the comparison group's link
    kernel.create_links(db, PART, survey.id, initiative, comparison=True)
    return survey


def rename_survey(db: Session, actor: Actor, survey_id: int, title: str) -> Survey:
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    survey.title = clean_text(title, "survey title", MAX_TITLE)
    return survey


def _editable_structure(db: Session, actor: Actor, survey_id: int) -> Survey:
    """The survey, if its set of questions may still change (nobody has answered yet)."""
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    if has_answers(db, survey.id):
        raise Conflict(
            "This survey already has answers, so its questions can no longer be added or "
            "removed; start a new survey for different questions."
        )
    return survey


def _store_instruments(survey: Survey, instruments: Iterable[core.Instrument]) -> None:
    listed = list(instruments)
    core.Survey(tuple(listed), sides_of(survey.initiative))  # refuses duplicates
    # A new list, so SQLAlchemy sees the change to the JSON column.
    survey.instruments = [instrument.model_dump(by_alias=True) for instrument in listed]
    survey.updated_at = utcnow()


def add_instrument(db: Session, actor: Actor, survey_id: int, instrument_id: str) -> Survey:
    """Add a shipped instrument to a survey nobody has answered yet."""
    survey = _editable_structure(db, actor, survey_id)
    current = instruments_of(survey)
    if any(instrument.id == instrument_id for instrument in current):
        raise Conflict(f"The survey already asks the instrument {instrument_id}.")
    if len(current) >= MAX_INSTRUMENTS:
        raise InvalidInput(f"A survey can have at most {MAX_INSTRUMENTS} instruments.")
    _store_instruments(survey, [*current, core.builtin_instrument(instrument_id)])
    return survey


def remove_instrument(db: Session, actor: Actor, survey_id: int, instrument_id: str) -> Survey:
    """Take an instrument (shipped or custom) out of a survey nobody has answered yet."""
    survey = _editable_structure(db, actor, survey_id)
    current = instruments_of(survey)
    kept = [instrument for instrument in current if instrument.id != instrument_id]
    if len(kept) == len(current):
        raise NotFound(f"The survey has no instrument {instrument_id}.")
    if not kept:
        raise InvalidInput("A survey needs at least one instrument; add another one first.")
    _store_instruments(survey, kept)
    return survey


def _instrument(survey: Survey, instrument_id: str) -> core.Instrument:
    for instrument in instruments_of(survey):
        if instrument.id == instrument_id:
            return instrument
    raise NotFound(f"The survey has no instrument {instrument_id}.")


def _item_text(text: str, refers_to_side: bool, what: str) -> str:
    cleaned = " ".join(clean_text(text, what, MAX_ITEM_TEXT).split())
    if refers_to_side and SIDE_PLACEHOLDER not in cleaned:
        raise InvalidInput(
            f"The {what} is about a side, so it must contain {{side}} where the side's name "
            "goes, e.g. “Most {side} can be trusted.”"
        )
    if not refers_to_side and SIDE_PLACEHOLDER in cleaned:
        raise InvalidInput(
            f"The {what} contains {{side}}, but this question is not about a side; remove it."
        )
    return cleaned


def edit_item_wording(
    db: Session, actor: Actor, survey_id: int, instrument_id: str, item_id: str, text: str
) -> Survey:
    """Change the (English) wording of one item; the item is then labelled adapted."""
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    instrument = _instrument(survey, instrument_id)
    try:
        item = instrument.item(item_id)
    except KeyError:
        raise NotFound(f"Instrument {instrument_id} has no item {item_id}.") from None
    cleaned = _item_text(text, item.refers_to != "none", f"wording of {instrument_id}.{item_id}")
    if item.text.get(BASE_LANGUAGE) == cleaned:
        return survey
    edited = core.with_item_text(instrument, item_id, BASE_LANGUAGE, cleaned)
    _store_instruments(
        survey, [edited if i.id == instrument_id else i for i in instruments_of(survey)]
    )
    return survey


def _custom_id(survey: Survey, name: str) -> str:
    """A readable instrument id for a custom question set: its name in lower case."""
    slug = _CUSTOM_ID.sub("_", name.casefold()).strip("_")[:40] or "custom"
    if not slug[0].isalpha():
        slug = "custom_" + slug
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
        slug = "custom"  # names in other scripts: ids stay plain ASCII
    taken = {instrument.id for instrument in instruments_of(survey)}
    candidate, number = slug, 2
    while candidate in taken or candidate in core.builtin_instrument_ids():
        candidate, number = f"{slug}{number}", number + 1
    return candidate


def add_custom_likert(
    db: Session,
    actor: Actor,
    survey_id: int,
    name: str,
    texts: Sequence[str],
    *,
    points: int = 5,
    reverse: Iterable[int] = (),
    about_other_side: bool = False,
) -> Survey:
    """Add the programme's own agree/disagree items, scored as their mean.

    ``texts`` are the items in order; ``reverse`` the (1-based) numbers of reverse-scored
    ones. With ``about_other_side`` each text names the side with ``{side}`` and is asked
    once per other side.
    """
    survey = _editable_structure(db, actor, survey_id)
    title = clean_text(name, "name of the question set", 80)
    lines = [line for line in texts if line.strip()]
    if not lines:
        raise InvalidInput("Write at least one statement, one per line.")
    if len(lines) > MAX_CUSTOM_ITEMS:
        raise InvalidInput(f"A question set can have at most {MAX_CUSTOM_ITEMS} statements.")
    items = {
        f"q{number}": _item_text(line, about_other_side, f"statement {number}")
        for number, line in enumerate(lines, start=1)
    }
    reversed_ids = []
    for number in reverse:
        if not 1 <= number <= len(lines):
            raise InvalidInput(
                f"Statement {number} cannot be reverse-scored: there are {len(lines)} statements."
            )
        reversed_ids.append(f"q{number}")
    instrument = core.custom_likert(
        _custom_id(survey, title),
        title,
        items,
        points=points,
        reverse=reversed_ids,
        refers_to_other_side=about_other_side,
        language=BASE_LANGUAGE,
    )
    _store_instruments(survey, [*instruments_of(survey), instrument])
    return survey


def add_custom_numeric(
    db: Session,
    actor: Actor,
    survey_id: int,
    name: str,
    text: str,
    *,
    minimum: float,
    maximum: float,
    about_other_side: bool = False,
) -> Survey:
    """Add the programme's own question answered with a whole number in a range."""
    survey = _editable_structure(db, actor, survey_id)
    title = clean_text(name, "name of the question", 80)
    if not (float(minimum).is_integer() and float(maximum).is_integer()):
        raise InvalidInput("The smallest and largest answers must be whole numbers.")
    if not minimum < maximum:
        raise InvalidInput("The largest answer must be above the smallest.")
    instrument = core.custom_numeric(
        _custom_id(survey, title),
        title,
        _item_text(text, about_other_side, "question"),
        minimum=minimum,
        maximum=maximum,
        refers_to_other_side=about_other_side,
        language=BASE_LANGUAGE,
    )
    _store_instruments(survey, [*instruments_of(survey), instrument])
    return survey


# --- translations ------------------------------------------------------------------------------


def translation_parts(instrument: core.Instrument) -> list[tuple[str, str, bool]]:
    """Every text of an instrument a facilitator may translate: (part, English text, names a
    side), in the order a participant meets them."""
    parts: list[tuple[str, str, bool]] = []
    if instrument.instructions:
        parts.append(("instructions", _english(instrument.instructions), False))
    labelled: set[tuple[float, str]] = set()
    for item in instrument.items:
        parts.append((f"item:{item.id}", _english(item.text), item.refers_to != "none"))
        for label in item.scale.labels:
            # Items of one instrument usually share their labels: list each label once.
            key = (label.value, _english(label.text))
            if key not in labelled:
                labelled.add(key)
                parts.append((f"label:{item.id}:{label.value:g}", key[1], False))
    return parts


def _english(texts: Mapping[str, str]) -> str:
    return texts.get(BASE_LANGUAGE) or next(iter(texts.values()))


def survey_translations(db: Session, survey_id: int) -> list[SurveyTranslation]:
    return list(
        db.scalars(select(SurveyTranslation).where(SurveyTranslation.survey_id == survey_id))
    )


def set_survey_translation(
    db: Session,
    actor: Actor,
    survey_id: int,
    instrument_id: str,
    part: str,
    language: str,
    text: str,
) -> SurveyTranslation | None:
    """Enter, change or (with an empty text) remove the translation of one text."""
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    if language not in survey.initiative.languages or language == BASE_LANGUAGE:
        raise InvalidInput(
            f"{language} is not one of this initiative's languages to translate into."
        )
    instrument = _instrument(survey, instrument_id)
    known = {name: names_side for name, _english_text, names_side in translation_parts(instrument)}
    if part not in known:
        raise NotFound(f"Instrument {instrument_id} has no text {part!r} to translate.")
    existing = db.scalar(
        select(SurveyTranslation).where(
            SurveyTranslation.survey_id == survey.id,
            SurveyTranslation.instrument_id == instrument_id,
            SurveyTranslation.part == part,
            SurveyTranslation.language == language,
        )
    )
    if not text.strip():
        if existing is not None:
            db.delete(existing)
            db.flush()
        return None
    cleaned = _item_text(text, known[part], "translation")
    if existing is None:
        existing = SurveyTranslation(
            survey_id=survey.id,
            instrument_id=instrument_id,
            part=part,
            language=language,
            text=cleaned,
        )
        db.add(existing)
    existing.text = cleaned
    existing.translated_by_id = actor.id if actor is not None else None
    db.flush()
    return existing


def _with_translations(
    instrument: core.Instrument, texts: Mapping[tuple[str, str], str]
) -> core.Instrument:
    """A copy of ``instrument`` whose texts include the survey's translations.

    ``texts`` maps (part, language) to the translation. A label's translation applies to
    every item with the same label, as :func:`translation_parts` lists each label once.
    """
    if not texts:
        return instrument
    english_labels = {
        f"label:{item.id}:{label.value:g}": (f"{label.value:g}", _english(label.text))
        for item in instrument.items
        for label in item.scale.labels
    }
    by_label: dict[tuple[str, str], dict[str, str]] = {}
    for (part, language), text in texts.items():
        if part in english_labels:
            by_label.setdefault(english_labels[part], {})[language] = text
    data: dict[str, Any] = instrument.model_dump(by_alias=True)
    for (part, language), text in texts.items():
        if part == "instructions":
            data["instructions"] = {**data["instructions"], language: text}
    for item in data["items"]:
        for (part, language), text in texts.items():
            if part == f"item:{item['id']}":
                item["text"] = {**item["text"], language: text}
        item["scale"]["labels"] = [
            {
                **label,
                "text": {
                    **label["text"],
                    **by_label.get((f"{label['value']:g}", _english(label["text"])), {}),
                },
            }
            for label in item["scale"]["labels"]
        ]
    return core.instrument_from_dict(data)


def display_instruments(db: Session, survey: Survey) -> tuple[core.Instrument, ...]:
    """The survey's instruments with every translation entered for them, for showing."""
    grouped: dict[str, dict[tuple[str, str], str]] = {}
    for entry in survey_translations(db, survey.id):
        grouped.setdefault(entry.instrument_id, {})[(entry.part, entry.language)] = entry.text
    return tuple(
        _with_translations(instrument, grouped.get(instrument.id, {}))
        for instrument in instruments_of(survey)
    )


# --- waves -------------------------------------------------------------------------------------


def next_wave_name(survey: Survey) -> str:
    """The next wave after the survey's last: post, followup, followup2, ..."""
    names = {wave.name for wave in survey.waves}
    for candidate in ("pre", "post", "followup"):
        if candidate not in names:
            return candidate
    number = 2
    while f"followup{number}" in names:
        number += 1
    return f"followup{number}"


def add_wave(
    db: Session,
    actor: Actor,
    survey_id: int,
    plan: WavePlan | None = None,
) -> SurveyWave:
    """Add a wave (by default the next one in time), in draft."""
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    plan = plan or WavePlan(next_wave_name(survey))
    _check_wave_set([*(wave.name for wave in survey.waves), plan.name])
    wave = _wave(plan)
    survey.waves.append(wave)
    db.flush()
    return wave


def _wave_of(db: Session, actor: Actor, survey_id: int, wave_id: int) -> SurveyWave:
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    wave = next((wave for wave in survey.waves if wave.id == wave_id), None)
    if wave is None:
        raise NotFound(f"This survey has no wave {wave_id}.")
    return wave


def update_wave(
    db: Session,
    actor: Actor,
    survey_id: int,
    wave_id: int,
    *,
    opens_at: datetime | None,
    closes_at: datetime | None,
    label: str = "",
) -> SurveyWave:
    wave = _wave_of(db, actor, survey_id, wave_id)
    _check_dates(opens_at, closes_at)
    wave.opens_at, wave.closes_at = opens_at, closes_at
    wave.label = clean_text(label, "wave label", 80, required=False)
    return wave


def set_wave_state(
    db: Session, actor: Actor, survey_id: int, wave_id: int, state: WaveState | str
) -> SurveyWave:
    """Open or close a wave. Opening one closes the wave that was open, if any."""
    wave = _wave_of(db, actor, survey_id, wave_id)
    try:
        new_state = WaveState(state)
    except ValueError:
        raise InvalidInput("A wave is 'draft', 'open' or 'closed'.") from None
    if new_state == WaveState.OPEN:
        for other in wave.survey.waves:
            if other.id != wave.id and other.state == WaveState.OPEN:
                other.state = WaveState.CLOSED
        # Written before the wave opens, so the one-open-wave index never sees two.
        db.flush()
    wave.state = new_state
    db.flush()
    return wave


def regenerate_survey_link(db: Session, actor: Actor, survey_id: int, link_id: int) -> JoinLink:
    """Revoke a survey link and make a new one for the same people (for when it leaked)."""
    survey = survey_for(db, actor, survey_id, at_least=Role.FACILITATOR)
    try:
        return kernel.regenerate_link(db, PART, survey.id, link_id)
    except NotFound:
        raise NotFound(f"This survey has no active link {link_id}.") from None


def get_survey(db: Session, survey_id: int) -> Survey | None:
    """The survey, or None (no access check: for finding whose participant is asking)."""
    return db.get(Survey, survey_id)
