"""Ranking a round's applications from the jurors' scores: pure functions (no database, no Flask).

One entry point, :func:`rank(rows, weights, scale, method) <rank>`. ``rows`` are plain
``(application_id, juror_id, values)`` tuples, ``values`` the list of per-criterion scores (or
``None`` for an abstention, which counts for nothing); ``weights`` the criteria weights; ``scale``
the ``(low, high)`` of the scale, or one such pair per criterion. Each sheet becomes its
**total**: the weighted mean of its criteria, on the scale (with per-criterion scales, each
criterion is mapped onto the first criterion's scale first). Every method gives each application
an estimate on that same scale, so the three can be read side by side, and an interval.

Methods:

``mean``
    The total averaged over the application's jurors (what Indico, pretalx and HotCRP show). The
    interval is the mean ± 1.96 standard errors, the panel's spread standing in for a spread
    that a single score cannot show.
``zscore``
    Each juror's totals standardised first (Evalato's per-juror z-score), the juror's mean and
    spread shrunk towards the panel's in proportion to how few sheets they scored (so one sheet,
    or a juror giving one value throughout, divides by nothing), then averaged and put back on the
    scale with the panel's mean and spread.
``calibrated``
    A juror model estimated together with each application's quality, after the least-squares
    calibration of reviewers (Roos, Rothe & Scheuermann, "How to calibrate the scores of biased
    reviewers by quadratic programming", AAAI 2011; the additive+multiplicative model of NeurIPS
    2021's calibration experiments): juror *j*'s total for application *i* is
    ``m + a_j + b_j · q_i + e``, with *a_j* the juror's leniency (points above the panel), *b_j*
    their scale (how widely they spread their scores: 1 is the panel's), and noise of variance
    ``σ_j²`` (estimated where the juror's sheets allow, shrunk towards the panel's). Ridge priors
    shrink the leniency towards 0 and the scale towards 1, most for jurors who scored few
    sheets; totals piled at an end of the scale are treated as censored (a Tobit EM step: the
    expected uncensored total given the current model replaces them). Alternating weighted
    least squares, vectorised. The estimate of an application is ``m + q_i``, what a typical juror
    would give it; its interval is the Laplace (Gaussian posterior) approximation
    ``q_i ± 1.96 / sqrt(Σ_j b_j²/σ_j² + 1/τ_q²)``, widened by the uncertainty of the jurors'
    leniencies and scales that the estimate carries.

**Disagreement** (all methods): an application is flagged when two of its totals, as the method
corrects each juror, differ by at least a quarter of the scale (:data:`DISAGREEMENT_SHARE`).

**Tie-break rule** (all methods): equal estimates (to 1e-9) are ordered by the narrower interval
first (the better-established estimate), then by more scores, then by the smaller application id
(the earlier application).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.special import log_ndtr

METHODS = ("mean", "zscore", "calibrated")
Z95 = 1.959963984540054
#: A sheet's total differing from another sheet's of the same application by at least this share
#: of the scale, once the method corrected each juror's leniency and scale, flags the application
#: as one the jurors disagree on.
DISAGREEMENT_SHARE = 0.25


@dataclass
class Ranked:
    """One application of a ranking: its place (1 is best), estimate and 95% interval on the
    scale, the number of scores, their spread (highest minus lowest total, as the method corrects
    each juror) and whether the jurors disagree on it."""

    application_id: object
    place: int
    estimate: float
    low: float
    high: float
    scores: int
    spread: float
    disagreement: bool
    totals: list = field(default_factory=list)

    @property
    def uncertainty(self):
        """Half the interval's width."""
        return (self.high - self.low) / 2


@dataclass
class Juror:
    """What the calibrated model says of a juror: leniency in points (+ above the panel), scale
    (1: the panel's spread), noise (standard deviation in points), and sheets scored."""

    juror_id: object
    leniency: float
    scale: float
    noise: float
    scores: int


