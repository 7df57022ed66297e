"""The instrument library: provenance labels, the reference's wordings, editing, custom items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import (
    builtin_instrument,
    builtin_instrument_ids,
    builtin_instruments,
    custom_likert,
    custom_numeric,
    instrument_from_dict,
    missing_translations,
    read_instrument_file,
    with_item_text,
)

# The IRI Perspective-Taking items as printed in workshops-and-evaluation.md, section 4.
REFERENCE_IRI_PT = [
    ('I sometimes find it difficult to see things from the "other guy\'s" point of view.', True),
    ("I try to look at everybody's side of a disagreement before I make a decision.", False),
    (
        "I sometimes try to understand my friends better by imagining how things look from "
        "their perspective.",
        False,
    ),
    (
        "If I'm sure I'm right about something, I don't waste much time listening to other "
        "people's arguments.",
        True,
    ),
    ("I believe that there are two sides to every question and try to look at them both.", False),
    ('When I\'m upset at someone, I usually try to "put myself in his shoes" for a while.', False),
    (
        "Before criticizing somebody, I try to imagine how I would feel if I were in their place.",
        False,
    ),
]


def test_the_issue_instruments_are_shipped_with_provenance() -> None:
    ids = builtin_instrument_ids()
    for wanted in (
        "thermometer",
        "ascent_of_man",
        "perspective_taking",
        "intergroup_perspective_taking",
        "outgroup_trust",
        "competitive_victimhood",
    ):
        assert wanted in ids
    for instrument in builtin_instruments():
        assert instrument.status in ("verified", "adapted")
        assert instrument.source.strip()
        assert "en" in instrument.languages()
        for item in instrument.items:
            assert set(item.text) == {"en"}, "no invented translations of published scales"


def test_iri_perspective_taking_matches_the_reference_word_for_word() -> None:
    scale = builtin_instrument("perspective_taking")
    assert scale.status == "verified"
    assert [(item.text["en"], item.reverse) for item in scale.items] == REFERENCE_IRI_PT
    assert all(item.wording == "verified" for item in scale.items)
    assert {(item.scale.min, item.scale.max) for item in scale.items} == {(0, 4)}
    labels = {label.value: label.text["en"] for label in scale.items[0].scale.labels}
    assert labels == {0: "Does not describe me well", 4: "Describes me very well"}


def test_unverified_wordings_are_labelled_adapted() -> None:
    intergroup = builtin_instrument("intergroup_perspective_taking")
    assert intergroup.status == "adapted"
    assert [item.reverse for item in intergroup.items] == [True, False, False, True] + [False] * 3
    for instrument_id in (
        "outgroup_trust",
        "competitive_victimhood",
        "intergroup_perspective_taking",
    ):
        instrument = builtin_instrument(instrument_id)
        assert all(item.wording == "adapted" for item in instrument.items)
        assert all(item.refers_to == "other_side" for item in instrument.items)
    ascent = builtin_instrument("ascent_of_man")
    assert ascent.instructions_wording == "adapted"  # the reference: instruction text unverified
    assert ascent.scoring.rule == "difference"
    assert (ascent.scoring.minuend, ascent.scoring.subtrahend) == ("ingroup", "outgroup")
    assert ascent.score_range == (-100, 100)


def test_thermometer_uses_the_anes_anchors() -> None:
    thermometer = builtin_instrument("thermometer")
    scale = thermometer.items[0].scale
    assert (scale.min, scale.max) == (0, 100)
    labels = {label.value: label.text["en"].lower() for label in scale.labels}
    assert labels[100] == "very warm" and labels[85] == "quite warm" and labels[0] == "very cold"
    assert labels[50] == "no feeling" and labels[60] == "a bit more warm than cold"


def test_missing_translations_lists_every_text_a_language_lacks() -> None:
    trust = builtin_instrument("outgroup_trust")
    assert missing_translations(trust, ["en"]) == {}
    gaps = missing_translations(trust, ["en", "ar"])
    assert list(gaps) == ["ar"]
    assert "instructions" in gaps["ar"]
    assert {"item:trust1", "item:trust4", "label:trust1:7"} <= set(gaps["ar"])


def test_a_programme_can_edit_a_wording_which_then_counts_as_adapted() -> None:
    thermometer = builtin_instrument("thermometer")
    edited = with_item_text(thermometer, "warmth", "ar", "{side}")
    assert edited.items[0].wording == "adapted"
    assert edited.items[0].text == {"en": "{side}", "ar": "{side}"}
    assert thermometer.items[0].wording == "verified", "the shipped copy is untouched"
    with pytest.raises(InvalidInput, match=r"\{side\}"):
        with_item_text(thermometer, "warmth", "en", "How do you feel about them?")
    with pytest.raises(InvalidInput, match="no item 'heat'"):
        with_item_text(thermometer, "heat", "en", "{side}")


def _definition(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "hope",
        "name": "Hope",
        "construct": "Hope for peace",
        "higher_means": "more hope",
        "status": "custom",
        "source": "ours",
        "scoring": {"rule": "mean"},
        "scale": {"min": 1, "max": 5},
        "items": [
            {"id": "h1", "text": {"en": "Peace will come."}, "wording": "custom"},
            {"id": "h2", "text": {"en": "Peace is near."}, "wording": "custom"},
        ],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scale": {"min": 5, "max": 1}}, "must be below"),
        ({"scoring": {"rule": "single"}}, "single item but has 2"),
        ({"scoring": {"rule": "difference", "minuend": "h1", "subtrahend": "x"}}, "subtrahend"),
        ({"id": "Hope!"}, "instrument Hope! is not valid"),
        ({"items": []}, "has no items"),
        (
            {"items": [{"id": "h1", "text": {"en": "About {side}"}, "wording": "custom"}]},
            "refers_to is 'none'",
        ),
        (
            {"items": [{"id": "h1", "text": {"english": "x"}, "wording": "custom"}]},
            "not a language code",
        ),
    ],
)
def test_bad_definitions_are_refused_with_one_sentence(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        instrument_from_dict(_definition(**changes))
    assert "\n" not in str(caught.value)


def test_instrument_files_are_read_and_their_errors_reported(tmp_path: Path) -> None:
    good = tmp_path / "hope.json"
    good.write_text(json.dumps(_definition()), encoding="utf-8")
    assert read_instrument_file(good).id == "hope"
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        read_instrument_file(broken)
    with pytest.raises(InvalidInput, match="does not exist"):
        read_instrument_file(tmp_path / "none.json")
    with pytest.raises(InvalidInput, match="choose one of"):
        builtin_instrument("nope")


def test_custom_likert_and_numeric_items() -> None:
    hope = custom_likert(
        "hope",
        "Hope",
        {"h1": "Peace will come.", "h2": "Peace is impossible."},
        points=7,
        reverse=["h2"],
    )
    assert hope.status == "custom" and hope.scoring.rule == "mean"
    assert [item.reverse for item in hope.items] == [False, True]
    assert (hope.items[0].scale.min, hope.items[0].scale.max) == (1, 7)
    assert len(hope.items[0].scale.labels) == 7
    friends = custom_numeric(
        "friends",
        "Friends",
        "How many friends do you have among {side}?",
        minimum=0,
        maximum=50,
        refers_to_other_side=True,
    )
    assert friends.refers_to_other_side and friends.scoring.rule == "single"
    with pytest.raises(InvalidInput, match="not one of the items"):
        custom_likert("hope", "Hope", {"h1": "x"}, reverse=["h9"])
    with pytest.raises(InvalidInput, match="2 to 11 points"):
        custom_likert("hope", "Hope", {"h1": "x"}, points=1)
