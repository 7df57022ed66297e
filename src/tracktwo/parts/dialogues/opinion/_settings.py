"""The tunable numbers of the opinion engine, with Polis's and Community Notes' defaults.

They live in one frozen dataclass so that a result can say exactly how it was computed
(``OpinionResult.settings``) and so that a typo in a keyword argument is an error instead of
a silently ignored option (the bug that gives Polis its 20-iteration group k-means).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import Any

from tracktwo.kernel.errors import InvalidInput

__all__ = ["Settings"]

_LARGEST_SETTING = 10**9  # more participants, iterations or groups than any run could use


@dataclass(frozen=True)
class Settings:
    """Settings of :func:`tracktwo.parts.dialogues.opinion.analyze`; pass any of them as keyword
    arguments.

    The Polis defaults come from ``conversation.clj`` (opinion-math §1-§8), the bridging
    defaults from Community Notes' ``mf_base_scorer.py`` (§9).
    """

    # Polis: who is clustered (§2)
    in_conv_min_votes: int = 7
    in_conv_min_participants: int = 15
    # Polis: clustering (§4)
    base_k: int = 100
    base_iters: int = 100
    max_k: int = 5
    group_iters: int = 20
    group_k_buffer: int = 4
    # Polis: size caps (§1); None keeps everybody, which Polis's own caps exist to avoid.
    max_participants: int | None = None
    max_statements: int | None = None
    # Polis: representative statements and consensus (§5, §6)
    significance_z: float = 1.2816
    n_representative: int = 5
    n_consensus: int = 5
    # Divisive statements
    n_divisive: int = 10
    # Cross-side agreement (§10)
    cross_side_threshold: float = 0.7
    cross_side_min_votes: int = 5
    cross_side_confidence: float = 0.95
    # Bridging: Community Notes' matrix factorisation (§9)
    bridging: bool = True
    bridging_lambda_intercept: float = 0.15
    bridging_lambda_factor: float = 0.03
    bridging_min_ratings: int = 5
    bridging_helpful_intercept: float = 0.40
    bridging_factor_threshold: float = 0.5
    bridging_not_helpful_intercept: float = -0.05
    bridging_not_helpful_slope: float = 0.8
    bridging_max_iters: int = 200
    bridging_tolerance: float = 1e-7
    # PCA: subspace-iteration cap and tolerance (sine of the largest principal angle)
    pca_max_iters: int = 300
    pca_tolerance: float = 1e-9

    def _check_types(self) -> None:
        """Each value of the type its field declares, finite, and of a size that can run.

        Settings come as text from the command line (``--setting max_k=abc``) and as JSON:
        a string or ``nan`` must be a clear refusal, not a TypeError deep in the engine.
        """
        for field in fields(self):
            value = getattr(self, field.name)
            kind = str(field.type)
            if value is None and "None" in kind:
                continue
            if kind.startswith("bool"):
                if not isinstance(value, bool):
                    raise InvalidInput(f"The setting {field.name} must be true or false.")
            elif kind.startswith("int"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidInput(f"The setting {field.name} must be a whole number.")
                if abs(value) > _LARGEST_SETTING:
                    raise InvalidInput(f"The setting {field.name} is too large.")
            elif kind.startswith("float"):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InvalidInput(f"The setting {field.name} must be a number.")
                if not math.isfinite(value) or abs(value) > _LARGEST_SETTING:
                    raise InvalidInput(f"The setting {field.name} must be a finite number.")

    def __post_init__(self) -> None:
        self._check_types()
        positive = (
            "in_conv_min_votes",
            "base_k",
            "max_k",
            "group_k_buffer",
            "n_representative",
            "n_consensus",
            "bridging_min_ratings",
            "bridging_max_iters",
            "pca_max_iters",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise InvalidInput(f"The setting {name} must be at least 1.")
        for name in ("in_conv_min_participants", "base_iters", "group_iters", "n_divisive"):
            if getattr(self, name) < 0:
                raise InvalidInput(f"The setting {name} must not be negative.")
        if self.max_k < 2:
            raise InvalidInput("The setting max_k must be at least 2 (Polis tries k = 2..max_k).")
        if not 0.0 < self.cross_side_confidence < 1.0:
            raise InvalidInput(
                "The setting cross_side_confidence must be between 0 and 1, e.g. 0.95."
            )
        if not 0.0 <= self.cross_side_threshold <= 1.0:
            raise InvalidInput("The setting cross_side_threshold must be a share between 0 and 1.")
        for name in ("max_participants", "max_statements"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise InvalidInput(f"The setting {name} must be at least 1, or None for no cap.")

    @classmethod
    def from_kwargs(cls, settings: dict[str, Any]) -> Settings:
        """Build settings from keyword arguments, naming any unknown one."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise InvalidInput(
                f"Unknown analysis setting {unknown[0]!r}; known settings are: "
                + ", ".join(sorted(known))
                + "."
            )
        return cls(**settings)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-safe dictionary."""
        return dataclasses.asdict(self)