@dataclass
class Ranking:
    method: str
    applications: list
    jurors: list = field(default_factory=list)
    scale: tuple = (0.0, 10.0)

    @property
    def empty(self):
        return not self.applications


# Preparing ---------------------------------------------------------------------------------------

@dataclass
class Data:
    """The scored sheets as arrays: ``app[k]``, ``juror[k]`` index ``app_ids`` and ``juror_ids``;
    ``total[k]`` the sheet's total on the scale ``(low, high)``."""

    app_ids: np.ndarray
    juror_ids: np.ndarray
    app: np.ndarray
    juror: np.ndarray
    total: np.ndarray
    low: float
    high: float

    @property
    def width(self):
        return max(self.high - self.low, 1e-9)


def prepare(rows, weights, scale):
    """The sheets of ``rows`` that have scores, as :class:`Data` (abstentions left out).

    :raise ValueError: a sheet with another number of values than ``weights``, a value outside
        its scale, weights that are negative or sum to zero.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or not len(w) or (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be non-negative, at least one positive")
    bounds = np.asarray(scale, dtype=float)
    bounds = np.tile(bounds, (len(w), 1)) if bounds.ndim == 1 else bounds
    if bounds.shape != (len(w), 2) or (bounds[:, 1] <= bounds[:, 0]).any():
        raise ValueError("scale must be (low, high), or one (low, high) per criterion, with low < high")
    scored = [row for row in rows if row[2] is not None]
    low, high = float(bounds[0, 0]), float(bounds[0, 1])
    if not scored:
        empty = np.zeros(0)
        return Data(np.array([]), np.array([]), empty.astype(int), empty.astype(int), empty, low, high)
    values = np.asarray([row[2] for row in scored], dtype=float)
    if values.ndim != 2 or values.shape[1] != len(w):
        raise ValueError("each sheet needs one value per criterion")
    if not np.isfinite(values).all() or (values < bounds[:, 0]).any() or (values > bounds[:, 1]).any():
        raise ValueError("a value is outside its criterion's scale")
    fractions = (values - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])
    total = low + (high - low) * (fractions @ (w / w.sum()))
    app_ids, app = np.unique(np.asarray([row[0] for row in scored]), return_inverse=True)
    juror_ids, juror = np.unique(np.asarray([row[1] for row in scored]), return_inverse=True)
    return Data(app_ids, juror_ids, app.ravel(), juror.ravel(), total, low, high)


def _sums(index, values, size):
    return np.bincount(index, weights=values, minlength=size)


# Methods -----------------------------------------------------------------------------------------

def _mean(data):
    n_apps = len(data.app_ids)
    count = np.bincount(data.app, minlength=n_apps).astype(float)
    mean = _sums(data.app, data.total, n_apps) / count
    resid = data.total - mean[data.app]
    pooled = np.sqrt(max(float(resid @ resid) / max(len(resid) - n_apps, 1), (0.05 * data.width) ** 2))
    within = _sums(data.app, resid ** 2, n_apps)
    # An application's own spread when it has several scores, shrunk towards the panel's.
    sd = np.sqrt((within + 2 * pooled ** 2) / (count - 1 + 2))
    return mean, Z95 * sd / np.sqrt(count), data.total


def _juror_moments(data, strength=3.0):
    """Each juror's mean and standard deviation of totals, shrunk towards the panel's with the
    weight of ``strength`` sheets (no juror divides by zero)."""
    n_j = len(data.juror_ids)
    count = np.bincount(data.juror, minlength=n_j).astype(float)
    panel_mean = float(data.total.mean())
    panel_var = max(float(data.total.var()), (0.05 * data.width) ** 2)
    mean_j = (_sums(data.juror, data.total, n_j) + strength * panel_mean) / (count + strength)
    ss = _sums(data.juror, (data.total - mean_j[data.juror]) ** 2, n_j)
    var_j = (ss + strength * panel_var) / (count + strength)
    return mean_j, np.sqrt(var_j), panel_mean, np.sqrt(panel_var)


def _zscore(data):
    mean_j, sd_j, panel_mean, panel_sd = _juror_moments(data)
    z = (data.total - mean_j[data.juror]) / sd_j[data.juror]
    n_apps = len(data.app_ids)
    count = np.bincount(data.app, minlength=n_apps).astype(float)
    mean_z = _sums(data.app, z, n_apps) / count
    resid = z - mean_z[data.app]
    pooled = max(float(resid @ resid) / max(len(resid) - n_apps, 1), 0.05 ** 2)
    half = Z95 * np.sqrt(pooled / count)
    return panel_mean + panel_sd * mean_z, panel_sd * half, panel_mean + panel_sd * z


def _tobit_fill(y, mu, sigma, low, high, censored_low, censored_high):
    """The expected latent total at the scale's ends given the model (E[y* | y* ≥ high], E[y* | y* ≤ low])."""
    filled = y.copy()
    if censored_high.any():
        alpha = (high - mu[censored_high]) / sigma[censored_high]
        # Inverse Mills ratio φ(α)/(1-Φ(α)), stably.
        mills = np.exp(-0.5 * alpha ** 2 - 0.5 * np.log(2 * np.pi) - log_ndtr(-alpha))
        filled[censored_high] = mu[censored_high] + sigma[censored_high] * mills
    if censored_low.any():
        beta = (low - mu[censored_low]) / sigma[censored_low]
        mills = np.exp(-0.5 * beta ** 2 - 0.5 * np.log(2 * np.pi) - log_ndtr(beta))
        filled[censored_low] = mu[censored_low] - sigma[censored_low] * mills
    # Beyond the end, but not far: a few clipped totals must not pull the model away.
    reach = 0.3 * (high - low)
    return np.where(censored_high, np.clip(filled, high, high + reach),
                    np.where(censored_low, np.clip(filled, low - reach, low), filled))


