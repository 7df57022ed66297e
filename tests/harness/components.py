"""What to do when a real component (Chromium, PostgreSQL, pdftotext) is not on the machine.

Outside CI the test is skipped with a one-line reason. In CI (``CI=true``) a missing
component is a failure: CI must never pass by skipping what it was meant to check.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def component_missing(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing component fails the run)", pytrace=False)
    pytest.skip(reason)
