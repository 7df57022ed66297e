"""Figures of an evaluation report, drawn as hand-written SVG from the report itself.

Both figures read only the (already suppressed) report, never raw answers, so a figure can
show nothing the report hides: suppressed cells are left out and named in a note. They
print legibly in black and white: markers differ in shape as well as fill, intervals are
plain lines, and every number the eye needs is also written as text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.svg import Svg, fmt

__all__ = ["change_plot_svg", "distribution_plot_svg"]

_FONT = "system-ui, sans-serif"
_INK = "#000"
_GREY = "#555"
_LABEL_WIDTH = 150.0
_NUMBERS_WIDTH = 190.0
_PLOT_WIDTH = 320.0
_ROW = 30.0


def _scale_entry(report: Mapping[str, Any], scale: str) -> Mapping[str, Any]:
    scales = report.get("scales", {})
    if scale not in scales:
        raise InvalidInput(
            f"The report has no scale {scale!r}; it has {', '.join(scales) or 'none'}."
        )
    entry: Mapping[str, Any] = scales[scale]
    return entry


def _group_block(entry: Mapping[str, Any], group: str) -> Mapping[str, Any] | None:
    if group == "treatment":
        return {"sides": entry.get("sides", {}), "overall": entry.get("overall")}
    block: Mapping[str, Any] | None = entry.get("comparison")
    return block


def _parts(report: Mapping[str, Any], block: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(key, label, cell) for every side in the report's order, then the overall cell."""
    names = {side["id"]: side["name"] for side in report.get("sides", [])}
    names["undeclared"] = "No side declared"
    rows = [(key, names.get(key, key), cell) for key, cell in block["sides"].items()]
    if block.get("overall") is not None:
        rows.append(("overall", "All respondents", block["overall"]))
    return rows


def _nice_step(span: float, ticks: int = 5) -> float:
    """A 1, 2 or 5 times a power of ten step giving about ``ticks`` intervals."""
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(step * power for step in (1, 2, 5, 10) if step * power >= raw))


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "\u2212")


def _number(value: float) -> str:
    return f"{value:.1f}".replace("-", "\u2212")


def _text(svg: Svg, x: float, y: float, text: str, **attrs: object) -> None:
    style: dict[str, object] = {"font_family": _FONT, "font_size": 12, "fill": _INK}
    svg.add("text", text, x=x, y=y, **(style | attrs))


def _hidden_note(svg: Svg, y: float, hidden: Sequence[str], min_cell: object) -> None:
    if hidden:
        _text(
            svg,
            8.0,
            y,
            f"Not shown (suppressed, fewer than {min_cell} respondents or to protect a "
            f"smaller group): {', '.join(hidden)}",
            font_size=11,
            fill=_GREY,
        )


def change_plot_svg(
    report: Mapping[str, Any], scale: str, *, wave: str = "post", group: str = "treatment"
) -> str:
    """Dot-and-whisker chart of the mean change from ``pre`` to ``wave`` per side.

    Each row is a side (then all respondents, drawn as a square): the dot is the mean
    paired change, the whisker its 95 % t interval, the dashed line no change. The numbers
    are written beside each row. Suppressed or undefined rows are not drawn but named.
    """
    entry = _scale_entry(report, scale)
    block = _group_block(entry, group)
    if block is None:
        raise InvalidInput(f"The report has no {group} group for scale {scale}.")
    rows: list[tuple[str, Mapping[str, Any]]] = []
    hidden: list[str] = []
    for _key, label, cell in _parts(report, block):
        change = cell.get("changes", {}).get(wave)
        if change is None or change.get("suppressed") or change.get("diff") is None:
            hidden.append(label)
        else:
            rows.append((label, change))
    bounds = [0.0]
    for _label, change in rows:
        bounds += [
            change[key] for key in ("diff", "ci_low", "ci_high") if change.get(key) is not None
        ]
    reach = max(abs(value) for value in bounds) or 1.0
    step = _nice_step(2 * reach)
    limit = math.ceil(reach / step) * step
    top = 48.0
    height = top + _ROW * max(len(rows), 1) + 56
    svg = Svg(
        _LABEL_WIDTH + _PLOT_WIDTH + _NUMBERS_WIDTH,
        height,
        title=f"Change in {entry['name']} from pre to {wave}, per side, with 95% intervals",
        class_="tracktwo-change-plot",
    )
    _text(svg, 8.0, 18.0, f"{entry['name']}: change from pre to {wave}", font_weight="bold")
    _text(
        svg,
        8.0,
        34.0,
        f"mean change with 95% interval; higher means {entry['higher_means']}",
        font_size=11,
        fill=_GREY,
    )

    def x_of(value: float) -> float:
        return _LABEL_WIDTH + (value + limit) / (2 * limit) * _PLOT_WIDTH

    bottom = top + _ROW * max(len(rows), 1)
    svg.add("line", x1=x_of(0), y1=top, x2=x_of(0), y2=bottom, stroke=_INK, stroke_dasharray="4 3")
    svg.add("line", x1=x_of(-limit), y1=bottom, x2=x_of(limit), y2=bottom, stroke=_INK)
    tick = -limit
    while tick <= limit + step / 2:
        svg.add("line", x1=x_of(tick), y1=bottom, x2=x_of(tick), y2=bottom + 4, stroke=_INK)
        label = f"{round(tick, 6):+g}".replace("-", "\u2212") if tick else "0"
        _text(svg, x_of(tick), bottom + 16, label, text_anchor="middle")
        tick += step
    for index, (label, change) in enumerate(rows):
        y = top + _ROW * index + _ROW / 2
        _text(svg, _LABEL_WIDTH - 8, y + 4, label, text_anchor="end")
        if change.get("ci_low") is not None and change.get("ci_high") is not None:
            low, high = x_of(change["ci_low"]), x_of(change["ci_high"])
            svg.add("line", x1=low, y1=y, x2=high, y2=y, stroke=_INK, stroke_width=1.5)
            for end in (low, high):
                svg.add("line", x1=end, y1=y - 5, x2=end, y2=y + 5, stroke=_INK, stroke_width=1.5)
            interval = f" [{_number(change['ci_low'])}, {_number(change['ci_high'])}]"
        else:
            interval = " [no interval]"
        centre = x_of(change["diff"])
        if label == "All respondents":
            svg.add("rect", x=centre - 5, y=y - 5, width=10, height=10, fill=_INK)
        else:
            svg.add("circle", cx=centre, cy=y, r=5, fill=_INK)
        _text(
            svg,
            _LABEL_WIDTH + _PLOT_WIDTH + 10,
            y + 4,
            f"{_signed(change['diff'])}{interval}, n = {change['n']}",
        )
    _hidden_note(svg, bottom + 40, hidden, report.get("settings", {}).get("min_cell"))
    return svg.render()


