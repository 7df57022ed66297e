"""The brief of the demo initiative: PDF text, inline figures, no attribution, right-to-left
translations, suppression of small cells, and the web pages that serve it."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.common.brief.conftest import Demo, normalise, pdf_fonts, pdf_text
from tests.conftest import WebClient, make_client
from tracktwo.common.brief.actions import brief_scope
from tracktwo.common.brief.export import export_findings
from tracktwo.common.brief.render import brief_html, brief_pdf, build_brief
from tracktwo.common.initiatives.access import SYSTEM
from tracktwo.common.initiatives.models import Initiative, Side
from tracktwo.common.participation.models import Participant
from tracktwo.parts.dialogues.actions.analysis import latest_snapshot
from tracktwo.parts.dialogues.actions.findings import dialogue_findings
from tracktwo.parts.dialogues.actions.moderation import set_translation
from tracktwo.parts.dialogues.models import Statement, StatementTranslation

pytestmark = pytest.mark.xdist_group("brief-demo")

HEBREW = "יש לתקן צינורות דולפים לפני שמדברים על מקורות מים חדשים."


@dataclass
class Rendered:
    html: str
    pdf: bytes
    text: str  # the PDF's text, as pdftotext reads it
    top: list[str]  # the top common-ground statements, read straight from the analysis
    arabic: dict[str, str]  # statement text -> its Arabic translation (demo data)


def _top_statements(demo: Demo, count: int) -> list[str]:
    with demo.platform.database.transaction() as db:
        snapshot = latest_snapshot(db, demo.access.parts["dialogues"].ids[0])
        assert snapshot is not None
        ids = [int(e["statement"]) for e in snapshot.result["cross_side"][:count]]
        texts = dict(
            db.execute(select(Statement.id, Statement.text).where(Statement.id.in_(ids))).all()
        )
    return [texts[i] for i in ids]


@pytest.fixture(scope="module")
def rendered(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The demo brief, with one more participant language (Hebrew) and its translation of
    the top common-ground statement, rendered once for the module."""
    top = _top_statements(demo, 3)
    with demo.platform.database.transaction() as db:
        initiative = db.get(Initiative, demo.access.initiative_id)
        assert initiative is not None
        initiative.languages = [*initiative.languages, "he"]
        statement = db.scalar(select(Statement).where(Statement.text == top[0]))
        assert statement is not None
        facilitator = initiative.memberships[0].user
        set_translation(
            db, facilitator, demo.access.parts["dialogues"].ids[0], statement.id, "he", HEBREW
        )
        arabic = {
            text: translation
            for text, translation in db.execute(
                select(Statement.text, StatementTranslation.text)
                .join(StatementTranslation)
                .where(StatementTranslation.language == "ar")
            )
        }
        scope = brief_scope(db, SYSTEM, initiative_id=demo.access.initiative_id, min_cell=5)
        html = brief_html(build_brief(scope))
    pdf = brief_pdf(html)
    return Rendered(html, pdf, pdf_text(pdf, tmp_path_factory.mktemp("pdf")), top, arabic)


def test_pdf_holds_the_top_common_ground_and_no_participant_identifier(
    demo: Demo, rendered: Rendered
) -> None:
    assert rendered.pdf.startswith(b"%PDF")
    for statement in rendered.top:
        assert normalise(statement) in rendered.text
    for pseudonym in demo.pseudonyms:
        assert pseudonym not in rendered.text
        assert pseudonym not in rendered.html
    assert "Page 1 of" in rendered.text  # page numbers
    assert "Brief for Track One".upper() in rendered.text  # the title block


def test_html_is_self_contained_with_inline_svg_figures(rendered: Rendered) -> None:
    html = rendered.html
    assert html.count("<svg") >= 1 + len(rendered.top)  # the map, and bars per statement
    assert 'class="opinion-map"' in html and 'class="agreement-bars"' in html
    for pattern in (
        r"<link\b",
        r"<script\b",
        r"<img\b",
        r"<iframe\b",
        r"\bsrc=",
        r"url\((?!#)",  # url(#arrow) points inside the document (the tree's arrowheads)
        "@import",
    ):
        assert not re.search(pattern, html), pattern
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert addresses <= {"http://www.w3.org/2000/svg"}, addresses


