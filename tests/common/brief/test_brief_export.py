"""The brief of a Polis export analysed on the command line (no database), and the section
interface: a new section plugs in without touching anything else."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import Markup

from tests.common.brief.conftest import normalise, pdf_text
from tracktwo.cli import main
from tracktwo.common.brief import BriefScope, Section, brief_section
from tracktwo.common.brief.export import export_scope
from tracktwo.common.brief.registry import unregister_section
from tracktwo.common.brief.render import brief_html, build_brief

pytestmark = pytest.mark.xdist_group("brief-export")

POLIS = Path(__file__).resolve().parents[2] / "data" / "polis"


def token(voter: str) -> str:
    """A voter id that cannot be mistaken for a count: 'voter-' and ten hex digits."""
    return "voter-" + hashlib.sha256(voter.encode()).hexdigest()[:10]


def author(voter: str) -> str:
    """comments.csv needs integer authors: a ten-digit number no brief would print."""
    return str(9_731_000_000 + int(voter))


def _rewrite(source: Path, target: Path) -> list[str]:
    """Copy an export with every voter id replaced; returns every replacement."""
    target.mkdir()
    columns = {
        "votes.csv": ("voter-id", token),
        "comments.csv": ("author-id", author),
        "participants-votes.csv": ("participant", token),
    }
    replaced: set[str] = set()
    for name, (column, replace) in columns.items():
        with (source / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            row[column] = replace(row[column])
            replaced.add(row[column])
        with (target / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    (target / "summary.csv").write_bytes((source / "summary.csv").read_bytes())
    return sorted(replaced)


@dataclass
class Exported:
    folder: Path
    tokens: list[str]
    document: dict[str, object]
    pdf_text: str
    html: str
    comments: dict[int, str]  # statement id -> text, read straight from comments.csv


@pytest.fixture(scope="module")
def brexit(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """brexit-consensus with declared sides taken from the participants' own statements
    "I voted to Leave" / "I voted to Remain" (only three Leave voters: a side too small to
    be described), analysed by `tracktwo analyze --brief`."""
    root = tmp_path_factory.mktemp("brexit")
    folder = root / "brexit-consensus"
    tokens = _rewrite(POLIS / "brexit-consensus", folder)
    with (folder / "comments.csv").open(encoding="utf-8", newline="") as handle:
        comments = {int(r["comment-id"]): r["comment-body"] for r in csv.DictReader(handle)}
    leave = next(i for i, text in comments.items() if text == "I voted to Leave.")
    remain = next(i for i, text in comments.items() if text == "I voted to Remain.")
    final: dict[tuple[str, int], tuple[int, int]] = {}
    with (folder / "votes.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            key = (r["voter-id"], int(r["comment-id"]))
            moment = int(r["timestamp"])
            if key not in final or moment >= final[key][0]:
                final[key] = (moment, int(r["vote"]))
    sides = root / "sides.csv"
    sides.write_text(
        "participant,side\n"
        + "".join(
            f"{voter},{'Leave' if statement == leave else 'Remain'}\n"
            for (voter, statement), (_, vote) in sorted(final.items())
            if statement in (leave, remain) and vote == 1
        )
    )
    pdf, out = root / "brief.pdf", root / "analysis.json"
    result = CliRunner().invoke(
        main,
        ["analyze", str(folder), "--sides", str(sides), "--json", str(out), "--brief", str(pdf)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote the brief {pdf}." in result.output
    document = json.loads(out.read_text())
    scope = export_scope(document, topic="Can there be consensus on Brexit?", min_cell=5)
    html = brief_html(build_brief(scope))
    return Exported(folder, tokens, document, pdf_text(pdf.read_bytes(), root), html, comments)


def test_export_brief_holds_the_top_common_ground(brexit: Exported) -> None:
    # with a side of three people the sides are not compared: common ground is Polis's
    # consensus, read here from the analysis document and comments.csv directly
    agreed = [e["statement"] for e in brexit.document["consensus"] if e["direction"] == "agree"]  # type: ignore[index, union-attr]
    assert len(agreed) >= 3
    for statement in agreed[:3]:
        text = normalise(brexit.comments[int(statement)])
        assert text in brexit.pdf_text
        assert text in normalise(unescape(brexit.html))
    assert "Common ground across the sides" in brexit.pdf_text
    assert (
        "Fewer than 5 people of Leave took part, so the sides are not compared" in brexit.pdf_text
    )


def test_export_brief_names_no_voter_and_no_small_side(brexit: Exported) -> None:
    assert len(brexit.tokens) > 200
    for voter in brexit.tokens:
        assert voter not in brexit.pdf_text
        assert voter not in brexit.html
    # the three Leave voters are never a figure of their own: no row, bar or count
    tables = re.findall(r'<table class="shares">.*?</table>', brexit.html, re.S)
    bars = re.findall(r'<svg[^>]*class="agreement-bars".*?</svg>', brexit.html, re.S)
    assert tables and bars
    assert not any("Leave" in part for part in tables + bars)
    assert re.search(r'Leave</th><td class="n">fewer than 5</td>', brexit.html)
    assert "Fewer than 5 people from Leave took part" in brexit.pdf_text
    assert "Remain" in brexit.pdf_text


def test_export_brief_has_its_figures_inline(brexit: Exported) -> None:
    assert brexit.html.count("<svg") >= 2 and 'class="opinion-map"' in brexit.html
    assert "Group A" in brexit.html and "Group B" in brexit.html  # the map's legend


def test_an_export_without_sides_compares_opinion_groups(tmp_path: Path) -> None:
    from tracktwo.parts.dialogues.opinion import analyze, read_polis_export

    export = read_polis_export(POLIS / "london.youth.policing")
    document = analyze(export.votes, statements=export.statements).to_dict()
    html = brief_html(build_brief(export_scope(document, topic="Policing", min_cell=5)))
    assert "Common ground across the opinion groups" in html
    assert "no sides were declared" in html.lower()
    assert "Who took part" in html


# --- the section interface ------------------------------------------------------------------


def test_a_new_section_plugs_in_by_registering_alone(brexit: Exported) -> None:
    """A part adds its section with the decorator alone; the brief places it by its order."""
    scope = export_scope(brexit.document, topic="Brexit", min_cell=5)
    seen: list[BriefScope] = []

    @brief_section(55, "test-plugged", needs_database=False)
    def plugged(scope: BriefScope) -> Section:
        seen.append(scope)
        body = Markup("<p>plugged &amp; ready</p>")
        return Section("test-plugged", "A plugged section", body, "One line.")

    @brief_section(56, "test-needs-db")
    def needs_db(scope: BriefScope) -> Section:
        return Section("test-needs-db", "Needs the database", Markup(f"<p>{scope.db}</p>"))

    @brief_section(57, "test-silent", needs_database=False)
    def silent(scope: BriefScope) -> None:
        return None

    try:
        brief = build_brief(scope)
        rendered = brief_html(brief)
    finally:
        for key in ("test-plugged", "test-needs-db", "test-silent"):
            unregister_section(key)
    assert seen == [scope]
    # an export has no database: the section that needs one is not asked; a None is left out
    assert [s.key for s in brief.sections] == [
        "headline",
        "common-ground",
        "divisions",
        "opinion-groups",
        "opinion-map",
        "test-plugged",
        "method",
    ]
    assert '<section class="brief-section" id="test-plugged">' in rendered
    assert "<p>plugged &amp; ready</p>" in rendered and "<li>One line.</li>" in rendered
    assert rendered.index('id="opinion-map"') < rendered.index('id="test-plugged"')
    assert rendered.index('id="test-plugged"') < rendered.index('id="method"')
    assert "test-plugged" not in [s.key for s in build_brief(scope).sections]
