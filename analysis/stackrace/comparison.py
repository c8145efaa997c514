"""The effect of a policy: the change in a stack's share between the two arms of a compare file.

``stackrace compare BASE.toml ALT.toml -r R`` writes 2R runs: runs of the base
scenario and of the alternative, replicate i of both drawn with the same seed and
random streams (common random numbers). The difference alternative − base is then
estimated per replicate pair, which cancels most of the run-to-run noise::

    table = stackrace.comparison.effects(ds, kind="developer", stack="cn_open")
    table.loc["World", ["difference", "ci_low", "ci_high"]]

gives the world's change and its interval as `stackrace compare` prints them.

The changes and their intervals are computed once, by `stackrace compare`, for every
month, country, kind and stack, and stored in the file (``effect``, ``effect_low``,
``effect_high``, ``effect_n`` over time, country, kind, stack; ``global_effect*`` over
time, kind, stack; root attributes ``effect_confidence`` and ``effect_interval``):
this module reads them and does not recompute them. The rules (README, "The result
file"): paired t-intervals over replicate pairs with common random numbers, Welch's
(fractional degrees of freedom) with independent seeds, the exact t quantile; NaN
shares (no agents of the kind) are left out; n < 2 gives a NaN interval; no spread
gives a zero-width interval. Countries are ranked by the absolute change on the chosen
stack (the CLI ranks by the largest change on any stack).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from . import io
from .outcomes import Time, countries_with_agents, time_index, time_label

__all__ = ["effects", "posterior_spread", "effect_settings", "arm_difference", "arms", "run_groups", "EFFECT_VARIABLES", "WORLD", "DEFAULT_TOP"]

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
            confidence: float | None = None, countries: int | Sequence[str] | None = None,
            min_agents: int | None = None) -> pd.DataFrame:
    """The change in the share of ``kind`` agents on ``stack`` (alternative − base), world and countries.

    Parameters
    ----------
    ds : a compare file from ``stackrace.open``.
    kind, stack : which share: e.g. developers on ``cn_open``.
    time : position on ``time`` (-1, the last month, is what the CLI reports) or a date ("2030-01").
    confidence : the level of the intervals, which the file fixes (`stackrace compare
        --confidence`, 0.95 by default); None takes the file's, another level is refused.
    countries : None for the ``DEFAULT_TOP`` (15) countries that moved most, an int for
        that many, or a list of ISO3 codes for just those.
    min_agents : when ranking, leave out countries with fewer agents of ``kind`` (one
        agent's move is then a large share). None: the CLI's rule, the file's
        ``min_ranked_developer_agents`` for developers, none for firms and governments.
        Not applied to a list of countries.

    Returns
    -------
    DataFrame indexed by ``country`` (``WORLD`` for the world's row, then ISO3 codes),
    columns ``country_name``, ``base`` and ``alternative`` (mean share of each arm),
    ``difference`` (mean of alternative − base), ``ci_low``, ``ci_high`` and ``n`` (the
    replicate pairs, or the runs of the smaller arm with independent seeds). The world
    (from ``global_effect*``) comes first, then the countries (from ``effect*``) by
    decreasing absolute difference. Countries without agents of ``kind`` have no row.
    ``ci_low`` and ``ci_high`` are NaN where n < 2.

    The intervals are those `stackrace compare` wrote into the file: paired t-intervals
    over replicate pairs when it used common random numbers, Welch's otherwise
    (``--independent-seeds``), over all of the file's runs (a subset of ``ds.run`` does not
    change them). ``attrs`` records which, with kind, stack, month, confidence and the
    arms' names. Shares are fractions (0..1); multiply by 100 for percentage points.
    """
    base_name, alt_name = arms(ds)
    level, interval = effect_settings(ds)
    if confidence is not None and not np.isclose(confidence, level, rtol=0, atol=1e-12):
        raise ValueError(f"this compare file holds {100 * level:g}% intervals, not {100 * confidence:g}%: "
                         f"call effects() without confidence, or re-run `stackrace compare --confidence "
                         f"{confidence:g}` for other intervals")
    t = time_index(ds, time)
    places, names = _places(ds, kind, stack, t, countries, min_agents)
    values = _shares(ds, kind, stack, t, places)  # (run, place)
    arm = ds["arm"].values
    columns = {}
    for name, column in [("", "difference"), ("_low", "ci_low"), ("_high", "ci_high"), ("_n", "n")]:
        world = ds[f"global_effect{name}"].isel(time=t).sel(kind=kind, stack=stack).values
        local = ds[f"effect{name}"].isel(time=t).sel(kind=kind, stack=stack).sel(country=list(places[1:])).values
        columns[column] = np.concatenate([[world], local])
    table = pd.DataFrame({"country_name": names, "base": values[arm == base_name].mean(axis=0),
                          "alternative": values[arm == alt_name].mean(axis=0), **columns},
                         index=pd.Index([WORLD, *places[1:]], name="country"))[COLUMNS]
    table = _ranked(table, countries)
    table.attrs.update(kind=kind, stack=stack, time=time_label(ds, t), month=int(ds["month"].values[t])
                       if "month" in ds.coords else t, confidence=level, base=base_name,
                       alternative=alt_name, interval=interval)
    return table


# The datasets `stackrace compare` writes the effects into.
EFFECT_VARIABLES = tuple(f"{prefix}effect{suffix}" for prefix in ("", "global_")
                         for suffix in ("", "_low", "_high", "_n"))


def posterior_spread(ds: xr.Dataset, *, kind: str = "developer", time: Time = -1) -> pd.DataFrame:
    """For a compare file run over posterior draws (`stackrace compare --draws`), the
    world's change in each stack's share split as `stackrace compare` prints it: the mean
    change over every pair (`difference`, with its interval), the 90% range of the draws'
    mean changes (`draw_low`, `draw_high`), the parameters' sd (the draws' spread net of
    the noise in their means) and the model's own noise (a replicate pair's sd within a
    draw), one row per stack."""
    effect_settings(ds)
    if "global_effect_parameter_sd" not in ds.variables:
        raise ValueError("this compare file was not run over posterior draws: run "
                         "`stackrace compare BASE ALT --draws D` (or --posterior FILE)")
    t = time_index(ds, time)
    columns = {"difference": "global_effect", "ci_low": "global_effect_low", "ci_high": "global_effect_high",
               "draw_low": "global_effect_draw_low", "draw_high": "global_effect_draw_high",
               "parameter_sd": "global_effect_parameter_sd", "noise_sd": "global_effect_noise_sd"}
    table = pd.DataFrame({name: ds[var].isel(time=t).sel(kind=kind).values for name, var in columns.items()},
                         index=pd.Index(ds["stack"].values, name="stack"))
    table.attrs.update(draws=int(ds.attrs["posterior_draws"]), time=time_label(ds, time), kind=kind)
    return table


def arm_difference(ds: xr.Dataset, values: np.ndarray) -> dict:
    """The change in a per-run value (one entry a run of the compare file): ``base``,
    ``alternative`` (the arms' means), ``difference``, ``ci_low``, ``ci_high`` and ``n`` at
    the file's confidence level. With common random numbers the interval is a paired
    t-interval over replicate pairs, as `stackrace compare` computes it; with independent
    seeds, Welch's."""
    from scipy import stats  # only when asked for

    base_name, alt_name = arms(ds)
    level, interval = effect_settings(ds)
    arm = ds["arm"].values
    base, alternative = np.asarray(values)[arm == base_name], np.asarray(values)[arm == alt_name]
    if interval.startswith("paired"):
        order = np.argsort(ds["replicate"].values[arm == base_name]), np.argsort(ds["replicate"].values[arm == alt_name])
        pairs = alternative[order[1]] - base[order[0]]
        n, difference = pairs.size, float(pairs.mean())
        half = (stats.t.ppf(0.5 + level / 2, n - 1) * pairs.std(ddof=1) / np.sqrt(n)) if n >= 2 else np.nan
    else:
        n, difference = min(base.size, alternative.size), float(alternative.mean() - base.mean())
        vb, va = base.var(ddof=1) / base.size, alternative.var(ddof=1) / alternative.size
        freedom = (vb + va) ** 2 / (vb ** 2 / (base.size - 1) + va ** 2 / (alternative.size - 1)) if vb + va > 0 else 1
        half = stats.t.ppf(0.5 + level / 2, freedom) * np.sqrt(vb + va) if n >= 2 else np.nan
    return {"base": float(base.mean()), "alternative": float(alternative.mean()), "difference": difference,
            "ci_low": difference - half, "ci_high": difference + half, "n": n}


def effect_settings(ds: xr.Dataset) -> tuple[float, str]:
    """The confidence level and the kind of interval ("paired t" or "Welch") of the
    effects a compare file holds; a clear error for a file without them."""
    arms(ds)
    missing = [v for v in EFFECT_VARIABLES if v not in ds.variables]
    if missing or "effect_confidence" not in ds.attrs or "effect_interval" not in ds.attrs:
        version = ds.attrs.get("stackrace_version", "an older version")
        raise ValueError(f"this compare file (written by stackrace {version}) has no effects "
                         f"({', '.join(missing) or 'effect_confidence, effect_interval'} missing): "
                         "re-run `stackrace compare` to write a file that holds them")
    return float(ds.attrs["effect_confidence"]), str(ds.attrs["effect_interval"])


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
    return np.column_stack([world, local]).astype(np.float64)


def _ranked(table: pd.DataFrame, countries) -> pd.DataFrame:
    world, rest = table.iloc[:1], table.iloc[1:]
    # No agents of the kind: NaN shares, no effect to report.
    rest = rest[rest["difference"].notna()]
    rest = rest.iloc[np.argsort(-rest["difference"].abs().values, kind="stable")]
    if countries is None or isinstance(countries, (int, np.integer)):
        rest = rest.iloc[: DEFAULT_TOP if countries is None else int(countries)]
    return pd.concat([world, rest])
