"""A simulated jury with known truth, to hold the ranking methods to account (tests and benchmark).

:func:`simulate` creates applications of known true quality and jurors of several kinds — fair,
lenient, harsh, narrow scale, wide scale, noisy — with uneven loads (some jurors score many
more applications than others, a few score very few), abstentions, and per-criterion whole-number
scores on a bounded scale, so that scores pile up (clip) at its ends. :func:`evaluate` says how
well a ranking recovers the true order: precision at the number of places, and Kendall's tau.
Pure: numpy and scipy only.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import kendalltau

#: (kind, leniency in points, scale, noise sd in points), drawn around these.
KINDS = (
    ("fair", 0.0, 1.0, 0.7),
    ("lenient", 1.6, 1.0, 0.7),
    ("harsh", -1.6, 1.0, 0.7),
    ("narrow", 0.0, 0.45, 0.5),
    ("wide", 0.0, 1.8, 0.8),
    ("noisy", 0.0, 1.0, 1.8),
)


@dataclass
class Simulation:
    """``rows`` as :func:`residency.jury.ranking.rank` takes them; ``quality`` the true quality by
    application id; per juror id its ``kind``, true ``leniency``, ``scale`` and ``noise`` of the
    sheet's total (what an oracle knowing every juror would use). ``merit`` is what a fair juror
    without noise would give each application as its total (the quality as the criteria see it)."""

    rows: list
    quality: dict
    merit: dict
    kinds: dict
    leniency: dict
    scale: dict
    noise: dict
    weights: list
    bounds: tuple


def simulate(seed, applications=600, jurors=24, k=3, criteria=3, bounds=(1, 10), abstain=0.02,
             spread=1.7, centre=None):
    """A jury of ``jurors`` (kinds in turn from :data:`KINDS`) scoring ``applications``, each by
    ``k`` distinct jurors drawn with uneven loads, on ``criteria`` criteria of scale ``bounds``.
    ``spread`` is the true quality's standard deviation in points."""
    rng = np.random.default_rng(seed)
    low, high = bounds
    centre = (low + high) / 2 if centre is None else centre
    kinds = [KINDS[j % len(KINDS)] for j in range(jurors)]
    leniency = np.array([kind[1] for kind in kinds]) + rng.normal(0, 0.2, jurors)
    scale = np.array([kind[2] for kind in kinds]) * np.exp(rng.normal(0, 0.08, jurors))
    noise = np.array([kind[3] for kind in kinds])
    quality = rng.normal(0, 1, applications)
    load = rng.lognormal(0, 0.8, jurors)
    load[rng.choice(jurors, size=max(1, jurors // 8), replace=False)] *= 0.05  # a few score very few
    weights = [2.0] + [1.0] * (criteria - 1)
    rows, merit = [], {}
    w = np.asarray(weights) / sum(weights)
    for i in range(applications):
        panel = rng.choice(jurors, size=min(k, jurors), replace=False, p=load / load.sum())
        facets = rng.normal(0, 0.4, criteria)  # the criteria see the application a little differently
        merit[i + 1] = float(centre + (spread * quality[i] + facets) @ w)
        for j in panel:
            if rng.random() < abstain:
                rows.append((i + 1, int(j) + 1, None))
                continue
            latent = centre + leniency[j] + scale[j] * (spread * quality[i] + facets) + rng.normal(0, noise[j], criteria)
            rows.append((i + 1, int(j) + 1, np.clip(np.rint(latent), low, high).tolist()))
    # The noise of a total: the juror's per criterion, averaged with the weights, plus rounding.
    total_noise = np.sqrt((noise ** 2 + 1 / 12) * float(np.sum(w ** 2)))
    return Simulation(rows=rows, quality={i + 1: float(quality[i]) for i in range(applications)}, merit=merit,
                      kinds={j + 1: kinds[j][0] for j in range(jurors)},
                      leniency={j + 1: float(leniency[j]) for j in range(jurors)},
                      scale={j + 1: float(scale[j]) for j in range(jurors)},
                      noise={j + 1: float(total_noise[j]) for j in range(jurors)},
                      weights=weights, bounds=(low, high))


def evaluate(ranking, quality, places):
    """``(precision, tau)``: the share of the true top ``places`` that the ranking's top ``places``
    holds, and Kendall's tau between the ranking's estimates and the true quality."""
    ranked = [entry.application_id for entry in ranking.applications]
    truth = sorted(quality, key=lambda app_id: -quality[app_id])[:places]
    precision = len(set(ranked[:places]) & set(truth)) / places
    tau = kendalltau([entry.estimate for entry in ranking.applications],
                     [quality[entry.application_id] for entry in ranking.applications]).statistic
    return precision, float(tau)


def oracle(simulation):
    """The ranking a model knowing every juror's true leniency, scale and noise would give: only
    the applications' quality is estimated (the limit the calibrated method can approach)."""
    from residency.jury import ranking

    data = ranking.prepare(simulation.rows, simulation.weights, simulation.bounds)
    ids = [int(j) for j in data.juror_ids]
    fixed = ([simulation.leniency[j] for j in ids], [simulation.scale[j] for j in ids],
             [simulation.noise[j] for j in ids])
    m, q, _a, b, _sigma, precision = ranking.calibrate(data, fixed=fixed)
    half = ranking.Z95 / np.sqrt(precision)
    return ranking.Ranking("oracle", ranking._order(data, m + q, half))
