"""The instrument library: validated attitude scales stored as JSON data files.

Instruments are data, not code, so that a programme can read exactly what will be asked, a
reviewer can check every wording against its source, and the platform can store a survey's
(possibly edited) copy of an instrument as JSON. Each instrument says honestly where it comes
from: ``status`` is ``verified`` when the measure and its scoring are confirmed in the project
reference, ``adapted`` when we had to write or change wordings, ``custom`` when a programme
wrote it. Each item carries its own ``wording`` label, because a verified measure may still
have an adapted wording (e.g. the intergroup target of a perspective-taking item).

Texts are stored per language code. Validated scales are shipped in English only: we do not
invent translations of published instruments, so :func:`missing_translations` tells the
interface what a programme still has to translate (and back-translate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.files import readable_file

__all__ = [
    "SIDE_PLACEHOLDER",
    "Instrument",
    "Item",
    "Scale",
    "ScaleLabel",
    "Scoring",
    "builtin_instrument",
    "builtin_instrument_ids",
    "builtin_instruments",
    "custom_likert",
    "custom_numeric",
    "instrument_from_dict",
    "missing_translations",
    "read_instrument_file",
    "with_item_text",
]

#: Where an item text names a side; replaced by the side's name when the survey is shown.
SIDE_PLACEHOLDER = "{side}"

Status = Literal["verified", "adapted", "custom"]
RefersTo = Literal["none", "other_side", "own_side"]

_ID = r"^[a-z][a-z0-9_]*$"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

_AGREE_LABELS: dict[int, tuple[str, ...]] = {
    5: ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    7: (
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _check_texts(texts: Mapping[str, str], where: str) -> None:
    if not texts:
        raise ValueError(f"{where} needs a text in at least one language")
    for language, text in texts.items():
        if not _LANGUAGE.match(language):
            raise ValueError(f"{where} has a text for {language!r}, which is not a language code")
        if not text.strip():
            raise ValueError(f"{where} has an empty {language} text")


class ScaleLabel(_Frozen):
    """A labelled point on a response scale (e.g. 50 = "No feeling")."""

    value: float
    text: dict[str, str]


class Scale(_Frozen):
    """The answers an item accepts: a closed range, integer or not, with labelled anchors."""

    min: float
    max: float
    integer: bool = True
    widget: Literal["choice", "slider", "number"] = "choice"
    labels: tuple[ScaleLabel, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Scale:
        if not self.min < self.max:
            raise ValueError(
                f"the scale minimum {self.min:g} must be below its maximum {self.max:g}"
            )
        if self.integer and not (float(self.min).is_integer() and float(self.max).is_integer()):
            raise ValueError("an integer scale needs whole-number ends")
        for label in self.labels:
            if not self.min <= label.value <= self.max:
                raise ValueError(f"the scale label at {label.value:g} is outside the scale")
            _check_texts(label.text, f"the scale label at {label.value:g}")
        return self

    def reverse(self, value: float) -> float:
        """Mirror a value on the scale, so that 'agree' on a reversed item counts as 'disagree'."""
        return self.min + self.max - value

    def problem_with(self, value: float) -> str | None:
        """Why ``value`` is not an answer on this scale, or None when it is."""
        if value != value or value in (float("inf"), float("-inf")):
            return "is not a number"
        if not self.min <= value <= self.max:
            return f"is outside the range {self.min:g} to {self.max:g}"
        if self.integer and not float(value).is_integer():
            return f"must be a whole number from {self.min:g} to {self.max:g}"
        return None


class Item(_Frozen):
    """One question. ``refers_to`` says whether its text names the other side or the own side."""

    id: str = Field(pattern=_ID)
    text: dict[str, str]
    reverse: bool = False
    refers_to: RefersTo = "none"
    required: bool = True
    wording: Status
    scale: Scale

    @model_validator(mode="after")
    def _texts_fit_target(self) -> Item:
        _check_texts(self.text, f"item {self.id}")
        for language, text in self.text.items():
            named = SIDE_PLACEHOLDER in text
            if self.refers_to != "none" and not named:
                raise ValueError(
                    f"the {language} text of item {self.id} must contain {SIDE_PLACEHOLDER} "
                    "where the side's name goes"
                )
            if self.refers_to == "none" and named:
                raise ValueError(
                    f"item {self.id} names a side in its {language} text but refers_to is 'none'"
                )
        return self


class Scoring(_Frozen):
    """How item answers become one scale score.

    ``mean``: the mean of the answered items after reversing the reverse-scored ones.
    ``single``: the one item's answer. ``difference``: ``minuend`` minus ``subtrahend`` (the
    Ascent of Man's ingroup minus outgroup rating).
    """

    rule: Literal["mean", "single", "difference"]
    minuend: str | None = None
    subtrahend: str | None = None


class Instrument(_Frozen):
    """A measure of one construct: its items, scoring rule, provenance and texts."""

    id: str = Field(pattern=_ID)
    name: str
    #: What the instrument measures; stored as ``construct`` in JSON (the attribute name
    #: differs only because pydantic reserves ``construct``).
    construct_name: str = Field(alias="construct")
    higher_means: str
    status: Status
    source: str
    notes: str = ""
    instructions: dict[str, str] = Field(default_factory=dict)
    instructions_wording: Status = "adapted"
    scoring: Scoring
    items: tuple[Item, ...]

    @model_validator(mode="before")
    @classmethod
    def _inherit_scale(cls, data: Any) -> Any:
        """Let the JSON state one scale for the whole instrument instead of one per item."""
        if isinstance(data, dict) and "scale" in data:
            data = dict(data)
            default = data.pop("scale")
            items = data.get("items")
            if isinstance(items, list | tuple):
                data["items"] = [
                    {"scale": default, **item} if isinstance(item, dict) else item for item in items
                ]
        return data

    @model_validator(mode="after")
    def _coherent(self) -> Instrument:
        ids = [item.id for item in self.items]
        if not ids:
            raise ValueError(f"instrument {self.id} has no items")
        duplicated = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
        if duplicated:
            raise ValueError(f"instrument {self.id} lists item {duplicated[0]} twice")
        if self.instructions:
            _check_texts(self.instructions, f"the instructions of {self.id}")
        rule = self.scoring
        if rule.rule == "single" and len(ids) != 1:
            raise ValueError(f"instrument {self.id} is scored as a single item but has {len(ids)}")
        if rule.rule == "difference":
            for role, item_id in (("minuend", rule.minuend), ("subtrahend", rule.subtrahend)):
                if item_id not in ids:
                    raise ValueError(f"the scoring {role} of {self.id} is not one of its items")
                if not self.item(str(item_id)).required:
                    raise ValueError(f"the scoring {role} of {self.id} must be a required item")
        if rule.rule == "mean":
            ranges = {(item.scale.min, item.scale.max) for item in self.items}
            if len(ranges) > 1:
                raise ValueError(f"the items of {self.id} are averaged, so they need one scale")
        return self

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if there is none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def refers_to_other_side(self) -> bool:
        """True when some item is asked once per other side."""
        return any(item.refers_to == "other_side" for item in self.items)

    @property
    def score_range(self) -> tuple[float, float]:
        """The smallest and largest possible scale score."""
        if self.scoring.rule == "difference":
            high = self.item(str(self.scoring.minuend)).scale
            low = self.item(str(self.scoring.subtrahend)).scale
            return high.min - low.max, high.max - low.min
        scale = self.items[0].scale
        return scale.min, scale.max

    def languages(self) -> set[str]:
        """Every language some text of the instrument is written in."""
        found = set(self.instructions)
        for item in self.items:
            found.update(item.text)
            for label in item.scale.labels:
                found.update(label.text)
        return found


def _first_error(error: ValidationError) -> str:
    detail = error.errors()[0]
    where = ".".join(str(part) for part in detail["loc"])
    message = str(detail["msg"]).removeprefix("Value error, ")
    return f"{message} (at {where})" if where else message


def instrument_from_dict(data: Mapping[str, Any]) -> Instrument:
    """Build an instrument from its JSON form; raise InvalidInput naming the first problem."""
    try:
        return Instrument.model_validate(dict(data))
    except ValidationError as error:
        name = data.get("id", "?") if isinstance(data, Mapping) else "?"
        raise InvalidInput(
            f"The instrument {name} is not valid: {_first_error(error)}; fix its definition."
        ) from None


MAX_INSTRUMENT_BYTES = 1024 * 1024  # a questionnaire definition; a larger file is a mistake


def read_instrument_file(path: str | Path) -> Instrument:
    """Read an instrument definition from a JSON file (a file reader: the only I/O here)."""
    file = Path(path)
    readable_file(file, f"The instrument file {file}")
    if file.stat().st_size > MAX_INSTRUMENT_BYTES:
        raise InvalidInput(f"The instrument file {file} is larger than 1 MB.")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise InvalidInput(f"The instrument file {file} cannot be read ({reason}).") from None
    except RecursionError:  # "[[[[...]]]]" nested 100,000 deep
        raise InvalidInput(f"The instrument file {file} is nested too deeply.") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"The instrument file {file} is not valid JSON (line {error.lineno}): {error.msg}."
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"The instrument file {file} must hold one JSON object.")
    return instrument_from_dict(data)


def builtin_instrument_ids() -> tuple[str, ...]:
    """The ids of the instruments shipped with tracktwo, in a stable order."""
    folder = resources.files("tracktwo.parts.surveys.evaluation") / "instruments"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))
    return tuple(name.removesuffix(".json") for name in names)


def builtin_instrument(instrument_id: str) -> Instrument:
    """One shipped instrument by id; InvalidInput listing the known ids if there is none."""
    known = builtin_instrument_ids()
    if instrument_id not in known:
        raise InvalidInput(
            f"There is no instrument called {instrument_id!r}; choose one of {', '.join(known)}."
        )
    entry = (
        resources.files("tracktwo.parts.surveys.evaluation")
        / "instruments"
        / f"{instrument_id}.json"
    )
    return instrument_from_dict(json.loads(entry.read_text(encoding="utf-8")))


def builtin_instruments() -> tuple[Instrument, ...]:
    """Every shipped instrument."""
    return tuple(builtin_instrument(instrument_id) for instrument_id in builtin_instrument_ids())


def with_item_text(instrument: Instrument, item_id: str, language: str, text: str) -> Instrument:
    """A copy of ``instrument`` with one item's wording replaced, as a programme edits it.

    An edited wording is no longer the published one, so the item is labelled ``adapted``
    (``custom`` stays ``custom``). Items that name a side must keep the ``{side}`` placeholder.
    """
    try:
        item = instrument.item(item_id)
    except KeyError:
        raise InvalidInput(f"Instrument {instrument.id} has no item {item_id!r}.") from None
    wording: Status = "custom" if item.wording == "custom" else "adapted"
    data = instrument.model_dump(by_alias=True)
    for raw in data["items"]:
        if raw["id"] == item_id:
            raw["text"] = {**raw["text"], language: text}
            raw["wording"] = wording
    return instrument_from_dict(data)


def missing_translations(
    instrument: Instrument, languages: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Which texts still need a translation: ``{language: (what, ...)}`` for each gap.

    ``what`` is ``"instructions"``, ``"item:<id>"`` or ``"label:<item id>:<value>"``. Languages
    with nothing missing are left out, so an empty dict means the instrument is complete.
    """
    gaps: dict[str, tuple[str, ...]] = {}
    for language in languages:
        missing: list[str] = []
        if instrument.instructions and language not in instrument.instructions:
            missing.append("instructions")
        for item in instrument.items:
            if language not in item.text:
                missing.append(f"item:{item.id}")
            missing.extend(
                f"label:{item.id}:{label.value:g}"
                for label in item.scale.labels
                if language not in label.text
            )
        if missing:
            gaps[language] = tuple(missing)
    return gaps


