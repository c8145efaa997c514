"""stackrace.comparison.effects on compare files the engine writes: the same numbers as
`stackrace compare` prints, read from the file's effect datasets, which a hand computation
over every month, country, kind and stack checks (paired t, and Welch's for independent
seeds); files without them; and the stackrace.outcomes helpers that read one value per run."""
import re
import shutil
import warnings

import h5py
import numpy as np
import pytest
from scipy import stats

import stackrace
from stackrace import comparison, outcomes
from conftest import WORLDS_DIR

REPLICATES = 5
# `stackrace compare` prints e.g. "  developer  cn_open       -1.57 pp [ -1.85,  -1.29]"
WORLD_LINE = re.compile(r"^  (\w+)\s+(\w+)\s+([+-]\d+\.\d+) pp \[\s*([+-]\d+\.\d+),\s*([+-]\d+\.\d+)\]$")
# ... and per country "  RUS  Russian Federation   none  +0.00 pp [...]  us_closed ...  cn_open ..."
COUNTRY_LINE = re.compile(r"^  ([A-Z]{3}) ")
CN_OPEN_CHANGE = re.compile(r"cn_open\s+([+-]\d+\.\d+) pp \[\s*([+-]\d+\.\d+),\s*([+-]\d+\.\d+)\]")
# The CLI prints percentage points to two decimals.
PRINTED = 0.005 + 1e-9


@pytest.fixture(scope="module")
def compared(stackrace, tmp_path_factory):
    """A compare file and what `stackrace compare` printed for it."""
    out = tmp_path_factory.mktemp("compare") / "cmp.h5"
    result = stackrace("compare", WORLDS_DIR / "policies" / "no_controls.toml",
                       WORLDS_DIR / "policies" / "full_embargo.toml", "-r", REPLICATES,
                       "--agents", "5000", "--steps", "12", "-o", out)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.fixture(scope="module")
def ds(compared):
    return stackrace.open(compared[0])


