"""The statistics of an evaluation, as thin wrappers over scipy.stats and statsmodels.

Every function takes plain arrays or a tidy frame and returns a dict of JSON-safe numbers:
a statistic that cannot be computed is ``None`` and its key appears in ``reasons`` with one
sentence saying why (a reviewer should never meet a silent NaN). Only two things are written
by hand because no dependency has them: Cronbach's alpha (a one-line closed form) and the
Hedges-corrected d_av, whose bootstrap interval is scipy's.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning

__all__ = [
    "ALPHA_THRESHOLD",
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "CONFIDENCE",
    "cronbach_alpha",
    "describe",
    "difference_in_differences",
    "hedges_g_av",
    "histogram",
    "mixed_wave_model",
    "paired_change",
]

CONFIDENCE = 0.95
#: Cronbach's alpha below this is flagged as too low to trust a scale score.
ALPHA_THRESHOLD = 0.7
BOOTSTRAP_RESAMPLES = 9999
#: A fixed seed for every bootstrap, so the same data always give the same interval.
BOOTSTRAP_SEED = 20_061_968

Stats = dict[str, Any]
FloatArray = NDArray[np.float64]


def _number(value: Any) -> float | None:
    """A finite float, or None for NaN and infinities (JSON has no NaN)."""
    number = float(value)
    return number if np.isfinite(number) else None


def _put(result: Stats, key: str, value: Any, reason: str) -> None:
    """Store a statistic, or None and the reason when it came out undefined."""
    number = None if value is None else _number(value)
    result[key] = number
    if number is None:
        result.setdefault("reasons", {})[key] = reason


def _as_array(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def describe(values: ArrayLike) -> Stats:
    """Number of values, mean and sample SD (ddof = 1) of one wave's scale scores."""
    data = _as_array(values)
    result: Stats = {"n": int(data.size), "reasons": {}}
    _put(result, "mean", data.mean() if data.size else None, "no respondents")
    _put(result, "sd", data.std(ddof=1) if data.size > 1 else None, "fewer than two respondents")
    return result


def cronbach_alpha(item_scores: ArrayLike) -> float | None:
    """Cronbach's alpha of a respondents x items matrix (reverse-scored items already mirrored).

    ``alpha = k / (k - 1) * (1 - sum(var(item_i)) / var(total))`` with sample variances.
    Returns None when it is undefined: fewer than two items or respondents, or no variance in
    the total score.
    """
    matrix = _as_array(item_scores)
    if matrix.ndim != 2 or matrix.shape[0] < 2 or matrix.shape[1] < 2:
        return None
    k = matrix.shape[1]
    total_variance = matrix.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return None
    item_variance = matrix.var(axis=0, ddof=1).sum()
    return float(k / (k - 1) * (1 - item_variance / total_variance))


def _hedges_correction(n: int) -> float:
    degrees = n - 1
    return 1 - 3 / (4 * degrees - 1)


def hedges_g_av(pre: ArrayLike, post: ArrayLike) -> float | None:
    """Hedges' g_av for paired scores: ``J * mean(post - pre) / ((sd_pre + sd_post) / 2)``.

    ``J = 1 - 3 / (4 df - 1)`` with ``df = n - 1`` (the paired-design correction in the
    tracktwo reference). d_av divides by the average of the two wave SDs rather than the SD of
    the change, so it is comparable with between-group effect sizes (Lakens 2013).
    """
    before, after = _as_array(pre), _as_array(post)
    if before.size < 3:
        # with df = 1 the correction J is 0, so g would be 0 whatever the data
        return None
    spread = (before.std(ddof=1) + after.std(ddof=1)) / 2
    if spread == 0:
        return None
    return float(_hedges_correction(before.size) * (after - before).mean() / spread)


def _g_av_statistic(correction: float) -> Callable[[FloatArray, FloatArray, int], FloatArray]:
    """g_av as a vectorised statistic for ``scipy.stats.bootstrap`` (J fixed at the sample n)."""

    def statistic(pre: FloatArray, post: FloatArray, axis: int) -> FloatArray:
        spread = (pre.std(ddof=1, axis=axis) + post.std(ddof=1, axis=axis)) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            value: FloatArray = correction * (post - pre).mean(axis=axis) / spread
        return value

    return statistic


#: Up to this many pairs scipy's Wilcoxon test enumerates all 2**n sign patterns.
_EXACT_SIGNED_RANK_MAX = 13


