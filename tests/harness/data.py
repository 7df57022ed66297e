"""Where the public test data lives: the seven Polis conversations (CC BY 4.0), copied into
``tests/data/polis`` with their attribution (NOTICE there), so a fresh clone tests itself.
``TRACKTWO_POLIS_DATA`` can point at another copy."""

from __future__ import annotations

import os
from pathlib import Path

from tests.harness.components import component_missing

REPOSITORY = Path(__file__).resolve().parents[2]


def polis_data() -> Path | None:
    candidates = [
        os.environ.get("TRACKTWO_POLIS_DATA"),
        str(REPOSITORY / "tests" / "data" / "polis"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "bg2050-volunteers" / "votes.csv").exists():
            return Path(candidate)
    return None


def require_polis_data() -> Path:
    found = polis_data()
    if found is None:
        component_missing(
            "the Polis open data is missing from tests/data/polis; restore it from git, or "
            "set TRACKTWO_POLIS_DATA to its folder"
        )
    return found
