"""The SVG figures: well-formed, drawn from the report, suppressed cells left out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import (
    Side,
    Survey,
    analyse,
    change_plot_svg,
    distribution_plot_svg,
)

from .conftest import Synthetic, make_synthetic

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def report(two_sides: Synthetic) -> dict[str, Any]:
    return analyse(two_sides.responses, two_sides.survey)


def _texts(svg: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text")]


def test_change_plot_shows_each_side_with_its_interval(report: dict[str, Any]) -> None:
    svg = change_plot_svg(report, "thermometer")
    texts = _texts(svg)
    for label in ("Side A", "Side B", "All respondents"):
        assert label in texts
    side_a = report["scales"]["thermometer"]["sides"]["A"]
    expected = f"+{side_a['diff']:.1f} [{side_a['ci_low']:.1f}, {side_a['ci_high']:.1f}], n = 40"
    assert expected in texts
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}circle")) == 2  # the two sides
    assert len(root.findall(f"{SVG}rect")) == 1  # all respondents, a square in black and white
    assert not re.search(r'fill="#(?!000|fff|333|555)', svg), "only black, white and greys"


def test_distribution_plot_has_a_panel_per_side_and_both_waves(report: dict[str, Any]) -> None:
    svg = distribution_plot_svg(report, "outgroup_trust")
    texts = _texts(svg)
    assert {"Side A", "Side B", "All respondents"} <= set(texts)
    assert texts.count("pre: n = 40") == 2 and "post: n = 80" in texts
    bars = [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("stroke-width") == "0.8"]
    assert len(bars) == 3 * 2 * 10  # panels x waves x bins


def test_side_names_are_escaped() -> None:
    data = make_synthetic(per_side={"A": 6, "B": 6}, seed=5)
    sides = (Side("A", "<script>alert(1)</script>"), Side("B", "B & co"))
    survey = Survey(data.survey.instruments, sides)
    report = analyse(data.responses, survey)
    svg = change_plot_svg(report, "thermometer")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_unknown_scale_or_group_is_refused(report: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="no scale 'hope'"):
        change_plot_svg(report, "hope")
    with pytest.raises(InvalidInput, match="no comparison group"):
        distribution_plot_svg(report, "thermometer", group="comparison")
