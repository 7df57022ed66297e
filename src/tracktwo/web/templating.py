"""The Jinja2 environment for pages. Autoescaping is on for everything we render."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracktwo import __version__
from tracktwo.kernel.i18n import direction, language_name
from tracktwo.parts import template_folders

__all__ = ["environment"]

TEMPLATES = Path(__file__).with_name("templates")


def _date(value: datetime | None, fmt: str = "%d %b %Y %H:%M UTC") -> str:
    return value.strftime(fmt) if value else ""


def _build() -> Environment:
    env = Environment(
        # the shell's templates (base, macros, errors), then the core's and each part's
        loader=FileSystemLoader([TEMPLATES, *template_folders()]),
        autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails loudly in tests
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    env.filters["language_name"] = language_name
    env.filters["direction"] = direction
    env.globals["version"] = __version__
    return env


environment = _build()
