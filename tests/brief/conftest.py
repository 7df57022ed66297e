"""Fixtures for the brief: the demo initiative, seeded and analysed once per module, and the
text of a PDF as pdftotext (Debian's poppler-utils) reads it."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import _platform
from tests.harness.components import component_missing
from tracktwo.actions.analysis import run_analysis
from tracktwo.demo import DemoAccess, seed_demo
from tracktwo.platform import Platform
from tracktwo.store.models import Participant


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The words of a PDF in reading order, one space between them, bidi marks dropped."""
    tool = shutil.which("pdftotext")
    if tool is None:
        component_missing("pdftotext not found (apt-get install poppler-utils)")
    source = tmp_path / "brief-under-test.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(
        [tool, "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, text=True
    ).stdout
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return normalise(visible)


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    """pdffonts' table of the fonts embedded in a PDF."""
    tool = shutil.which("pdffonts")
    if tool is None:
        component_missing("pdffonts not found (apt-get install poppler-utils)")
    source = tmp_path / "brief-fonts.pdf"
    source.write_bytes(pdf)
    return subprocess.run([tool, str(source)], capture_output=True, check=True, text=True).stdout


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Demo:
    platform: Platform
    access: DemoAccess
    pseudonyms: list[str]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Demo]:
    """The demo initiative of `tracktwo demo`, with its analysis, on its own SQLite file.

    Seeded once per test process; the modules that use it share the xdist group
    "brief-demo", so that they run in the same process."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(sqlite_template, folder / "tracktwo.db")
    platform = _platform(f"sqlite:///{folder / 'tracktwo.db'}", folder)
    with platform.database.transaction() as db:
        access = seed_demo(db)
    assert run_analysis(platform, access.dialogue_id) is not None
    with platform.database.transaction() as db:
        pseudonyms = list(db.scalars(select(Participant.pseudonym)))
    assert len(pseudonyms) > 50
    yield Demo(platform, access, pseudonyms)
    platform.close()
