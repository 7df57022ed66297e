"""The influence tree (SVG, PNG) and MICMAC chart: well-formed, complete, and laid out as SDD
draws them (outcomes on top, root drivers at the bottom)."""

from __future__ import annotations

import itertools
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.workshops.ism.figures import (
    FigureText,
    influence_tree_layout,
    influence_tree_png,
    influence_tree_svg,
    micmac_svg,
)
from tracktwo.parts.workshops.ism.ism import Structure, structure_from_relation, structure_from_ssim

NS = {"svg": "http://www.w3.org/2000/svg"}

# Example 1 of test_ism_examples: levels {0,1} {2,3} {4,5} {6}, one cycle {2,3}.
EDGES = [(6, 4), (6, 5), (4, 2), (5, 3), (2, 3), (3, 2), (2, 0), (3, 1), (6, 2)]
LABELS = [
    "Lack of trust between the two communities",
    'Fear of "the other side" <b>&amp; rumours</b>',
    "Biased history textbooks in schools",
    "انعدام الثقة بين المجتمعين",
    "חוסר אמון בין הקהילות",
    "Few opportunities for young people from both sides to meet",
    "Politicians use fear for electoral gain",
]


def example() -> Structure:
    relation = np.zeros((7, 7), dtype=int)
    for i, j in EDGES:
        relation[i, j] = 1
    return structure_from_relation(relation)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def box_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g") if "data-level" in g.attrib]


def texts(group: ET.Element) -> list[ET.Element]:
    return group.findall("svg:text", NS)


def test_tree_svg_is_xml_with_every_label_as_escaped_text() -> None:
    svg = influence_tree_svg(example(), LABELS)
    assert "<b>" not in svg  # a participant's markup stays text
    root = parse(svg)
    found: dict[int, str] = {}
    for group in box_groups(root):
        members = [int(m) for m in group.attrib["data-members"].split()]
        lines = [t.text or "" for t in texts(group)]
        if len(members) > 1:
            assert lines[0] == "Reinforce each other:"
            lines = lines[1:]
        # Lines wrap at spaces, so joining them with spaces gives back each numbered label.
        joined = " ".join(lines)
        for member in members:
            prefix = f"{member + 1}. "
            assert prefix + LABELS[member] in joined
            found[member] = LABELS[member]
    assert found == dict(enumerate(LABELS))


def test_tree_levels_run_from_outcomes_on_top_to_root_drivers_below() -> None:
    root = parse(influence_tree_svg(example(), LABELS))
    top_of_level: dict[int, list[float]] = {}
    for group in box_groups(root):
        rect = group.find("svg:rect", NS)
        assert rect is not None
        top_of_level.setdefault(int(group.attrib["data-level"]), []).append(float(rect.attrib["y"]))
    assert sorted(top_of_level) == [1, 2, 3, 4]
    for upper, lower in [(1, 2), (2, 3), (3, 4)]:
        assert max(top_of_level[upper]) < min(top_of_level[lower])
    levels = {g.attrib["data-members"]: int(g.attrib["data-level"]) for g in box_groups(root)}
    assert levels == {"0": 1, "1": 1, "2 3": 2, "4": 3, "5": 3, "6": 4}


def test_tree_edges_are_the_skeleton_pointing_upwards() -> None:
    result = example()
    root = parse(influence_tree_svg(result, LABELS))
    lines = root.findall(".//svg:polyline", NS)
    drawn = sorted((int(p.attrib["data-source"]), int(p.attrib["data-target"])) for p in lines)
    assert drawn == sorted(result.skeleton)
    for line in lines:
        assert line.attrib["marker-end"].startswith("url(#")
        points = [tuple(map(float, p.split(","))) for p in line.attrib["points"].split()]
        assert points[0][1] > points[-1][1]  # from the driver below to the helped idea above
    assert root.find(".//svg:marker/svg:path", NS) is not None


def test_cycle_is_one_box_with_a_double_frame() -> None:
    root = parse(influence_tree_svg(example(), LABELS))
    cycle = [g for g in box_groups(root) if g.attrib.get("class") == "cycle"]
    assert [g.attrib["data-members"] for g in cycle] == ["2 3"]
    assert len(cycle[0].findall("svg:rect", NS)) == 2


def test_right_to_left_labels_get_a_direction_and_nothing_else() -> None:
    root = parse(influence_tree_svg(example(), LABELS))
    by_text = {t.text: t for t in root.iter("{http://www.w3.org/2000/svg}text")}
    arabic = next(t for text, t in by_text.items() if text and "انعدام" in text)
    hebrew = next(t for text, t in by_text.items() if text and "חוסר" in text)
    english = next(t for text, t in by_text.items() if text and "Politicians" in text)
    assert arabic.attrib["direction"] == "rtl" and hebrew.attrib["direction"] == "rtl"
    assert "direction" not in english.attrib
    # The text is stored in logical order, untouched.
    assert "انعدام الثقة" in (arabic.text or "")


