"""Groups of countries and stacks (stackrace.groups): a group's share weighs countries by
the real entities their agents stand for, so `all` is the file's global_share and one
country is its own share; a group's effect in a compare file uses the file's interval."""
import numpy as np
import pytest

import stackrace
from stackrace import groups
from conftest import WORLDS_DIR


@pytest.fixture(scope="module")
def run_ds(run_to_file):
    return stackrace.open(run_to_file(WORLDS_DIR / "default.toml", "--agents", "20000", "--steps", "6",
                                      name="groups_run.h5"))


@pytest.fixture(scope="module")
def compare_ds(compare_to_file):
    return stackrace.open(compare_to_file("full_embargo.toml", "-r", "4", "--agents", "20000", "--steps", "12"))


def test_the_world_is_the_global_share_and_a_country_its_own(run_ds):
    world = groups.share(run_ds, "all", kind="firm", stack="cn_open")
    np.testing.assert_allclose(world.values, run_ds.global_share.sel(kind="firm", stack="cn_open").values, rtol=1e-5)
    china = groups.share(run_ds, "CHN", kind="developer", stack="us_closed")
    np.testing.assert_allclose(china.values, run_ds.share.sel(country="CHN", kind="developer", stack="us_closed").values,
                               rtol=1e-6)


def test_targets_unite_and_exclude_as_scenarios_target_policies(run_ds):
    tier2 = groups.members(run_ds, "tier:2")
    assert tier2.sum() == (run_ds.country_tier.values == 2).sum()
    both = groups.members(run_ds, ["tier:3", "alignment:us"], exclude="USA")
    assert both[list(run_ds.country.values).index("CHN")] and not both[list(run_ds.country.values).index("USA")]
    with pytest.raises(ValueError, match="'region:Atlantis' names no country"):
        groups.members(run_ds, "region:Atlantis")


def test_stack_groups_follow_bloc_and_openness(run_ds):
    assert list(np.asarray(run_ds["stack"].values)[groups.stacks(run_ds, "open")]) == ["cn_open", "us_open"]
    assert list(np.asarray(run_ds["stack"].values)[groups.stacks(run_ds, "us")]) == ["us_closed", "us_open"]
    us = groups.share(run_ds, "all", kind="developer", stack="us")
    parts = sum(groups.share(run_ds, "all", kind="developer", stack=s) for s in ["us_closed", "us_open"])
    np.testing.assert_allclose(us.values, parts.values, rtol=1e-12)
    users = groups.share(run_ds, "all", kind="developer", stack=["us_closed", "cn_open", "us_open"], of_users=True)
    np.testing.assert_allclose(users.values, 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="no stack 'eu_open'"):
        groups.stacks(run_ds, "eu_open")


def test_a_groups_effect_is_what_compare_computes_for_the_world_and_for_a_country(compare_ds):
    world = groups.effect(compare_ds, "all", kind="developer", stack="us_closed")
    table = stackrace.comparison.effects(compare_ds, kind="developer", stack="us_closed", countries=["RUS"])
    for column in ("difference", "ci_low", "ci_high"):
        assert world[column] == pytest.approx(table.loc["World", column], abs=2e-6)
    russia = groups.effect(compare_ds, "RUS", kind="developer", stack="us_closed")
    for column in ("difference", "ci_low", "ci_high"):
        assert russia[column] == pytest.approx(table.loc["RUS", column], abs=2e-6)
    assert world["n"] == 4
    # A group of Tier 2: the embargo moves its developers toward US APIs (Chinese supply scarce).
    tier2 = groups.effect(compare_ds, "tier:2", kind="developer", stack="us_closed")
    assert tier2["ci_low"] > 0


def test_country_resolution_says_which_countries_have_agents_enough(run_ds):
    table = stackrace.outcomes.country_resolution(run_ds, "developer", "us_closed")
    usa = table.loc["USA"]
    agents = int(run_ds.agents.sel(kind="developer", country="USA"))
    share = float(run_ds.share.sel(kind="developer", stack="us_closed", country="USA").isel(time=-1).mean())
    assert usa.agents == agents and usa.share == pytest.approx(share)
    assert usa.resolution_sd == pytest.approx(np.sqrt(share * (1 - share) / agents))
    assert usa.low <= usa.share <= usa.high and usa.resolved  # thousands of US agents at 20,000
    # A country of one or two agents is not resolved, unless its share is exactly 0 or 1
    # (then its sd is 0: the table cannot tell; `agents` shows why).
    few = table[(table.agents > 0) & (table.agents <= 2) & (table.share > 0) & (table.share < 1)]
    assert len(few) and not few.resolved.any()
    # Sorted by the entities the agents stand for; a tighter bar resolves fewer countries.
    assert table.entities.is_monotonic_decreasing
    assert stackrace.outcomes.country_resolution(run_ds, "developer", "us_closed", max_sd=0.005).resolved.sum() \
        < table.resolved.sum()
