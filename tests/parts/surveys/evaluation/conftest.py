"""Synthetic evaluation data with known effects, built directly from numpy draws.

The generator keeps the raw draws (``Synthetic.raw``) so that tests can compute every
expected statistic straight from the numbers with scipy, statsmodels and numpy, without going
through tracktwo's scoring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

from tracktwo.parts.surveys.evaluation import ResponseSet, Side, Survey, builtin_instrument

SIDES = (Side("A", "Side A"), Side("B", "Side B"))
#: The per-side keys issue 6 names for the report.
NAMED_KEYS = (
    "n",
    "mean_pre",
    "mean_post",
    "diff",
    "ci_low",
    "ci_high",
    "t",
    "p_t",
    "w",
    "p_w",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
    "alpha_pre",
    "alpha_post",
)


@dataclass
class Synthetic:
    """Answer sets plus the raw values: raw[(respondent, wave)] = {"thermometer": v, ...}."""

    survey: Survey
    responses: list[ResponseSet]
    raw: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)
    side_of: dict[str, str | None] = field(default_factory=dict)
    group_of: dict[str, str] = field(default_factory=dict)

    def scores(
        self, measure: str, wave: str, *, side: str | None = "*", group: str = "treatment"
    ) -> dict[str, float]:
        """respondent -> raw score in a wave (side "*" = every side)."""
        found: dict[str, float] = {}
        for (respondent, answered), values in self.raw.items():
            if answered != wave or self.group_of[respondent] != group:
                continue
            if side != "*" and self.side_of[respondent] != side:
                continue
            found[respondent] = float(values[measure])  # type: ignore[arg-type]
        return found

    def paired(
        self, measure: str, wave: str = "post", *, side: str | None = "*", group: str = "treatment"
    ) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Respondents (sorted ids) with both pre and ``wave``, and their two score arrays."""
        before = self.scores(measure, "pre", side=side, group=group)
        after = self.scores(measure, wave, side=side, group=group)
        people = sorted(set(before) & set(after))
        return (
            people,
            np.array([before[p] for p in people]),
            np.array([after[p] for p in people]),
        )


def make_synthetic(
    *,
    per_side: Mapping[str, int] | None = None,
    effect: Mapping[str, float] | None = None,
    waves: Sequence[str] = ("pre", "post"),
    comparison_per_side: int = 0,
    comparison_effect: float = 0.0,
    dropout: Mapping[str, Mapping[str, int]] | None = None,
    undeclared: int = 0,
    seed: int = 7,
) -> Synthetic:
    """Respondents on sides A and B answering the thermometer and outgroup trust.

    Thermometer: person baseline ~ N(50, 12); in every later wave + ``effect[side]`` (for
    participants) and N(0, 6) noise; rounded and clipped to 0-100. Trust: a person level
    ~ N(4, 1) with item noise N(0, 0.6), item 4 written reversed (8 - value), rounded and
    clipped to 1-7; trust rises by 0.5 after pre for participants of side A.
    ``dropout[side][wave]`` = how many of that side's participants skip that wave.
    """
    rng = np.random.default_rng(seed)
    per_side = per_side or {"A": 40, "B": 40}
    effect = effect or {"A": 10.0, "B": 0.0}
    dropout = dropout or {}
    survey = Survey(
        (builtin_instrument("thermometer"), builtin_instrument("outgroup_trust")), SIDES
    )
    data = Synthetic(survey, [])
    people: list[tuple[str, str | None, str]] = []
    for side_id, count in per_side.items():
        people += [(f"{side_id.lower()}{i:03d}", side_id, "treatment") for i in range(count)]
        people += [
            (f"c{side_id.lower()}{i:03d}", side_id, "comparison")
            for i in range(comparison_per_side)
        ]
    people += [(f"u{i:03d}", None, "treatment") for i in range(undeclared)]
    for respondent, side, group in people:
        data.side_of[respondent] = side
        data.group_of[respondent] = group
        base = rng.normal(50, 12)
        level = rng.normal(4, 1)
        targets = [s.id for s in SIDES if s.id != side]
        for position, wave in enumerate(waves):
            skipped = dropout.get(str(side), {}).get(wave, 0)
            index = int(respondent[-3:])
            if group == "treatment" and index < skipped:
                continue
            shift = 0.0
            trust_shift = 0.0
            if position > 0:
                shift = effect.get(str(side), 0.0) if group == "treatment" else comparison_effect
                trust_shift = 0.5 if (side == "A" and group == "treatment") else 0.0
            thermometer = float(np.clip(np.round(base + shift + rng.normal(0, 6)), 0, 100))
            items = [
                float(np.clip(np.round(level + trust_shift + rng.normal(0, 0.6)), 1, 7))
                for _ in range(4)
            ]
            written = [*items[:3], 8.0 - items[3]]
            answers: dict[str, float] = {}
            for target in targets:
                answers[f"thermometer.warmth@side:{target}"] = thermometer
                for k, value in enumerate(written, start=1):
                    answers[f"outgroup_trust.trust{k}@side:{target}"] = value
            data.responses.append(ResponseSet(respondent, wave, answers, side, group))
            data.raw[(respondent, wave)] = {
                "thermometer": thermometer,
                "trust": float(np.mean(items)),
                "trust_items": items,
            }
    return data


@pytest.fixture(scope="session")
def two_sides() -> Synthetic:
    """40 + 40 participants, pre and post, +10 thermometer points in A and 0 in B."""
    return make_synthetic()
