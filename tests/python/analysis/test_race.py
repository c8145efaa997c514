"""The race by layer (stackrace.race; README, "The result file"; MODEL.md 7.8b): each
bloc's share of every layer is the file's own figures summed by bloc, the frontier is the
bloc's least-lagged stack, and the usage outcomes read the usage datasets."""
import numpy as np
import pytest

import stackrace
from stackrace import outcomes, race
from conftest import WORLDS_DIR


@pytest.fixture(scope="module")
def run_ds(run_to_file):
    return stackrace.open(run_to_file(WORLDS_DIR / "default.toml", "--agents", "20000", "--steps", "24",
                                      name="race_run.h5"))


def test_each_layer_splits_among_blocs_and_the_frontier_is_the_least_lag(run_ds):
    table = race.table(run_ds)
    assert table.attrs["time"] == "2028-01"
    for layer in race.LAYERS[1:]:
        np.testing.assert_allclose(table[layer].sum(axis=1), 1.0, atol=1e-6)
    lag = run_ds.lag.isel(time=-1)
    assert table[("frontier", "us")].iloc[0] == 0.0  # us_closed leads
    assert table[("frontier", "cn")].iloc[0] == pytest.approx(float(lag.sel(stack="cn_open")))
    # Developers' adopters by bloc: global_share over the AI stacks, us = us_closed + us_open.
    share = run_ds.global_share.isel(time=-1).sel(kind="developer")
    us = float(share.sel(stack="us_closed") + share.sel(stack="us_open")) / float(1 - share.sel(stack="none"))
    assert table[("developers adopters", "us")].iloc[0] == pytest.approx(us, rel=1e-5)
    # Physical firms' tokens: the file's sector tokens, summed over countries and blocs.
    tokens = run_ds.sector_tokens.isel(time=-1).sel(sector="physical").sum("country")
    cn = float(tokens.sel(stack="cn_open") / tokens.sum("stack"))
    assert table[("physical firms tokens", "cn")].iloc[0] == pytest.approx(cn, rel=1e-5)


def test_leaders_name_the_bloc_ahead_in_each_layer(run_ds):
    leaders = race.leaders(run_ds, time="2027-01")
    assert leaders.loc["frontier", "leader"] == "us"
    assert leaders.loc["developers adopters", "leader"] == "us"
    assert (leaders["share of runs"] == 1.0).all()  # one run
    # Cheap tokens are used for more: cn's share of developers' tokens exceeds its share of them.
    assert leaders.loc["developers tokens", "mean cn"] > leaders.loc["developers adopters", "mean cn"]


def test_usage_outcomes_read_the_usage_datasets(run_ds):
    usage = outcomes.usage_share_at("firm", "cn_open")(run_ds)
    assert float(usage[0]) == pytest.approx(float(run_ds.global_usage_share.isel(time=-1).sel(kind="firm",
                                                                                             stack="cn_open")))
    assert "tokens" in usage.attrs["long_name"]
    physical = outcomes.sector_share_at("physical", "cn_open", 0)(run_ds)
    assert float(physical[0]) == pytest.approx(float(run_ds.global_sector_share.isel(time=0).sel(
        sector="physical", stack="cn_open")))
    assert float(outcomes.lag_at("cn_open", 0)(run_ds)[0]) == 7.0


def test_a_file_from_before_usage_is_refused_with_a_reason(run_ds):
    with pytest.raises(ValueError, match="no lag, global_usage_share.*run it again"):
        race.table(run_ds.drop_vars(["lag", "global_usage_share"]))


@pytest.fixture(scope="module")
def compare_ds(compare_to_file):
    return stackrace.open(compare_to_file("ai_diffusion_rule_2025.toml",
                                          "--agents", "20000", "--steps", "24", "--replicates", "3"))


def test_a_policys_effect_on_every_layer_is_the_arms_paired_difference(compare_ds):
    effects = race.effects(compare_ds)
    assert effects.attrs["time"] == "2028-01"
    table = race.table(compare_ds)
    arm = compare_ds["arm"].values
    base_name, alt_name = stackrace.comparison.arms(compare_ds)
    for column in [("developers tokens", "cn"), ("physical firms adopters", "us"), ("frontier", "cn")]:
        row = effects.loc[column]
        base, alternative = table[column].values[arm == base_name], table[column].values[arm == alt_name]
        assert row["base"] == pytest.approx(base.mean())
        assert row["difference"] == pytest.approx(alternative.mean() - base.mean())  # pairs' mean = means' difference
        assert row["ci_low"] <= row["difference"] <= row["ci_high"]
        assert row["n"] == 3
    # Capping Tier 2 with Chinese chips scarce moves Tier 2 developers toward us_closed
    # (MODEL.md 1, pattern 6): the us bloc's share of developers' tokens rises.
    assert effects.loc[("developers tokens", "us"), "difference"] > 0
