"""'The other side' is filled in per respondent, with stable question keys."""

from __future__ import annotations

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import (
    Side,
    builtin_instrument,
    expand_items,
    item_key,
    parse_item_key,
)

TWO = (Side("A", "Greek Cypriots"), Side("B", "Turkish Cypriots"))
THREE = (*TWO, Side("C", "Maronites"))


def test_a_member_of_one_side_is_asked_about_the_other() -> None:
    thermometer = builtin_instrument("thermometer")
    for own, other in (("A", TWO[1]), ("B", TWO[0])):
        (question,) = expand_items(thermometer, TWO, own)
        assert question.key == f"thermometer.warmth@side:{other.id}"
        assert question.target == other.id
        assert question.text == {"en": other.name}


def test_with_three_sides_each_other_side_is_asked_about_grouped_by_side() -> None:
    trust = builtin_instrument("outgroup_trust")
    keys = [question.key for question in expand_items(trust, THREE, "A")]
    assert keys == [f"outgroup_trust.trust{k}@side:B" for k in range(1, 5)] + [
        f"outgroup_trust.trust{k}@side:C" for k in range(1, 5)
    ]
    first = expand_items(trust, THREE, "A")[0]
    assert first.text["en"] == "Most Turkish Cypriots can be trusted."


def test_without_a_side_every_side_is_asked_about_and_no_own_side_item() -> None:
    ascent = builtin_instrument("ascent_of_man")
    keys = [question.key for question in expand_items(ascent, TWO, None)]
    assert keys == ["ascent_of_man.outgroup@side:A", "ascent_of_man.outgroup@side:B"]
    declared = expand_items(ascent, TWO, "A")
    assert [question.key for question in declared] == [
        "ascent_of_man.ingroup",
        "ascent_of_man.outgroup@side:B",
    ]
    assert declared[0].target == "A" and declared[0].text["en"].startswith("Greek Cypriots")


def test_items_about_nobody_are_asked_once() -> None:
    iri = builtin_instrument("perspective_taking")
    keys = [question.key for question in expand_items(iri, THREE, "B")]
    assert keys == [f"perspective_taking.pt{k}" for k in range(1, 8)]


def test_side_names_in_other_languages_are_used() -> None:
    thermometer = builtin_instrument("thermometer")
    translated = thermometer.model_copy(
        update={
            "items": (
                thermometer.items[0].model_copy(update={"text": {"en": "{side}", "el": "{side}"}}),
            )
        }
    )
    sides = (Side("A", "Greek Cypriots"), Side("B", "Turkish Cypriots", {"el": "Τουρκοκύπριοι"}))
    (question,) = expand_items(translated, sides, "A")
    assert question.text == {"en": "Turkish Cypriots", "el": "Τουρκοκύπριοι"}


@pytest.mark.parametrize(
    ("sides", "respondent", "message"),
    [
        ((Side("A", "a"), Side("A", "b")), "A", "used twice"),
        ((Side("overall", "x"),), None, "cannot be called"),
        ((Side("a b", "x"),), None, "not valid"),
        (TWO, "Z", "not one of the initiative's sides"),
    ],
)
def test_bad_sides_are_refused(
    sides: tuple[Side, ...], respondent: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        expand_items(builtin_instrument("thermometer"), sides, respondent)


def test_keys_round_trip_and_bad_keys_are_refused() -> None:
    assert parse_item_key(item_key("thermometer", "warmth", "B")) == ("thermometer", "warmth", "B")
    assert parse_item_key(item_key("perspective_taking", "pt1")) == (
        "perspective_taking",
        "pt1",
        None,
    )
    for bad in ("thermometer", "thermometer.warmth@B", "Thermo.warmth", "a.b@side:"):
        with pytest.raises(InvalidInput, match="not a question key"):
            parse_item_key(bad)
