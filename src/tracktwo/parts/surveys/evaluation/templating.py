"""Filling in "the other side": one question per side a respondent is asked about.

Instruments are written once with a ``{side}`` placeholder. A member of side A is asked
about B (and about C, D ... when an initiative has more sides); a respondent who has not
declared a side is asked about *every* side, because we cannot know which one is "other"
for them, and is not asked own-side items (the Ascent of Man ingroup slider), because they
have no declared own side. Each asked question gets a stable key,
``<instrument>.<item>`` or ``<instrument>.<item>@side:<side id>`` for items about another
side, which is what answers, CSV files and the database store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation.library import SIDE_PLACEHOLDER, Instrument, Item

__all__ = [
    "RESERVED_SIDE_IDS",
    "ExpandedItem",
    "Side",
    "check_sides",
    "expand_items",
    "item_key",
    "parse_item_key",
    "targets_for",
]

_SIDE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_KEY = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)(?:@side:([A-Za-z0-9][A-Za-z0-9_-]*))?$")

#: Names used as breakdown keys in analysis results, so no side may be called this.
RESERVED_SIDE_IDS = frozenset({"overall", "undeclared"})


@dataclass(frozen=True)
class Side:
    """One declared side of an initiative; ``names`` holds its name in other languages."""

    id: str
    name: str
    names: Mapping[str, str] = field(default_factory=dict)

    def name_in(self, language: str) -> str:
        """The side's name in ``language``, falling back to its main name."""
        return self.names.get(language, self.name)


@dataclass(frozen=True)
class ExpandedItem:
    """A question as one respondent sees it: the item, who it is about, and its final text."""

    key: str
    instrument_id: str
    item: Item
    target: str | None
    text: Mapping[str, str]


def check_sides(sides: Sequence[Side]) -> None:
    """Raise InvalidInput unless the side ids are unique, well formed and not reserved."""
    seen: set[str] = set()
    for side in sides:
        if not _SIDE_ID.match(side.id):
            raise InvalidInput(
                f"The side id {side.id!r} is not valid; use letters, digits, '-' and '_' only."
            )
        if side.id in RESERVED_SIDE_IDS:
            raise InvalidInput(f"A side cannot be called {side.id!r}; choose another id.")
        if side.id in seen:
            raise InvalidInput(f"The side id {side.id!r} is used twice; side ids must be unique.")
        seen.add(side.id)


def item_key(instrument_id: str, item_id: str, target: str | None = None) -> str:
    """The stable key of an asked question, e.g. ``thermometer.warmth@side:B``."""
    base = f"{instrument_id}.{item_id}"
    return base if target is None else f"{base}@side:{target}"


def parse_item_key(key: str) -> tuple[str, str, str | None]:
    """Split a question key into (instrument id, item id, side id or None)."""
    match = _KEY.match(key)
    if match is None:
        raise InvalidInput(
            f"{key!r} is not a question key; write instrument.item or instrument.item@side:ID."
        )
    return match.group(1), match.group(2), match.group(3)


def targets_for(sides: Sequence[Side], respondent_side: str | None) -> tuple[Side, ...]:
    """The sides a respondent is asked about: every side but their own (all if undeclared)."""
    if respondent_side is not None and respondent_side not in {side.id for side in sides}:
        raise InvalidInput(
            f"The respondent's side {respondent_side!r} is not one of the initiative's sides."
        )
    return tuple(side for side in sides if side.id != respondent_side)


def _fill(texts: Mapping[str, str], side: Side) -> dict[str, str]:
    return {
        language: text.replace(SIDE_PLACEHOLDER, side.name_in(language))
        for language, text in texts.items()
    }


def expand_items(
    instrument: Instrument, sides: Sequence[Side], respondent_side: str | None
) -> tuple[ExpandedItem, ...]:
    """The questions of ``instrument`` for one respondent, in the order they are shown.

    Items about the other side are repeated once per side in :func:`targets_for`, grouped by
    side so that a respondent answers all questions about one side before the next. Items
    about the respondent's own side are skipped for respondents without a declared side.

    Raises
    ------
    InvalidInput
        If the sides are malformed or the respondent's side is not one of them.
    """
    check_sides(sides)
    targets = targets_for(sides, respondent_side)
    own = next((side for side in sides if side.id == respondent_side), None)
    expanded: list[ExpandedItem] = []
    for position, target in enumerate(targets or (None,)):
        for item in instrument.items:
            if item.refers_to == "other_side":
                if target is not None:
                    expanded.append(
                        ExpandedItem(
                            item_key(instrument.id, item.id, target.id),
                            instrument.id,
                            item,
                            target.id,
                            _fill(item.text, target),
                        )
                    )
            elif position == 0:
                if item.refers_to == "own_side":
                    if own is None:
                        continue
                    expanded.append(
                        ExpandedItem(
                            item_key(instrument.id, item.id),
                            instrument.id,
                            item,
                            own.id,
                            _fill(item.text, own),
                        )
                    )
                else:
                    expanded.append(
                        ExpandedItem(
                            item_key(instrument.id, item.id),
                            instrument.id,
                            item,
                            None,
                            dict(item.text),
                        )
                    )
    return tuple(expanded)
