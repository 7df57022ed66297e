"""Figures of a dialogue's analysis, as small hand-written SVG.

Every function takes the JSON document of an analysis (``OpinionResult.to_dict()``, as
stored in a snapshot) and returns an SVG string. They are used by the results page, the
participant's "where do I stand" page and the Track One brief, so they work in a browser
and in WeasyPrint, print legibly in black and white (groups carry letters, sides carry
shapes, not only colours), and never show a participant identifier.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from tracktwo.kernel.svg import Svg, fmt

__all__ = [
    "GROUP_COLOURS",
    "agreement_bars",
    "group_letter",
    "group_share_bars",
    "opinion_map",
    "participant_map",
    "participation_chart",
]

# Paul Tol's "bright" scheme: distinct for the common colour-vision deficiencies.
GROUP_COLOURS = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"]
UNCLUSTERED = "#9a9a9a"
MAX_DOTS = 3000  # a map of a national consultation stays a few hundred kilobytes
SHAPES = ["circle", "square", "triangle", "diamond", "cross", "star"]


class SideLike(Protocol):
    name: str
    colour: str


def group_letter(group: int) -> str:
    return chr(ord("A") + group) if 0 <= group < 26 else str(group)


def _identity(text: str, **values: object) -> str:
    return text.format(**values) if values else text


def _points(pairs: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{fmt(px)},{fmt(py)}" for px, py in pairs)


def _marker(svg: Svg, shape: str, x: float, y: float, r: float, **style: object) -> None:
    """One participant's mark; the shape tells the side apart without colour."""
    if shape == "circle":
        svg.add("circle", cx=x, cy=y, r=r, **style)
    elif shape == "square":
        svg.add("rect", x=x - r, y=y - r, width=2 * r, height=2 * r, **style)
    elif shape == "triangle":
        corners = [(x, y - 1.2 * r), (x - 1.1 * r, y + 0.8 * r), (x + 1.1 * r, y + 0.8 * r)]
        svg.add("polygon", points=_points(corners), **style)
    elif shape == "diamond":
        corners = [(x, y - 1.3 * r), (x + 1.3 * r, y), (x, y + 1.3 * r), (x - 1.3 * r, y)]
        svg.add("polygon", points=_points(corners), **style)
    elif shape == "cross":
        d = (
            f"M{fmt(x - r)},{fmt(y - r)}L{fmt(x + r)},{fmt(y + r)}"
            f"M{fmt(x - r)},{fmt(y + r)}L{fmt(x + r)},{fmt(y - r)}"
        )
        svg.add("path", d=d, stroke=style.get("fill", "#000"), stroke_width=1.6, fill="none")
    else:  # a five-pointed star
        radii = [r * 1.3 if i % 2 == 0 else r * 0.6 for i in range(10)]
        corners = [
            (x + radius * math.sin(i * math.pi / 5), y - radius * math.cos(i * math.pi / 5))
            for i, radius in enumerate(radii)
        ]
        svg.add("polygon", points=_points(corners), **style)


