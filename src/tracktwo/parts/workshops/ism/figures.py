"""Figures of an influence map: the influence tree (SVG and PNG) and the MICMAC chart (SVG).

The influence tree is SDD's main output: ideas in levels, the outcomes (level 1) at the top and
the root drivers, the leverage points, at the bottom; ideas that all reinforce each other share
one box; arrows are the skeleton (transitive reduction), pointing from an idea to the ideas it
helps. :func:`influence_tree_layout` computes the drawing once (a small layered layout:
levels are given by ISM, so only the order within a level is chosen, by barycentre sweeps that
reduce edge crossings; edges spanning several levels pass through bend points in the levels
between). :func:`influence_tree_svg` and :func:`influence_tree_png` render that same layout.

Everything is drawn in black on white so that a photocopy of the brief stays readable. Labels
are participants' texts in any script: the SVG keeps them as text elements (escaped by
:class:`tracktwo.kernel.svg.Svg`) and marks right-to-left lines with ``direction``; the PNG relies
on
matplotlib's text layout (libraqm) for shaping.
"""

from __future__ import annotations

import io
import itertools
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.svg import Svg, fmt
from tracktwo.parts.workshops.ism.ism import Quadrant, Structure

__all__ = [
    "FigureText",
    "TreeBox",
    "TreeEdge",
    "TreeLayout",
    "influence_tree_layout",
    "influence_tree_png",
    "influence_tree_svg",
    "micmac_svg",
]

Point = tuple[float, float]

FONT_SIZE = 12.0  # px
LINE_HEIGHT = 16.0
PADDING = 8.0
BOX_WIDTH = 200.0
H_GAP = 24.0
V_GAP = 56.0
MARGIN = 16.0
LEVEL_COLUMN = 92.0
TITLE_HEIGHT = 28.0
BEND_WIDTH = 12.0  # the width reserved for an edge passing through a level
WRAP = 5  # boxes per row where no edges constrain the order
CHAR_WIDTH = 0.56  # average advance of a narrow character, in ems (sans-serif)


@dataclass(frozen=True)
class FigureText:
    """The fixed words on the figures; pass a translated instance for other languages."""

    level: str = "Level {number}"
    outcomes: str = "outcomes"
    root_drivers: str = "root drivers"
    cycle: str = "Reinforce each other:"
    unlinked: str = "Not linked"
    tree_title: str = "Influence tree"
    tree_description: str = (
        "Ideas in {levels} levels; an arrow points from an idea to an idea it helps. "
        "Root drivers are at the bottom."
    )
    micmac_title: str = "Driving power and dependence"
    driving_power: str = "Driving power"
    dependence: str = "Dependence"
    autonomous: str = "Autonomous"
    dependent: str = "Dependent"
    linkage: str = "Linkage"
    driver: str = "Drivers"

    def quadrant(self, name: Quadrant) -> str:
        return {
            "autonomous": self.autonomous,
            "dependent": self.dependent,
            "linkage": self.linkage,
            "driver": self.driver,
        }[name]


@dataclass(frozen=True)
class TreeBox:
    """One component of the map: its members, level and place; ``lines`` are wrapped text."""

    component: int
    members: tuple[int, ...]
    level: int
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]
    cycle: bool


@dataclass(frozen=True)
class TreeEdge:
    """A skeleton edge from a driver box up to the box it helps, as a polyline."""

    source: int
    target: int
    points: tuple[Point, ...]


@dataclass(frozen=True)
class TreeLayout:
    """Everything a renderer needs: sizes in px, boxes, edges and the level bands."""

    width: float
    height: float
    title: str
    description: str
    boxes: tuple[TreeBox, ...]
    edges: tuple[TreeEdge, ...]
    level_labels: tuple[tuple[str, str, float], ...]  # (label, note, y of the band's middle)


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


