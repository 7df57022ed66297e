"""The results page of a survey, for facilitators and observers alike.

Everything on it comes from the evaluation report, which is suppressed by construction: no
figure about fewer than the cell threshold, no respondent id, no free text. Observers and
facilitators therefore see the same page; facilitators get the links to manage the survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi.responses import Response
from markupsafe import Markup

from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.models import Role
from tracktwo.kernel.errors import TracktwoError
from tracktwo.parts.surveys.actions.data import survey_results
from tracktwo.parts.surveys.actions.surveys import survey_for
from tracktwo.parts.surveys.evaluation import change_plot_svg, distribution_plot_svg
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]
MINUS = "\u2212"

__all__ = ["part_labels", "router", "scale_title"]


def part_labels(report: Mapping[str, Any]) -> dict[str, str]:
    """Breakdown keys of the report (side ids, ``undeclared``, ``overall``) -> readable names."""
    labels = {side["id"]: side["name"] for side in report.get("sides", [])}
    labels["undeclared"] = "No side declared"
    labels["overall"] = "All"
    return labels


def scale_title(report: Mapping[str, Any], entry: Mapping[str, Any]) -> str:
    target = entry.get("target")
    if target is None:
        return str(entry["name"])
    return f"{entry['name']}: toward {part_labels(report).get(target, target)}"


def _rows(
    labels: Mapping[str, str], block: Mapping[str, Any] | None, pick: Any
) -> list[tuple[str, Any]]:
    """(label, picked block) for each side of a breakdown, then the total."""
    if block is None:
        return []
    rows = [(labels.get(key, key), pick(cell)) for key, cell in block["sides"].items()]
    if block.get("overall") is not None:
        rows.append((labels["overall"], pick(block["overall"])))
    return [(label, picked) for label, picked in rows if picked is not None]


def _scale_view(report: Mapping[str, Any], key: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    labels = part_labels(report)
    waves: list[str] = list(report["waves"])
    later = [wave for wave in waves[1:] if waves and waves[0] == "pre"]
    participants = {"sides": entry["sides"], "overall": entry["overall"]}
    groups = [("Participants", participants)]
    if entry.get("comparison") is not None:
        groups.append(("Comparison group", entry["comparison"]))
    view: dict[str, Any] = {
        "key": key,
        "title": scale_title(report, entry),
        "entry": entry,
        "groups": [
            {
                "name": name,
                "changes": {
                    wave: _rows(labels, block, lambda cell, w=wave: cell["changes"].get(w))
                    for wave in later
                },
                "waves": {
                    wave: _rows(labels, block, lambda cell, w=wave: cell["waves"].get(w))
                    for wave in waves
                },
            }
            for name, block in groups
        ],
        "did": {
            wave: _rows(labels, part, lambda cell: cell)
            for wave, part in (entry.get("did") or {}).items()
        },
        "mixed": None,
        "figures": [Markup(change_plot_svg(report, key, wave=wave)) for wave in later],
        "distribution": (
            Markup(distribution_plot_svg(report, key, waves=("pre", later[0]))) if later else None
        ),
    }
    mixed = entry.get("mixed_model")
    if mixed is not None:
        view["mixed"] = {"waves": mixed["waves"], "rows": _rows(labels, mixed, lambda c: c)}
    return view


def _attrition(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    labels = part_labels(report)
    names = {"treatment": "Participants", "comparison": "Comparison group"}
    return [
        {"name": names.get(group, group), "rows": _rows(labels, block, lambda cell: cell)}
        for group, block in report.get("attrition", {}).items()
    ]


def number(value: object, digits: int = 1) -> str:
    """A statistic for the page: fixed digits, a real minus sign, a dash when undefined."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    return f"{value:.{digits}f}".replace("-", MINUS)


def signed(value: object, digits: int = 1) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    return f"{value:+.{digits}f}".replace("-", MINUS)


def p_value(value: object) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@router.get("/surveys/{survey_id}/results")
def results(ctx: Ctx, survey_id: PathId) -> Response:
    user = ctx.require_user()
    min_cell = ctx.platform.settings.min_cell_size
    problem = None
    try:
        with ctx.attempt():
            survey, report = survey_results(ctx.db, user, survey_id, min_cell=min_cell)
    except TracktwoError as exc:
        if exc.status_code in (401, 403, 404):
            raise
        # Stored answers that no longer fit the survey: say so rather than fail.
        survey, report, problem = survey_for(ctx.db, user, survey_id), None, exc.message
    role = role_in(ctx.db, user, survey.initiative_id)
    scales = (
        [_scale_view(report, key, entry) for key, entry in report["scales"].items()]
        if report
        else []
    )
    return ctx.render(
        "surveys/results.html",
        survey=survey,
        report=report,
        scales=scales,
        attrition=_attrition(report) if report else [],
        problem=problem,
        min_cell=min_cell,
        is_facilitator=bool(role and role.at_least(Role.FACILITATOR)),
        number=number,
        signed=signed,
        p_value=p_value,
    )
