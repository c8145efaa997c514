"""The results MODEL.md states about the default world, as checks on any run of it.

Each `Claim` turns a dataset (`stackrace.open` of `stackrace run worlds/default.toml`,
one run or many: replicates, posterior draws) into one value per run and says whether
the statement holds in that run. `bench/claims.py` runs them over posterior draws and
agent counts and prints the table MODEL.md (section 1) quotes; the tests hold the draws
to them (each claim in the share of runs it `required`).

    >>> ds = stackrace.open("results/default.h5")
    >>> for claim in stackrace.claims.DEFAULT_WORLD:
    ...     print(claim.name, claim.holds(ds).mean())
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import xarray as xr

__all__ = ["Claim", "DEFAULT_WORLD", "check", "lag_months", "tipped_countries", "cn_share_of_users",
           "developer_leakage", "large_countries", "frontier_growth"]


@dataclass(frozen=True)
class Claim:
    name: str
    statement: str                                   # as MODEL.md words it
    value: Callable[[xr.Dataset], np.ndarray]        # one value per run
    test: Callable[[np.ndarray], np.ndarray]         # whether it holds, per run
    unit: str = ""
    # The share of runs it must hold in: 1 for what follows from the model in every run;
    # less where noise crosses the threshold in a few draws (tipping, the leakage bound).
    required: float = 1.0

    def values(self, ds: xr.Dataset) -> np.ndarray:
        return np.asarray(self.value(ds), dtype=float)

    def holds(self, ds: xr.Dataset) -> np.ndarray:
        return np.asarray(self.test(self.values(ds)), dtype=bool)


def _world_share(ds: xr.Dataset, kind: str, stack: str, time: int) -> np.ndarray:
    return ds["global_share"].sel(kind=kind, stack=stack).isel(time=time).values


def _peak_then_fall(ds: xr.Dataset) -> np.ndarray:
    """How far the world's developer share on cn_open rises above its start and ends below
    it, whichever is less (share points): positive when it does both."""
    share = ds["global_share"].sel(kind="developer", stack="cn_open").transpose("run", "time").values
    return np.minimum(share.max(axis=1) - share[:, 0], share[:, 0] - share[:, -1])


def _scenario(ds: xr.Dataset) -> dict:
    import tomllib
    return tomllib.loads(ds.attrs["scenario"])


def frontier_growth(ds: xr.Dataset, leader: str = "us_closed") -> float:
    """The leader's capability growth a month, from the run's own scenario: a month of lag."""
    return float(next(s for s in _scenario(ds)["stacks"] if s["id"] == leader)["capability_growth"])


def lag_months(ds: xr.Dataset, stack: str, time: int = -1) -> np.ndarray:
    """A stack's lag behind the leader (`us_closed`), in months of frontier growth."""
    capability = ds["capability"].isel(time=time)
    return ((capability.sel(stack="us_closed") - capability.sel(stack=stack)) / frontier_growth(ds)).values


def _developer_agents(ds: xr.Dataset) -> xr.DataArray:
    return ds["agents"].sel(kind="developer")


def large_countries(ds: xr.Dataset, min_share: float = 0.005) -> np.ndarray:
    """Countries holding at least `min_share` of the world's (real) developers: the same
    set at any agent count, each with enough agents that its share is not a few agents'."""
    real = (ds["weight"] * ds["agents"]).sel(kind="developer")
    return (real / real.sum() >= min_share).values


def tipped_countries(ds: xr.Dataset, *, threshold: float = 0.95, min_share: float = 0.005, time: int = -1,
                     stack: str | None = None) -> np.ndarray:
    """Per run, how many of the `large_countries` have more than `threshold` of their
    developers on `stack` (None: on any one AI stack)."""
    share = ds["share"].sel(kind="developer").isel(time=time).values[:, large_countries(ds, min_share), :]
    stacks = list(ds["stack"].values)
    ai = [i for i, s in enumerate(stacks) if s != "none"]
    if stack is None:
        return (share[:, :, ai].max(axis=2) > threshold).sum(axis=1)
    return (share[:, :, stacks.index(stack)] > threshold).sum(axis=1)


