"""The report: known effects are recovered, and every figure equals a direct computation."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as scipy_stats

from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.surveys.evaluation import CHANGE_KEYS, ResponseSet, analyse

from .conftest import NAMED_KEYS, Synthetic, make_synthetic


@pytest.fixture(scope="module")
def report(two_sides: Synthetic) -> dict[str, Any]:
    return analyse(two_sides.responses, two_sides.survey)


def test_a_known_effect_is_recovered(report: dict[str, Any]) -> None:
    sides = report["scales"]["thermometer"]["sides"]
    assert sides["A"]["ci_low"] < 10 < sides["A"]["ci_high"]
    assert sides["A"]["ci_low"] > 0 and sides["A"]["p_t"] < 0.001
    assert sides["B"]["ci_low"] < 0 < sides["B"]["ci_high"]
    assert sides["A"]["hedges_g"] > 0.5 and abs(sides["B"]["hedges_g"]) < 0.3


def test_the_named_keys_are_there_for_every_side_and_overall(report: dict[str, Any]) -> None:
    for scale in ("thermometer", "outgroup_trust"):
        entry = report["scales"][scale]
        for block in [*entry["sides"].values(), entry["overall"]]:
            for key in NAMED_KEYS:
                assert key in block
            assert set(CHANGE_KEYS) <= set(block)
    json.dumps(report, allow_nan=False)  # no NaN anywhere


def test_every_statistic_equals_a_direct_computation(
    two_sides: Synthetic, report: dict[str, Any]
) -> None:
    for side in ("A", "B", "*"):
        block = (
            report["scales"]["thermometer"]["overall"]
            if side == "*"
            else report["scales"]["thermometer"]["sides"][side]
        )
        _people, pre, post = two_sides.paired("thermometer", side=side)
        test = scipy_stats.ttest_rel(post, pre)
        interval = test.confidence_interval(0.95)
        signed = scipy_stats.wilcoxon(post, pre)
        df = len(pre) - 1
        g = (
            (1 - 3 / (4 * df - 1))
            * (post - pre).mean()
            / ((pre.std(ddof=1) + post.std(ddof=1)) / 2)
        )
        assert block["n"] == len(pre)
        assert block["mean_pre"] == pytest.approx(pre.mean())
        assert block["mean_post"] == pytest.approx(post.mean())
        assert block["sd_pre"] == pytest.approx(pre.std(ddof=1))
        assert block["diff"] == pytest.approx((post - pre).mean())
        assert (block["ci_low"], block["ci_high"]) == pytest.approx((interval.low, interval.high))
        assert (block["t"], block["p_t"]) == pytest.approx((test.statistic, test.pvalue))
        assert (block["w"], block["p_w"]) == pytest.approx((signed.statistic, signed.pvalue))
        assert block["hedges_g"] == pytest.approx(g)
        assert block["g_ci_low"] < g < block["g_ci_high"]


def _closed_form_alpha(matrix: np.ndarray) -> float:
    k = matrix.shape[1]
    return float(
        k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / matrix.sum(axis=1).var(ddof=1))
    )


def test_alpha_per_side_and_wave_equals_the_closed_form(
    two_sides: Synthetic, report: dict[str, Any]
) -> None:
    entry = report["scales"]["outgroup_trust"]
    assert entry["alpha_applicable"] is True
    for side in ("A", "B"):
        people, _, _ = two_sides.paired("trust", side=side)
        for wave, key in (("pre", "alpha_pre"), ("post", "alpha_post")):
            items = np.array([two_sides.raw[(p, wave)]["trust_items"] for p in people])
            expected = _closed_form_alpha(items)
            assert entry["sides"][side][key] == pytest.approx(expected)
            assert entry["sides"][side][f"{key}_low"] is (expected < 0.7)
            assert entry["sides"][side]["waves"][wave]["alpha"] == pytest.approx(expected)
    thermometer = report["scales"]["thermometer"]["sides"]["A"]
    assert thermometer["alpha_pre"] is None and "two or more" in thermometer["reasons"]["alpha_pre"]


def test_trust_change_uses_the_reverse_scored_mean(
    two_sides: Synthetic, report: dict[str, Any]
) -> None:
    _people, pre, post = two_sides.paired("trust", side="A")
    assert report["scales"]["outgroup_trust"]["sides"]["A"]["diff"] == pytest.approx(
        (post - pre).mean()
    )


@pytest.fixture(scope="module")
def design() -> Synthetic:
    """Participants and a comparison group, three waves, some participants missing waves."""
    return make_synthetic(
        per_side={"A": 20, "B": 20},
        waves=("pre", "post", "followup"),
        comparison_per_side=15,
        comparison_effect=2.0,
        dropout={"A": {"followup": 6}, "B": {"post": 5}},
        seed=3,
    )


@pytest.fixture(scope="module")
def design_report(design: Synthetic) -> dict[str, Any]:
    return analyse(design.responses, design.survey)


def _long(data: Synthetic, side: str | None, waves: tuple[str, ...]) -> pd.DataFrame:
    rows = [
        (respondent, data.group_of[respondent], wave, values["thermometer"])
        for (respondent, wave), values in data.raw.items()
        if wave in waves and (side is None or data.side_of[respondent] == side)
    ]
    return pd.DataFrame(rows, columns=["respondent", "group", "wave", "score"])


def test_difference_in_differences_equals_a_direct_statsmodels_fit(
    design: Synthetic, design_report: dict[str, Any]
) -> None:
    did = design_report["scales"]["thermometer"]["did"]
    assert set(did) == {"post", "followup"}
    for side in ("A", None):
        frame = _long(design, side, ("pre", "post"))
        frame["treat"] = (frame["group"] == "treatment").astype(int)
        frame["time"] = (frame["wave"] == "post").astype(int)
        fit = smf.ols("score ~ treat * time", data=frame).fit(
            cov_type="cluster",
            cov_kwds={"groups": pd.factorize(frame["respondent"])[0]},
            use_t=True,
        )
        block = did["post"]["overall" if side is None else "sides"]
        block = block if side is None else block[side]
        assert block["all_available"]["estimate"] == pytest.approx(fit.params["treat:time"])
        assert block["all_available"]["se"] == pytest.approx(fit.bse["treat:time"])
        assert block["all_available"]["p"] == pytest.approx(fit.pvalues["treat:time"])
        complete = frame.groupby("respondent")["wave"].transform("nunique") == 2
        fit_cc = smf.ols("score ~ treat * time", data=frame[complete]).fit(
            cov_type="cluster",
            cov_kwds={"groups": pd.factorize(frame[complete]["respondent"])[0]},
            use_t=True,
        )
        assert block["complete_cases"]["estimate"] == pytest.approx(fit_cc.params["treat:time"])
        assert block["complete_cases"]["ci_high"] == pytest.approx(
            fit_cc.conf_int().loc["treat:time", 1]
        )


def test_mixed_model_equals_a_direct_statsmodels_fit(
    design: Synthetic, design_report: dict[str, Any]
) -> None:
    mixed = design_report["scales"]["thermometer"]["mixed_model"]
    assert mixed["waves"] == ["pre", "post", "followup"]
    for side in ("B", None):
        frame = _long(design, side, ("pre", "post", "followup"))
        frame = frame[frame["group"] == "treatment"].reset_index(drop=True)
        fit = smf.mixedlm(
            "score ~ C(wave, Treatment(reference='pre'))", frame, groups=frame["respondent"]
        ).fit(reml=True)
        block = mixed["overall"] if side is None else mixed["sides"][side]
        for wave in ("post", "followup"):
            term = f"C(wave, Treatment(reference='pre'))[T.{wave}]"
            assert block["waves"][wave]["estimate"] == pytest.approx(fit.params[term], rel=1e-6)
            assert block["waves"][wave]["se"] == pytest.approx(fit.bse[term], rel=1e-6)
        assert block["n_obs"] == len(frame)


def test_models_are_absent_without_a_comparison_group_or_a_third_wave(
    report: dict[str, Any],
) -> None:
    entry = report["scales"]["thermometer"]
    assert entry["did"] is None and entry["mixed_model"] is None and entry["comparison"] is None


def test_complete_cases_and_all_available_are_both_reported(
    design: Synthetic, design_report: dict[str, Any]
) -> None:
    side_b = design_report["scales"]["thermometer"]["sides"]["B"]
    # 5 of side B's 20 participants skipped post: pre has 20 answers, the pair only 15
    assert side_b["n"] == 15
    assert side_b["waves"]["pre"]["suppressed"] is False
    assert side_b["waves"]["pre"]["n"] == 20
    assert side_b["waves"]["pre"]["mean"] == pytest.approx(
        np.mean(list(design.scores("thermometer", "pre", side="B").values()))
    )
    followup = design_report["scales"]["thermometer"]["sides"]["A"]["changes"]["followup"]
    assert followup["n"] == 14
    comparison = design_report["scales"]["thermometer"]["comparison"]["sides"]["A"]
    assert comparison["n"] == 15


def test_attrition_per_group_side_and_wave(design_report: dict[str, Any]) -> None:
    treated = design_report["attrition"]["treatment"]
    assert treated["sides"]["A"]["followup"]["answered"]["n"] == 14
    assert treated["sides"]["B"]["post"]["answered"]["n"] == 15
    assert treated["sides"]["B"]["post"]["retained_from_pre"]["n"] == 15
    assert treated["overall"]["pre"]["answered"]["n"] == 40
    assert design_report["attrition"]["comparison"]["overall"]["followup"]["answered"]["n"] == 30


def test_bad_input_raises_and_returns_nothing(two_sides: Synthetic) -> None:
    first = two_sides.responses[0]
    twice = [*two_sides.responses, first]
    with pytest.raises(InvalidInput, match="two answer sets for wave pre; pass only the latest"):
        analyse(twice, two_sides.survey)
    moved = ResponseSet(first.respondent, "post", dict(first.answers), "B", first.group)
    others = [
        r
        for r in two_sides.responses
        if not (r.respondent == first.respondent and r.wave == "post")
    ]
    with pytest.raises(InvalidInput):
        analyse([*others, moved], two_sides.survey)
    out_of_range = ResponseSet("zzz", "pre", {"thermometer.warmth@side:B": 101}, "A")
    with pytest.raises(InvalidInput, match="outside the range 0 to 100"):
        analyse([*two_sides.responses, out_of_range], two_sides.survey)
    with pytest.raises(InvalidInput, match="no responses"):
        analyse([], two_sides.survey)
    with pytest.raises(InvalidInput, match="at least 3"):
        analyse(two_sides.responses, two_sides.survey, min_cell=2)


def test_three_sides_report_each_target_side_and_the_mean_over_them() -> None:
    from tracktwo.parts.surveys.evaluation import Side, Survey, builtin_instrument

    sides = (Side("A", "a"), Side("B", "b"), Side("C", "c"))
    survey = Survey((builtin_instrument("thermometer"),), sides)
    rng = np.random.default_rng(12)
    responses, toward_c = [], []
    for side in ("A", "B", "C"):
        for i in range(6):
            others = [s.id for s in sides if s.id != side]
            for wave in ("pre", "post"):
                ratings = {o: float(rng.integers(20, 80)) for o in others}
                answers = {f"thermometer.warmth@side:{o}": v for o, v in ratings.items()}
                responses.append(ResponseSet(f"{side}{i}", wave, answers, side))
                if side != "C" and wave == "post":
                    toward_c.append(ratings["C"])
    report = analyse(responses, survey)
    assert {"thermometer", "thermometer@side:A", "thermometer@side:B", "thermometer@side:C"} <= set(
        report["scales"]
    )
    per_target = report["scales"]["thermometer@side:C"]
    assert set(per_target["sides"]) == {"A", "B"}  # members of C are not asked about C
    assert per_target["overall"]["mean_post"] == pytest.approx(np.mean(toward_c))
    assert report["scales"]["thermometer"]["overall"]["n"] == 18


def test_without_a_pre_wave_the_named_keys_are_null_with_a_reason() -> None:
    data = make_synthetic(per_side={"A": 6, "B": 6}, waves=("post", "followup"), seed=6)
    block = analyse(data.responses, data.survey)["scales"]["thermometer"]["sides"]["A"]
    assert block["diff"] is None and block["n"] == 0
    assert "no pre and post wave" in block["reasons"]["diff"]
    assert block["waves"]["post"]["n"] == 6


def _unexplained_nulls(node: object, path: str = "") -> list[str]:
    """Paths of null statistics in shown blocks that have no reason next to them."""
    found: list[str] = []
    if isinstance(node, dict):
        if "reasons" in node and node.get("suppressed") is False:
            for key, value in node.items():
                flag = key.startswith("alpha") and key.endswith("_low")
                if value is None and not flag and key not in node["reasons"]:
                    found.append(f"{path}.{key}")
                if flag and value is None:  # the flag is null exactly when alpha is
                    assert node[key.removesuffix("_low")] is None, f"{path}.{key}"
        for key, value in node.items():
            found += _unexplained_nulls(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _unexplained_nulls(value, f"{path}[{index}]")
    return found


def test_every_null_statistic_has_a_reason(design_report: dict[str, Any]) -> None:
    tiny = make_synthetic(per_side={"A": 3, "B": 2}, waves=("pre", "post", "followup"), seed=1)
    for report in (design_report, analyse(tiny.responses, tiny.survey, min_cell=3)):
        assert _unexplained_nulls(report) == []
        json.dumps(report, allow_nan=False)