def influence_tree_layout(
    structure: Structure,
    labels: Sequence[str],
    *,
    text: FigureText | None = None,
    title: str | None = None,
    numbered: bool = True,
) -> TreeLayout:
    """Place the components of ``structure`` in levels and route the skeleton edges.

    Parameters
    ----------
    structure
        A :class:`~tracktwo.parts.workshops.ism.ism.Structure`.
    labels
        One text per element (the idea's text).
    text
        Fixed words, for translation.
    title
        Overrides ``text.tree_title``.
    numbered
        Prefix every idea with its number (element index + 1), the numbers the MICMAC chart
        uses.
    """
    words = text or FigureText()
    _check_labels(structure, labels)
    level_of_component = [structure.level_of[members[0]] for members in structure.components]
    n_levels = len(structure.levels)
    linked = {component for edge in structure.skeleton for component in edge}
    # Ideas linked to no other idea would all sit on level 1 and stretch the figure; when some
    # ideas are linked they get a band of their own below the tree, wrapped into short rows.
    apart = [c for c in range(len(structure.components)) if linked and c not in linked]

    # Every edge becomes a chain of nodes, one per level it crosses.
    layers: list[list[tuple[int, int]]] = [[] for _ in range(n_levels)]  # (kind, id)
    for component in range(len(structure.components)):
        if component not in apart:
            layers[level_of_component[component] - 1].append((0, component))
    chains: list[list[tuple[int, int]]] = []
    for edge, (source, target) in enumerate(structure.skeleton):
        chain = [(0, source)]
        for level in range(level_of_component[source] - 1, level_of_component[target], -1):
            bend = (1, edge * n_levels + level)
            layers[level - 1].append(bend)
            chain.append(bend)
        chain.append((0, target))
        chains.append(chain)
    _order_layers(layers, chains)

    # Bands of rows: one row per level; rows without edges (no links at all, or the band of
    # unlinked ideas) wrap after WRAP boxes.
    bands: list[tuple[str, str, list[list[tuple[int, int]]]]] = []
    for index, layer in enumerate(layers):
        note = ""
        if n_levels > 1 and index == 0:
            note = words.outcomes
        elif n_levels > 1 and index == n_levels - 1:
            note = words.root_drivers
        rows = [layer] if linked else _chunks(layer, WRAP)
        bands.append((words.level.format(number=index + 1), note, rows))
    if apart:
        bands.append((words.unlinked, "", _chunks([(0, c) for c in apart], WRAP)))

    lines_of: dict[int, tuple[str, ...]] = {}
    for component, members in enumerate(structure.components):
        lines: list[str] = [words.cycle] if len(members) > 1 else []
        for member in members:
            prefix = f"{member + 1}. " if numbered else ""
            lines.extend(_wrap(prefix + " ".join(labels[member].split()), BOX_WIDTH - 2 * PADDING))
        lines_of[component] = tuple(lines)

    def node_width(node: tuple[int, int]) -> float:
        return BOX_WIDTH if node[0] == 0 else BEND_WIDTH

    def row_width(row: list[tuple[int, int]]) -> float:
        return sum(node_width(node) for node in row) + H_GAP * max(0, len(row) - 1)

    content_width = max(row_width(row) for _, _, rows in bands for row in rows)
    width = MARGIN * 2 + LEVEL_COLUMN + content_width
    x_of: dict[tuple[int, int], float] = {}
    band_of: dict[tuple[int, int], tuple[float, float]] = {}
    boxes: dict[int, TreeBox] = {}
    level_labels = []
    y = MARGIN + TITLE_HEIGHT
    for label, note, rows in bands:
        label_y = y
        for number, nodes in enumerate(rows):
            y += H_GAP if number else 0.0
            height = max([_box_height(lines_of[c]) for kind, c in nodes if kind == 0] or [0.0])
            if number == 0:
                label_y += height / 2
            x = MARGIN + LEVEL_COLUMN + (content_width - row_width(nodes)) / 2
            for node in nodes:
                x_of[node] = x
                band_of[node] = (y, y + height)
                if node[0] == 0:
                    boxes[node[1]] = _box(
                        structure, node[1], level_of_component, lines_of, x, y, height
                    )
                x += node_width(node) + H_GAP
            y += height
        level_labels.append((label, note, label_y))
        y += V_GAP
    height = y - V_GAP + MARGIN
    ordered_boxes = [boxes[c] for c in range(len(structure.components))]
    edges = _route_edges(structure, chains, ordered_boxes, x_of, band_of)
    return TreeLayout(
        width=width,
        height=height,
        title=title if title is not None else words.tree_title,
        description=words.tree_description.format(levels=n_levels),
        boxes=tuple(ordered_boxes),
        edges=tuple(edges),
        level_labels=tuple(level_labels),
    )


def _box(
    structure: Structure,
    component: int,
    level_of_component: list[int],
    lines_of: dict[int, tuple[str, ...]],
    x: float,
    row_top: float,
    row_height: float,
) -> TreeBox:
    """A box centred vertically in its row."""
    height = _box_height(lines_of[component])
    return TreeBox(
        component=component,
        members=structure.components[component],
        level=level_of_component[component],
        x=x,
        y=row_top + (row_height - height) / 2,
        width=BOX_WIDTH,
        height=height,
        lines=lines_of[component],
        cycle=len(structure.components[component]) > 1,
    )


