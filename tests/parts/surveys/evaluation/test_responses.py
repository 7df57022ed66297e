"""Answer sets are checked whole, and scored with reverse items mirrored (hand-worked)."""

from __future__ import annotations

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import (
    ResponseSet,
    Side,
    Survey,
    builtin_instrument,
    score_response,
    validate_response,
    wave_order,
)

TWO = (Side("A", "Side A"), Side("B", "Side B"))
THREE = (*TWO, Side("C", "Side C"))


def _survey(*ids: str, sides: tuple[Side, ...] = TWO) -> Survey:
    return Survey(tuple(builtin_instrument(i) for i in ids), sides)


def test_valid_answers_come_back_as_floats() -> None:
    survey = _survey("thermometer")
    valid = validate_response(
        ResponseSet("p1", "pre", {"thermometer.warmth@side:B": 70}, "A"), survey
    )
    assert valid.answers == {"thermometer.warmth@side:B": 70.0}


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            ResponseSet("p1", "pre", {"thermometer.warmth@side:B": 120}, "A"),
            "Respondent p1, wave pre: the answer 120 to thermometer.warmth@side:B is outside "
            "the range 0 to 100.",
        ),
        (
            ResponseSet("p1", "pre", {"thermometer.warmth@side:B": 50.5}, "A"),
            "must be a whole number from 0 to 100",
        ),
        (
            ResponseSet("p1", "pre", {}, "A"),
            "the required question thermometer.warmth@side:B has no answer",
        ),
        (
            ResponseSet("p1", "pre", {"thermometer.warmth@side:A": 50}, "A"),
            "thermometer.warmth@side:A is not a question this respondent is asked",
        ),
        (ResponseSet("p1", "during", {}, "A"), "'during' is not a wave"),
        (ResponseSet("p1", "pre", {}, "A", group="control"), "group 'control' is not valid"),
        (ResponseSet("p1", "pre", {}, "Z"), "the side 'Z' is not one of the sides"),
        (ResponseSet("p 1", "pre", {}, "A"), "respondent id 'p 1' is not valid"),
        (
            ResponseSet("p1", "pre", {"thermometer.warmth@side:B": "warm"}, "A"),  # type: ignore[dict-item]
            "'warm' to thermometer.warmth@side:B is not a number",
        ),
    ],
)
def test_bad_answer_sets_are_refused_naming_the_question(
    response: ResponseSet, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_response(response, _survey("thermometer"))


def test_reverse_items_are_mirrored_before_the_mean() -> None:
    survey = _survey("perspective_taking")
    answers = {f"perspective_taking.pt{k}": v for k, v in enumerate([4, 3, 2, 1, 0, 4, 3], 1)}
    scored = score_response(
        validate_response(ResponseSet("p1", "pre", answers, "A"), survey), survey
    )
    # pt1 and pt4 are reversed on 0-4: 4 -> 0 and 1 -> 3; mean of 0,3,2,3,0,4,3 = 15/7
    assert scored["perspective_taking"].score == pytest.approx(15 / 7)
    assert scored["perspective_taking"].items["pt1"] == 0
    assert scored["perspective_taking"].items["pt4"] == 3


def test_trust_reverse_item_on_a_1_to_7_scale() -> None:
    survey = _survey("outgroup_trust")
    answers = {f"outgroup_trust.trust{k}@side:B": v for k, v in enumerate([6, 5, 7, 2], 1)}
    scored = score_response(ResponseSet("p1", "pre", answers, "A"), survey)
    assert scored["outgroup_trust"].score == pytest.approx((6 + 5 + 7 + 6) / 4)


def test_ascent_of_man_is_ingroup_minus_outgroup() -> None:
    survey = _survey("ascent_of_man")
    answers = {"ascent_of_man.ingroup": 95, "ascent_of_man.outgroup@side:B": 60}
    scored = score_response(ResponseSet("p1", "pre", answers, "A"), survey)
    assert scored["ascent_of_man"].score == 35


def test_without_a_side_there_is_no_ascent_score_but_a_thermometer_mean() -> None:
    survey = _survey("ascent_of_man", "thermometer")
    answers = {
        "ascent_of_man.outgroup@side:A": 70,
        "ascent_of_man.outgroup@side:B": 80,
        "thermometer.warmth@side:A": 40,
        "thermometer.warmth@side:B": 60,
    }
    scored = score_response(validate_response(ResponseSet("u1", "pre", answers), survey), survey)
    assert scored["ascent_of_man"].score is None
    assert scored["thermometer"].score == 50


def test_three_sides_give_per_side_scores_and_their_mean() -> None:
    survey = _survey("ascent_of_man", sides=THREE)
    answers = {
        "ascent_of_man.ingroup": 100,
        "ascent_of_man.outgroup@side:B": 80,
        "ascent_of_man.outgroup@side:C": 50,
    }
    scored = score_response(
        validate_response(ResponseSet("p1", "pre", answers, "A"), survey), survey
    )
    assert scored["ascent_of_man@side:B"].score == 20
    assert scored["ascent_of_man@side:C"].score == 50
    assert scored["ascent_of_man"].score == 35
    assert scored["ascent_of_man"].items == {"ingroup": 100, "outgroup": 65}


def test_waves_are_ordered_in_time() -> None:
    waves = ["followup10", "post", "followup2", "pre", "followup"]
    assert sorted(waves, key=wave_order) == ["pre", "post", "followup", "followup2", "followup10"]
    for bad in ("followup1", "follow-up", "Pre", "post2"):
        with pytest.raises(InvalidInput, match="is not a wave"):
            wave_order(bad)
