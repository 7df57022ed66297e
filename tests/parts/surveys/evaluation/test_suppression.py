"""Small cells are hidden, directly and against subtraction; the threshold never drops below 3."""

from __future__ import annotations

from typing import Any

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import Side, Survey, analyse, change_plot_svg
from tracktwo.parts.surveys.evaluation.suppression import Cell, check_min_cell, suppress

from .conftest import make_synthetic


def test_small_cells_and_their_complements_are_hidden() -> None:
    family = ("change", "thermometer", "treatment", "post")
    cells = [
        Cell("a", family, "A", 20),
        Cell("b", family, "B", 3),
        Cell("c", family, "C", 9),
        Cell("total", family, "overall", 32),
    ]
    hidden = suppress(cells, 5)
    # B is small; total - A - C would reveal B, so the smallest other side (C) goes too
    assert hidden == {"a": None, "b": "small", "c": "complement", "total": None}


def test_empty_cells_describe_nobody_and_stay() -> None:
    cells = [Cell("a", "f", "A", 0), Cell("b", "f", "B", 12), Cell("t", "f", "overall", 12)]
    assert suppress(cells, 5) == {"a": None, "b": None, "t": None}


def test_overlapping_respondent_sets_for_one_wave_are_not_both_shown() -> None:
    subject = ("thermometer", "treatment", "A", "pre")
    pair = frozenset(f"p{i}" for i in range(10))
    everyone = pair | {"p10", "p11"}
    cells = [
        Cell("paired", "change", "A", 10, ((subject, pair),), priority=0),
        Cell("all", "wave", "A", 12, ((subject, everyone),), priority=1),
    ]
    assert suppress(cells, 5) == {"paired": None, "all": "overlap"}
    assert suppress(cells, 3) == {"paired": None, "all": "overlap"}
    wider = everyone | {f"q{i}" for i in range(5)}
    cells[1] = Cell("all", "wave", "A", 17, ((subject, wider),), priority=1)
    assert suppress(cells, 5) == {"paired": None, "all": None}


@pytest.mark.parametrize("value", [2, 0, -1, 2.5, True])
def test_the_threshold_never_goes_below_three(value: Any) -> None:
    with pytest.raises(InvalidInput, match="minimum cell size"):
        check_min_cell(value)
    assert check_min_cell(3) == 3


def test_a_side_with_four_respondents_is_suppressed_in_the_report() -> None:
    data = make_synthetic(per_side={"A": 20, "B": 4}, seed=9)
    report = analyse(data.responses, data.survey)
    entry = report["scales"]["thermometer"]
    small = entry["sides"]["B"]
    assert small["suppressed"] is True and small["n"] == "<5"
    for key in ("mean_pre", "mean_post", "diff", "ci_low", "t", "p_w", "hedges_g", "alpha_pre"):
        assert small[key] is None
    assert "fewer than 5" in small["suppressed_reason"]
    assert small["waves"]["pre"]["n"] == "<5" and small["waves"]["pre"]["histogram"] is None
    # A is hidden too: overall minus A would give B
    assert entry["sides"]["A"]["suppressed"] is True and entry["sides"]["A"]["n"] is None
    assert entry["overall"]["suppressed"] is False and entry["overall"]["n"] == 24
    assert report["attrition"]["treatment"]["sides"]["B"]["pre"]["answered"]["n"] == "<5"
    figure = change_plot_svg(report, "thermometer")
    assert "Side B" in figure.split("Not shown")[1]  # named in the note, not drawn as a row
    assert "n = 24" in figure and "n = 4" not in figure and "n = 20" not in figure


def test_min_cell_is_configurable() -> None:
    data = make_synthetic(per_side={"A": 20, "B": 4}, seed=9)
    report = analyse(data.responses, data.survey, min_cell=3)
    assert report["scales"]["thermometer"]["sides"]["B"]["n"] == 4
    assert report["settings"]["min_cell"] == 3
    stricter = analyse(data.responses, data.survey, min_cell=25)
    assert stricter["scales"]["thermometer"]["overall"]["n"] == "<25"


def test_a_small_dropout_hides_the_all_available_wave_figures() -> None:
    data = make_synthetic(per_side={"A": 20, "B": 20}, dropout={"A": {"post": 2}}, seed=4)
    side_a = analyse(data.responses, data.survey)["scales"]["thermometer"]["sides"]["A"]
    assert side_a["n"] == 18 and side_a["suppressed"] is False
    # the pre mean of all 20 next to the pre mean of the 18 pairs would reveal the 2 who left
    assert side_a["waves"]["pre"]["suppressed"] is True
    assert side_a["waves"]["pre"]["mean"] is None
    assert side_a["waves"]["post"]["suppressed"] is False  # the same 18 people


def test_respondents_without_a_side_form_their_own_cell() -> None:
    data = make_synthetic(per_side={"A": 10, "B": 10}, undeclared=6, seed=2)
    entry = analyse(data.responses, data.survey)["scales"]["thermometer"]
    assert set(entry["sides"]) == {"A", "B", "undeclared"}
    assert entry["sides"]["undeclared"]["n"] == 6
    assert entry["overall"]["n"] == 26


def test_the_survey_refuses_a_side_named_like_a_breakdown_key() -> None:
    with pytest.raises(InvalidInput, match="cannot be called"):
        Survey((), (Side("undeclared", "x"),))