@pytest.fixture(scope="module")
def independent(stackrace, tmp_path_factory):
    """A compare file with independent seeds (Welch's intervals), at another level."""
    out = tmp_path_factory.mktemp("independent") / "cmp.h5"
    result = stackrace("compare", WORLDS_DIR / "policies" / "no_controls.toml",
                       WORLDS_DIR / "policies" / "full_embargo.toml", "-r", REPLICATES, "--independent-seeds",
                       "--confidence", "0.9", "--agents", "5000", "--steps", "12", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "90% confidence interval (independent seeds)" in result.stdout
    return out


def _world_lines(printed):
    block = printed.split("\nWorld\n")[1].split("\n\n")[0]
    return [WORLD_LINE.match(line).groups() for line in block.splitlines()]


def _country_lines(printed):
    block = printed.split("moved most")[1]
    return {m.group(1): CN_OPEN_CHANGE.search(line).groups()
            for line in block.splitlines() if (m := COUNTRY_LINE.match(line))}


def test_world_effects_match_what_the_cli_prints(ds, compared):
    lines = _world_lines(compared[1])
    assert len(lines) == 12  # 3 kinds x 4 stacks
    for kind, stack, mean, low, high in lines:
        world = comparison.effects(ds, kind=kind, stack=stack).loc[comparison.WORLD]
        for ours, printed in [(world.difference, mean), (world.ci_low, low), (world.ci_high, high)]:
            assert abs(100 * ours - float(printed)) <= PRINTED, (kind, stack, ours, printed)
        assert world.n == REPLICATES


def test_country_effects_match_the_cli_for_the_countries_it_lists(ds, compared):
    printed = _country_lines(compared[1])
    assert printed, compared[1]
    table = comparison.effects(ds, kind="developer", stack="cn_open", countries=list(printed))
    for code, (mean, low, high) in printed.items():
        row = table.loc[code]
        assert abs(100 * row.difference - float(mean)) <= PRINTED
        assert abs(100 * row.ci_low - float(low)) <= PRINTED
        assert abs(100 * row.ci_high - float(high)) <= PRINTED
    # By default the same countries qualify (at least 100 developer agents) as in the CLI.
    assert set(comparison.effects(ds).index[1:]) == set(printed)


def test_effects_match_a_hand_computation_from_the_raw_file(ds, compared):
    with h5py.File(compared[0], "r") as f:
        countries = [c.decode() for c in f["country"][()]]
        stacks = [s.decode() for s in f["stack"][()]]
        share = f["share"][:, -1, countries.index("CHN"), 2, stacks.index("cn_open")].astype(float)
        world = f["global_share"][:, -1, 2, stacks.index("cn_open")].astype(float)
    table = comparison.effects(ds, kind="developer", stack="cn_open", countries=["CHN"])
    for label, values in [(comparison.WORLD, world), ("CHN", share)]:
        base, alt = values[:REPLICATES], values[REPLICATES:]
        diff = alt - base
        half = stats.t.ppf(0.975, REPLICATES - 1) * diff.std(ddof=1) / np.sqrt(REPLICATES)
        row = table.loc[label]
        assert row.base == pytest.approx(base.mean())
        assert row.alternative == pytest.approx(alt.mean())
        assert row.difference == pytest.approx(diff.mean())
        assert row.ci_low == pytest.approx(diff.mean() - half)
        assert row.ci_high == pytest.approx(diff.mean() + half)
        # and scipy's paired t-test gives the same interval
        low, high = stats.ttest_rel(alt, base).confidence_interval(0.95)
        assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert table.loc["CHN", "country_name"] == "China"
    assert table.attrs["interval"] == "paired t" and table.attrs["time"] == "2027-01"


def test_rows_are_world_first_then_by_size_of_the_change(ds):
    table = comparison.effects(ds, countries=50, min_agents=0)
    assert table.index[0] == comparison.WORLD and table["country_name"].iloc[0] == "World"
    changes = table["difference"].abs().to_numpy()[1:]
    assert (np.diff(changes) <= 0).all()
    assert len(table) == 51
    assert list(table.columns) == comparison.COLUMNS
    assert len(comparison.effects(ds, countries=3)) == 4
    assert len(comparison.effects(ds, min_agents=0)) == 1 + comparison.DEFAULT_TOP


def _hand_computed_effects(path, share_name):
    """The effect on every cell of `share_name`, by the rules the README states, with scipy's t."""
    with h5py.File(path, "r") as f:
        values = f[share_name][()].astype(float)  # (run, ...)
        arm, replicate = f["scenario_of_run"][()], f["replicate"][()]
        level, interval = float(f.attrs["effect_confidence"]), f.attrs["effect_interval"]
    base = values[arm == 0][np.argsort(replicate[arm == 0])]
    alt = values[arm == 1][np.argsort(replicate[arm == 1])]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells: a country without agents of a kind
        if interval == "paired t":
            d = alt - base
            n = (~np.isnan(d)).sum(axis=0)
            mean = np.nanmean(d, axis=0)
            se = np.nanstd(d, axis=0, ddof=1) / np.sqrt(n)
            df = n - 1.0
        else:
            nb, na = (~np.isnan(base)).sum(axis=0), (~np.isnan(alt)).sum(axis=0)
            n = np.minimum(nb, na)
            mean = np.nanmean(alt, axis=0) - np.nanmean(base, axis=0)
            vb, va = np.nanvar(base, axis=0, ddof=1) / nb, np.nanvar(alt, axis=0, ddof=1) / na
            se = np.sqrt(vb + va)
            df = (vb + va) ** 2 / (vb**2 / (nb - 1) + va**2 / (na - 1))
        half = np.where(se > 0, stats.t.ppf((1 + level) / 2, np.where(se > 0, df, 1.0)) * se, 0.0)
        half = np.where(n >= 2, half, np.nan)
    return {"": mean, "_low": mean - half, "_high": mean + half, "_n": n}, interval


@pytest.mark.parametrize("which", ["compared", "independent"])
@pytest.mark.parametrize("prefix, share_name", [("effect", "share"), ("global_effect", "global_share")])
def test_the_file_holds_the_effect_on_every_cell(request, which, prefix, share_name):
    path = request.getfixturevalue(which)
    path = path[0] if isinstance(path, tuple) else path
    expected, interval = _hand_computed_effects(path, share_name)
    assert interval == ("paired t" if which == "compared" else "Welch")
    with h5py.File(path, "r") as f:
        mean, low, high, n = (f[prefix + suffix][()] for suffix in ("", "_low", "_high", "_n"))
        assert mean.shape == low.shape == high.shape == n.shape == f[share_name].shape[1:]
    np.testing.assert_array_equal(n, expected["_n"])
    np.testing.assert_allclose(mean, expected[""], rtol=1e-9, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose((low + high) / 2, mean, rtol=1e-12, atol=1e-15, equal_nan=True)
    # scipy 1.10's t quantile is good to about 1e-9 (t_0.95(4) = 2.1318467813 against the
    # exact 2.1318467863 that Boost gives): the widths agree to that.
    np.testing.assert_allclose(high - low, expected["_high"] - expected["_low"], rtol=1e-8, atol=1e-12,
                               equal_nan=True)
    # never infinite; where the runs agree (no spread: e.g. a small country's government
    # in both arms), zero width, not undefined
    assert not np.isinf(low).any() and not np.isinf(high).any()
    assert np.isnan(low[n < 2]).all() and not np.isnan(low[n >= 2]).any()
    if prefix == "effect":
        assert (low == high)[n >= 2].any()


def test_effects_are_read_from_the_file_not_recomputed(ds):
    # What the file says is what effects() reports, whatever the runs hold.
    edited = ds.assign(global_effect_low=ds.global_effect_low - 1.0, effect_high=ds.effect_high + 1.0)
    ours = comparison.effects(edited, countries=["CHN"])
    theirs = comparison.effects(ds, countries=["CHN"])
    assert ours.loc[comparison.WORLD, "ci_low"] == pytest.approx(theirs.loc[comparison.WORLD, "ci_low"] - 1.0)
    assert ours.loc["CHN", "ci_high"] == pytest.approx(theirs.loc["CHN", "ci_high"] + 1.0)
    assert ours.loc["CHN", "difference"] == theirs.loc["CHN", "difference"]


def test_independent_seeds_give_welch_intervals(independent):
    ds = stackrace.open(independent)
    table = comparison.effects(ds, countries=0)
    row = table.loc[comparison.WORLD]
    values = ds.global_share.isel(time=-1).sel(kind="developer", stack="cn_open").values.astype(float)
    base, alt = values[:REPLICATES], values[REPLICATES:]
    vb, va = base.var(ddof=1) / REPLICATES, alt.var(ddof=1) / REPLICATES
    df = (vb + va) ** 2 / (vb**2 / (REPLICATES - 1) + va**2 / (REPLICATES - 1))
    half = stats.t.ppf(0.95, df) * np.sqrt(vb + va)  # a 90% interval
    assert row.difference == pytest.approx(alt.mean() - base.mean())
    assert (row.ci_low, row.ci_high) == (pytest.approx(row.difference - half), pytest.approx(row.difference + half))
    assert table.attrs["interval"] == "Welch" and table.attrs["confidence"] == 0.9


def test_another_confidence_level_than_the_files_is_refused(ds, independent):
    assert comparison.effects(ds, countries=0, confidence=0.95).attrs["confidence"] == 0.95
    with pytest.raises(ValueError, match=r"holds 95% intervals, not 90%.*--confidence 0.9"):
        comparison.effects(ds, confidence=0.9)
    with pytest.raises(ValueError, match="holds 90% intervals, not 95%"):
        comparison.effects(stackrace.open(independent), confidence=0.95)


def test_a_compare_file_without_effects_is_refused_with_what_to_do(compared, tmp_path):
    old = tmp_path / "old.h5"
    shutil.copy(compared[0], old)
    with h5py.File(old, "a") as f:  # as `stackrace compare` wrote it before it stored its effects
        for name in comparison.EFFECT_VARIABLES:
            del f[name]
        del f.attrs["effect_confidence"], f.attrs["effect_interval"]
    with pytest.raises(ValueError, match=r"has no effects .*re-run `stackrace compare`"):
        comparison.effects(stackrace.open(old))


def test_time_is_a_position_or_a_month(ds):
    by_date = comparison.effects(ds, time="2026-07", countries=["CHN"])
    by_index = comparison.effects(ds, time=6, countries=["CHN"])
    np.testing.assert_array_equal(by_date["difference"].to_numpy(), by_index["difference"].to_numpy())
    assert by_date.attrs["time"] == "2026-07" and by_date.attrs["month"] == 6
    with pytest.raises(KeyError, match="2040-01"):
        comparison.effects(ds, time="2040-01")


def test_effects_need_a_compare_file(ds):
    run_like = ds.isel(run=[0])
    run_like.attrs = {**ds.attrs, "command": "run"}  # a new dict: the module's ds keeps its own
    with pytest.raises(ValueError, match="not a compare file"):
        comparison.effects(run_like)
    with pytest.raises(KeyError, match="XXX"):
        comparison.effects(ds, countries=["CHN", "XXX"])


def test_the_ranking_threshold_is_the_one_the_file_records(ds, compared):
    threshold = ds.attrs["min_ranked_developer_agents"]
    assert f"(of those with at least {threshold} developer agents)" in compared[1]
    agents = ds["agents"].sel(kind="developer")
    assert set(outcomes.countries_with_agents(ds, "developer")) == set(ds.country.values[agents >= threshold])
    assert outcomes.min_ranked_agents(ds, "firm") == 0
    stricter = ds.copy()
    stricter.attrs = {**ds.attrs, "min_ranked_developer_agents": int(agents.max())}
    assert list(outcomes.countries_with_agents(stricter, "developer")) == [str(agents.idxmax().values)]
    assert list(comparison.effects(stricter).index) == [comparison.WORLD, str(agents.idxmax().values)]
    # files from before the attribute were ranked with 100
    older = ds.copy()
    older.attrs = {k: v for k, v in ds.attrs.items() if k != "min_ranked_developer_agents"}
    assert outcomes.min_ranked_agents(older, "developer") == 100


def test_the_module_loads_lazily_from_the_package():
    assert stackrace.comparison is comparison
    assert "comparison" in stackrace.__all__


# --- outcomes: one value per run -------------------------------------------------------


def test_global_and_country_share_outcomes(ds):
    final = outcomes.global_share_at("developer", "cn_open")
    values = final(ds)
    assert values.dims == ("run",) and values.sizes["run"] == 2 * REPLICATES
    np.testing.assert_array_equal(values.values, ds.global_share.isel(time=-1).sel(kind="developer",
                                                                                   stack="cn_open").values)
    assert "cn_open" in final.label and "2027-01" in values.attrs["long_name"]
    assert "arm" in values.coords  # per-run coordinates stay for grouping
    china = outcomes.country_share_at("CHN", "developer", "cn_open", "2026-07")(ds)
    np.testing.assert_array_equal(china.values, ds.share.isel(time=6).sel(country="CHN", kind="developer",
                                                                           stack="cn_open").values)


def test_majority_and_months_to_reach(ds):
    us = outcomes.majority("developer", "us_closed")(ds)
    assert us.dtype == bool and us.all()  # most developers use the US stack in the default world
    assert not outcomes.majority("developer", "cn_open")(ds).any()
    assert outcomes.majority("developer", "cn_open", country="CHN")(ds).all()
    reach = outcomes.months_to_reach("developer", "us_closed", 0.5)(ds)
    assert (reach == 0).all()  # already there at the start
    never = outcomes.months_to_reach("developer", "cn_open", 0.99)(ds)
    assert np.isnan(never).all()
    capped = outcomes.months_to_reach("developer", "cn_open", 0.99, never=999)(ds)
    assert (capped == 999).all()


def test_a_majority_where_there_is_no_one_is_undefined_not_false(ds):
    # as in a country without firm agents: its shares are NaN
    emptied = ds.assign(share=ds.share.where(ds.country != "CHN"))
    holds = outcomes.majority("firm", "us_closed", country="CHN")(emptied)
    assert holds.isnull().all()
    assert outcomes.majority("firm", "us_closed", country="USA")(emptied).dtype == bool


def test_the_posterior_spread_is_read_from_a_compare_over_draws(ds, tmp_path):
    # The world's change split as `stackrace compare --draws` prints it, from what it wrote.
    out = tmp_path / "draws.h5"
    result = stackrace.engine.compare(WORLDS_DIR / "policies" / "no_controls.toml",
                                      WORLDS_DIR / "policies" / "full_embargo.toml", out, replicates=2, draws=3,
                                      agents=5000, steps=6)
    table = comparison.posterior_spread(result, kind="developer")
    assert list(table.index) == ["none", "us_closed", "cn_open", "us_open"] and table.attrs["draws"] == 3
    with h5py.File(out, "r") as f:
        k = [s.decode() for s in f["stack"][()]].index("cn_open")
        n = [s.decode() for s in f["kind"][()]].index("developer")
        assert table.loc["cn_open", "parameter_sd"] == f["global_effect_parameter_sd"][-1, n, k]
        assert table.loc["cn_open", "draw_low"] == f["global_effect_draw_low"][-1, n, k]
        assert table.loc["cn_open", "difference"] == f["global_effect"][-1, n, k]
    assert (table["draw_low"] <= table["draw_high"]).all() and (table["noise_sd"] >= 0).all()
    with pytest.raises(ValueError, match="not run over posterior draws"):
        comparison.posterior_spread(ds)
