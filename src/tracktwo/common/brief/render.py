"""Assembling the brief: every registered section, in order, as one HTML document and a PDF.

The HTML is self-contained (the stylesheet inline, figures as inline SVG, no fonts, images or
scripts from anywhere), so the file can be mailed to an envoy's office and opened offline. The
PDF is WeasyPrint's rendering of the very same HTML, with a fetcher that refuses every URL
except ``data:``, so making a PDF cannot reach out either.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from tracktwo import __version__
from tracktwo.common.brief.registry import (
    BriefScope,
    Section,
    load_sections,
    registered_sections,
    section_needs_database,
)
from tracktwo.kernel.errors import InvalidInput, TracktwoError
from tracktwo.kernel.i18n import direction, language_name
from tracktwo.parts import template_folders

__all__ = [
    "FORMATS",
    "Brief",
    "PdfUnavailable",
    "brief_destination",
    "brief_format",
    "brief_html",
    "brief_pdf",
    "build_brief",
    "render_fragment",
    "served_policy",
    "text_direction",
    "write_brief",
]

TEMPLATES = Path(__file__).with_name("templates")
CSS = (TEMPLATES / "brief.css").read_text(encoding="utf-8")
FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


class PdfUnavailable(TracktwoError):
    """WeasyPrint (the optional ``pdf`` extra) is not installed (HTTP 503, CLI exit 2)."""

    status_code = 503


def _date(value: datetime | None, fmt: str = "%d %B %Y") -> str:
    return value.strftime(fmt).lstrip("0") if value else ""


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def text_direction(text: str) -> str:
    """``rtl`` when the text's first strong character is right-to-left, else ``auto``.

    Browsers resolve ``dir="auto"`` from that same first strong character, but WeasyPrint
    treats it as left-to-right; saying ``rtl`` outright for such texts gives the PDF the same
    layout as the browser.
    """
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "auto"
    return "auto"


def _environment() -> Environment:
    env = Environment(
        # the brief's own templates, then each part's (section templates: <part>/brief/...)
        loader=FileSystemLoader([TEMPLATES, *template_folders()]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    env.filters["percent"] = _percent
    env.filters["direction"] = direction
    env.filters["language_name"] = language_name
    env.filters["text_dir"] = text_direction
    env.globals["version"] = __version__
    return env


environment = _environment()


def render_fragment(template: str, **values: Any) -> Markup:
    """A section body from a part's template, ``<part>/brief/<name>.html`` (autoescaped)."""
    return Markup(environment.get_template(template).render(**values))


@dataclass
class Brief:
    title: str
    subtitle: str
    language: str
    generated_at: datetime
    min_cell: int
    sections: list[Section]

    @property
    def summaries(self) -> list[str]:
        return [section.summary for section in self.sections if section.summary]


def build_brief(scope: BriefScope) -> Brief:
    """Ask every registered section, in order, for its part of the brief of ``scope``.

    A brief made without a database (from an export) asks only the sections that declared
    ``needs_database=False``.
    """
    load_sections()
    sections = []
    for _order, key, function in registered_sections():
        if not scope.has_database and section_needs_database(key):
            continue
        section = function(scope)
        if section is not None:
            sections.append(section)
    return Brief(
        title=scope.title,
        subtitle=scope.subtitle,
        language=scope.language,
        generated_at=scope.generated_at,
        min_cell=scope.min_cell,
        sections=sections,
    )


def brief_html(brief: Brief, *, nav: Sequence[tuple[str, str]] = ()) -> str:
    """The brief as one self-contained HTML document.

    ``nav`` adds links above the title (label, address) for the copy served on the platform;
    they are hidden in print. The downloaded file has none.
    """
    return environment.get_template("brief.html").render(brief=brief, css=Markup(CSS), nav=nav)


def served_policy() -> str:
    """The Content-Security-Policy under which the platform serves a brief page.

    The page's only style is its inline ``<style>``, allowed by its hash; nothing else may
    load at all (no scripts, fonts, images other than ``data:``, frames or connections).
    """
    digest = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


def brief_pdf(html: str) -> bytes:
    """The brief as an A4 PDF, rendered by WeasyPrint from the HTML of :func:`brief_html`."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "Making a PDF needs WeasyPrint, which is not installed here: install it with "
            "pip install 'tracktwo[pdf]' (and Debian's Pango), or ask for the brief as HTML."
        ) from error
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf


def brief_format(path: Path) -> str:
    """``"html"`` or ``"pdf"``, from the file name; anything else is refused in one sentence."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(
            f"Cannot tell the format of {path}: the file name must end in .html or .pdf."
        )
    return fmt


def brief_destination(path: Path) -> None:
    """Refuse, before any work, a path that cannot become a file."""
    if path.is_dir():
        raise InvalidInput(f"Cannot write {path}: it is a folder; give a file name.")
    if not path.parent.is_dir():
        raise InvalidInput(f"Cannot write {path}: there is no folder {path.parent}.")


def write_brief(scope: BriefScope, path: Path) -> Path:
    """Render the brief of ``scope`` and write it to ``path`` as HTML or PDF (by extension)."""
    fmt = brief_format(path)
    brief_destination(path)
    html = brief_html(build_brief(scope))
    content = brief_pdf(html) if fmt == "pdf" else html.encode("utf-8")
    try:
        path.write_bytes(content)
    except OSError as error:
        raise InvalidInput(f"Cannot write {path}: {error.strerror or error}.") from error
    return path
