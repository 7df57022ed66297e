"""Shared fixtures for the opinion engine tests: the public Polis conversations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.data import require_polis_data
from tracktwo.parts.dialogues.opinion import PolisExport, read_polis_export

CONVERSATIONS = (
    "15-per-hour-seattle",
    "austria-climate.5twd2jsnkf.2022-08-08",
    "bg2050-volunteers",
    "brexit-consensus",
    "london.youth.policing",
    "scoop-hivemind.ubi",
    "vtaiwan.uberx",
)


@pytest.fixture(scope="session")
def polis_root() -> Path:
    return require_polis_data()


_EXPORTS: dict[str, PolisExport] = {}


@pytest.fixture(scope="session")
def polis_export(polis_root: Path):  # type: ignore[no-untyped-def]
    """Read a conversation once per session: ``polis_export("bg2050-volunteers")``."""

    def read(name: str) -> PolisExport:
        if name not in _EXPORTS:
            _EXPORTS[name] = read_polis_export(polis_root / name)
        return _EXPORTS[name]

    return read