def _thin(participants: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Keep at most ``limit`` points, every group thinned evenly (deterministic)."""
    if len(participants) <= limit:
        return participants
    step = len(participants) / limit
    return [participants[int(i * step)] for i in range(limit)]


def opinion_map(
    result: Mapping[str, Any],
    sides: Sequence[SideLike] = (),
    *,
    width: int = 560,
    height: int = 400,
    highlight: tuple[float, float] | None = None,
    legend: bool = True,
    _: Callable[..., str] = _identity,
) -> str:
    """Participants as points, coloured (and lettered) by opinion group, shaped by side."""
    everyone = [p for p in result.get("participants", []) if p.get("x") is not None]
    shown = _thin(everyone, MAX_DOTS)
    side_shape = {side.name: SHAPES[i % len(SHAPES)] for i, side in enumerate(sides)}
    legend_height = 22 * (1 + (len(sides) > 0)) if legend else 0
    title = _("Opinion map: each mark is a participant; people who voted alike are close.")
    svg = Svg(width, height + legend_height, title=title, class_="opinion-map")
    xs = [float(p["x"]) for p in everyone] + ([highlight[0]] if highlight else [])
    ys = [float(p["y"]) for p in everyone] + ([highlight[1]] if highlight else [])
    if not xs:
        svg.add(
            "text",
            _("No one has been placed on the map yet."),
            x=width / 2,
            y=height / 2,
            text_anchor="middle",
            class_="caption",
        )
        return svg.render()
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    pad = 24.0
    scale = min(width - 2 * pad, height - 2 * pad) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def to_screen(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - cx) * scale, height / 2 - (y - cy) * scale

    svg.add(
        "rect", x=0.5, y=0.5, width=width - 1, height=height - 1, fill="#ffffff", stroke="#cccccc"
    )
    svg.open("g", class_="points")
    for person in shown:
        group = person.get("group")
        colour = GROUP_COLOURS[group % len(GROUP_COLOURS)] if group is not None else UNCLUSTERED
        shape = side_shape.get(person.get("side") or "", "circle")
        hollow = person.get("side") not in side_shape
        x, y = to_screen(float(person["x"]), float(person["y"]))
        style: dict[str, object] = (
            {"fill": "none", "stroke": colour, "stroke_width": 1.2}
            if hollow
            else {"fill": colour, "fill_opacity": 0.8, "stroke": "#333333", "stroke_width": 0.4}
        )
        _marker(svg, shape, x, y, 3.2, **style)
    svg.close("g")
    for group in result.get("groups", []):
        if group.get("x") is None:
            continue
        x, y = to_screen(float(group["x"]), float(group["y"]))
        # A white disc behind the letter rather than a stroked halo with paint-order, which
        # WeasyPrint (the PDF brief) does not support: it would paint the halo over the letter.
        svg.add("circle", cx=x, cy=y, r=13, fill="#ffffff", fill_opacity=0.85, stroke="#000000")
        svg.add(
            "text",
            group_letter(int(group["id"])),
            x=x,
            y=y + 7,
            text_anchor="middle",
            font_size=20,
            font_weight="bold",
            fill="#000000",
            class_="group-label",
        )
    if highlight is not None:
        x, y = to_screen(*highlight)
        svg.add("circle", cx=x, cy=y, r=9, fill="none", stroke="#000000", stroke_width=2.5)
        svg.add("circle", cx=x, cy=y, r=4, fill="#000000")
        svg.add("text", _("You"), x=x + 12, y=y - 10, font_size=14, font_weight="bold")
    if len(shown) < len(everyone):
        svg.add(
            "text",
            _(
                "Showing {shown} of {total} participants.",
                shown=f"{len(shown):,}",
                total=f"{len(everyone):,}",
            ),
            x=width - 8,
            y=height - 8,
            text_anchor="end",
            font_size=11,
            fill="#555555",
        )
    if legend:
        _map_legend(svg, result, sides, side_shape, height, _)
    return svg.render()


def _map_legend(
    svg: Svg,
    result: Mapping[str, Any],
    sides: Sequence[SideLike],
    side_shape: Mapping[str, str],
    top: float,
    _: Callable[..., str],
) -> None:
    x = 8.0
    y = top + 15
    for group in result.get("groups", []):
        gid = int(group["id"])
        svg.add(
            "rect",
            x=x,
            y=y - 9,
            width=10,
            height=10,
            fill=GROUP_COLOURS[gid % len(GROUP_COLOURS)],
            stroke="#333333",
        )
        label = _("Group {letter}", letter=group_letter(gid))
        svg.add("text", label, x=x + 14, y=y, font_size=12)
        x += 24 + 7.5 * len(label)
    if sides:
        x, y = 8.0, top + 37
        for side in sides:
            _marker(svg, side_shape[side.name], x + 5, y - 4, 4, fill="#666666")
            svg.add("text", side.name, x=x + 14, y=y, font_size=12)
            x += 30 + 7.5 * len(side.name)
        _marker(svg, "circle", x + 5, y - 4, 4, fill="none", stroke="#666666", stroke_width=1.2)
        svg.add("text", _("Side not declared"), x=x + 14, y=y, font_size=12)


def participant_map(
    result: Mapping[str, Any],
    position: tuple[float, float] | None,
    sides: Sequence[SideLike] = (),
    *,
    _: Callable[..., str] = _identity,
) -> str:
    """The opinion map a participant sees, with their own place ringed."""
    return opinion_map(result, sides, width=340, height=300, highlight=position, legend=True, _=_)


def _bar_row(
    svg: Svg,
    y: float,
    label: str,
    share: float | None,
    lower: float | None,
    upper: float | None,
    n: int,
    colour: str,
    left: float,
    width: float,
    _: Callable[..., str],
) -> None:
    svg.add("text", label, x=left - 6, y=y + 11, text_anchor="end", font_size=12)
    svg.add(
        "rect",
        x=left,
        y=y,
        width=width,
        height=14,
        fill="#f1f1f1",
        stroke="#bbbbbb",
        stroke_width=0.5,
    )
    if share is None:
        svg.add("text", _("no votes yet"), x=left + 4, y=y + 11, font_size=11, fill="#555555")
        return
    svg.add("rect", x=left, y=y, width=width * share, height=14, fill=colour, fill_opacity=0.85)
    if lower is not None and upper is not None:
        svg.add(
            "line",
            x1=left + width * lower,
            x2=left + width * upper,
            y1=y + 7,
            y2=y + 7,
            stroke="#000000",
            stroke_width=1.5,
        )
        for edge in (lower, upper):
            svg.add(
                "line",
                x1=left + width * edge,
                x2=left + width * edge,
                y1=y + 3,
                y2=y + 11,
                stroke="#000000",
                stroke_width=1.5,
            )
    svg.add("text", f"{round(share * 100)}% (n={n})", x=left + width + 6, y=y + 11, font_size=12)


def agreement_bars(
    side_rows: Iterable[Mapping[str, Any]],
    colours: Mapping[str, str],
    *,
    threshold: float | None = 0.7,
    _: Callable[..., str] = _identity,
) -> str:
    """Agree share per side, with its 95% Wilson interval as a whisker."""
    rows = list(side_rows)
    left, bar = 130.0, 220.0
    height = 22 * len(rows) + 8
    svg = Svg(
        left + bar + 90,
        height,
        title=_("Agreement by side, with 95% intervals"),
        class_="agreement-bars",
    )
    for i, row in enumerate(rows):
        share = row.get("agree_share")
        _bar_row(
            svg,
            4 + 22 * i,
            str(row.get("side")),
            share,
            row.get("lower"),
            row.get("upper"),
            int(row.get("n") or 0),
            colours.get(str(row.get("side")), "#777777"),
            left,
            bar,
            _,
        )
    if threshold is not None:
        x = left + bar * threshold
        svg.add(
            "line",
            x1=x,
            x2=x,
            y1=0,
            y2=height,
            stroke="#000000",
            stroke_dasharray="3 2",
            stroke_width=1,
        )
    return svg.render()


def group_share_bars(
    group_rows: Iterable[Mapping[str, Any]], *, _: Callable[..., str] = _identity
) -> str:
    """Agree share per opinion group (for divisive statements)."""
    rows = list(group_rows)
    left, bar = 90.0, 220.0
    svg = Svg(
        left + bar + 90,
        22 * len(rows) + 8,
        title=_("Agreement by opinion group"),
        class_="group-bars",
    )
    for i, row in enumerate(rows):
        group = int(row.get("group", i))
        _bar_row(
            svg,
            4 + 22 * i,
            _("Group {letter}", letter=group_letter(group)),
            row.get("agree_share"),
            None,
            None,
            int(row.get("n") or 0),
            GROUP_COLOURS[group % len(GROUP_COLOURS)],
            left,
            bar,
            _,
        )
    return svg.render()


def participation_chart(
    moments: Sequence[tuple[datetime, int, int]],
    *,
    width: int = 560,
    height: int = 180,
    _: Callable[..., str] = _identity,
) -> str:
    """Cumulative votes (solid) and participants (dashed) over time."""
    svg = Svg(width, height, title=_("Participation over time"), class_="participation")
    if len(moments) < 2:
        svg.add(
            "text", _("Not enough activity yet."), x=width / 2, y=height / 2, text_anchor="middle"
        )
        return svg.render()
    left, right, top, bottom = 56.0, 56.0, 10.0, 28.0
    start, end = moments[0][0], moments[-1][0]
    seconds = max((end - start).total_seconds(), 1.0)
    top_votes = max(m[1] for m in moments) or 1
    top_people = max(m[2] for m in moments) or 1

    def point(moment: datetime, value: int, top_value: int) -> str:
        x = left + (width - left - right) * (moment - start).total_seconds() / seconds
        y = height - bottom - (height - top - bottom) * value / top_value
        return f"{fmt(x)},{fmt(y)}"

    svg.add(
        "line", x1=left, x2=width - right, y1=height - bottom, y2=height - bottom, stroke="#888888"
    )
    svg.add(
        "polyline",
        points=" ".join(point(m, v, top_votes) for m, v, _p in moments),
        fill="none",
        stroke="#0b5cad",
        stroke_width=2,
    )
    svg.add(
        "polyline",
        points=" ".join(point(m, p, top_people) for m, _v, p in moments),
        fill="none",
        stroke="#a4161a",
        stroke_width=2,
        stroke_dasharray="5 3",
    )
    svg.add(
        "text",
        _("{n} votes", n=f"{top_votes:,}"),
        x=left - 4,
        y=top + 10,
        text_anchor="end",
        font_size=11,
        fill="#0b5cad",
    )
    svg.add(
        "text",
        _("{n} people", n=f"{top_people:,}"),
        x=width - right + 4,
        y=top + 10,
        font_size=11,
        fill="#a4161a",
    )
    svg.add("text", start.strftime("%d %b %Y"), x=left, y=height - 8, font_size=11)
    svg.add(
        "text",
        end.strftime("%d %b %Y"),
        x=width - right,
        y=height - 8,
        font_size=11,
        text_anchor="end",
    )
    return svg.render()