def test_translations_are_right_to_left_in_html_and_present_in_pdf(rendered: Rendered) -> None:
    hebrew = re.search(r'<li lang="he" dir="rtl">(.*?)</li>', rendered.html, re.S)
    assert hebrew is not None and HEBREW in hebrew.group(1)
    # pdftotext moves an RTL line's final full stop to its other end: compare the words
    assert HEBREW.rstrip(".") in rendered.text
    shown = [t for t in rendered.top if t in rendered.arabic]
    assert shown, "the demo translates some of its top common ground into Arabic"
    for statement in shown:
        translation = rendered.arabic[statement]
        assert (
            f'<li lang="ar" dir="rtl"><span class="language">العربية:</span> {translation}</li>'
            in (rendered.html)
        )
        # pdftotext writes lam-alef ligatures back in another order: compare the other words
        words = [w.strip(".،") for w in translation.split() if "لا" not in w and "لأ" not in w]
        assert len(words) >= 3 and all(w in rendered.text for w in words)


def test_the_pdf_embeds_fonts_that_cover_arabic_and_hebrew(
    rendered: Rendered, tmp_path: Path
) -> None:
    fonts = pdf_fonts(rendered.pdf, tmp_path)
    assert "Noto-Sans-Arabic" in fonts and "Noto-Sans-Hebrew" in fonts


def test_weasyprint_lays_the_translations_out_right_to_left(rendered: Rendered) -> None:
    import weasyprint

    document = weasyprint.HTML(string=rendered.html).render()
    directions = {
        box.element.get("lang"): box.style["direction"]
        for page in document.pages
        for box in page._page_box.descendants()
        if getattr(box, "element_tag", None) == "li" and box.element.get("lang")
    }
    assert directions["ar"] == "rtl" and directions["he"] == "rtl" and directions["el"] == "ltr"


def test_small_counts_are_suppressed_everywhere(demo: Demo) -> None:
    """With a threshold of 21, every count of people below 21 must disappear (the demo's
    groups have 26, 24 and 20 people; its sides' votes per statement range around 20-30)."""
    cell = 21
    with demo.platform.database.transaction() as db:
        undeclared = len(
            db.scalars(
                select(Participant.id).where(
                    Participant.initiative_id == demo.access.initiative_id,
                    Participant.side_id.is_(None),
                )
            ).all()
        )
        sides = db.scalars(select(Side).where(Side.initiative_id == demo.access.initiative_id))
        assert all(len(side.name) > 0 for side in sides)
        scope = brief_scope(
            db, SYSTEM, dialogue_id=demo.access.parts["dialogues"].ids[0], min_cell=cell
        )
        html = brief_html(build_brief(scope))
        snapshot = latest_snapshot(db, demo.access.parts["dialogues"].ids[0])
        assert snapshot is not None
        sizes = [int(g["size"]) for g in snapshot.result["groups"]]
    assert 0 < undeclared < 5
    assert re.search(r"Undeclared</th><td class=\"n\">fewer than 21</td>", html)
    assert any(size < cell for size in sizes), "the demo has a group smaller than 21"
    for size in sizes:
        if size < cell:
            assert f"· {size} people" not in html
    assert "fewer than 21 people" in html and "Not shown, because fewer than 21" in html
    # every "Voted" cell of every table of shares is at least the threshold
    tables = re.findall(r'<table class="shares">.*?</table>', html, re.S)
    voted = [int(n) for t in tables for n in re.findall(r'<td class="n">(\d+)</td></tr>', t)]
    assert voted and min(voted) >= cell
    # every count in the groups' composition is 0, suppressed, or at least the threshold
    for line in re.findall(r"By side: (.*?)</p>", html):
        for count in re.findall(r"(?<![\w-])(\d+)(?![\d%])", line):
            assert int(count) == 0 or int(count) >= cell, line
    for figure in re.findall(r'<svg[^>]*class="agreement-bars".*?</svg>', html, re.S):
        assert all(int(n) >= cell for n in re.findall(r"\(n=(\d+)\)", figure))


def test_the_platform_and_the_export_path_read_the_analysis_alike(demo: Demo) -> None:
    """The same snapshot gives the same findings through the database and as an export."""
    with demo.platform.database.transaction() as db:
        dialogue_id = demo.access.parts["dialogues"].ids[0]
        snapshot = latest_snapshot(db, dialogue_id)
        assert snapshot is not None
        from tracktwo.parts.dialogues.models import Dialogue

        dialogue = db.get(Dialogue, dialogue_id)
        assert dialogue is not None
        platform = dialogue_findings(db, dialogue, min_cell=5)
        document = dict(snapshot.result)
        texts = dict(db.execute(select(Statement.id, Statement.text)).all())
    document["statements"] = [{**row, "text": texts[row["id"]]} for row in document["statements"]]
    exported = export_findings(document, topic="demo", min_cell=5)

    def shape(findings):  # type: ignore[no-untyped-def]
        return (
            findings.common_ground_method,
            [(v.id, v.text, v.sides) for v in findings.common_ground],
            [(v.id, v.groups) for v in findings.divisive],
            [(v.id, v.sides) for v in findings.divisive_sides],
            [
                (g.letter, g.size, g.composition, [r.id for r in g.representative])
                for g in findings.groups
            ],
        )

    assert shape(platform) == shape(exported)
    assert platform.common_ground, "the demo has common ground"


