"""Benchmark of the jury's ranking methods (residency/jury/ranking.py), pure computation.

1. Speed: ranking 10,000 applications with 50,000 score sheets on 6 criteria by all three methods
   (mean, zscore, calibrated), best of three runs [``rank_s``; goal under 2 s].
2. Accuracy on simulated juries with known truth (residency/jury/simulation.py: fair, lenient,
   harsh, narrow, wide and noisy jurors, uneven loads, abstentions, scores clipped at the scale's
   ends), over SEEDS seeds of 600 applications, 24 jurors, k = 3, 20 places: each method's mean
   precision at the places [``precision_mean``, ``precision_zscore``, ``precision_calibrated``]
   and Kendall tau against the true quality [``tau_*``], and the precision of an oracle that knows
   every juror's true leniency, scale and noise [``precision_oracle``]: the limit to approach.

Run: ``.venv/bin/python benchmarks/jury_ranking.py [--seeds N]``. The last line printed is one
JSON object.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from residency.jury import ranking, simulation  # noqa: E402

PLACES = 20


def speed(repeats=3):
    """Seconds to rank 10,000 applications / 50,000 sheets / 6 criteria by every method (best run)."""
    sim = simulation.simulate(2026, applications=10_000, jurors=200, k=5, criteria=6, abstain=0.0)
    assert len(sim.rows) == 50_000
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for method in ranking.METHODS:
            ranking.rank(sim.rows, sim.weights, sim.bounds, method)
        best = min(best, time.perf_counter() - started)
    return best


def accuracy(seeds):
    """``{method: (mean precision at PLACES, mean Kendall tau)}`` over ``seeds`` simulated juries."""
    found = {method: [] for method in (*ranking.METHODS, "oracle")}
    for seed in range(seeds):
        sim = simulation.simulate(seed, applications=600, jurors=24, k=3)
        for method in ranking.METHODS:
            found[method].append(simulation.evaluate(ranking.rank(sim.rows, sim.weights, sim.bounds, method),
                                                     sim.quality, PLACES))
        found["oracle"].append(simulation.evaluate(simulation.oracle(sim), sim.quality, PLACES))
    return {method: tuple(np.mean(values, axis=0)) for method, values in found.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40, help="simulated juries (at least 20)")
    args = parser.parse_args()
    rank_s = speed()
    scores = accuracy(max(args.seeds, 1))
    print(f"jury_ranking: all three methods on 10,000 applications / 50,000 sheets / 6 criteria: {rank_s:.3f} s")
    print(f"simulation: {args.seeds} seeds, 600 applications, 24 jurors, k = 3, precision at {PLACES} places")
    header = f"{'method':<12} {'precision@20':>13} {'Kendall tau':>12}"
    print(header)
    print("-" * len(header))
    for method, (precision, tau) in scores.items():
        print(f"{method:<12} {precision:>13.3f} {tau:>12.3f}")
    result = {"rank_s": round(rank_s, 4)}
    for method in ranking.METHODS:
        result[f"precision_{method}"] = round(scores[method][0], 4)
    for method in ranking.METHODS:
        result[f"tau_{method}"] = round(scores[method][1], 4)
    result["precision_oracle"] = round(scores["oracle"][0], 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