def calibrate(data, iterations=60, fixed=None, censored=True):
    """Fit the calibrated model to ``data``: ``(m, q, a, b, sigma, precision)`` arrays (``q`` per
    application, the rest per juror; ``precision`` of each ``q``).

    :param fixed: ``(a, b, sigma)`` per juror, known (the oracle of the benchmark): only ``m``
        and ``q`` are estimated.
    """
    n_a, n_j = len(data.app_ids), len(data.juror_ids)
    width = data.width
    tau_a, tau_b, tau_q = 0.15 * width, 0.35, 0.35 * width  # prior spreads (points, ratio, points)
    floor = (0.04 * width) ** 2
    y_obs = data.total
    count_j = np.bincount(data.juror, minlength=n_j).astype(float)
    at_high = censored & (y_obs >= data.high - 1e-9)
    at_low = censored & (y_obs <= data.low + 1e-9)
    m = float(y_obs.mean())
    a, b = np.zeros(n_j), np.ones(n_j)
    var = np.full(n_j, max(float(y_obs.var()), floor))
    if fixed is not None:
        a, b, var = (np.asarray(x, dtype=float) for x in (fixed[0], fixed[1], np.square(fixed[2])))
    q = np.zeros(n_a)
    y = y_obs.copy()
    for step in range(iterations):
        ja, jb, jv = a[data.juror], b[data.juror], var[data.juror]
        # Applications: weighted least squares with the prior q ~ N(0, tau_q²).
        precision = _sums(data.app, jb ** 2 / jv, n_a) + 1 / tau_q ** 2
        q = _sums(data.app, jb * (y - m - ja) / jv, n_a) / precision
        if fixed is None:
            a, b, var, m, q = _fit_jurors(data, y, m, q, var, count_j, tau_a, tau_b, floor)
        else:
            m = float(np.mean(y - a[data.juror] - b[data.juror] * q[data.app]))
        if step >= 10 and (at_high.any() or at_low.any()):  # once the model has settled
            mu = m + a[data.juror] + b[data.juror] * q[data.app]
            y = _tobit_fill(y_obs, mu, np.sqrt(var[data.juror]), data.low, data.high, at_low, at_high)
    jb, jv = b[data.juror], var[data.juror]
    precision = _sums(data.app, jb ** 2 / jv, n_a) + 1 / tau_q ** 2
    if fixed is None:
        # The jurors' leniencies are estimated too: their uncertainty (about σ_j² over the juror's
        # sheets, the priors counted) carries into each application's estimate.
        var_a = var / (count_j + var / tau_a ** 2 + 1.0)
        var_b = var / (_sums(data.juror, q[data.app] ** 2, n_j) + var / tau_b ** 2 + 1.0)
        carried = _sums(data.app, (jb / jv) ** 2 * (var_a[data.juror] + q[data.app] ** 2 * var_b[data.juror]),
                        n_a) / precision ** 2
        precision = 1 / (1 / precision + carried)
    return m, q, a, b, np.sqrt(var), precision