# --- the web pages ---------------------------------------------------------------------------


@pytest.fixture
def facilitator(demo: Demo) -> Iterator[WebClient]:
    with make_client(demo.platform) as client:
        client.login(demo.access.facilitator_email, demo.access.facilitator_password)
        yield client


@pytest.fixture
def observer(demo: Demo) -> Iterator[WebClient]:
    with make_client(demo.platform) as client:
        client.login(demo.access.observer_email, demo.access.observer_password)
        yield client


def test_served_brief_has_a_policy_that_allows_exactly_its_style(
    demo: Demo, observer: WebClient
) -> None:
    page = observer.get(f"/initiatives/{demo.access.initiative_id}/brief")
    assert page.status_code == 200
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style is not None and page.text.count("<style") == 1
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    policy = page.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    # no style attribute the hash would not cover (SVG's font-style= is a plain attribute)
    assert not re.search(r"\sstyle=", page.text)
    for pseudonym in demo.pseudonyms:
        assert pseudonym not in page.text
    # observers read; the download links are for facilitators
    assert "Download PDF" not in page.text
    download = observer.get(f"/initiatives/{demo.access.initiative_id}/brief.pdf")
    assert download.status_code == 403


def test_facilitators_download_pdf_and_html(demo: Demo, facilitator: WebClient) -> None:
    base = f"/dialogues/{demo.access.parts['dialogues'].ids[0]}/brief"
    page = facilitator.get(base)
    assert page.status_code == 200 and f'href="{base}.pdf"' in page.text
    pdf = facilitator.get(f"{base}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert (
        (pdf.headers["content-disposition"])
        == 'attachment; filename="brief-the-kelmar-spring-and-the-reservoir.pdf"'
    )
    html = facilitator.get(f"{base}.html")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    assert '<nav class="served-nav"' not in html.text  # the download has no links back
    assert facilitator.get(f"{base}.docx").status_code == 404
    assert facilitator.get("/dialogues/9999/brief").status_code == 404


def test_every_download_is_an_attachment_kept_out_of_the_cache(
    demo: Demo, facilitator: WebClient
) -> None:
    """Exports carry pseudonymous data and findings: a shared browser must not keep them."""
    access = demo.access
    workshop = access.parts["workshops"].ids[0]
    for path in (
        f"/dialogues/{access.parts['dialogues'].ids[0]}/brief.html",
        f"/dialogues/{access.parts['dialogues'].ids[0]}/export.zip",
        f"/surveys/{access.parts['surveys'].ids[0]}/export.csv",
        f"/workshops/{workshop}/tree.svg",
        f"/workshops/{workshop}/relations.csv",
        f"/workshops/{workshop}/export.json",
    ):
        response = facilitator.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-disposition"].startswith("attachment; filename="), path
        assert response.headers["cache-control"] == "no-store", path


def test_dashboard_and_results_link_to_the_brief(demo: Demo, facilitator: WebClient) -> None:
    dashboard = facilitator.get(f"/initiatives/{demo.access.initiative_id}")
    assert f'href="/initiatives/{demo.access.initiative_id}/brief.pdf"' in dashboard.text
    results = facilitator.get(f"/dialogues/{demo.access.parts['dialogues'].ids[0]}/results")
    assert f'href="/dialogues/{demo.access.parts["dialogues"].ids[0]}/brief"' in results.text


def test_observers_see_the_brief_panel_without_downloads(demo: Demo, observer: WebClient) -> None:
    dashboard = observer.get(f"/initiatives/{demo.access.initiative_id}")
    assert f'href="/initiatives/{demo.access.initiative_id}/brief"' in dashboard.text
    assert "brief.pdf" not in dashboard.text


def test_making_the_pdf_opens_no_url(rendered: Rendered, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a brief that referred to an outside image (none does) would not fetch it."""
    import socket
    import urllib.request

    opened: list[object] = []

    def record(self: object, url: object, *args: object, **kwargs: object) -> None:
        opened.append(url)
        raise OSError("no network in this test")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", record)
    monkeypatch.setattr(socket, "create_connection", record)
    poisoned = rendered.html.replace(
        "</body>", '<img src="http://192.0.2.1/x.png"><img src="file:///etc/hostname"></body>'
    )
    assert brief_pdf(poisoned).startswith(b"%PDF")
    assert opened == []
