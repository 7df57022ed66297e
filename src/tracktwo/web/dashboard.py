"""The initiative dashboard is assembled from panels that each part of the platform adds.

A part (dialogues, workshops, surveys, the brief ...) registers a function that returns the
HTML of its panel for an initiative, or ``None`` to show nothing; the dashboard page then
needs no change when a part is added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup

from tracktwo.store.models import Initiative, Role

if TYPE_CHECKING:
    from tracktwo.web.context import PageContext

__all__ = ["Panel", "dashboard_panel", "panels_for"]

Panel = Callable[["PageContext", Initiative, Role], Markup | None]
_panels: list[tuple[int, Panel]] = []


def dashboard_panel(order: int) -> Callable[[Panel], Panel]:
    """Register a panel; lower ``order`` comes first."""

    def register(panel: Panel) -> Panel:
        _panels.append((order, panel))
        _panels.sort(key=lambda entry: entry[0])
        return panel

    return register


def panels_for(ctx: PageContext, initiative: Initiative, role: Role | None) -> list[Markup]:
    if role is None:
        return []
    rendered = (panel(ctx, initiative, role) for _, panel in _panels)
    return [html for html in rendered if html is not None]
