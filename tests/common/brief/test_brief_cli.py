"""`tracktwo brief` and `tracktwo analyze --brief`: a short brief before any vote, and bad
input (unknown id, unwritable path, unknown extension, no WeasyPrint) as one line, exit 2."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.common.brief.conftest import pdf_text
from tests.parts.dialogues.helpers import World, make_world
from tracktwo.cli import main
from tracktwo.common.brief.actions import brief_scope
from tracktwo.common.brief.render import PdfUnavailable, brief_pdf, build_brief
from tracktwo.common.initiatives.access import SYSTEM
from tracktwo.kernel.config import Settings
from tracktwo.store.platform import Platform

DIALOGUE_SECTIONS = {"common-ground", "divisions", "opinion-groups", "opinion-map", "method"}
EXPORT = Path(__file__).resolve().parents[2] / "data" / "polis" / "london.youth.policing"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_line(result: Result) -> str:
    """The whole output of a refused command: exactly one line, exit code 2."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("tracktwo: ") and "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def world(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """An initiative with one open dialogue and no votes, where the CLI looks for it."""
    monkeypatch.setenv("TRACKTWO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKTWO_DATABASE_URL", raising=False)
    shutil.copy(sqlite_template, tmp_path / "tracktwo.db")
    platform = Platform(Settings(in_process_worker=False))
    yield make_world(platform)
    platform.close()


def test_an_initiative_without_votes_gets_a_short_brief(platform: Platform) -> None:
    world = make_world(platform)
    with platform.database.transaction() as db:
        scope = brief_scope(db, SYSTEM, initiative_id=world.initiative_id, min_cell=5)
        brief = build_brief(scope)
    keys = {section.key for section in brief.sections}
    assert "headline" in keys and not keys & DIALOGUE_SECTIONS
    assert brief.summaries[0].startswith("No one has voted yet")


def test_cli_writes_the_short_brief_as_html_and_pdf(world: World, tmp_path: Path) -> None:
    html, pdf = tmp_path / "brief.html", tmp_path / "brief.pdf"
    for out in (html, pdf):
        result = run("brief", "--initiative", str(world.initiative_id), "--out", str(out))
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"Wrote the brief of “Kelmar” to {out}."
    assert "No one has voted yet in this dialogue" in html.read_text()
    text = pdf_text(pdf.read_bytes(), tmp_path)
    assert "No one has voted yet in this dialogue" in text and "Page 1 of 1" in text
    result = run("brief", "--dialogue", str(world.dialogue_id), "--out", str(html))
    assert result.exit_code == 0 and "“Water”" in result.output


def test_cli_refuses_bad_input_in_one_line(world: World, tmp_path: Path) -> None:
    initiative = str(world.initiative_id)
    good = str(tmp_path / "brief.pdf")
    assert one_line(run("brief", "--initiative", "999", "--out", good)) == (
        "tracktwo: There is no initiative with id 999."
    )
    assert one_line(run("brief", "--initiative", str(2**63), "--out", good)) == (
        f"tracktwo: There is no initiative with id {2**63}."
    )
    assert "no dialogue with id 999" in one_line(
        run("brief", "--initiative", initiative, "--dialogue", "999", "--out", good)
    )
    assert "say which initiative" in one_line(run("brief", "--out", good))
    assert one_line(run("brief", "--initiative", initiative, "--out", str(tmp_path / "b.docx")))
    assert "must end in .html or .pdf" in one_line(
        run("brief", "--initiative", initiative, "--out", str(tmp_path / "brief"))
    )
    missing = tmp_path / "no-such-folder" / "brief.pdf"
    assert f"there is no folder {missing.parent}" in one_line(
        run("brief", "--initiative", initiative, "--out", str(missing))
    )
    folder = tmp_path / "looks-like.html"
    folder.mkdir()
    assert "it is a folder" in one_line(
        run("brief", "--initiative", initiative, "--out", str(folder))
    )
    assert not (tmp_path / "brief.pdf").exists()


def test_cli_reports_a_write_that_fails(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that refuses the file (read-only, full): the reason in one line."""

    def refuse(self: Path, data: bytes) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    out = tmp_path / "brief.html"
    assert one_line(run("brief", "--initiative", str(world.initiative_id), "--out", str(out))) == (
        f"tracktwo: Cannot write {out}: Permission denied."
    )


def test_without_weasyprint_a_pdf_is_refused_in_one_sentence(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now fails
    with pytest.raises(PdfUnavailable, match=r"^Making a PDF needs WeasyPrint, which"):
        brief_pdf("<p>brief</p>")
    out = tmp_path / "brief.pdf"
    line = one_line(run("brief", "--initiative", str(world.initiative_id), "--out", str(out)))
    assert "pip install 'tracktwo[pdf]'" in line and not out.exists()
    html = tmp_path / "brief.html"
    assert run("brief", "--initiative", str(world.initiative_id), "--out", str(html)).exit_code == 0


def test_analyze_refuses_a_bad_brief_path_before_analysing(tmp_path: Path) -> None:
    line = one_line(run("analyze", str(EXPORT), "--brief", str(tmp_path / "brief.txt")))
    assert "must end in .html or .pdf" in line
    line = one_line(run("analyze", str(EXPORT), "--brief", str(tmp_path / "none" / "b.html")))
    assert "there is no folder" in line
    out = tmp_path / "brief.html"
    result = run("analyze", str(EXPORT), "--brief", str(out), "--min-cell", "4")
    assert result.exit_code == 0, result.output
    assert "No figure describes fewer than 4 people" in out.read_text()
