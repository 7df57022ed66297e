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
from tracktwo.common.participation.models import Participant
from tracktwo.demo import DemoAccess, seed_demo
from tracktwo.parts.dialogues.actions.analysis import run_analysis
from tracktwo.store.platform import Platform


def _poppler(tool: str, pdf: bytes, tmp_path: Path, *arguments: str) -> str:
    """What one of poppler-utils' tools prints about ``pdf`` ("{pdf}" in ``arguments``)."""
    path = shutil.which(tool)
    if path is None:
        component_missing(f"{tool} not found (apt-get install poppler-utils)")
    source = tmp_path / "brief-under-test.pdf"
    source.write_bytes(pdf)
    command = [path, *(str(source) if a == "{pdf}" else a for a in arguments)]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The words of a PDF in reading order, one space between them, bidi marks dropped."""
    text = _poppler("pdftotext", pdf, tmp_path, "-enc", "UTF-8", "{pdf}", "-")
    return normalise("".join(c for c in text if unicodedata.category(c) != "Cf"))


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    """pdffonts' table of the fonts embedded in a PDF."""
    return _poppler("pdffonts", pdf, tmp_path, "{pdf}")


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
    assert run_analysis(platform, access.parts["dialogues"].ids[0]) is not None
    with platform.database.transaction() as db:
        pseudonyms = list(db.scalars(select(Participant.pseudonym)))
    assert len(pseudonyms) > 50
    yield Demo(platform, access, pseudonyms)
    platform.close()