def _chunks(nodes: list[tuple[int, int]], size: int) -> list[list[tuple[int, int]]]:
    return [nodes[start : start + size] for start in range(0, len(nodes), size)] or [[]]


def _box_height(lines: Sequence[str]) -> float:
    return len(lines) * LINE_HEIGHT + 2 * PADDING


def _order_layers(layers: list[list[tuple[int, int]]], chains: list[list[tuple[int, int]]]) -> None:
    """Barycentre sweeps (down, then up, four times) to reduce crossings; deterministic."""
    above: dict[tuple[int, int], list[tuple[int, int]]] = {}
    below: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for chain in chains:
        # A chain runs from the driver (lower row) up to the helped box (upper row).
        for lower, upper in itertools.pairwise(chain):
            above.setdefault(lower, []).append(upper)
            below.setdefault(upper, []).append(lower)

    def reorder(
        row: int, other: int, neighbours: dict[tuple[int, int], list[tuple[int, int]]]
    ) -> None:
        reference = {node: index for index, node in enumerate(layers[other])}
        # Scale to this layer's length so that nodes without neighbours keep their place.
        scale = len(layers[row]) / max(1, len(layers[other]))
        keys: dict[tuple[int, int], tuple[float, int]] = {}
        for index, node in enumerate(layers[row]):
            placed = [reference[x] for x in neighbours.get(node, ()) if x in reference]
            centre = scale * sum(placed) / len(placed) if placed else float(index)
            keys[node] = (centre, index)
        layers[row].sort(key=keys.__getitem__)

    for _ in range(4):
        for row in range(1, len(layers)):
            reorder(row, row - 1, above)
        for row in range(len(layers) - 2, -1, -1):
            reorder(row, row + 1, below)


def _route_edges(
    structure: Structure,
    chains: list[list[tuple[int, int]]],
    boxes: list[TreeBox],
    x_of: dict[tuple[int, int], float],
    band_of: dict[tuple[int, int], tuple[float, float]],
) -> list[TreeEdge]:
    """Polylines from the top of the driver box to the bottom of the box it helps.

    Edges leaving or entering one box are spread along its side, in the order of their other
    end, so that arrowheads do not pile up on one point. An edge crosses a level vertically
    through its bend node, so it never runs through a box.
    """

    def centre_x(node: tuple[int, int]) -> float:
        return x_of[node] + (BOX_WIDTH if node[0] == 0 else BEND_WIDTH) / 2

    def spread(
        side: dict[int, list[int]], far_end: dict[int, float]
    ) -> dict[tuple[int, int], float]:
        offsets: dict[tuple[int, int], float] = {}
        for component, edge_ids in side.items():
            box = boxes[component]
            ordered = sorted(edge_ids, key=lambda e: (far_end[e], e))
            for rank, edge in enumerate(ordered, start=1):
                offsets[(component, edge)] = box.x + box.width * rank / (len(ordered) + 1)
        return offsets

    outgoing: dict[int, list[int]] = {}
    incoming: dict[int, list[int]] = {}
    for edge, (source, target) in enumerate(structure.skeleton):
        outgoing.setdefault(source, []).append(edge)
        incoming.setdefault(target, []).append(edge)
    # The next node up from the source / down from the target decides the order on each side.
    leave = spread(outgoing, {edge: centre_x(chain[1]) for edge, chain in enumerate(chains)})
    enter = spread(incoming, {edge: centre_x(chain[-2]) for edge, chain in enumerate(chains)})

    edges = []
    for edge, chain in enumerate(chains):
        source, target = structure.skeleton[edge]
        points: list[Point] = [(leave[(source, edge)], boxes[source].y)]
        for node in chain[1:-1]:
            top, bottom = band_of[node]
            points.extend([(centre_x(node), bottom), (centre_x(node), top)])
        points.append((enter[(target, edge)], boxes[target].y + boxes[target].height))
        edges.append(TreeEdge(source=source, target=target, points=tuple(points)))
    return edges


