"""How many of the n(n-1) ordered ISM questions each question strategy asks.

Simulates a group that answers every question truthfully for a known reflexive-transitive
relation, for several kinds of map, and prints the share of n(n-1) asked (mean over seeds) for
every strategy in ``tracktwo.parts.workshops.ism.ism.STRATEGIES``, next to the fewest questions any
strategy could ask if it knew the answers in advance. A second table checks the facilitator's
live estimate of remaining questions. Prints Markdown (pasted into docs/workshops.md).

    .venv/bin/python benchmarks/ism.py [--seeds 10] [--sizes 10,20,40]

The seeds differ from the ones used while choosing the adaptive strategy's threshold.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from tracktwo.parts.workshops.ism.ism import STRATEGIES, IsmSession, structure_from_relation

Relation = npt.NDArray[np.bool_]
SEED_BASE = 20_250_000  # exploration used 1000 * n + seed; keep these apart


def chain(n: int, rng: np.random.Generator) -> Relation:
    return np.triu(np.ones((n, n), dtype=bool), 1)


def tree(n: int, rng: np.random.Generator) -> Relation:
    """A five-level tree-like map: every idea below the top helps one idea a level up."""
    level = [min(4, k * 5 // n) for k in range(n)]
    relation = np.zeros((n, n), dtype=bool)
    for k in range(n):
        if level[k] > 0:
            parents = [p for p in range(n) if level[p] == level[k] - 1]
            relation[k, rng.choice(parents)] = True
    return relation


def random_dag(p: float) -> Callable[[int, np.random.Generator], Relation]:
    def make(n: int, rng: np.random.Generator) -> Relation:
        return np.triu(rng.random((n, n)) < p, 1)

    return make


def with_cycles(n: int, rng: np.random.Generator) -> Relation:
    """A random DAG (p = .10) with n/8 back edges, so some ideas reinforce each other."""
    relation = np.triu(rng.random((n, n)) < 0.10, 1)
    for _ in range(max(1, n // 8)):
        low, high = sorted(rng.choice(n, 2, replace=False))
        relation[high, low] = True
    return relation


KINDS: dict[str, Callable[[int, np.random.Generator], Relation]] = {
    "chain": chain,
    "tree (5 levels)": tree,
    "sparse DAG p=.05": random_dag(0.05),
    "DAG p=.15": random_dag(0.15),
    "dense DAG p=.30": random_dag(0.30),
    "cycles": with_cycles,
}


def truth_for(kind: str, n: int, seed: int) -> Relation:
    rng = np.random.default_rng(SEED_BASE + 1000 * n + seed)
    relation = KINDS[kind](n, rng)
    # Random labels: the vote order must carry no information about the structure.
    perm = rng.permutation(n)
    return structure_from_relation(relation[np.ix_(perm, perm)]).reachability


def oracle_questions(truth: Relation) -> int:
    """The fewest questions possible when the answers are known in advance.

    Yes cells: one per skeleton edge, plus one per member of each cycle (a ring). No cells: one
    per no cell that no other no cell implies (its block would contain it otherwise).
    """
    result = structure_from_relation(truth)
    yes = len(result.skeleton) + sum(len(c) for c in result.cycles)
    no = 0
    for a, b in np.argwhere(~truth):
        implied_by = ~truth[np.ix_(truth[:, a], truth[b, :])]
        no += int(implied_by.sum() == 1)
    return yes + no


def run(truth: Relation, strategy: str) -> tuple[int, list[tuple[int, int]], float]:
    """Questions asked, (asked so far, expected remaining) after each answer, seconds taken."""
    n = truth.shape[0]
    session = IsmSession.start(n, strategy=strategy)
    trace = []
    started = time.perf_counter()
    while (pair := session.next_question()) is not None:
        session.answer(*pair, bool(truth[pair]))
        trace.append((len(session.asked), session.remaining().expected))
    return len(session.asked), trace, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--sizes", default="10,20,40")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]

    print(f"Share of the n(n-1) ordered questions asked (mean of {args.seeds} seeds)\n")
    print("| n | structure | " + " | ".join(STRATEGIES) + " | oracle |")
    print("|---|---|" + "---|" * (len(STRATEGIES) + 1))
    estimate_errors: dict[int, dict[float, list[float]]] = {}
    seconds: dict[int, list[float]] = {}
    for n in sizes:
        total = n * (n - 1)
        estimate_errors[n] = {0.25: [], 0.5: [], 0.75: []}
        seconds[n] = []
        for kind in KINDS:
            shares: dict[str, list[float]] = {s: [] for s in STRATEGIES}
            oracle = []
            for seed in range(args.seeds):
                truth = truth_for(kind, n, seed)
                oracle.append(oracle_questions(truth) / total)
                for strategy in STRATEGIES:
                    asked, trace, took = run(truth, strategy)
                    shares[strategy].append(asked / total)
                    if strategy == "adaptive":
                        seconds[n].append(took / max(asked, 1))
                        for fraction, errors in estimate_errors[n].items():
                            done, expected = trace[max(0, round(fraction * asked) - 1)]
                            actual = asked - done
                            if actual > 0:
                                errors.append(expected / actual)
            cells = " | ".join(f"{np.mean(shares[s]):.2f}" for s in STRATEGIES)
            print(f"| {n} | {kind} | {cells} | {np.mean(oracle):.2f} |", flush=True)

    print("\nLive estimate of remaining questions (adaptive strategy): expected / actual,")
    print("median [10th-90th percentile] over all structures and seeds\n")
    print("| n | after 25 % of the questions | after 50 % | after 75 % | ms per question |")
    print("|---|---|---|---|---|")
    for n in sizes:
        cells = []
        for errors in estimate_errors[n].values():
            low, mid, high = np.percentile(errors, [10, 50, 90])
            cells.append(f"{mid:.2f} [{low:.2f}-{high:.2f}]")
        print(f"| {n} | " + " | ".join(cells) + f" | {1000 * np.mean(seconds[n]):.1f} |")


if __name__ == "__main__":
    main()