def _signed_rank_test(before: FloatArray, after: FloatArray) -> tuple[float, float]:
    """Wilcoxon signed-rank statistic and p-value, exactly as ``scipy.stats.wilcoxon``.

    For up to 13 pairs with ties or zero changes scipy runs an exact permutation test whose
    statistic it evaluates for one sign pattern at a time (about a second per call). We run
    the same exact test through ``scipy.stats.permutation_test`` with a vectorised
    statistic: the rank sum of the positive changes, zero changes dropped (Wilcoxon's
    method, scipy's default). Flipping signs leaves the ranks of |change| unchanged, so they
    are computed once. Without ties the same enumeration is scipy's exact distribution.
    """
    change = after - before
    nonzero = change[change != 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if change.size > _EXACT_SIGNED_RANK_MAX or nonzero.size < 2:
            result = stats.wilcoxon(after, before)
            return float(result.statistic), float(result.pvalue)
        statistic = stats.wilcoxon(after, before, method="asymptotic").statistic
    ranks = stats.rankdata(np.abs(nonzero))

    def positive_rank_sum(flipped: FloatArray, axis: int) -> FloatArray:
        total: FloatArray = np.sum((flipped > 0) * ranks, axis=axis)
        return total

    exact = stats.permutation_test(
        (nonzero,),
        positive_rank_sum,
        permutation_type="samples",
        vectorized=True,
        n_resamples=np.inf,
        alternative="two-sided",
    )
    return float(statistic), float(exact.pvalue)


def paired_change(pre: ArrayLike, post: ArrayLike) -> Stats:
    """Change from one wave to a later one for the respondents who answered both.

    Parameters
    ----------
    pre, post
        Scale scores of the same respondents, in the same order.

    Returns
    -------
    dict
        ``n``; ``mean_pre``, ``sd_pre``, ``mean_post``, ``sd_post``; ``diff`` (mean of
        post - pre), ``sd_diff``, and its 95 % t interval ``ci_low``/``ci_high``; the paired
        t-test ``t``, ``df``, ``p_t`` (``scipy.stats.ttest_rel(post, pre)``); the Wilcoxon
        signed-rank ``w``, ``p_w`` (``scipy.stats.wilcoxon(post, pre)``, zero changes dropped,
        exact p for small samples without ties); ``hedges_g`` (g_av) and its BCa bootstrap
        interval ``g_ci_low``/``g_ci_high`` (``scipy.stats.bootstrap``, respondents resampled
        as pairs, 9,999 resamples, fixed seed); and ``reasons`` for every None.
    """
    before, after = _as_array(pre), _as_array(post)
    n = int(before.size)
    result: Stats = {"n": n, "reasons": {}}
    few = "fewer than two respondents answered both waves"
    change = after - before
    _put(result, "mean_pre", before.mean() if n else None, "no respondents answered both waves")
    _put(result, "sd_pre", before.std(ddof=1) if n > 1 else None, few)
    _put(result, "mean_post", after.mean() if n else None, "no respondents answered both waves")
    _put(result, "sd_post", after.std(ddof=1) if n > 1 else None, few)
    _put(result, "diff", change.mean() if n else None, "no respondents answered both waves")
    _put(result, "sd_diff", change.std(ddof=1) if n > 1 else None, few)

    constant = n > 1 and bool(np.ptp(change) == 0)
    t_reason = few if n < 2 else "every respondent changed by exactly the same amount"
    if n > 1 and not constant:
        test = stats.ttest_rel(after, before)
        interval = test.confidence_interval(CONFIDENCE)
        values: tuple[Any, ...] = (
            interval.low,
            interval.high,
            test.statistic,
            test.df,
            test.pvalue,
        )
    else:
        values = (None,) * 5
    for key, value in zip(("ci_low", "ci_high", "t", "df", "p_t"), values, strict=True):
        _put(result, key, value, t_reason)

    w: float | None = None
    p_w: float | None = None
    if n and np.any(change != 0):
        w, p_w = _signed_rank_test(before, after)
        w_reason = "the signed-rank test is undefined for these changes"
    else:
        w_reason = "no respondent changed" if n else "no respondents answered both waves"
    _put(result, "w", w, w_reason)
    _put(result, "p_w", p_w, w_reason)

    g = hedges_g_av(before, after)
    g_reason = (
        "Hedges' g needs at least three respondents who answered both waves"
        if n < 3
        else "both waves have no variation"
    )
    _put(result, "hedges_g", g, g_reason)
    low = high = None
    if g is not None:
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore")
            interval = stats.bootstrap(
                (before, after),
                _g_av_statistic(_hedges_correction(n)),
                paired=True,
                vectorized=True,
                n_resamples=BOOTSTRAP_RESAMPLES,
                method="BCa",
                confidence_level=CONFIDENCE,
                rng=np.random.default_rng(BOOTSTRAP_SEED),
            ).confidence_interval
        low, high = interval.low, interval.high
        g_reason = "the bootstrap interval is degenerate (too little variation in the sample)"
    _put(result, "g_ci_low", low, g_reason)
    _put(result, "g_ci_high", high, g_reason)
    return result


def histogram(values: ArrayLike, low: float, high: float, bins: int = 10) -> dict[str, list[Any]]:
    """Counts in ``bins`` equal-width bins over the whole score range (``numpy.histogram``)."""
    counts, edges = np.histogram(_as_array(values), bins=bins, range=(low, high))
    return {"edges": [float(edge) for edge in edges], "counts": [int(c) for c in counts]}


def difference_in_differences(frame: pd.DataFrame) -> Stats:
    """Difference-in-differences as the treat x time coefficient of ``score ~ treat * time``.

    Parameters
    ----------
    frame
        One row per respondent and wave with columns ``respondent``, ``treat`` (1 for
        participants, 0 for the comparison group), ``time`` (0 before, 1 after) and ``score``.

    Returns
    -------
    dict
        ``estimate`` (equals ``(post_T - pre_T) - (post_C - pre_C)`` in cell means), ``se``,
        ``ci_low``/``ci_high``, ``t``, ``df``, ``p``: OLS with cluster-robust standard errors
        clustered by respondent (statsmodels ``cov_type="cluster"``, t reference distribution
        with clusters - 1 degrees of freedom); plus ``n_obs``, ``n_treatment``,
        ``n_comparison`` (respondents) and ``reasons``.
    """
    respondents = frame.groupby("treat")["respondent"].nunique()
    result: Stats = {
        "n_obs": len(frame),
        "n_treatment": int(respondents.get(1, 0)),
        "n_comparison": int(respondents.get(0, 0)),
        "reasons": {},
    }
    cells = frame.groupby(["treat", "time"]).size()
    keys = ("estimate", "se", "ci_low", "ci_high", "t", "df", "p")
    if len(cells) < 4 or frame["respondent"].nunique() < 3:
        for key in keys:
            _put(result, key, None, "both groups need answers before and after")
        return result
    clusters = pd.factorize(frame["respondent"])[0]
    term = "treat:time"
    # tiny or degenerate designs give NaN standard errors (with a RuntimeWarning); they are
    # reported as None with a reason below instead
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = smf.ols("score ~ treat * time", data=frame).fit(
            cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True
        )
        interval = fit.conf_int(alpha=1 - CONFIDENCE).loc[term]
        values = (
            fit.params[term],
            fit.bse[term],
            interval.iloc[0],
            interval.iloc[1],
            fit.tvalues[term],
            fit.df_resid_inference,
            fit.pvalues[term],
        )
    for key, value in zip(keys, values, strict=True):
        _put(result, key, value, "the model has no variation to estimate this from")
    return result


def _wave_term(baseline: str, wave: str) -> str:
    return f"C(wave, Treatment(reference='{baseline}'))[T.{wave}]"


def mixed_wave_model(frame: pd.DataFrame, waves: Sequence[str]) -> Stats:
    """Linear mixed model ``score ~ C(wave)`` with a random intercept per respondent.

    Parameters
    ----------
    frame
        One row per respondent and wave: ``respondent``, ``wave``, ``score``. Respondents who
        missed a wave still count (maximum likelihood uses every answer; valid under
        missing-at-random).
    waves
        The waves in order; the first is the reference level.

    Returns
    -------
    dict
        ``waves``: for each later wave its fixed effect against the first (``estimate``,
        ``se``, ``z``, ``p``, ``ci_low``, ``ci_high``, Wald intervals as statsmodels reports
        them); ``intercept``; ``respondent_variance`` and ``residual_variance``; ``n_obs``,
        ``n_respondents``; ``converged``; ``method`` ("REML"); ``reasons``. Fitted with
        ``statsmodels.formula.api.mixedlm(..., groups=respondent).fit(reml=True)``.
    """
    baseline = waves[0]
    result: Stats = {
        "n_obs": len(frame),
        "n_respondents": int(frame["respondent"].nunique()),
        "method": "REML",
        "reasons": {},
    }
    formula = f"score ~ C(wave, Treatment(reference='{baseline}'))"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = smf.mixedlm(formula, data=frame, groups=frame["respondent"]).fit(reml=True)
        except (np.linalg.LinAlgError, ValueError) as error:
            result["converged"] = False
            result["waves"] = {}
            result["reasons"]["model"] = f"the mixed model could not be fitted ({error})"
            return result
    convergence = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    result["converged"] = bool(fit.converged) and not convergence
    if convergence:
        result["warnings"] = sorted(set(convergence))
    interval = fit.conf_int(alpha=1 - CONFIDENCE)
    estimates: dict[str, Stats] = {}
    for wave in waves[1:]:
        term = _wave_term(baseline, wave)
        block: Stats = {"reasons": {}}
        present = term in fit.params.index
        reason = f"nobody answered the {wave} wave"
        for key, source in (
            ("estimate", fit.params),
            ("se", fit.bse),
            ("z", fit.tvalues),
            ("p", fit.pvalues),
        ):
            _put(block, key, source[term] if present else None, reason)
        _put(block, "ci_low", interval.loc[term].iloc[0] if present else None, reason)
        _put(block, "ci_high", interval.loc[term].iloc[1] if present else None, reason)
        estimates[wave] = block
    result["waves"] = estimates
    _put(result, "intercept", fit.params["Intercept"], "the model did not converge")
    _put(result, "respondent_variance", fit.cov_re.iloc[0, 0], "the model did not converge")
    _put(result, "residual_variance", fit.scale, "the model did not converge")
    return result
