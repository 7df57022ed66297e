"""The dialogues part's background jobs: re-analysing a dialogue after its votes change."""

from __future__ import annotations

from collections.abc import Callable

from tracktwo.parts.dialogues.actions.analysis import ANALYSIS_JOB, run_analysis
from tracktwo.store.platform import Platform

__all__ = ["JOBS"]


def _analyse(platform: Platform, key: str) -> object:
    return run_analysis(platform, int(key.removeprefix("dialogue:")))


JOBS: dict[str, Callable[[Platform, str], object]] = {ANALYSIS_JOB: _analyse}