def test_an_edge_across_levels_bends_through_the_level_between() -> None:
    # SSIM example 2: levels {0} {1,2} {4} {3}; skeleton edge 3 -> 2 spans level 3.
    result = structure_from_ssim(
        [
            ["", "A", "A", "O", "A"],
            ["", "", "O", "O", "A"],
            ["", "", "", "A", "O"],
            ["", "", "", "", "V"],
            ["", "", "", "", ""],
        ]
    )
    layout = influence_tree_layout(result, [f"idea {k}" for k in range(5)])
    edge = next(e for e in layout.edges if (e.source, e.target) == (3, 2))
    assert len(edge.points) == 4
    (_, _), (bend_x, bend_bottom), (bend_x2, bend_top), (_, _) = edge.points
    assert bend_x == bend_x2 and bend_bottom > bend_top
    box_4 = next(b for b in layout.boxes if b.members == (4,))
    assert bend_top <= box_4.y and bend_bottom >= box_4.y + box_4.height
    assert not box_4.x <= bend_x <= box_4.x + box_4.width  # passes beside the box, not through


def test_boxes_in_a_level_do_not_overlap_and_long_words_wrap() -> None:
    labels = ["x" * 120, *LABELS[1:]]
    layout = influence_tree_layout(example(), labels)
    first = next(b for b in layout.boxes if b.members == (0,))
    assert len(first.lines) > 2
    assert "".join(first.lines) == "1. " + "x" * 120
    for level in {b.level for b in layout.boxes}:
        row = sorted((b for b in layout.boxes if b.level == level), key=lambda b: b.x)
        for left, right in itertools.pairwise(row):
            assert left.x + left.width < right.x
    assert all(b.x + b.width <= layout.width for b in layout.boxes)


def test_translated_words_and_bad_labels() -> None:
    words = FigureText(level="Επίπεδο {number}", cycle="Αλληλοενισχύονται:")
    svg = influence_tree_svg(example(), LABELS, text=words, title="Χάρτης")
    assert "Επίπεδο 4" in svg and "Αλληλοενισχύονται:" in svg and "<title>Χάρτης</title>" in svg
    with pytest.raises(InvalidInput, match="one label per idea"):
        influence_tree_svg(example(), LABELS[:3])


def test_tree_png_has_the_layout_size() -> None:
    result = example()
    png = influence_tree_png(result, LABELS, scale=2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    layout = influence_tree_layout(result, LABELS)
    assert abs(width - 2 * layout.width) <= 2 and abs(height - 2 * layout.height) <= 2
    assert len(png) > 10_000
    with pytest.raises(InvalidInput, match="scale"):
        influence_tree_png(result, LABELS, scale=0)


def test_micmac_chart_places_every_idea_in_its_quadrant() -> None:
    result = example()
    root = parse(micmac_svg(result, LABELS))
    quadrant_labels = {
        t.text
        for t in root.iter("{http://www.w3.org/2000/svg}text")
        if "quadrant" in t.attrib.get("class", "")
    }
    assert quadrant_labels == {"Autonomous", "Dependent", "Linkage", "Drivers"}
    points = {}
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if group.attrib.get("class") != "idea":
            continue
        circle = group.find("svg:circle", NS)
        assert circle is not None
        title = group.find("svg:title", NS)
        for member in map(int, group.attrib["data-members"].split()):
            assert LABELS[member] in (title.text or "")  # type: ignore[union-attr]
            points[member] = (float(circle.attrib["cx"]), float(circle.attrib["cy"]))
    assert sorted(points) == list(range(7))
    # 2 and 3 form a cycle: same driving power and dependence, same dot.
    assert points[2] == points[3]
    # Driving power 7 (idea 6) is drawn highest, dependence 6 (ideas 0, 1) furthest right.
    assert min(points, key=lambda m: points[m][1]) == 6
    assert max(points.values(), key=lambda p: p[0]) == points[0] == points[1]
    # Root driver 6 sits left of and above the quadrant lines; outcome 0 right of and below.
    lines = root.findall("svg:line", NS)
    vertical = next(float(x.attrib["x1"]) for x in lines if x.attrib["x1"] == x.attrib["x2"])
    horizontal = next(float(y.attrib["y1"]) for y in lines if y.attrib["y1"] == y.attrib["y2"])
    assert points[6][0] < vertical and points[6][1] < horizontal
    assert points[0][0] > vertical and points[0][1] > horizontal


def test_unlinked_ideas_get_their_own_wrapped_band_below_the_tree() -> None:
    relation = np.zeros((12, 12), dtype=int)
    for i, j in [(1, 0), (2, 1), (3, 1)]:
        relation[i, j] = 1
    result = structure_from_relation(relation)
    assert result.levels[0] == (0, *range(4, 12))  # unlinked ideas are level 1 in ISM
    layout = influence_tree_layout(result, [f"idea {k}" for k in range(12)])
    linked = [b for b in layout.boxes if b.members[0] < 4]
    apart = [b for b in layout.boxes if b.members[0] >= 4]
    assert min(b.y for b in apart) > max(b.y + b.height for b in linked)
    assert len({b.y for b in apart}) == 2  # eight boxes wrap into rows of five and three
    assert [label for label, _, _ in layout.level_labels] == [
        "Level 1",
        "Level 2",
        "Level 3",
        "Not linked",
    ]
    assert [note for _, note, _ in layout.level_labels][:3] == ["outcomes", "", "root drivers"]


def test_a_map_without_links_wraps_its_single_level() -> None:
    result = structure_from_relation(np.zeros((7, 7), dtype=int))
    layout = influence_tree_layout(result, [f"idea {k}" for k in range(7)])
    assert len({b.y for b in layout.boxes}) == 2
    assert layout.edges == ()
    assert [(label, note) for label, note, _ in layout.level_labels] == [("Level 1", "")]
