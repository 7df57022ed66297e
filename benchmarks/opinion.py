"""Speed and memory of a full opinion analysis, side by side with red-dwarf 0.4.0.

Synthetic conversations (planted opinion groups plus noise, see
``tracktwo.parts.dialogues.opinion.synthetic_conversation``) of 1M, 5M and 50M votes are written to
disk once;
then every (engine, size) pair runs in its own subprocess, which loads the votes, times one
full analysis and reports its peak resident memory (``resource.getrusage``). red-dwarf is
installed by this script into ``benchmarks/.venv-reddwarf`` (``pip install red-dwarf==0.4.0``)
and skipped, with the reason printed, where its dense participants x statements matrix cannot
fit in memory. The single-vote projection (``project_participant``) is timed on the largest
tracktwo run.

Usage::

    python benchmarks/opinion.py                      # all sizes, with red-dwarf
    python benchmarks/opinion.py --sizes 1M,5M        # a subset
    python benchmarks/opinion.py --no-peer            # tracktwo only
    python benchmarks/opinion.py --write-docs         # also update the tables in the docs
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEER_VENV = ROOT / "benchmarks" / ".venv-reddwarf"
PEER_REQUIREMENT = "red-dwarf==0.4.0"
DOCS = (ROOT / "docs" / "opinion.md", ROOT / "README.md")
START_MARK = "<!-- benchmark:start -->"
END_MARK = "<!-- benchmark:end -->"

# name: (participants, statements, votes per participant)
SIZES: dict[str, tuple[int, int, int]] = {
    "1M": (20_000, 1_000, 50),
    "5M": (100_000, 2_000, 50),
    "50M": (1_000_000, 10_000, 50),
}
# red-dwarf pivots the votes into dense float64 matrices; it makes several copies.
PEER_BYTES_PER_CELL = 8 * 6


def peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def available_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")


# --- workers (run in subprocesses) -----------------------------------------------------------


def _load(folder: Path) -> Any:
    import numpy as np
    import pandas as pd

    return pd.DataFrame(
        {
            "participant": np.load(folder / "participant.npy"),
            "statement": np.load(folder / "statement.npy"),
            "vote": np.load(folder / "vote.npy"),
        }
    )


def worker_tracktwo(folder: Path) -> dict[str, Any]:
    import numpy as np

    from tracktwo.parts.dialogues.opinion import analyze, project_participant

    votes = _load(folder)
    start = time.perf_counter()
    result = analyze(votes)
    seconds = time.perf_counter() - start
    # The fast path: one participant's votes (with one more vote) placed on the stored map.
    rng = np.random.default_rng(0)
    grouped = votes.groupby("participant", sort=False)
    chosen = rng.choice(votes["participant"].unique(), size=200, replace=False)
    samples = []
    state = result.state
    for participant in chosen:
        own = grouped.get_group(participant)
        mapping = dict(zip(own["statement"].tolist(), own["vote"].tolist(), strict=True))
        mapping[int(rng.integers(0, votes["statement"].max() + 1))] = 1
        tick = time.perf_counter()
        project_participant(state, mapping)
        samples.append(time.perf_counter() - tick)
    samples_ms = np.array(samples) * 1000
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "groups": result.k,
        "projection_ms_median": float(np.median(samples_ms)),
        "projection_ms_max": float(samples_ms.max()),
    }


def worker_reddwarf(folder: Path) -> dict[str, Any]:
    from reddwarf.implementations.polis import run_pipeline

    frame = _load(folder)
    votes = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": i}
        for i, (p, s, v) in enumerate(
            zip(frame["participant"], frame["statement"], frame["vote"], strict=True)
        )
    ]
    del frame
    start = time.perf_counter()
    result = run_pipeline(votes=votes, random_state=0)
    seconds = time.perf_counter() - start
    labels = getattr(result.clusterer, "labels_", None)
    groups = None if labels is None else len({int(label) for label in labels if label >= 0})
    return {"seconds": seconds, "peak_mb": peak_mb(), "groups": groups}


# --- driver ------------------------------------------------------------------------------------


def make_data(size: str, folder: Path) -> None:
    import numpy as np

    from tracktwo.parts.dialogues.opinion import synthetic_conversation

    participants, statements, per = SIZES[size]
    votes, _ = synthetic_conversation(participants, statements, per, n_groups=3, seed=0)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "participant.npy", votes["participant"].to_numpy().astype(np.int64))
    np.save(folder / "statement.npy", votes["statement"].to_numpy().astype(np.int64))
    np.save(folder / "vote.npy", votes["vote"].to_numpy().astype(np.int8))


def ensure_peer() -> Path | None:
    python = PEER_VENV / "bin" / "python"
    if python.exists():
        check = subprocess.run(
            [str(python), "-c", "import reddwarf"], capture_output=True, check=False
        )
        if check.returncode == 0:
            return python
    print(f"installing {PEER_REQUIREMENT} into {PEER_VENV} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PEER_REQUIREMENT,
        ],
        check=False,
    )
    return python if install.returncode == 0 else None


def run_worker(python: str, engine: str, folder: Path) -> dict[str, Any]:
    environment = dict(os.environ)
    if engine == "reddwarf":
        # the peer's venv must not see tracktwo's packages
        environment.pop("PYTHONPATH", None)
    completed = subprocess.run(
        [python, str(Path(__file__).resolve()), "--worker", engine, str(folder)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if completed.returncode != 0:
        tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {completed.returncode}: {tail}"}
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def _cell(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| size | participants x statements | tracktwo time (s) | tracktwo peak (GB) | "
        "red-dwarf time (s) | red-dwarf peak (GB) | speed-up | projection of one vote (ms, "
        "median / max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ours, peer = row["tracktwo"], row.get("reddwarf") or {}
        speedup = None
        if "seconds" in ours and "seconds" in peer:
            speedup = peer["seconds"] / ours["seconds"]
        peer_time = peer.get("seconds")
        peer_note = peer.get("skipped") or peer.get("error")
        projection = (
            f"{ours['projection_ms_median']:.3f} / {ours['projection_ms_max']:.3f}"
            if "projection_ms_median" in ours
            else "-"
        )
        participants, statements, _ = SIZES[row["size"]]
        lines.append(
            f"| {row['size']} | {participants:,} x {statements:,} | {_cell(ours.get('seconds'))} | "
            f"{_cell(ours.get('peak_mb', 0) / 1024, 2) if 'peak_mb' in ours else '-'} | "
            f"{_cell(peer_time) if peer_note is None else peer_note} | "
            f"{_cell(peer.get('peak_mb', 0) / 1024, 2) if 'peak_mb' in peer else '-'} | "
            f"{'-' if speedup is None else f'{speedup:.0f}x'} | {projection} |"
        )
    return "\n".join(lines)


def write_docs(text: str) -> None:
    for document in DOCS:
        content = document.read_text(encoding="utf-8")
        if START_MARK not in content or END_MARK not in content:
            raise SystemExit(f"{document} has no {START_MARK} ... {END_MARK} section to fill in")
        head, rest = content.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        document.write_text(f"{head}{START_MARK}\n{text}\n{END_MARK}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,5M,50M", help="comma-separated subset of 1M,5M,50M")
    parser.add_argument("--no-peer", action="store_true", help="skip red-dwarf")
    parser.add_argument(
        "--write-docs", action="store_true", help="update the tables in docs/opinion.md, README.md"
    )
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        engine, folder = arguments.worker
        work = worker_tracktwo if engine == "tracktwo" else worker_reddwarf
        print(json.dumps(work(Path(folder))))
        return

    sizes = [s.strip() for s in arguments.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    peer = None if arguments.no_peer else ensure_peer()
    if not arguments.no_peer and peer is None:
        print(f"could not install {PEER_REQUIREMENT}; running tracktwo only", file=sys.stderr)
    rows = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tracktwo-bench-") as scratch:
        for size in sizes:
            folder = Path(scratch) / size
            print(f"[{size}] generating votes ...", file=sys.stderr)
            make_data(size, folder)
            row: dict[str, Any] = {"size": size}
            print(f"[{size}] tracktwo ...", file=sys.stderr)
            row["tracktwo"] = run_worker(sys.executable, "tracktwo", folder)
            if peer is not None:
                participants, statements, _ = SIZES[size]
                needed = participants * statements * PEER_BYTES_PER_CELL / 2**20
                if needed > available_mb():
                    row["reddwarf"] = {
                        "skipped": f"skipped: needs ~{needed / 1024:.0f} GB of dense matrices"
                    }
                else:
                    print(f"[{size}] red-dwarf ...", file=sys.stderr)
                    row["reddwarf"] = run_worker(str(peer), "reddwarf", folder)
            print(json.dumps(row), file=sys.stderr)
            rows.append(row)
    text = table(rows)
    print(text)
    if arguments.write_docs:
        write_docs(
            text + f"\n\nMeasured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores with "
            f"`python benchmarks/opinion.py --sizes {','.join(sizes)}` (load average "
            f"{load_before:.1f} when it started, {os.getloadavg()[0]:.1f} when it ended)."
        )


if __name__ == "__main__":
    main()
