"""The brief's "What changed" section: attitude change per side from the evaluation surveys.

Drawn from the suppressed evaluation report alone (no respondent ids, no free text, nothing
about fewer than ``scope.min_cell`` people), with the change plot of each scale as inline
SVG. Surveys belong to the whole initiative, so the section is the same whichever dialogues
the brief covers. Without a comparison group the section says that the change cannot be
attributed to the programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from sqlalchemy import select

from tracktwo.common.brief.registry import BriefScope, Section, brief_section
from tracktwo.parts.surveys.actions.data import survey_report
from tracktwo.parts.surveys.evaluation import change_plot_svg
from tracktwo.parts.surveys.models import Survey

__all__ = ["what_changed"]

MINUS = "\u2212"


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", MINUS)


def _number(value: float) -> str:
    return f"{value:.1f}".replace("-", MINUS)


def _side_names(report: Mapping[str, Any]) -> dict[str, str]:
    names = {side["id"]: side["name"] for side in report["sides"]}
    names["undeclared"] = "people who did not declare a side"
    return names


def _change_line(name: str, change: Mapping[str, Any] | None, min_cell: int) -> str:
    if change is None or change.get("suppressed"):
        return (
            f"{name}: not shown (fewer than {min_cell} people, or it would reveal a smaller group)"
        )
    if not change.get("n"):
        return f"{name}: nobody answered both waves"
    if change.get("diff") is None:
        return f"{name}: no change can be computed (n = {change['n']})"
    interval = (
        f" (95% CI {_number(change['ci_low'])} to {_number(change['ci_high'])})"
        if change.get("ci_low") is not None and change.get("ci_high") is not None
        else ""
    )
    return f"{name}: {_signed(change['diff'])}{interval}, n = {change['n']}"


def _scale_html(
    report: Mapping[str, Any], key: str, entry: Mapping[str, Any], waves: list[str], min_cell: int
) -> tuple[Markup, str | None]:
    names = _side_names(report)
    parts = [Markup("<h3>{}</h3>").format(entry["name"])]
    parts.append(Markup('<p class="muted">Higher means {}.</p>').format(entry["higher_means"]))
    summary = None
    for wave in waves:
        parts.append(
            Markup('<figure class="chart">{}</figure>').format(
                Markup(change_plot_svg(report, key, wave=wave))
            )
        )
        lines = [
            _change_line(names.get(side, side), cell["changes"].get(wave), min_cell)
            for side, cell in entry["sides"].items()
        ]
        overall = entry["overall"]["changes"].get(wave) if entry["overall"] else None
        lines.append(_change_line("All participants", overall, min_cell))
        parts.append(Markup("<p>Change from pre to {}:</p>").format(wave))
        parts.append(
            Markup("<ul>{}</ul>").format(
                Markup("").join(Markup("<li>{}</li>").format(line) for line in lines)
            )
        )
        if summary is None and overall is not None and overall.get("ci_low") is not None:
            summary = (
                f"{entry['name']}: {_signed(overall['diff'])} from pre to {wave} among all "
                f"participants (95% CI {_number(overall['ci_low'])} to "
                f"{_number(overall['ci_high'])}, n = {overall['n']})."
            )
    return Markup("").join(parts), summary


def _survey_html(
    survey: Survey, report: Mapping[str, Any], min_cell: int
) -> tuple[Markup, list[str]]:
    waves = list(report["waves"])
    later = waves[1:] if waves and waves[0] == "pre" else []
    parts = [Markup("<h3>{}</h3>").format(survey.title)] if survey.title else []
    summaries: list[str] = []
    for key, entry in report["scales"].items():
        if entry.get("target") is not None:
            continue  # per-target scales (three or more sides) stay on the results page
        html, summary = _scale_html(report, key, entry, later, min_cell)
        parts.append(html)
        if summary:
            summaries.append(summary)
    comparison = any(entry.get("comparison") for entry in report["scales"].values())
    parts.append(
        Markup('<p class="muted">{}</p>').format(
            "Paired change among the people who answered both waves, with 95% intervals. "
            + (
                "A comparison group answered too; the full results page gives the "
                "difference-in-differences."
                if comparison
                else "There was no comparison group, so the change cannot be attributed to "
                "the programme alone."
            )
            + f" Groups of fewer than {min_cell} people are not shown."
        )
    )
    return Markup("").join(parts), summaries


@brief_section(order=60, key="evaluation")
def what_changed(scope: BriefScope) -> Section | None:
    """Attitude change per side, for every survey of the initiative with a pre and a later wave;
    None when no survey has such results."""
    surveys = scope.db.scalars(
        select(Survey)
        .where(Survey.initiative_id == scope.initiative.id)
        .order_by(Survey.created_at, Survey.id)
    )
    bodies: list[Markup] = []
    summaries: list[str] = []
    for survey in surveys:
        report = survey_report(scope.db, survey, min_cell=scope.min_cell, store=False)
        if report is None or len(report["waves"]) < 2 or report["waves"][0] != "pre":
            continue
        html, found = _survey_html(survey, report, scope.min_cell)
        bodies.append(html)
        summaries.extend(found)
    if not bodies:
        return None
    return Section(
        key="evaluation",
        title="What changed",
        html=Markup("").join(bodies),
        summary=" ".join(summaries[:2]),
    )