def _fit_jurors(data, y, m, q, var, count_j, tau_a, tau_b, floor):
    """One step for the jurors: per juror, ridge regression of ``y - m`` on ``(1, q)`` towards
    ``a = 0, b = 1``, then the noise shrunk towards the panel's; then the model's constraints
    (mean leniency 0, geometric-mean scale 1, mean quality 0)."""
    n_j = len(data.juror_ids)
    qa = q[data.app]
    r = y - m
    s1, sq, sqq = count_j, _sums(data.juror, qa, n_j), _sums(data.juror, qa * qa, n_j)
    sr, sqr = _sums(data.juror, r, n_j), _sums(data.juror, qa * r, n_j)
    # Normal equations with the priors (weights 1/var cancel on the data side, not on the priors').
    # One pseudo-sheet at the panel's leniency and scale on top of the priors: a juror with one
    # sheet moves half-way at most.
    lam_a, lam_b = var / tau_a ** 2 + 1.0, var / tau_b ** 2 + 1.0
    h11, h12, h22 = s1 + lam_a, sq, sqq + lam_b
    g1, g2 = sr, sqr + lam_b * 1.0
    det = h11 * h22 - h12 * h12
    a = (h22 * g1 - h12 * g2) / det
    b = np.maximum((h11 * g2 - h12 * g1) / det, 0.05)
    resid = r - a[data.juror] - b[data.juror] * qa
    # Residuals are smaller than the noise by the parameters they fitted (a quality per
    # application, two per juror): correct for the degrees of freedom, over the whole panel.
    dof = len(resid) / max(len(resid) - len(data.app_ids) - 2 * n_j, 0.2 * len(resid))
    ss = _sums(data.juror, resid ** 2, n_j) * dof
    panel = max(float(ss.sum()) / max(len(resid), 1), floor)
    var = np.clip((ss + 4.0 * panel) / (count_j + 4.0), floor, (0.5 * (data.high - data.low)) ** 2)
    # Constraints: shift quality into the jurors' offsets, centre the offsets, normalise the scales.
    centre = float(q.mean())
    q = q - centre
    a = a + b * centre
    shift = float(np.average(a, weights=count_j))
    a, m = a - shift, m + shift
    gm = float(np.exp(np.average(np.log(b), weights=count_j)))
    return a, b / gm, var, m, q * gm


# Ranking -----------------------------------------------------------------------------------------

