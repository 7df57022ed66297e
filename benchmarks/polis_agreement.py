"""Agreement of tracktwo's groups with Polis's on the public conversations in data/polis.

Replays each conversation's votes.csv in time order (``tracktwo.parts.dialogues.opinion.replay``)
at Polis's
one-second poll cadence and in one-minute batches (the test's setting), with the final update
run as after a worker restart (the default) and, for comparison, without; also runs one cold
analysis of the final votes. Writes the adjusted Rand index against the exported
``group-id`` as a table into docs/opinion.md (between the agreement markers).

Usage::

    python benchmarks/polis_agreement.py [--data data/polis] [--intervals 1000,60000] [--no-docs]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from tracktwo.parts.dialogues.opinion import (
    agreement_with_polis,
    analyze,
    read_polis_export,
    replay,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "opinion.md"
START_MARK = "<!-- agreement:start -->"
END_MARK = "<!-- agreement:end -->"


def default_data() -> Path:
    for candidate in (ROOT / "tests" / "data" / "polis",):
        if candidate.exists():
            return candidate
    raise SystemExit("no Polis data found; pass --data FOLDER")


def label(interval_ms: int) -> str:
    seconds = interval_ms / 1000
    return f"replay {seconds:g} s" if seconds < 60 else f"replay {seconds / 60:g} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="folder of the seven conversations")
    parser.add_argument(
        "--intervals", default="1000,60000", help="replay batch lengths in ms (with a restart)"
    )
    parser.add_argument(
        "--no-restart-interval",
        type=int,
        default=60000,
        help="also replay at this batch length without the final restart (0: skip)",
    )
    parser.add_argument("--no-docs", action="store_true", help="only print the table")
    arguments = parser.parse_args()
    data = arguments.data or default_data()
    # every export folder below the data folder: the seven public ones, or any others
    conversations = sorted(p.parent.name for p in data.glob("*/votes.csv"))
    runs: list[tuple[str, int | None, bool]] = [
        (label(int(x)), int(x), True) for x in arguments.intervals.split(",") if x.strip()
    ]
    if arguments.no_restart_interval:
        interval = arguments.no_restart_interval
        runs.append((f"{label(interval)}, no restart", interval, False))
    runs.append(("cold analysis", None, False))
    columns = [run[0] for run in runs]
    header = (
        "| conversation | participants | Polis groups | clustered (Polis) | "
        + " | ".join(f"{c}: groups, clustered, ARI" for c in columns)
        + " |"
    )
    lines = [header, "|---|---|---|---|" + "---|" * len(columns)]
    scores: dict[str, list[float]] = {c: [] for c in columns}
    same: dict[str, int] = dict.fromkeys(columns, 0)
    for name in conversations:
        export = read_polis_export(data / name)
        cells = []
        polis_groups = polis_clustered = 0
        for column, interval, restart in runs:
            start = time.perf_counter()
            if interval is None:
                result = analyze(export.votes, statements=export.statements)
            else:
                result = replay(
                    export.votes,
                    statements=export.statements,
                    interval_ms=interval,
                    restart_before_final=restart,
                )
            found = agreement_with_polis(export, result)
            print(
                f"{name}: {column}: {found} ({time.perf_counter() - start:.0f} s)", file=sys.stderr
            )
            polis_groups, polis_clustered = found["polis_groups"], found["polis_clustered"]
            scores[column].append(found["ari"])
            same[column] += found["groups"] == found["polis_groups"]
            cells.append(f"{found['groups']}, {found['clustered']}, {found['ari']:.3f}")
        participants = export.votes["participant"].nunique()
        lines.append(
            f"| {name} | {participants} | {polis_groups} | {polis_clustered} | "
            + " | ".join(cells)
            + " |"
        )
    lines.append(
        "| **median ARI; same group count** | | | | "
        + " | ".join(
            f"**{statistics.median(scores[c]):.3f}; {same[c]} of {len(conversations)}**"
            for c in columns
        )
        + " |"
    )
    table = "\n".join(lines)
    print(table)
    if not arguments.no_docs:
        content = DOCS.read_text(encoding="utf-8")
        head, rest = content.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        stamp = (
            f"\n\nComputed {time.strftime('%Y-%m-%d')} with `python benchmarks/polis_agreement.py`."
        )
        DOCS.write_text(f"{head}{START_MARK}\n{table}{stamp}\n{END_MARK}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