def cn_share_of_users(ds: xr.Dataset, time: int = -1) -> xr.DataArray:
    """cn_open's share of each country's AI-using developers: run x country."""
    share = ds["share"].sel(kind="developer").isel(time=time)
    users = 1.0 - share.sel(stack="none")
    return (share.sel(stack="cn_open") / users.where(users > 0)).fillna(0.0)


def _tier_means(ds: xr.Dataset, time: int, min_share: float = 0.001) -> dict[int, np.ndarray]:
    """cn_open's mean share of AI-using developers in each export-control tier, over the
    countries holding `min_share` of the world's developers (the same at any agent count)."""
    cn = cn_share_of_users(ds, time)
    large = large_countries(ds, min_share)
    tiers = ds["country_tier"].values
    return {t: cn.values[:, large & (tiers == t)].mean(axis=1) for t in (1, 2, 3)}


def _china_highest(ds: xr.Dataset, min_share: float = 0.001) -> np.ndarray:
    """Whether China's is the highest among the countries holding `min_share` of the
    world's developers (in a smaller one a share is a few agents' choice)."""
    cn = cn_share_of_users(ds, 12).where(xr.DataArray(large_countries(ds, min_share), dims="country"))
    return (cn.sel(country="CHN") >= cn.max(dim="country")).values.astype(float)


def _tier_order(ds: xr.Dataset) -> np.ndarray:
    m = _tier_means(ds, 12)
    return ((m[3] > m[2]) & (m[2] > m[1])).astype(float)


def _quarters_rising(ds: xr.Dataset) -> np.ndarray:
    """Quarters of 2026 in which cn_open's world developer share rose (of 4)."""
    share = ds["global_share"].sel(kind="developer", stack="cn_open").values  # run, time
    return sum((share[:, q + 3] > share[:, q]).astype(int) for q in (0, 3, 6, 9))


def developer_leakage(ds: xr.Dataset, stack: str) -> dict[str, float]:
    """Where the run's scenario does not serve `stack` to developers at its end: country ->
    the leakage (the share of agents who can still get it), from its `[[availability]]`."""
    scenario = _scenario(ds)
    end = str(ds["time"].values[-1])[:7]
    leakage: dict[str, float] = {}
    for a in scenario.get("availability", []):
        kinds = a.get("kinds", ["developer"])
        if a["stack"] != stack or "developer" not in kinds or a.get("start", "0000-00") > end:
            continue
        if a.get("end") and a["end"] <= end:
            continue
        for c in a["targets"]:
            leakage[c] = min(leakage.get(c, 1.0), float(a.get("leakage", 0.0)))
    return leakage


def _unserved_within_leakage(ds: xr.Dataset) -> np.ndarray:
    """Largest excess, over the countries us_closed does not serve, of its developer
    share above their leakage, in standard deviations of the share's sampling noise
    (binomial over the country's developer agents): positive is above the leakage."""
    share = ds["share"].sel(kind="developer", stack="us_closed").isel(time=-1)
    excess = []
    for country, leakage in developer_leakage(ds, "us_closed").items():
        n = float(_developer_agents(ds).sel(country=country))
        sd = np.sqrt(max(leakage * (1 - leakage), 1.0 / n) / n)
        excess.append((share.sel(country=country).values - leakage) / sd)
    return np.max(excess, axis=0)


