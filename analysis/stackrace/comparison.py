"""The effect of a policy: the change in a stack's share between the two arms of a compare file.

``stackrace compare BASE.toml ALT.toml -r R`` writes 2R runs: runs of the base
scenario and of the alternative, replicate i of both drawn with the same seed and
random streams (common random numbers). The difference alternative − base is then
estimated per replicate pair, which cancels most of the run-to-run noise::

    table = stackrace.comparison.effects(ds, kind="developer", stack="cn_open")
    table.loc["World", ["difference", "ci_low", "ci_high"]]

gives the world's change and its paired interval as `stackrace compare` prints them.
Countries are ranked by the absolute change on the chosen stack (the CLI ranks by the
largest change on any stack). Both use the exact t quantile, at fractional degrees of
freedom for Welch's intervals (independent seeds).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from . import io
from .outcomes import Time, countries_with_agents, time_index, time_label

__all__ = ["effects", "arms", "run_groups", "paired_interval", "welch_interval", "WORLD", "DEFAULT_TOP"]

# The index label of the world's row (no ISO3 code names the world).
WORLD = "World"
# Countries listed by default: as many as `stackrace compare` prints.
DEFAULT_TOP = 15

COLUMNS = ["country_name", "base", "alternative", "difference", "ci_low", "ci_high", "n"]


def arms(ds: xr.Dataset) -> tuple[str, str]:
    """The names of the base and the alternative scenario of a compare file."""
    if io.file_kind(ds) != "compare" or "arm" not in ds.coords:
        raise ValueError(f"not a compare file (command = {io.file_kind(ds)!r}): "
                         "effects need the two arms that `stackrace compare` writes")
    names = ds.attrs.get("arms")  # stackrace.open's labels: distinct even when the names are not
    if names is None:
        names = [str(n) for n in ds["scenario"].values]
    return str(names[0]), str(names[1])


def run_groups(ds: xr.Dataset) -> list[tuple[str | None, np.ndarray]]:
    """The runs to summarise together: (arm, run positions) for each arm of a compare
    file, else (None, all runs)."""
    if io.file_kind(ds) == "compare" and "arm" in ds.coords:
        arm = ds["arm"].values
        return [(name, np.flatnonzero(arm == name)) for name in arms(ds)]
    return [(None, np.arange(ds.sizes["run"]))]


def effects(ds: xr.Dataset, *, kind: str = "developer", stack: str = "cn_open", time: Time = -1,
            confidence: float = 0.95, countries: int | Sequence[str] | None = None,
            min_agents: int | None = None) -> pd.DataFrame:
    """The change in the share of ``kind`` agents on ``stack`` (alternative − base), world and countries.

    Parameters
    ----------
    ds : a compare file from ``stackrace.open``.
    kind, stack : which share: e.g. developers on ``cn_open``.
    time : position on ``time`` (-1, the last month, is what the CLI reports) or a date ("2030-01").
    confidence : level of the confidence intervals.
    countries : None for the ``DEFAULT_TOP`` (15) countries that moved most, an int for
        that many, or a list of ISO3 codes for just those.
    min_agents : when ranking, leave out countries with fewer agents of ``kind`` (one
        agent's move is then a large share). None: the CLI's rule, 100 developer agents
        for developers, none for firms and governments. Not applied to a list of countries.

    Returns
    -------
    DataFrame indexed by ``country`` (``WORLD`` for the world's row, then ISO3 codes),
    columns ``country_name``, ``base`` and ``alternative`` (mean share of each arm),
    ``difference`` (mean of alternative − base), ``ci_low``, ``ci_high`` and ``n`` (the
    replicate pairs, or the runs per arm with independent seeds). The world (from
    ``global_share``) comes first, then the countries (from ``share``) by decreasing
    absolute difference. Countries without agents of ``kind`` have no row.

    The intervals are paired t-intervals over replicate pairs (matched on ``replicate``)
    when the file used common random numbers, Welch's otherwise (``--independent-seeds``);
    ``attrs`` records which, with kind, stack, month, confidence and the arms' names.
    Shares are fractions (0..1); multiply by 100 for percentage points.
    """
    base_name, alt_name = arms(ds)
    t = time_index(ds, time)
    places, names = _places(ds, kind, stack, t, countries, min_agents)
    values = _shares(ds, kind, stack, t, places)  # (run, place)
    base, alt = _split_arms(ds, values, base_name, alt_name)
    paired = str(ds.attrs.get("common_random_numbers", "")).lower() == "true" and "replicate" in ds.coords
    if paired:
        base, alt = _pair_by_replicate(ds, base, alt, base_name, alt_name)
        difference, low, high, n = paired_interval(base, alt, confidence)
    else:
        difference, low, high, n = welch_interval(base, alt, confidence)

    table = pd.DataFrame({"country_name": names, "base": base.mean(axis=0), "alternative": alt.mean(axis=0),
                          "difference": difference, "ci_low": low, "ci_high": high, "n": n},
                         index=pd.Index([WORLD, *places[1:]], name="country"))[COLUMNS]
    table = _ranked(table, countries)
    table.attrs.update(kind=kind, stack=stack, time=time_label(ds, t), month=int(ds["month"].values[t])
                       if "month" in ds.coords else t, confidence=confidence, base=base_name,
                       alternative=alt_name, interval="paired t" if paired else "Welch")
    return table


def _places(ds, kind, stack, t, countries, min_agents):
    """The world then the candidate countries (ISO3), and their names."""
    if countries is None or isinstance(countries, (int, np.integer)):
        candidates = countries_with_agents(ds, kind, min_agents)
    else:
        candidates = np.asarray([str(c) for c in countries])
        unknown = sorted(set(candidates) - set(ds["country"].values))
        if unknown:
            raise KeyError(f"not countries of the file: {', '.join(unknown)}")
    names = ds["country_name"].sel(country=candidates).values if "country_name" in ds.coords else candidates
    return [None, *candidates], ["World", *map(str, names)]


def _shares(ds, kind, stack, t, places) -> np.ndarray:
    world = ds["global_share"].isel(time=t).sel(kind=kind, stack=stack).values
    local = ds["share"].isel(time=t).sel(kind=kind, stack=stack).sel(country=list(places[1:]))
    local = local.transpose("run", "country").values
    # float32 on file: differences are taken in double precision, as the CLI does.
    return np.column_stack([world, local]).astype(np.float64)


def _split_arms(ds, values, base_name, alt_name):
    arm = ds["arm"].values
    return values[arm == base_name], values[arm == alt_name]


def _pair_by_replicate(ds, base, alt, base_name, alt_name):
    # Runs of a dropped (failed) replicate have no partner: keep only complete pairs.
    arm, replicate = ds["arm"].values, ds["replicate"].values
    base_rep, alt_rep = replicate[arm == base_name], replicate[arm == alt_name]
    common = np.intersect1d(base_rep, alt_rep)
    order_base = [int(np.flatnonzero(base_rep == r)[0]) for r in common]
    order_alt = [int(np.flatnonzero(alt_rep == r)[0]) for r in common]
    return base[order_base], alt[order_alt]


def paired_interval(base: np.ndarray, alt: np.ndarray, confidence: float = 0.95):
    """Mean of alt − base over paired rows, its t-interval, and the number of pairs (per column)."""
    diff = np.asarray(alt, float) - np.asarray(base, float)
    n = diff.shape[0]
    mean = diff.mean(axis=0)
    if n < 2:
        return mean, np.full_like(mean, np.nan), np.full_like(mean, np.nan), np.full(mean.shape, n)
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * diff.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half, np.full(mean.shape, n)


def welch_interval(base: np.ndarray, alt: np.ndarray, confidence: float = 0.95):
    """Difference of means alt − base with Welch's t-interval (unequal variances), per column.

    ``n`` is the smaller arm's number of runs.
    """
    base, alt = np.asarray(base, float), np.asarray(alt, float)
    nb, na = base.shape[0], alt.shape[0]
    mean = alt.mean(axis=0) - base.mean(axis=0)
    n = np.full(mean.shape, min(nb, na))
    if min(nb, na) < 2:
        return mean, np.full_like(mean, np.nan), np.full_like(mean, np.nan), n
    vb, va = base.var(axis=0, ddof=1) / nb, alt.var(axis=0, ddof=1) / na
    se = np.sqrt(vb + va)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vb + va) ** 2 / (vb**2 / (nb - 1) + va**2 / (na - 1))
    # Both arms constant: no spread, the difference is exact.
    half = np.where(se > 0, stats.t.ppf((1 + confidence) / 2, np.where(se > 0, df, 1.0)) * se, 0.0)
    return mean, mean - half, mean + half, n


def _ranked(table: pd.DataFrame, countries) -> pd.DataFrame:
    world, rest = table.iloc[:1], table.iloc[1:]
    # No agents of the kind: NaN shares, no effect to report.
    rest = rest[rest["difference"].notna()]
    rest = rest.iloc[np.argsort(-rest["difference"].abs().values, kind="stable")]
    if countries is None or isinstance(countries, (int, np.integer)):
        rest = rest.iloc[: DEFAULT_TOP if countries is None else int(countries)]
    return pd.concat([world, rest])