def rank(rows, weights, scale, method="calibrated"):
    """The applications of ``rows`` best first (:class:`Ranking`), by ``method``.

    An application with no scored sheet (abstentions only) is not ranked; no sheet at all gives an
    empty ranking. :raise ValueError: an unknown method, or bad rows (see :func:`prepare`).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    data = prepare(rows, weights, scale)
    if not len(data.total):
        return Ranking(method, [], [], (data.low, data.high))
    jurors = []
    if method == "mean":
        estimate, half, adjusted = _mean(data)
    elif method == "zscore":
        estimate, half, adjusted = _zscore(data)
    else:
        m, q, a, b, sigma, precision = calibrate(data)
        estimate, half = m + q, Z95 / np.sqrt(precision)
        adjusted = m + (data.total - m - a[data.juror]) / b[data.juror]
        count_j = np.bincount(data.juror, minlength=len(data.juror_ids))
        jurors = [Juror(_plain(jid), float(a[k]), float(b[k]), float(sigma[k]), int(count_j[k]))
                  for k, jid in enumerate(data.juror_ids)]
    return Ranking(method, _order(data, estimate, half, adjusted), jurors, (data.low, data.high))


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _order(data, estimate, half, adjusted=None):
    """The applications in ranking order (see the tie-break rule), each with the spread of its
    totals as the method corrects them (``adjusted``: raw for the mean, the z-scores put back on
    the scale, the calibrated totals a typical juror would have given) and the disagreement flag."""
    adjusted = data.total if adjusted is None else adjusted
    n_apps = len(data.app_ids)
    count = np.bincount(data.app, minlength=n_apps)
    high = np.full(n_apps, -np.inf)
    np.maximum.at(high, data.app, adjusted)
    low = np.full(n_apps, np.inf)
    np.minimum.at(low, data.app, adjusted)
    spread = high - low
    # Tie-break: estimate (desc), interval (narrow first), scores (more first), application id.
    order = np.lexsort((data.app_ids, -count, np.round(half, 9), -np.round(estimate, 9)))
    flagged = spread >= DISAGREEMENT_SHARE * data.width - 1e-9
    return [Ranked(_plain(data.app_ids[i]), place, float(estimate[i]), float(estimate[i] - half[i]),
                   float(estimate[i] + half[i]), int(count[i]), float(spread[i]), bool(flagged[i]))
            for place, i in enumerate(order, start=1)]


def totals_by_application(rows, weights, scale):
    """``{application id: [(juror id, total)]}`` of the scored sheets (for the chair's table)."""
    data = prepare(rows, weights, scale)
    found = {}
    for k in range(len(data.total)):
        found.setdefault(_plain(data.app_ids[data.app[k]]), []).append(
            (_plain(data.juror_ids[data.juror[k]]), float(data.total[k])))
    return found


# Agreement and jurors in words -------------------------------------------------------------------

def agreement(rows, weights, scale):
    """Krippendorff's alpha (interval level) of the sheets' totals, computed by the
    ``krippendorff`` library: 1 is perfect agreement, 0 what jurors scoring at random would reach,
    below 0 systematic disagreement. None when no application has two scored sheets (or when the
    totals do not vary at all, where alpha is undefined)."""
    import krippendorff

    data = prepare(rows, weights, scale)
    if not len(data.total):
        return None
    count = np.bincount(data.app, minlength=len(data.app_ids))
    if count.max() < 2 or np.ptp(data.total) == 0:
        return None
    matrix = np.full((len(data.juror_ids), len(data.app_ids)), np.nan)
    matrix[data.juror, data.app] = data.total
    keep = count >= 2
    value = krippendorff.alpha(reliability_data=matrix[:, keep], level_of_measurement="interval")
    return None if value is None or not np.isfinite(value) else float(value)


#: Below these, a juror's leniency (points) and scale (ratio) read as "like the panel".
LENIENCY_NOTABLE = 0.5
SCALE_NOTABLE = 0.25


def juror_traits(juror, width):
    """How a :class:`Juror` differs from the panel, as ``(leniency, scale)``: leniency
    ``("above" | "below" | "level", points)``, scale ``("narrower" | "wider" | "same", ratio)``.
    A leniency counts from ``LENIENCY_NOTABLE`` points on a 10-point scale (scaled to the
    width), a scale from a ``SCALE_NOTABLE`` difference of ratio."""
    notable = LENIENCY_NOTABLE * width / 10
    leniency = ("above" if juror.leniency >= notable else "below" if juror.leniency <= -notable else "level",
                abs(juror.leniency))
    scale = ("wider" if juror.scale >= 1 + SCALE_NOTABLE else "narrower" if juror.scale <= 1 - SCALE_NOTABLE
             else "same", juror.scale)
    return leniency, scale