def _custom(
    instrument_id: str,
    name: str,
    construct: str,
    items: Sequence[dict[str, Any]],
    scale: dict[str, Any],
    scoring: str,
) -> Instrument:
    return instrument_from_dict(
        {
            "id": instrument_id,
            "name": name,
            "construct": construct or name,
            "higher_means": "a higher answer on the programme's own scale",
            "status": "custom",
            "source": "Written by the programme; not a validated instrument.",
            "instructions_wording": "custom",
            "scoring": {"rule": scoring},
            "scale": scale,
            "items": list(items),
        }
    )


def custom_likert(
    instrument_id: str,
    name: str,
    items: Mapping[str, str],
    *,
    points: int = 5,
    language: str = "en",
    construct: str = "",
    reverse: Iterable[str] = (),
    refers_to_other_side: bool = False,
) -> Instrument:
    """A programme's own agree/disagree scale scored as the mean of its items.

    ``items`` maps item ids to texts in ``language``. Answers run from 1 to ``points``; the
    English agree/disagree labels are attached for 5 and 7 points (other points get end
    labels only). Texts that name the other side must contain ``{side}`` and set
    ``refers_to_other_side``.
    """
    if points not in range(2, 12):
        raise InvalidInput(f"A Likert item needs 2 to 11 points, not {points}.")
    reversed_ids = set(reverse)
    unknown = reversed_ids - set(items)
    if unknown:
        raise InvalidInput(f"Reverse-scored item {sorted(unknown)[0]!r} is not one of the items.")
    words = _AGREE_LABELS.get(
        points, ("Strongly disagree",) + ("",) * (points - 2) + ("Strongly agree",)
    )
    labels = [
        {"value": value, "text": {"en": word}} for value, word in enumerate(words, start=1) if word
    ]
    return _custom(
        instrument_id,
        name,
        construct,
        [
            {
                "id": item_id,
                "text": {language: text},
                "reverse": item_id in reversed_ids,
                "refers_to": "other_side" if refers_to_other_side else "none",
                "wording": "custom",
            }
            for item_id, text in items.items()
        ],
        {"min": 1, "max": points, "integer": True, "widget": "choice", "labels": labels},
        "mean",
    )


def custom_numeric(
    instrument_id: str,
    name: str,
    text: str,
    *,
    minimum: float,
    maximum: float,
    integer: bool = True,
    language: str = "en",
    construct: str = "",
    refers_to_other_side: bool = False,
) -> Instrument:
    """A programme's own single numeric question (e.g. 'how many friends from {side}?')."""
    return _custom(
        instrument_id,
        name,
        construct,
        [
            {
                "id": "value",
                "text": {language: text},
                "refers_to": "other_side" if refers_to_other_side else "none",
                "wording": "custom",
            }
        ],
        {"min": minimum, "max": maximum, "integer": integer, "widget": "number"},
        "single",
    )
