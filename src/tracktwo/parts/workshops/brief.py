"""The workshops section of the brief: for each workshop, its triggering question, the group's
influence tree, the root drivers and the joint action plan.

Chatham House by construction: ideas are shown without authors, and no vote count or tally by
side appears (a side of a small workshop is fewer people than ``scope.min_cell``). Only maps the
facilitators have closed (the action-plan step or later) are described; a workshop still at
work is named as such.
"""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select

from tracktwo.common.brief.registry import BriefScope, Section, brief_section
from tracktwo.kernel.i18n import direction, language_name
from tracktwo.kernel.tracks import track
from tracktwo.parts.workshops.actions.plan import action_items
from tracktwo.parts.workshops.actions.results import WorkshopResult, figure_text, workshop_result
from tracktwo.parts.workshops.actions.translations import question_language, translations_in
from tracktwo.parts.workshops.models import ActionItem, ActionStatus, Idea, Workshop

__all__ = ["workshops_section"]

STATUS = {
    ActionStatus.PROPOSED: "proposed",
    ActionStatus.AGREED: "agreed",
    ActionStatus.IN_PROGRESS: "in progress",
    ActionStatus.DONE: "done",
    ActionStatus.DROPPED: "dropped",
}


@brief_section(order=50, key="workshops")
def workshops_section(scope: BriefScope) -> Section | None:
    """One part per workshop of the initiative; None when it has no workshops."""
    workshops = list(
        scope.db.scalars(
            select(Workshop)
            .where(Workshop.initiative_id == scope.initiative.id)
            .order_by(Workshop.created_at, Workshop.id)
        )
    )
    if not workshops:
        return None
    parts = []
    summaries = []
    for workshop in workshops:
        result = workshop_result(scope.db, workshop)
        parts.append(_workshop_html(scope, result))
        if result.final and result.root_drivers:
            drivers = "; ".join(idea.text for idea in result.root_drivers)
            summaries.append(f"Workshop “{workshop.title}”: the root drivers are {drivers}")
    return Section(
        key="workshops",
        title="Workshops: influence maps and joint action plans",
        html=Markup("\n").join(parts),
        summary=". ".join(summaries) + ("." if summaries else ""),
    )


def _workshop_html(scope: BriefScope, result: WorkshopResult) -> Markup:
    workshop = result.workshop
    html = [
        Markup('<article class="workshop">'),
        Markup("<h3>{}</h3>").format(workshop.title),
        Markup(
            '<p class="triggering-question">Triggering question: <q dir="auto">{}</q></p>'
        ).format(workshop.question),
        _translations_html(
            translations_in(
                workshop.question_translations, question_language(workshop), scope.languages
            )
        ),
    ]
    structure = result.structure if result.final else None
    if structure is None:
        html.append(Markup("<p>The group has not finished its influence map yet.</p>"))
        html.append(Markup("</article>"))
        return Markup("\n").join(html)
    html.append(
        Markup(
            "<p>{n} ideas with preference votes were mapped by asking, pair by pair, whether "
            "progress on one significantly helps progress on the other ({rule}). Root drivers, "
            "at the bottom of the tree, are where progress helps most.</p>"
        ).format(n=structure.n, rule=workshop.decision_rule.value.replace("_", " "))
    )
    html.append(
        Markup('<figure class="influence-tree">{}</figure>').format(
            Markup(result.tree_svg(figure_text(scope.language)) or "")
        )
    )
    if result.root_drivers:
        html.append(Markup("<h4>Root drivers</h4><ul>"))
        html.extend(
            Markup('<li dir="auto">{}. {}{}</li>').format(
                idea.number, idea.text, _idea_translations(scope, idea)
            )
            for idea in result.root_drivers
        )
        html.append(Markup("</ul>"))
    for members in result.cycles:
        html.append(
            Markup("<p>These ideas reinforce each other: {}.</p>").format(
                "; ".join(f"{idea.number}. {idea.text}" for idea in members)
            )
        )
        html.extend(
            _translations_html(pairs, idea.number)
            for idea in members
            if (pairs := _translated(scope, idea))
        )
    items = [i for i in action_items(scope.db, workshop) if i.status != ActionStatus.DROPPED]
    html.append(_plan_html(items))
    html.append(Markup("</article>"))
    return Markup("\n").join(html)


def _translated(scope: BriefScope, idea: Idea) -> list[tuple[str, str]]:
    return translations_in(idea.translations, idea.language, scope.languages)


def _idea_translations(scope: BriefScope, idea: Idea) -> Markup:
    return _translations_html(_translated(scope, idea))


def _translations_html(pairs: list[tuple[str, str]], number: int | None = None) -> Markup:
    """The facilitators' translations under an original, as the dialogue sections show them."""
    if not pairs:
        return Markup("")
    prefix = f"{number}. " if number is not None else ""
    items = [
        Markup(
            '<li lang="{code}" dir="{dir}"><span class="language">{name}:</span> {text}</li>'
        ).format(
            code=language,
            dir=direction(language),
            name=language_name(language),
            text=prefix + text,
        )
        for language, text in pairs
    ]
    return Markup('<ul class="translations">{}</ul>').format(Markup("").join(items))


def _plan_html(items: list[ActionItem]) -> Markup:
    if not items:
        return Markup("<p>No joint action plan has been recorded yet.</p>")
    rows = [
        Markup(
            '<tr><td dir="auto">{option}</td><td>{drivers}</td><td dir="auto">{owner}</td>'
            "<td>{track}</td><td>{status}</td></tr>"
        ).format(
            option=item.option,
            drivers=", ".join(str(idea.number) for idea in item.drivers),
            owner=item.owner,
            track=f"{item.track}. {track(item.track).name}" if item.track else "",
            status=STATUS[item.status],
        )
        for item in items
    ]
    return Markup(
        "<h4>Joint action plan</h4><table><thead><tr><th>Option</th><th>Works on ideas</th>"
        "<th>Owner</th><th>Track</th><th>Status</th></tr></thead><tbody>{}</tbody></table>"
    ).format(Markup("").join(rows))
