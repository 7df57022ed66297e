"""Agreement with Polis's own groups on the seven public conversations, by replaying votes.csv.

The test prints the table (run pytest with ``-s`` to see it) and records it in the test
report; ``benchmarks/polis_agreement.py`` writes the same table, and the one at Polis's
one-second cadence, to docs/opinion.md.

Replaying at Polis's one-second poll interval means about 120,000 updates over the seven
conversations, many minutes of CPU; the test replays in one-minute batches instead (about
15,000 updates). docs/opinion.md shows both cadences side by side.
"""

from __future__ import annotations

import statistics

import pytest

from tracktwo.parts.dialogues.opinion import agreement_with_polis, replay

from .conftest import CONVERSATIONS

TEST_INTERVAL_MS = 60_000

pytestmark = pytest.mark.slow


def agreement_table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| conversation | Polis groups | our groups | clustered (Polis / ours) | ARI |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['conversation']} | {row['polis_groups']} | {row['groups']} | "
            f"{row['polis_clustered']} / {row['clustered']} | {float(row['ari']):.3f} |"  # type: ignore[arg-type]
        )
    median = statistics.median(float(row["ari"]) for row in rows)  # type: ignore[arg-type]
    same = sum(row["groups"] == row["polis_groups"] for row in rows)
    lines.append(f"| median / same group count | | | | {median:.3f} / {same} of {len(rows)} |")
    return "\n".join(lines)


def test_groups_agree_with_polis(polis_export, record_property, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for name in CONVERSATIONS:
        export = polis_export(name)
        result = replay(export.votes, statements=export.statements, interval_ms=TEST_INTERVAL_MS)
        rows.append({"conversation": name, **agreement_with_polis(export, result)})
    table = agreement_table(rows)
    record_property("polis_agreement", table)
    with capsys.disabled():
        print(f"\nAgreement with Polis (replay in {TEST_INTERVAL_MS // 1000} s batches)\n{table}")
    scores = [float(row["ari"]) for row in rows]
    same_count = sum(row["groups"] == row["polis_groups"] for row in rows)
    assert statistics.median(scores) >= 0.65
    assert same_count >= 5
