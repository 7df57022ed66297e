"""Everything one analysis hands to the next, so groups survive restarts (Polis issue #2358).

Polis keeps its per-k clusterings and its k-smoother only in the worker's memory, so a restart
changes the groups. tracktwo puts all of it in :class:`OpinionState`, which turns into plain
JSON (``to_dict``) and back (``from_dict``) without losing a bit: floats go through Python's
shortest round-tripping repr.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from tracktwo.kernel.errors import InvalidInput

__all__ = ["ClusterSet", "OpinionState"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STATE_FORMAT = "tracktwo-opinion-state"
STATE_VERSION = 1


def json_id(value: Any) -> Any:
    """An id as a JSON-safe Python value (numpy scalars become int/float/str)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class ClusterSet:
    """Clusters by id with their centres and members (participant ids or base-cluster ids)."""

    ids: tuple[int, ...]
    centres: tuple[tuple[float, float], ...]
    members: tuple[tuple[Any, ...], ...]

    def to_dict(self) -> list[dict[str, Any]]:
        return [
            {
                "id": int(i),
                "center": [float(c[0]), float(c[1])],
                "members": [json_id(m) for m in ms],
            }
            for i, c, ms in zip(self.ids, self.centres, self.members, strict=True)
        ]

    @classmethod
    def from_dict(cls, data: Any) -> ClusterSet:
        if not isinstance(data, list):
            raise InvalidInput("The previous state's clusters must be a list of clusters.")
        try:
            ids = tuple(int(item["id"]) for item in data)
            centres = tuple((float(item["center"][0]), float(item["center"][1])) for item in data)
            members = tuple(tuple(item["members"]) for item in data)
        except (KeyError, TypeError, IndexError, ValueError) as error:
            raise InvalidInput(
                f"The previous state has a malformed cluster ({error}); pass the state that "
                "an earlier analysis returned."
            ) from error
        return cls(ids, centres, members)


@dataclass(frozen=True, eq=False)
class OpinionState:
    """The state of one analysis, the ``previous`` argument of the next one.

    Attributes
    ----------
    statements
        Statement ids in the map's column order.
    means, components
        Polis's PCA centre and the two components (2 x statements).
    mod_out
        Per statement: moderated out or meta (zeroed for everybody).
    n_columns, n_mod_out_columns
        Polis's C (statements with votes) and the moderated-out ones among them.
    base
        Base clusters; members are participant ids (they are exactly the clustered, "in
        conversation" participants, which stay in once in).
    group_clusterings
        For each k the group clustering; members are base-cluster ids.
    last_k, last_k_count, smoothed_k
        Polis's k-smoother.
    seed
        The seed the analysis used.
    """

    statements: tuple[Any, ...]
    means: FloatArray
    components: FloatArray
    mod_out: npt.NDArray[np.bool_]
    n_columns: int
    n_mod_out_columns: int
    base: ClusterSet
    group_clusterings: dict[int, ClusterSet]
    last_k: int | None
    last_k_count: int
    smoothed_k: int | None
    seed: int

    @cached_property
    def statement_index(self) -> dict[Any, int]:
        """Column position of each statement id (built once, used by the fast projection)."""
        return {statement: position for position, statement in enumerate(self.statements)}

    @cached_property
    def clustered(self) -> tuple[Any, ...]:
        """Ids of the participants in the base clusters."""
        return tuple(m for members in self.base.members for m in members)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dictionary; ``OpinionState.from_dict`` restores it exactly."""
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "seed": int(self.seed),
            "map": {
                "statements": [json_id(s) for s in self.statements],
                "means": [float(v) for v in self.means],
                "components": [[float(v) for v in row] for row in self.components],
                "mod_out": [bool(v) for v in self.mod_out],
                "n_columns": int(self.n_columns),
                "n_mod_out_columns": int(self.n_mod_out_columns),
            },
            "clusters": {
                "base": self.base.to_dict(),
                "groups": {str(k): c.to_dict() for k, c in sorted(self.group_clusterings.items())},
                "k_smoother": {
                    "last_k": self.last_k,
                    "last_k_count": int(self.last_k_count),
                    "smoothed_k": self.smoothed_k,
                },
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> OpinionState:
        """Rebuild a state from ``to_dict`` output (e.g. after a JSON round trip)."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise InvalidInput(
                "previous is not a tracktwo opinion state; pass result.state or its to_dict()."
            )
        if data.get("version") != STATE_VERSION:
            raise InvalidInput(
                f"The previous state has version {data.get('version')!r}; this tracktwo reads "
                f"version {STATE_VERSION}. Run a fresh analysis without previous."
            )
        try:
            map_part = data["map"]
            clusters = data["clusters"]
            smoother = clusters["k_smoother"]
            statements = tuple(map_part["statements"])
            means = np.asarray(map_part["means"], dtype=np.float64)
            components = np.asarray(map_part["components"], dtype=np.float64).reshape(2, -1)
            mod_out = np.asarray(map_part["mod_out"], dtype=bool)
            state = cls(
                statements=statements,
                means=means,
                components=components,
                mod_out=mod_out,
                n_columns=int(map_part["n_columns"]),
                n_mod_out_columns=int(map_part["n_mod_out_columns"]),
                base=ClusterSet.from_dict(clusters["base"]),
                group_clusterings={
                    int(k): ClusterSet.from_dict(v) for k, v in clusters["groups"].items()
                },
                last_k=None if smoother["last_k"] is None else int(smoother["last_k"]),
                last_k_count=int(smoother["last_k_count"]),
                smoothed_k=None if smoother["smoothed_k"] is None else int(smoother["smoothed_k"]),
                seed=int(data["seed"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(
                f"The previous state is incomplete or malformed ({error}); pass the state that "
                "an earlier analysis returned."
            ) from error
        if not (len(means) == len(statements) == components.shape[1] == len(mod_out)):
            raise InvalidInput(
                "The previous state's map has arrays of different lengths; it was not produced "
                "by tracktwo."
            )
        return state

    @classmethod
    def coerce(cls, previous: OpinionState | dict[str, Any] | None) -> OpinionState | None:
        """Accept a state, its dictionary form, or None."""
        if previous is None or isinstance(previous, OpinionState):
            return previous
        return cls.from_dict(previous)
