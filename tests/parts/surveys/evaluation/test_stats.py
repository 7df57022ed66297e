"""Each statistic equals a direct scipy / statsmodels / numpy computation on the same numbers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as scipy_stats

from tracktwo.parts.surveys.evaluation import cronbach_alpha, hedges_g_av
from tracktwo.parts.surveys.evaluation.stats import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    describe,
    difference_in_differences,
    mixed_wave_model,
    paired_change,
)


def test_cronbach_alpha_on_a_hand_worked_example() -> None:
    items = [[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 4]]
    # item variances 5/3, 4/3, 2/3 (sum 11/3); totals 5, 7, 10, 12 have variance 29/3;
    # alpha = 3/2 * (1 - (11/3) / (29/3)) = 27/29
    assert cronbach_alpha(items) == pytest.approx(27 / 29)


def test_cronbach_alpha_equals_the_closed_form_on_random_data() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(30, 1)) + rng.normal(scale=0.8, size=(30, 5))
    k = matrix.shape[1]
    closed = k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / matrix.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(matrix) == pytest.approx(closed, rel=1e-12)


def test_cronbach_alpha_is_none_when_undefined() -> None:
    assert cronbach_alpha([[1, 2]]) is None  # one respondent
    assert cronbach_alpha([[1], [2]]) is None  # one item
    assert cronbach_alpha([[1, 1], [1, 1]]) is None  # no variance


def _g_av(pre: np.ndarray, post: np.ndarray) -> float:
    df = len(pre) - 1
    correction = 1 - 3 / (4 * df - 1)
    return float(correction * (post - pre).mean() / ((pre.std(ddof=1) + post.std(ddof=1)) / 2))


def _g_statistic(correction: float) -> Callable[[np.ndarray, np.ndarray, int], np.ndarray]:
    def statistic(pre: np.ndarray, post: np.ndarray, axis: int) -> np.ndarray:
        spread = (pre.std(ddof=1, axis=axis) + post.std(ddof=1, axis=axis)) / 2
        return np.asarray(correction * (post - pre).mean(axis=axis) / spread)

    return statistic


@pytest.mark.parametrize(("n", "rounded"), [(40, False), (9, True), (25, True)])
def test_paired_change_equals_scipy(n: int, rounded: bool) -> None:
    rng = np.random.default_rng(n)
    pre = rng.normal(50, 12, n)
    post = pre + 5 + rng.normal(0, 6, n)
    if rounded:  # ties and zero changes: scipy then uses an exact permutation test for n <= 13
        pre, post = np.round(pre / 5) * 5, np.round(post / 5) * 5
    result = paired_change(pre, post)
    test = scipy_stats.ttest_rel(post, pre)
    interval = test.confidence_interval(0.95)
    signed = scipy_stats.wilcoxon(post, pre)
    assert result["n"] == n
    assert result["mean_pre"] == pytest.approx(pre.mean())
    assert result["sd_post"] == pytest.approx(post.std(ddof=1))
    assert result["diff"] == pytest.approx((post - pre).mean())
    assert result["sd_diff"] == pytest.approx((post - pre).std(ddof=1))
    assert result["t"] == pytest.approx(test.statistic)
    assert result["p_t"] == pytest.approx(test.pvalue)
    assert result["df"] == n - 1
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((interval.low, interval.high))
    assert result["w"] == pytest.approx(signed.statistic)
    assert result["p_w"] == pytest.approx(signed.pvalue, rel=1e-9)
    assert result["hedges_g"] == pytest.approx(_g_av(pre, post))
    df = n - 1
    boot = scipy_stats.bootstrap(
        (pre, post),
        _g_statistic(1 - 3 / (4 * df - 1)),
        paired=True,
        vectorized=True,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="BCa",
        rng=np.random.default_rng(BOOTSTRAP_SEED),
    ).confidence_interval
    assert (result["g_ci_low"], result["g_ci_high"]) == pytest.approx((boot.low, boot.high))
    assert result["g_ci_low"] < result["hedges_g"] < result["g_ci_high"]
    assert result["reasons"] == {}


def test_hedges_g_av_by_hand() -> None:
    pre = np.array([10.0, 12.0, 14.0])
    post = np.array([13.0, 14.0, 18.0])
    # mean change 3; sd_pre 2, sd_post sqrt(7); J = 1 - 3/(4*2 - 1) = 4/7
    expected = 4 / 7 * 3 / ((2 + np.sqrt(7)) / 2)
    assert hedges_g_av(pre, post) == pytest.approx(expected)
    assert hedges_g_av(pre[:2], post[:2]) is None  # J = 0 when df = 1


def test_undefined_statistics_are_none_with_a_reason() -> None:
    result = paired_change([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    for key in ("t", "p_t", "ci_low", "w", "p_w", "g_ci_low"):
        assert result[key] is None
        assert result["reasons"][key]
    empty = paired_change([], [])
    assert empty["n"] == 0 and empty["diff"] is None and "diff" in empty["reasons"]
    assert describe([5.0]) == {
        "n": 1,
        "mean": 5.0,
        "sd": None,
        "reasons": {"sd": "fewer than two respondents"},
    }


def test_difference_in_differences_equals_statsmodels_and_cell_means() -> None:
    rng = np.random.default_rng(11)
    rows = []
    for i in range(24):
        treat = int(i < 12)
        person = rng.normal(0, 5)
        for time in (0, 1):
            rows.append((f"r{i}", treat, time, 50 + person + 8 * treat * time + rng.normal(0, 3)))
    frame = pd.DataFrame(rows, columns=["respondent", "treat", "time", "score"])
    result = difference_in_differences(frame)
    fit = smf.ols("score ~ treat * time", data=frame).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["respondent"])[0]}, use_t=True
    )
    assert result["estimate"] == pytest.approx(fit.params["treat:time"])
    assert result["se"] == pytest.approx(fit.bse["treat:time"])
    assert result["p"] == pytest.approx(fit.pvalues["treat:time"])
    assert result["ci_low"] == pytest.approx(fit.conf_int().loc["treat:time", 0])
    assert result["df"] == 23  # clusters - 1
    means = frame.groupby(["treat", "time"])["score"].mean()
    assert result["estimate"] == pytest.approx(
        (means[1, 1] - means[1, 0]) - (means[0, 1] - means[0, 0])
    )
    assert (result["n_treatment"], result["n_comparison"], result["n_obs"]) == (12, 12, 48)


def test_mixed_model_equals_statsmodels() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(20):
        person = rng.normal(0, 4)
        for wave, shift in (("pre", 0), ("post", 6), ("followup", 3)):
            if wave == "followup" and i % 4 == 0:
                continue
            rows.append((f"r{i}", wave, 50 + person + shift + rng.normal(0, 3)))
    frame = pd.DataFrame(rows, columns=["respondent", "wave", "score"])
    result = mixed_wave_model(frame, ["pre", "post", "followup"])
    fit = smf.mixedlm(
        "score ~ C(wave, Treatment(reference='pre'))", frame, groups=frame["respondent"]
    ).fit(reml=True)
    for wave in ("post", "followup"):
        term = f"C(wave, Treatment(reference='pre'))[T.{wave}]"
        assert result["waves"][wave]["estimate"] == pytest.approx(fit.params[term])
        assert result["waves"][wave]["se"] == pytest.approx(fit.bse[term])
        assert result["waves"][wave]["p"] == pytest.approx(fit.pvalues[term])
    assert result["respondent_variance"] == pytest.approx(fit.cov_re.iloc[0, 0])
    assert result["n_obs"] == len(frame) and result["n_respondents"] == 20
    assert result["converged"] is True