def distribution_plot_svg(
    report: Mapping[str, Any],
    scale: str,
    *,
    waves: tuple[str, str] = ("pre", "post"),
    group: str = "treatment",
) -> str:
    """Histograms of the scale scores before and after, one panel per side.

    Bars show the share of a wave's respondents in each tenth of the score range: the
    earlier wave as white bars with a black outline, the later as solid dark bars, side by
    side, so the two stay distinct without colour. Suppressed waves are not drawn.
    """
    entry = _scale_entry(report, scale)
    block = _group_block(entry, group)
    if block is None:
        raise InvalidInput(f"The report has no {group} group for scale {scale}.")
    panels: list[tuple[str, list[tuple[str, Mapping[str, Any]]]]] = []
    hidden: list[str] = []
    for _key, label, cell in _parts(report, block):
        shown = []
        for wave in waves:
            data = cell.get("waves", {}).get(wave)
            if data is None or data.get("suppressed") or not data.get("histogram"):
                if data is not None and data.get("suppressed"):
                    hidden.append(f"{label} ({wave})")
                continue
            if isinstance(data.get("n"), int) and data["n"] > 0:
                shown.append((wave, data))
        if shown:
            panels.append((label, shown))
    panel_height = 120.0
    panel_width = 420.0
    left = 150.0
    top = 60.0
    height = top + (panel_height + 40) * max(len(panels), 1) + 30
    svg = Svg(
        left + panel_width + 100,
        height,
        title=f"Distribution of {entry['name']} in waves {waves[0]} and {waves[1]}, per side",
        class_="tracktwo-distribution-plot",
    )
    _text(svg, 8.0, 18.0, f"{entry['name']}: {waves[0]} and {waves[1]}", font_weight="bold")
    _text(svg, 8.0, 34.0, "share of respondents in each score range", font_size=11, fill=_GREY)
    svg.add("rect", x=8, y=42, width=10, height=10, fill="#fff", stroke=_INK)
    _text(svg, 22, 51, waves[0], font_size=11)
    svg.add("rect", x=70, y=42, width=10, height=10, fill="#333", stroke=_INK)
    _text(svg, 84, 51, waves[1], font_size=11)
    for index, (label, shown) in enumerate(panels):
        base = top + (panel_height + 40) * index + panel_height
        _text(svg, left - 8, base - panel_height / 2, label, text_anchor="end")
        counts_n = [(wave, data["histogram"], data["n"]) for wave, data in shown]
        edges = counts_n[0][1]["edges"]
        bins = len(edges) - 1
        slot = panel_width / bins
        width = slot / (len(counts_n) + 1)
        shares = [[count / n for count in hist["counts"]] for _, hist, n in counts_n]
        tallest = max(max(share) for share in shares) or 1.0
        for which, (wave, _hist, n) in enumerate(counts_n):
            fill = "#fff" if wave == waves[0] else "#333"
            for position, share in enumerate(shares[which]):
                bar = share / tallest * (panel_height - 10)
                svg.add(
                    "rect",
                    x=left + position * slot + width * (which + 0.5),
                    y=base - bar,
                    width=width,
                    height=bar,
                    fill=fill,
                    stroke=_INK,
                    stroke_width=0.8,
                )
            _text(
                svg,
                left + panel_width + 10,
                base - panel_height + 14 * (which + 1),
                f"{wave}: n = {n}",
                font_size=11,
            )
        svg.add("line", x1=left, y1=base, x2=left + panel_width, y2=base, stroke=_INK)
        for position in (0, bins // 2, bins):
            _text(
                svg,
                left + position * slot,
                base + 14,
                fmt(edges[position]),
                text_anchor="middle",
                font_size=11,
            )
    _hidden_note(svg, height - 12, hidden, report.get("settings", {}).get("min_cell"))
    return svg.render()
