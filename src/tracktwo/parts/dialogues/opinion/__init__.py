"""The opinion engine: from votes to the opinion map, groups and common ground across sides.

A pure package (numpy, scipy, scikit-learn, pandas, statsmodels): it imports nothing from the
store or the web and does no I/O, except the clearly named Polis export reader and writer.
The algorithms are Polis's (PCA, k-means, repness, consensus, priority) and Community Notes'
(bridging), restated in ``docs/opinion.md``.
"""

from tracktwo.parts.dialogues.opinion._engine import analyze, group_aware_consensus
from tracktwo.parts.dialogues.opinion._replay import POLL_INTERVAL_MS, replay, update_batches
from tracktwo.parts.dialogues.opinion._result import OpinionResult
from tracktwo.parts.dialogues.opinion._routing import (
    NEW_STATEMENT_PRIORITY,
    next_statement,
    project_participant,
)
from tracktwo.parts.dialogues.opinion._settings import Settings
from tracktwo.parts.dialogues.opinion._state import OpinionState
from tracktwo.parts.dialogues.opinion._stats import prop_test, two_prop_test
from tracktwo.parts.dialogues.opinion._synthetic import synthetic_conversation
from tracktwo.parts.dialogues.opinion.polis_export import (
    PolisExport,
    agreement_with_polis,
    read_polis_export,
    write_polis_export,
)

__all__ = [
    "NEW_STATEMENT_PRIORITY",
    "POLL_INTERVAL_MS",
    "OpinionResult",
    "OpinionState",
    "PolisExport",
    "Settings",
    "agreement_with_polis",
    "analyze",
    "group_aware_consensus",
    "next_statement",
    "project_participant",
    "prop_test",
    "read_polis_export",
    "replay",
    "synthetic_conversation",
    "two_prop_test",
    "update_batches",
    "write_polis_export",
]
