"""The dialogues part's background jobs: re-analysing a dialogue after its votes change."""

from __future__ import annotations

from collections.abc import Callable

from tracktwo.store.platform import Platform

__all__ = ["ANALYSIS_JOB", "JOBS"]

ANALYSIS_JOB = "analyse-dialogue"  # key: "dialogue:<id>"


def _analyse(platform: Platform, key: str) -> object:
    # imported when the job runs: the analysis imports the opinion engine (numpy, pandas)
    from tracktwo.parts.dialogues.actions.analysis import run_analysis

    return run_analysis(platform, int(key.removeprefix("dialogue:")))


JOBS: dict[str, Callable[[Platform, str], object]] = {ANALYSIS_JOB: _analyse}