DEFAULT_WORLD: tuple[Claim, ...] = (
    Claim("developers_adopt",
          "almost every developer uses AI by 2036 (fewer than 1% do not)",
          lambda ds: _world_share(ds, "developer", "none", -1), lambda v: v < 0.01, "share"),
    Claim("cn_open_developers_peak",
          "cn_open's world developer share rises from 2026 to a peak, then falls to end 2036 below where it "
          "started: China's share of the world's developers shrinks (talent) and cn_open falls behind (capital)",
          _peak_then_fall, lambda v: v > 0, "share points"),
    Claim("us_open_developers_fall",
          "us_open's world developer share falls from 2026 to 2036",
          lambda ds: _world_share(ds, "developer", "us_open", -1) - _world_share(ds, "developer", "us_open", 0),
          lambda v: v < 0, "share points"),
    Claim("cn_open_firms_rise",
          "firms' cn_open share rises from 2026 to 2036",
          lambda ds: _world_share(ds, "firm", "cn_open", -1) - _world_share(ds, "firm", "cn_open", 0),
          lambda v: v > 0, "share points"),
    Claim("countries_tip",
          "countries tip: more than half of the countries holding 0.5%+ of the world's developers "
          "end with over 95% of their developers on one stack (with the network off, about a third do)",
          lambda ds: tipped_countries(ds) / int(large_countries(ds).sum()),
          lambda v: v > 0.5, "share of countries", required=0.95),
    Claim("cn_open_lag_widens",
          "cn_open's lag ends between 8 and 15 months (it starts at 7)",
          lambda ds: lag_months(ds, "cn_open"), lambda v: (v > 8) & (v < 15), "months"),
    Claim("cn_compute_falls_behind",
          "the cn bloc's compute relative to the us bloc's falls from 0.20 to below 0.15 by 2036 (capital)",
          lambda ds: (ds["bloc_compute"].sel(bloc="cn") / ds["bloc_compute"].sel(bloc="us")).isel(time=-1).values,
          lambda v: v < 0.15, "ratio"),
    Claim("physical_firms_lean_cn",
          "physical-sector firms use cn_open more than virtual-sector firms do in 2036",
          lambda ds: (ds["global_sector_share"].sel(sector="physical", stack="cn_open")
                      - ds["global_sector_share"].sel(sector="virtual", stack="cn_open")).isel(time=-1).values,
          lambda v: v > 0, "share points"),
    Claim("unserved_within_leakage",
          "us_closed's developer share in every country it does not serve stays within its "
          "leakage (up to 3 sd of sampling noise above it)",
          # 3 sd over a dozen countries a draw: noise alone passes it in a draw now and then.
          _unserved_within_leakage, lambda v: v <= 3, "sd above leakage", required=0.95),
    Claim("china_highest",
          "cn_open's share of AI-using developers is highest in China (end of 2026; among the "
          "countries holding 0.1%+ of the world's developers)",
          _china_highest, lambda v: v > 0.5),
    Claim("tier_order",
          "cn_open's share of AI-using developers: Tier 3 > Tier 2 > Tier 1 (end of 2026; mean "
          "over the countries holding 0.1%+ of the world's developers)",
          _tier_order, lambda v: v > 0.5),
    Claim("tier1_low",
          "cn_open's share of AI-using developers is below 10% in Tier 1 (end of 2026)",
          lambda ds: _tier_means(ds, 12)[1], lambda v: v < 0.10, "share"),
    Claim("cn_open_rises_through_2026",
          "cn_open's world developer share rises in every quarter of 2026",
          _quarters_rising, lambda v: v == 4, "quarters of 4"),
)


def check(ds: xr.Dataset, claims=DEFAULT_WORLD):
    """A table, one row per claim: the share of runs in which it holds (and must), and
    the median and 5%-95% range of its value over the runs."""
    import pandas as pd
    rows = []
    for claim in claims:
        v = claim.values(ds)
        rows.append({"claim": claim.name, "holds": float(claim.holds(ds).mean()), "required": claim.required,
                     "median": float(np.median(v)), "low": float(np.quantile(v, 0.05)),
                     "high": float(np.quantile(v, 0.95)), "unit": claim.unit})
    return pd.DataFrame(rows).set_index("claim")
