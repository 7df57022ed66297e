"""The evaluation report: did attitudes toward the other side change, per scale and side?

:func:`analyse` checks every answer set, scores it, and computes per scale, per side (and
for respondents without a side) and overall:

* per wave, everyone who answered it ("all available"): n, mean, SD, Cronbach's alpha and a
  histogram;
* per later wave, the respondents who answered both it and ``pre`` ("complete cases"): the
  paired change with its t interval, paired t-test, Wilcoxon signed-rank test, Hedges' g_av
  with a bootstrap interval, and alpha in both waves. The ``post`` comparison is also
  copied to the top level of each side's block under the keys the issue names;
* with a comparison group, the difference-in-differences per later wave (complete cases and
  all available);
* with three or more waves, a linear mixed model (wave fixed effect, respondent random
  intercept) on all available answers;
* attrition per group, side and wave.

Then :mod:`tracktwo.parts.surveys.evaluation.suppression` hides every figure that would describe
too few
people. The result is a JSON-safe dict: no NaN anywhere, every None explained in the
``reasons`` of its block.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import stats
from tracktwo.parts.surveys.evaluation.library import Instrument
from tracktwo.parts.surveys.evaluation.responses import (
    GROUPS,
    ResponseSet,
    Survey,
    score_response,
    validate_response,
    wave_order,
)
from tracktwo.parts.surveys.evaluation.suppression import (
    MIN_CELL_DEFAULT,
    Cell,
    Reason,
    check_min_cell,
    suppress,
)

__all__ = ["CHANGE_KEYS", "FORMAT", "UNDECLARED", "analyse", "validate_responses"]

FORMAT = "tracktwo-evaluation/1"
#: The breakdown key of respondents who have not declared a side.
UNDECLARED = "undeclared"
OVERALL = "overall"
BASELINE = "pre"
#: The statistics of a paired comparison, in the order they are listed.
CHANGE_KEYS = (
    "n",
    "mean_pre",
    "sd_pre",
    "mean_post",
    "sd_post",
    "diff",
    "sd_diff",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_t",
    "w",
    "p_w",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
    "alpha_pre",
    "alpha_pre_low",
    "alpha_post",
    "alpha_post_low",
)
_PRIORITY_CHANGE = 0
_PRIORITY_WAVE = 100


def validate_responses(responses: Iterable[ResponseSet], survey: Survey) -> list[ResponseSet]:
    """Check every answer set, and that each respondent answers each wave once, on one side.

    Raises
    ------
    InvalidInput
        On the first problem, before anything is analysed.
    """
    checked: list[ResponseSet] = []
    seen: set[tuple[str, str]] = set()
    identity: dict[str, tuple[str | None, str]] = {}
    for response in responses:
        valid = validate_response(response, survey)
        if (valid.respondent, valid.wave) in seen:
            raise InvalidInput(
                f"Respondent {valid.respondent} has two answer sets for wave {valid.wave}; "
                "pass only the latest one."
            )
        seen.add((valid.respondent, valid.wave))
        first = identity.setdefault(valid.respondent, (valid.side, valid.group))
        if first != (valid.side, valid.group):
            raise InvalidInput(
                f"Respondent {valid.respondent} is listed with side {first[0] or 'none'} in "
                f"group {first[1]} and also with side {valid.side or 'none'} in group "
                f"{valid.group}; a respondent keeps one side and one group in every wave."
            )
        checked.append(valid)
    return checked


@dataclass(frozen=True)
class _Scale:
    key: str
    instrument: Instrument
    target: str | None


def _scales(survey: Survey) -> list[_Scale]:
    scales: list[_Scale] = []
    for instrument in survey.instruments:
        scales.append(_Scale(instrument.id, instrument, None))
        if instrument.refers_to_other_side and survey.per_target_scales:
            scales.extend(
                _Scale(f"{instrument.id}@side:{side.id}", instrument, side.id)
                for side in survey.sides
            )
    return scales


def _alpha_applicable(instrument: Instrument) -> bool:
    return instrument.scoring.rule == "mean" and len(instrument.items) >= 2


class _Report:
    """Collects blocks of statistics with the cell each one is, then applies suppression."""

    def __init__(self, min_cell: int) -> None:
        self.min_cell = min_cell
        self.cells: list[Cell] = []
        self.blocks: dict[str, dict[str, Any]] = {}

    def register(self, cell: Cell, block: dict[str, Any]) -> dict[str, Any]:
        block["suppressed"] = False
        self.cells.append(cell)
        self.blocks[cell.key] = block
        return block

    def apply(self) -> None:
        for key, reason in suppress(self.cells, self.min_cell).items():
            if reason is not None:
                self._hide(self.blocks[key], reason)

    def _hide(self, block: dict[str, Any], reason: Reason) -> None:
        for key in list(block):
            block[key] = {} if key == "reasons" else None
        explanations = {
            "small": f"fewer than {self.min_cell} respondents",
            "complement": (
                "hidden so that a smaller hidden group cannot be worked out by subtracting "
                "the shown groups from the total"
            ),
            "overlap": (
                f"hidden because its respondents differ by fewer than {self.min_cell} people "
                "from those of another figure for the same wave, so subtraction would "
                "describe them"
            ),
        }
        if "n" in block:
            block["n"] = f"<{self.min_cell}" if reason == "small" else None
        block["suppressed"] = True
        block["suppressed_reason"] = explanations[reason]


def _empty_change(reason: str) -> dict[str, Any]:
    block: dict[str, Any] = {key: None for key in CHANGE_KEYS}
    block["n"] = 0
    block["reasons"] = {key: reason for key in CHANGE_KEYS if key != "n"}
    block["suppressed"] = False
    return block


class _Analysis:
    def __init__(self, responses: list[ResponseSet], survey: Survey, min_cell: int) -> None:
        self.survey = survey
        self.report = _Report(min_cell)
        self.waves = sorted({response.wave for response in responses}, key=wave_order)
        declared = {response.side for response in responses}
        self.parts = [side.id for side in survey.sides if side.id in declared]
        if None in declared:
            self.parts.append(UNDECLARED)
        self.responses = responses
        rows: list[dict[str, Any]] = []
        self.items: dict[tuple[str, str, str], dict[str, float]] = {}
        for response in responses:
            part = response.side if response.side is not None else UNDECLARED
            for scale, scored in score_response(response, survey).items():
                if scored.score is None:
                    continue
                rows.append(
                    {
                        "respondent": response.respondent,
                        "part": part,
                        "group": response.group,
                        "wave": response.wave,
                        "scale": scale,
                        "score": scored.score,
                    }
                )
                self.items[(scale, response.respondent, response.wave)] = dict(scored.items)
        columns = ["respondent", "part", "group", "wave", "scale", "score"]
        self.scores = pd.DataFrame(rows, columns=columns)

    # --- one cell: one scale, group and side (or overall) ------------------------------

    def _alpha(self, scale: _Scale, respondents: Sequence[str], wave: str) -> float | None:
        if not _alpha_applicable(scale.instrument):
            return None
        item_ids = [item.id for item in scale.instrument.items]
        rows = [self.items[(scale.key, respondent, wave)] for respondent in respondents]
        complete = [
            [row[item_id] for item_id in item_ids] for row in rows if set(item_ids) <= set(row)
        ]
        return stats.cronbach_alpha(np.array(complete)) if complete else None

    def _put_alpha(
        self, block: dict[str, Any], key: str, scale: _Scale, alpha: float | None
    ) -> None:
        block[key] = alpha
        block[f"{key}_low"] = None if alpha is None else alpha < stats.ALPHA_THRESHOLD
        if alpha is None:
            block.setdefault("reasons", {})[key] = (
                "alpha needs a scale of two or more averaged items"
                if not _alpha_applicable(scale.instrument)
                else "alpha needs at least two complete respondents and variation in totals"
            )

    def _wave_block(
        self, scale: _Scale, group: str, part: str, frame: pd.DataFrame, wave: str
    ) -> dict[str, Any]:
        answered = frame[frame["wave"] == wave]
        people = answered["respondent"].tolist()
        block = stats.describe(answered["score"].to_numpy())
        self._put_alpha(block, "alpha", scale, self._alpha(scale, people, wave))
        low, high = scale.instrument.score_range
        block["histogram"] = stats.histogram(answered["score"].to_numpy(), low, high)
        cell = Cell(
            key=f"wave|{scale.key}|{group}|{part}|{wave}",
            family=("wave", scale.key, group, wave),
            part=part,
            n=len(people),
            exposes=(((scale.key, group, part, wave), frozenset(people)),),
            priority=_PRIORITY_WAVE + wave_order(wave),
        )
        return self.report.register(cell, block)

    def _change_block(
        self, scale: _Scale, group: str, part: str, frame: pd.DataFrame, wave: str
    ) -> dict[str, Any]:
        before = frame[frame["wave"] == BASELINE].set_index("respondent")["score"]
        after = frame[frame["wave"] == wave].set_index("respondent")["score"]
        people = sorted(set(before.index) & set(after.index))
        block = stats.paired_change(before[people].to_numpy(), after[people].to_numpy())
        self._put_alpha(block, "alpha_pre", scale, self._alpha(scale, people, BASELINE))
        self._put_alpha(block, "alpha_post", scale, self._alpha(scale, people, wave))
        block = {key: block[key] for key in CHANGE_KEYS} | {"reasons": block["reasons"]}
        group_of_people = frozenset(people)
        cell = Cell(
            key=f"change|{scale.key}|{group}|{part}|{wave}",
            family=("change", scale.key, group, wave),
            part=part,
            n=len(people),
            exposes=(
                ((scale.key, group, part, BASELINE), group_of_people),
                ((scale.key, group, part, wave), group_of_people),
            ),
            priority=_PRIORITY_CHANGE + wave_order(wave),
        )
        return self.report.register(cell, block)

    def _cell(self, scale: _Scale, group: str, part: str, frame: pd.DataFrame) -> dict[str, Any]:
        waves = {wave: self._wave_block(scale, group, part, frame, wave) for wave in self.waves}
        changes: dict[str, dict[str, Any]] = {}
        if BASELINE in self.waves:
            for wave in self.waves:
                if wave != BASELINE:
                    changes[wave] = self._change_block(scale, group, part, frame, wave)
        return {"waves": waves, "changes": changes}

    def _group(self, scale: _Scale, group: str, frame: pd.DataFrame) -> dict[str, Any]:
        sides = {
            part: self._cell(scale, group, part, frame[frame["part"] == part])
            for part in self.parts
            if (frame["part"] == part).any()
        }
        return {"sides": sides, "overall": self._cell(scale, group, OVERALL, frame)}

    # --- models ---------------------------------------------------------------------

    def _did(self, scale: _Scale, frame: pd.DataFrame) -> dict[str, Any] | None:
        if BASELINE not in self.waves or not (frame["group"] == "comparison").any():
            return None
        result: dict[str, Any] = {}
        for wave in self.waves:
            if wave == BASELINE:
                continue
            per_part: dict[str, dict[str, Any]] = {}
            for part in [*self.parts, OVERALL]:
                subset = frame if part == OVERALL else frame[frame["part"] == part]
                subset = subset[subset["wave"].isin([BASELINE, wave])]
                if subset["group"].nunique() < 2:
                    continue
                per_part[part] = {
                    version: self._did_block(scale, wave, part, subset, version)
                    for version in ("complete_cases", "all_available")
                }
            sides = {part: block for part, block in per_part.items() if part != OVERALL}
            result[wave] = {"sides": sides, "overall": per_part.get(OVERALL)}
        return result

    def _did_block(
        self, scale: _Scale, wave: str, part: str, subset: pd.DataFrame, version: str
    ) -> dict[str, Any]:
        if version == "complete_cases":
            both = subset.groupby("respondent")["wave"].nunique()
            subset = subset[subset["respondent"].isin(both[both == 2].index)]
        frame = pd.DataFrame(
            {
                "respondent": subset["respondent"].to_numpy(),
                "treat": (subset["group"] == "treatment").astype(int).to_numpy(),
                "time": (subset["wave"] == wave).astype(int).to_numpy(),
                "score": subset["score"].to_numpy(),
            }
        )
        block = stats.difference_in_differences(frame)
        cell = Cell(
            key=f"did|{scale.key}|{wave}|{version}|{part}",
            family=("did", scale.key, wave, version),
            part=part,
            n=min(block["n_treatment"], block["n_comparison"]),
        )
        return self.report.register(cell, block)

    def _mixed(self, scale: _Scale, frame: pd.DataFrame) -> dict[str, Any] | None:
        treated = frame[frame["group"] == "treatment"]
        waves = [wave for wave in self.waves if (treated["wave"] == wave).any()]
        if len(waves) < 3 or BASELINE not in waves:
            return None
        sides: dict[str, dict[str, Any]] = {}
        overall: dict[str, Any] | None = None
        for part in [*self.parts, OVERALL]:
            subset = treated if part == OVERALL else treated[treated["part"] == part]
            if subset.empty:
                continue
            block = stats.mixed_wave_model(
                subset[["respondent", "wave", "score"]].reset_index(drop=True), waves
            )
            cell = Cell(
                key=f"mixed|{scale.key}|{part}",
                family=("mixed", scale.key),
                part=part,
                n=block["n_respondents"],
            )
            registered = self.report.register(cell, block)
            if part == OVERALL:
                overall = registered
            else:
                sides[part] = registered
        return {"waves": waves, "sides": sides, "overall": overall}

    # --- attrition ------------------------------------------------------------------

    def _attrition(self) -> dict[str, Any]:
        answered: dict[tuple[str, str], set[str]] = {}
        part_of: dict[str, str] = {}
        group_of: dict[str, str] = {}
        for response in self.responses:
            answered.setdefault((response.respondent, response.wave), set())
            part_of[response.respondent] = response.side or UNDECLARED
            group_of[response.respondent] = response.group
        waves_of: dict[str, set[str]] = {}
        for respondent, wave in answered:
            waves_of.setdefault(respondent, set()).add(wave)
        result: dict[str, Any] = {}
        for group in GROUPS:
            members = [person for person, g in group_of.items() if g == group]
            if not members:
                continue
            block: dict[str, Any] = {"sides": {}, "overall": {}}
            for part in [*self.parts, OVERALL]:
                people = [p for p in members if part in (OVERALL, part_of[p])]
                if not people:
                    continue
                counts: dict[str, Any] = {}
                for wave in self.waves:
                    took = [p for p in people if wave in waves_of[p]]
                    kept = [p for p in took if BASELINE in waves_of[p]]
                    counts[wave] = {
                        "answered": self._count(("answered", group, wave), part, len(took)),
                        "retained_from_pre": self._count(("kept", group, wave), part, len(kept)),
                    }
                if part == OVERALL:
                    block["overall"] = counts
                else:
                    block["sides"][part] = counts
            result[group] = block
        return result

    def _count(self, family: Hashable, part: str, count: int) -> dict[str, Any]:
        cell = Cell(key=f"count|{family}|{part}", family=("count", family), part=part, n=count)
        return self.report.register(cell, {"n": count})

    # --- the whole report ------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        scales: dict[str, Any] = {}
        for scale in _scales(self.survey):
            frame = self.scores[self.scores["scale"] == scale.key]
            low, high = scale.instrument.score_range
            entry: dict[str, Any] = {
                "instrument": scale.instrument.id,
                "target": scale.target,
                "name": scale.instrument.name,
                "construct": scale.instrument.construct_name,
                "higher_means": scale.instrument.higher_means,
                "status": scale.instrument.status,
                "scoring": scale.instrument.scoring.rule,
                "score_min": low,
                "score_max": high,
                "alpha_applicable": _alpha_applicable(scale.instrument),
            }
            for group in GROUPS:
                subset = frame[frame["group"] == group]
                entry[group] = self._group(scale, group, subset) if not subset.empty else None
            entry["did"] = self._did(scale, frame)
            entry["mixed_model"] = self._mixed(scale, frame)
            scales[scale.key] = entry
        attrition = self._attrition()
        self.report.apply()
        for entry in scales.values():
            _lift_named_keys(entry)
        return {
            "format": FORMAT,
            "settings": {
                "min_cell": self.report.min_cell,
                "confidence": stats.CONFIDENCE,
                "alpha_threshold": stats.ALPHA_THRESHOLD,
                "bootstrap_resamples": stats.BOOTSTRAP_RESAMPLES,
                "bootstrap_seed": stats.BOOTSTRAP_SEED,
                "baseline_wave": BASELINE,
            },
            "waves": self.waves,
            "sides": [{"id": side.id, "name": side.name} for side in self.survey.sides],
            "instruments": [
                {
                    "id": instrument.id,
                    "name": instrument.name,
                    "status": instrument.status,
                    "source": instrument.source,
                }
                for instrument in self.survey.instruments
            ],
            "attrition": attrition,
            "scales": scales,
        }


def _lift_named_keys(entry: dict[str, Any]) -> None:
    """Give each side block the pre -> post statistics under the issue's key names.

    Participants' figures sit directly under ``sides`` and ``overall`` of the scale, the
    comparison group's under ``comparison``.
    """
    for group in GROUPS:
        block = entry.pop(group)
        if block is None:
            if group == "treatment":
                entry["sides"], entry["overall"] = {}, None
            else:
                entry["comparison"] = None
            continue
        cells = [*block["sides"].values(), block["overall"]]
        for cell in cells:
            post = cell["changes"].get("post")
            named = (
                copy.deepcopy(post)
                if post is not None
                else _empty_change("there is no pre and post wave to compare")
            )
            cell.update({key: value for key, value in named.items()})
        if group == "treatment":
            entry["sides"], entry["overall"] = block["sides"], block["overall"]
        else:
            entry["comparison"] = block


def analyse(
    responses: Iterable[ResponseSet], survey: Survey, *, min_cell: int = MIN_CELL_DEFAULT
) -> dict[str, Any]:
    """Analyse a survey's answer sets into the JSON-safe evaluation report.

    Parameters
    ----------
    responses
        One :class:`ResponseSet` per respondent and wave (the latest, if they answered
        twice). Waves are ``pre``, ``post``, ``followup``, ``followup2`` ...; changes are
        measured from ``pre``.
    survey
        The instruments and sides the answers belong to.
    min_cell
        Smallest number of respondents a shown figure may describe (at least 3).

    Returns
    -------
    dict
        ``scales[<scale>]["sides"][<side>]`` holds ``n``, ``mean_pre``, ``mean_post``,
        ``diff``, ``ci_low``, ``ci_high``, ``t``, ``p_t``, ``w``, ``p_w``, ``hedges_g``,
        ``g_ci_low``, ``g_ci_high``, ``alpha_pre``, ``alpha_post`` (pre -> post, complete
        cases) and more; see docs/evaluation.md for every key.

    Raises
    ------
    InvalidInput
        If ``min_cell`` is below 3, there are no responses, or any answer set is invalid.
    """
    min_cell = check_min_cell(min_cell)
    checked = validate_responses(responses, survey)
    if not checked:
        raise InvalidInput("There are no responses to analyse.")
    return _Analysis(checked, survey, min_cell).run()