def _wrap(text: str, width: float) -> list[str]:
    """Break a label into lines that fit ``width`` px, at spaces where the script has them.

    Wide (East Asian) characters count double. A word longer than a whole line is cut, starting
    on the current line, so scripts written without spaces fill their lines.
    """
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _text_width(candidate) <= width:
            line = candidate
            continue
        if _text_width(word) <= width:
            lines.append(line)
            line = word
            continue
        line = f"{line} " if line else ""
        for char in word:
            if _text_width(line + char) > width and line.strip():
                lines.append(line)
                line = ""
            line += char
    lines.append(line)
    return lines


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated advance of ``text`` in px (a layout estimate; no font is loaded)."""
    ems = sum(1.0 if unicodedata.east_asian_width(char) in "WF" else CHAR_WIDTH for char in text)
    return ems * size


def _is_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left (Unicode rule P2)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _text_attrs(text: str) -> dict[str, object]:
    if _is_rtl(text):
        return {"direction": "rtl", "unicode_bidi": "embed"}
    return {}


def _check_labels(structure: Structure, labels: Sequence[str]) -> None:
    if isinstance(labels, str) or len(labels) != structure.n:
        raise InvalidInput(
            f"The figure needs one label per idea ({structure.n}); got "
            f"{1 if isinstance(labels, str) else len(labels)}."
        )


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------

_ARROW_ID = "tracktwo-ism-arrow"


def influence_tree_svg(
    structure: Structure,
    labels: Sequence[str],
    *,
    text: FigureText | None = None,
    title: str | None = None,
    numbered: bool = True,
) -> str:
    """The influence tree as a standalone SVG document (see :func:`influence_tree_layout`)."""
    layout = influence_tree_layout(structure, labels, text=text, title=title, numbered=numbered)
    svg = Svg(
        layout.width,
        layout.height,
        title=layout.title,
        desc=layout.description,
        class_="tracktwo-influence-tree",
    )
    svg.open("defs")
    svg.open(
        "marker",
        id=_ARROW_ID,
        viewBox="0 0 10 10",
        refX=10,
        refY=5,
        markerWidth=9,
        markerHeight=9,
        markerUnits="userSpaceOnUse",
        orient="auto",
    )
    svg.add("path", d="M0,0 L10,5 L0,10 z", fill="#000")
    svg.close("marker")
    svg.close("defs")
    svg.add("rect", x=0, y=0, width=layout.width, height=layout.height, fill="#fff")
    svg.add(
        "text",
        layout.title,
        x=MARGIN,
        y=MARGIN + FONT_SIZE,
        font_family="sans-serif",
        font_size=FONT_SIZE + 3,
        font_weight="bold",
        **_text_attrs(layout.title),
    )
    for label, note, middle in layout.level_labels:
        svg.add(
            "text",
            label,
            x=MARGIN,
            y=middle,
            font_family="sans-serif",
            font_size=FONT_SIZE,
            font_weight="bold",
            **_text_attrs(label),
        )
        if note:
            svg.add(
                "text",
                note,
                x=MARGIN,
                y=middle + LINE_HEIGHT,
                font_family="sans-serif",
                font_size=FONT_SIZE - 1,
                font_style="italic",
                **_text_attrs(note),
            )
    svg.open("g", class_="edges", fill="none", stroke="#000", stroke_width=1.3)
    for edge in layout.edges:
        svg.add(
            "polyline",
            points=" ".join(f"{fmt(x)},{fmt(y)}" for x, y in edge.points),
            marker_end=f"url(#{_ARROW_ID})",
            data_source=edge.source,
            data_target=edge.target,
        )
    svg.close("g")
    for box in layout.boxes:
        svg.open(
            "g",
            class_="cycle" if box.cycle else "idea",
            data_level=box.level,
            data_members=" ".join(str(m) for m in box.members),
        )
        svg.add(
            "rect",
            x=box.x,
            y=box.y,
            width=box.width,
            height=box.height,
            fill="#fff",
            stroke="#000",
            stroke_width=1.3,
            rx=3,
        )
        if box.cycle:
            # A double frame marks ideas that reinforce each other, legible without colour.
            svg.add(
                "rect",
                x=box.x + 3,
                y=box.y + 3,
                width=box.width - 6,
                height=box.height - 6,
                fill="none",
                stroke="#000",
                stroke_width=0.8,
                rx=2,
            )
        for number, line in enumerate(box.lines):
            svg.add(
                "text",
                line,
                x=box.x + box.width / 2,
                y=box.y + PADDING + LINE_HEIGHT * number + FONT_SIZE,
                text_anchor="middle",
                font_family="sans-serif",
                font_size=FONT_SIZE,
                font_style="italic" if box.cycle and number == 0 else None,
                **_text_attrs(line),
            )
        svg.close("g")
    return svg.render()


def influence_tree_png(
    structure: Structure,
    labels: Sequence[str],
    *,
    text: FigureText | None = None,
    title: str | None = None,
    numbered: bool = True,
    scale: float = 2.0,
) -> bytes:
    """The influence tree as PNG bytes, from the same layout as the SVG.

    ``scale`` multiplies the pixel size (2 gives a sharp image on print and high-density
    screens). Rendered with matplotlib's Agg canvas directly, without pyplot's global state,
    so it is safe in a web worker.
    """
    if not 0.25 <= scale <= 8:
        raise InvalidInput(f"The PNG scale must be between 0.25 and 8; got {scale!r}.")
    layout = influence_tree_layout(structure, labels, text=text, title=title, numbered=numbered)
    dpi = 72.0 * scale  # one layout px = one point, so font sizes carry over unchanged
    figure = Figure(figsize=(layout.width / 72.0, layout.height / 72.0), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, layout.width)
    axes.set_ylim(layout.height, 0)
    axes.set_axis_off()
    family = _font_families()
    axes.text(
        MARGIN,
        MARGIN + FONT_SIZE,
        layout.title,
        fontsize=FONT_SIZE + 3,
        fontweight="bold",
        family=family,
        va="baseline",
    )
    for label, note, middle in layout.level_labels:
        axes.text(
            MARGIN,
            middle,
            label,
            fontsize=FONT_SIZE,
            fontweight="bold",
            family=family,
            va="baseline",
        )
        if note:
            axes.text(
                MARGIN,
                middle + LINE_HEIGHT,
                note,
                fontsize=FONT_SIZE - 1,
                style="italic",
                family=family,
                va="baseline",
            )
    for edge in layout.edges:
        xs = [x for x, _ in edge.points]
        ys = [y for _, y in edge.points]
        axes.plot(xs[:-1], ys[:-1], color="black", linewidth=1.3, solid_capstyle="butt")
        axes.add_patch(
            FancyArrowPatch(
                edge.points[-2],
                edge.points[-1],
                arrowstyle="-|>",
                mutation_scale=12,
                color="black",
                linewidth=1.3,
                shrinkA=0,
                shrinkB=0,
            )
        )
    for box in layout.boxes:
        axes.add_patch(
            Rectangle(
                (box.x, box.y),
                box.width,
                box.height,
                facecolor="white",
                edgecolor="black",
                linewidth=1.3,
                zorder=3,
            )
        )
        if box.cycle:
            axes.add_patch(
                Rectangle(
                    (box.x + 3, box.y + 3),
                    box.width - 6,
                    box.height - 6,
                    facecolor="none",
                    edgecolor="black",
                    linewidth=0.8,
                    zorder=3,
                )
            )
        for number, line in enumerate(box.lines):
            axes.text(
                box.x + box.width / 2,
                box.y + PADDING + LINE_HEIGHT * number + FONT_SIZE,
                line,
                fontsize=FONT_SIZE,
                family=family,
                ha="center",
                va="baseline",
                style="italic" if box.cycle and number == 0 else "normal",
                zorder=4,
            )
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A script without an installed font shows as boxes; one warning per glyph is noise.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


@cache
def _font_families() -> tuple[str, ...]:
    """Installed fonts to fall back through, so that Arabic, Hebrew, Greek and CJK all show."""
    wanted = (
        "DejaVu Sans",
        "Noto Sans",
        "Noto Sans Arabic",
        "Noto Sans Hebrew",
        "Noto Sans CJK SC",
        "Noto Sans CJK JP",
    )
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return tuple(name for name in wanted if name in installed) or ("sans-serif",)


def micmac_svg(
    structure: Structure,
    labels: Sequence[str],
    *,
    text: FigureText | None = None,
    title: str | None = None,
    size: float = 420.0,
    numbers: Sequence[int | str] | None = None,
) -> str:
    """The driving-power / dependence chart with its four quadrants labelled.

    Each idea is a dot labelled with its number (as in the tree); ideas sharing a point share a
    label. The full idea texts go into each dot's tooltip (``<title>``). The quadrant lines sit
    at ``structure.micmac_threshold``, the middle of the possible range 1..n. ``numbers``
    replaces the default numbers (element index + 1), e.g. by the numbers ideas carry
    elsewhere.
    """
    words = text or FigureText()
    _check_labels(structure, labels)
    if numbers is not None and len(numbers) != structure.n:
        raise InvalidInput(f"The chart needs one number per idea ({structure.n}).")
    number = [str(value) for value in numbers] if numbers is not None else None
    if not 100 <= size <= 4000:
        raise InvalidInput(f"The chart size must be between 100 and 4000 px; got {size!r}.")
    n = structure.n
    left, top, right, bottom = 64.0, 44.0, 20.0, 48.0
    width, height = left + size + right, top + size + bottom

    def px(value: float) -> float:
        return left + size * value / n

    def py(value: float) -> float:
        return top + size - size * value / n

    chart_title = title if title is not None else words.micmac_title
    svg = Svg(
        width,
        height,
        title=chart_title,
        class_="tracktwo-micmac",
        desc=f"{words.driving_power} against {words.dependence} for {n} ideas.",
    )
    svg.add("rect", x=0, y=0, width=width, height=height, fill="#fff")
    svg.add(
        "text",
        chart_title,
        x=left,
        y=24,
        font_family="sans-serif",
        font_size=FONT_SIZE + 3,
        font_weight="bold",
        **_text_attrs(chart_title),
    )
    svg.add("rect", x=left, y=top, width=size, height=size, fill="none", stroke="#000")
    split = structure.micmac_threshold
    svg.add(
        "line",
        x1=px(split),
        y1=top,
        x2=px(split),
        y2=top + size,
        stroke="#000",
        stroke_dasharray="5 4",
    )
    svg.add(
        "line",
        x1=left,
        y1=py(split),
        x2=left + size,
        y2=py(split),
        stroke="#000",
        stroke_dasharray="5 4",
    )
    corners: list[tuple[Quadrant, float, float, str]] = [
        ("driver", left + 8, top + 18, "start"),
        ("linkage", left + size - 8, top + 18, "end"),
        ("autonomous", left + 8, top + size - 10, "start"),
        ("dependent", left + size - 8, top + size - 10, "end"),
    ]
    for quadrant, x, y, anchor in corners:
        name = words.quadrant(quadrant)
        svg.add(
            "text",
            name,
            x=x,
            y=y,
            text_anchor=anchor,
            font_family="sans-serif",
            font_size=FONT_SIZE,
            font_weight="bold",
            class_=f"quadrant {quadrant}",
            **_text_attrs(name),
        )
    step = 1 if n <= 12 else 5 if n <= 60 else 10
    for tick in range(0, n + 1, step):
        svg.add(
            "text",
            str(tick),
            x=px(tick),
            y=top + size + 16,
            text_anchor="middle",
            font_family="sans-serif",
            font_size=FONT_SIZE - 2,
        )
        svg.add(
            "text",
            str(tick),
            x=left - 6,
            y=py(tick) + 4,
            text_anchor="end",
            font_family="sans-serif",
            font_size=FONT_SIZE - 2,
        )
    svg.add(
        "text",
        words.dependence,
        x=left + size / 2,
        y=height - 10,
        text_anchor="middle",
        font_family="sans-serif",
        font_size=FONT_SIZE,
        **_text_attrs(words.dependence),
    )
    svg.add(
        "text",
        words.driving_power,
        x=18,
        y=top + size / 2,
        text_anchor="middle",
        font_family="sans-serif",
        font_size=FONT_SIZE,
        transform=f"rotate(-90 18 {fmt(top + size / 2)})",
        **_text_attrs(words.driving_power),
    )
    points: dict[tuple[int, int], list[int]] = {}
    for element in range(n):
        key = (structure.dependence[element], structure.driving_power[element])
        points.setdefault(key, []).append(element)
    for (dependence, driving), members in sorted(points.items()):
        x, y = px(dependence), py(driving)
        svg.open("g", class_="idea", data_members=" ".join(str(m) for m in members))
        shown = [number[m] if number is not None else str(m + 1) for m in members]
        svg.add(
            "title",
            "; ".join(
                f"{mark}. {' '.join(labels[m].split())}"
                for mark, m in zip(shown, members, strict=True)
            ),
        )
        svg.add("circle", cx=x, cy=y, r=4, fill="#000")
        svg.add(
            "text",
            ", ".join(shown),
            x=x + 6,
            y=y - 6,
            font_family="sans-serif",
            font_size=FONT_SIZE - 1,
        )
        svg.close("g")
    return svg.render()
