"""Shared fixtures for the opinion engine tests: the public Polis conversations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracktwo.opinion import PolisExport, read_polis_export

CONVERSATIONS = (
    "15-per-hour-seattle",
    "austria-climate.5twd2jsnkf.2022-08-08",
    "bg2050-volunteers",
    "brexit-consensus",
    "london.youth.policing",
    "scoop-hivemind.ubi",
    "vtaiwan.uberx",
)


def polis_data() -> Path | None:
    """The folder of the seven Polis conversations (CC BY 4.0), if this machine has it.

    ``TRACKTWO_POLIS_DATA`` wins; otherwise ``data/polis`` in the repository, then the
    shared copy the project's helpers use.
    """
    candidates = [
        os.environ.get("TRACKTWO_POLIS_DATA"),
        str(Path(__file__).resolve().parents[2] / "data" / "polis"),
        "/work/shared/data/polis",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "bg2050-volunteers" / "votes.csv").exists():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def polis_root() -> Path:
    root = polis_data()
    if root is None:
        pytest.skip("the Polis open data (data/polis) is not on this machine")
    return root


_EXPORTS: dict[str, PolisExport] = {}


@pytest.fixture(scope="session")
def polis_export(polis_root: Path):  # type: ignore[no-untyped-def]
    """Read a conversation once per session: ``polis_export("bg2050-volunteers")``."""

    def read(name: str) -> PolisExport:
        if name not in _EXPORTS:
            _EXPORTS[name] = read_polis_export(polis_root / name)
        return _EXPORTS[name]

    return read
