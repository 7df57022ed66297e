"""The result of an analysis: DataFrames for notebooks, lists for reports, JSON for the CLI."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tracktwo.parts.dialogues.opinion._state import OpinionState, json_id

__all__ = ["JSON_FORMAT", "JSON_VERSION", "REPRESENTATIVE_FIELDS", "OpinionResult"]

JSON_FORMAT = "tracktwo-analysis"
# One representative statement (Polis's finalised repness record, opinion-math §5).
REPRESENTATIVE_FIELDS = (
    "statement",
    "direction",
    "n_success",
    "n_trials",
    "p_success",
    "p_test",
    "repness",
    "repness_test",
    "best_agree",
)
JSON_VERSION = 1


def _clean(value: Any) -> Any:
    """JSON-safe scalars: numpy types to Python, missing values to None."""
    value = json_id(value)
    if value is pd.NA or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(
    frame: pd.DataFrame, columns: list[str], rename: dict[str, str]
) -> list[dict[str, Any]]:
    subset = frame[columns]
    rows = []
    for values in subset.itertuples(index=False, name=None):
        rows.append({rename.get(c, c): _clean(v) for c, v in zip(columns, values, strict=True)})
    return rows


@dataclass(frozen=True, eq=False)
class OpinionResult:
    """Everything :func:`tracktwo.parts.dialogues.opinion.analyze` found.

    Attributes
    ----------
    participants
        One row per participant: ``participant``, ``x``, ``y``, ``n_votes``, ``n_agree``,
        ``n_disagree``, ``n_pass``, ``clustered``, ``base_cluster``, ``group`` (nullable
        integers: missing for participants who are not clustered) and ``side``.
    statements
        One row per statement (see ``docs/opinion.md`` for every column): counts, map
        position, ``extremity``, routing ``priority``, plain-consensus statistics,
        ``group_aware_consensus``, ``divisiveness``, ``bridging`` with ``bridging_factor`` and
        ``bridging_status``, and per declared side ``n[side]``, ``share[side]``,
        ``lower[side]``, ``upper[side]`` with ``cross_side_lower``, ``cross_side_share`` and
        the ``cross_side_consensus`` flag.
    groups
        One row per opinion group: ``group``, ``size``, ``x``, ``y``, ``n_base_clusters``.
    representative
        Representative statements, one row per (group, rank).
    group_votes, side_votes
        Long tables of agree/disagree/pass counts per (group or side, statement).
    consensus, divisive, divisive_sides, cross_side
        Ranked lists of dictionaries (see ``docs/opinion.md``).
    sides
        Per-side summary dictionaries, or None when no sides were given.
    state
        What the next analysis needs (pass it as ``previous``).
    """

    participants: pd.DataFrame
    statements: pd.DataFrame
    groups: pd.DataFrame
    representative: pd.DataFrame
    group_votes: pd.DataFrame
    side_votes: pd.DataFrame | None
    consensus: list[dict[str, Any]]
    divisive: list[dict[str, Any]]
    divisive_sides: list[dict[str, Any]] | None
    cross_side: list[dict[str, Any]] | None
    sides: list[dict[str, Any]] | None
    k: int | None
    silhouettes: dict[int, float]
    summary: dict[str, Any]
    settings: dict[str, Any]
    state: OpinionState

    @property
    def priorities(self) -> dict[Any, float]:
        """Statement id -> routing priority, the input :func:`next_statement` expects."""
        frame = self.statements
        return {
            json_id(s): float(p) for s, p in zip(frame["statement"], frame["priority"], strict=True)
        }

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON document of ``tracktwo analyze`` as Python objects."""
        participants = _records(
            self.participants,
            [
                "participant",
                "group",
                "x",
                "y",
                "n_votes",
                "n_agree",
                "n_disagree",
                "n_pass",
                "side",
            ],
            {"participant": "id"},
        )
        representative: dict[int, list[dict[str, Any]]] = {}
        for group, frame in self.representative.groupby("group", sort=False):
            representative[int(group)] = _records(frame, list(REPRESENTATIVE_FIELDS), {})
        groups = []
        for row in _records(self.groups, ["group", "size", "x", "y"], {"group": "id"}):
            row["representative"] = representative.get(int(row["id"]), [])
            groups.append(row)

        by_group: dict[int, list[dict[str, Any]]] = {}
        if len(self.group_votes):
            columns = ["group", "agree", "disagree", "pass", "n", "agree_share"]
            for position, frame in self.group_votes.groupby("position", sort=False):
                by_group[int(position)] = _records(frame, columns, {})
        by_side: dict[int, list[dict[str, Any]]] = {}
        if self.side_votes is not None and len(self.side_votes):
            columns = ["side", "agree", "disagree", "pass", "n", "agree_share", "lower", "upper"]
            for position, frame in self.side_votes.groupby("position", sort=False):
                by_side[int(position)] = _records(frame, columns, {})
        statement_columns = [
            "statement",
            "text",
            "moderated",
            "is_meta",
            "is_seed",
            "agree",
            "disagree",
            "pass",
            "n_votes",
            "x",
            "y",
            "extremity",
            "priority",
            "p_agree",
            "z_agree",
            "p_disagree",
            "z_disagree",
            "group_aware_consensus",
            "group_aware_consensus_disagree",
            "divisiveness",
            "bridging",
            "bridging_factor",
            "bridging_status",
            "bridging_n_ratings",
            "cross_side_share",
            "cross_side_lower",
            "cross_side_consensus",
        ]
        statements = []
        for position, row in enumerate(
            _records(self.statements, statement_columns, {"statement": "id"})
        ):
            row["groups"] = by_group.get(position, [])
            row["sides"] = by_side.get(position, []) if self.sides is not None else None
            statements.append(row)
        return {
            "format": JSON_FORMAT,
            "version": JSON_VERSION,
            "summary": {key: _clean(value) for key, value in self.summary.items()},
            "participants": participants,
            "groups": groups,
            "statements": statements,
            "consensus": [_clean_record(r) for r in self.consensus],
            "divisive": [_clean_record(r) for r in self.divisive],
            "divisive_sides": None
            if self.divisive_sides is None
            else [_clean_record(r) for r in self.divisive_sides],
            "cross_side": None
            if self.cross_side is None
            else [_clean_record(r) for r in self.cross_side],
            "sides": None if self.sides is None else [_clean_record(r) for r in self.sides],
            "silhouettes": [
                {"k": int(k), "silhouette": float(v)} for k, v in sorted(self.silhouettes.items())
            ],
            "settings": self.settings,
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The JSON of ``tracktwo analyze`` (schema: ``tracktwo/schemas/analysis.schema.json``)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


def _clean_record(record: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, list):
            cleaned[key] = [_clean_record(v) if isinstance(v, dict) else _clean(v) for v in value]
        elif isinstance(value, dict):
            cleaned[key] = _clean_record(value)
        else:
            cleaned[key] = _clean(value)
    return cleaned
