"""The race by layer: which bloc leads the frontier, and which leads deployment and use.

"Model parity versus application dominance" asks whether the bloc behind at the
frontier can still lead where AI is deployed and used. A result file answers it per
run (README, "The result file"; MODEL.md 7.8b)::

    from stackrace import race
    race.table(ds)              # per run: each bloc's share of every layer, and its lag
    race.leaders(ds)            # per layer: which bloc leads, and in how many runs
    race.effects(compare_file)  # a policy's effect on every layer, with intervals

The layers:

- ``frontier``: months the bloc's best stack is behind the frontier (``lag``; lower leads);
- ``<kind> adopters``: the bloc's share of the kind's AI adopters (``global_share`` over
  the AI stacks), for developers, firms and governments;
- ``<kind> tokens``: its share of the kind's tokens (``global_usage_share``);
- ``virtual firms`` / ``physical firms``: its share of the sector's adopting firms
  (``global_sector_share``), and ``… tokens`` its share of their tokens
  (``sector_tokens`` summed over countries).

Blocs are the stacks' ``stack_bloc`` (``us``, ``cn``, ``other``); the outside option
counts in none.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .outcomes import Time, time_index, time_label

__all__ = ["by_bloc", "table", "leader", "leaders", "effects", "LAYERS"]

# Layer name -> how to read it: (variable, selection), or "frontier".
_KIND_NAMES = {"developer": "developers", "firm": "firms", "country": "governments"}
LAYERS = (["frontier"]
          + [f"{_KIND_NAMES[k]} adopters" for k in ("developer", "firm", "country")]
          + [f"{_KIND_NAMES[k]} tokens" for k in ("developer", "firm", "country")]
          + ["virtual firms adopters", "physical firms adopters", "virtual firms tokens", "physical firms tokens"])


def _ai_stacks(ds: xr.Dataset) -> xr.DataArray:
    return ds["stack_bloc"] != "none"


def by_bloc(values: xr.DataArray, ds: xr.Dataset) -> xr.DataArray:
    """``values`` over ``stack`` summed into blocs (the outside option left out), then
    divided by their total: each bloc's share of what the AI stacks hold. NaN where the
    AI stacks hold nothing."""
    ai = values.where(_ai_stacks(ds), drop=True)
    summed = ai.groupby(ds["stack_bloc"].where(_ai_stacks(ds), drop=True).rename("bloc")).sum("stack")
    total = summed.sum("bloc")
    return summed / total.where(total > 0)


def _frontier(ds: xr.Dataset, t: int) -> xr.DataArray:
    # The bloc's best (least-lagged) stack; blocs without an AI stack are left out.
    lag = ds["lag"].isel(time=t).where(_ai_stacks(ds), drop=True)
    return lag.groupby(ds["stack_bloc"].where(_ai_stacks(ds), drop=True).rename("bloc")).min("stack")


def _layer(ds: xr.Dataset, layer: str, t: int) -> xr.DataArray:
    if layer == "frontier":
        return _frontier(ds, t)
    kind = {v: k for k, v in _KIND_NAMES.items()}
    words = layer.split()
    if words[0] in ("virtual", "physical"):
        sector = words[0]
        if words[-1] == "adopters":
            return by_bloc(ds["global_sector_share"].isel(time=t).sel(sector=sector), ds)
        return by_bloc(ds["sector_tokens"].isel(time=t).sel(sector=sector).sum("country"), ds)
    variable = "global_share" if words[-1] == "adopters" else "global_usage_share"
    return by_bloc(ds[variable].isel(time=t).sel(kind=kind[words[0]]), ds)


def table(ds: xr.Dataset, time: Time = -1) -> pd.DataFrame:
    """One row per run; columns (layer, bloc): the bloc's share of each layer at
    ``time`` (fractions) and, for ``frontier``, its months behind the frontier."""
    missing = [v for v in ("lag", "global_usage_share", "global_sector_share", "sector_tokens") if v not in ds]
    if missing:
        raise ValueError(f"this file has no {', '.join(missing)}: it was written by a stackrace older than "
                         "format 2 (README, 'The result file'); run it again")
    t = time_index(ds, time)
    columns = {}
    for layer in LAYERS:
        values = _layer(ds, layer, t).transpose("run", "bloc")
        for bloc in values["bloc"].values:
            columns[(layer, str(bloc))] = values.sel(bloc=bloc).values.astype(float)
    frame = pd.DataFrame(columns, index=pd.Index(ds["run"].values, name="run"))
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["layer", "bloc"])
    frame.attrs["time"] = time_label(ds, t)
    return frame


def leader(values: pd.DataFrame, layer: str) -> pd.Series:
    """Per row of one layer's columns (blocs): the bloc ahead — the least lag at the
    frontier, the largest share elsewhere — or ``"tie"`` where two blocs are level (at
    the frontier, parity: both at the same lag), ``"n/a"`` where the layer is empty."""
    best = values.min(axis=1) if layer == "frontier" else values.max(axis=1)
    ahead = values.eq(best, axis=0)
    lead = ahead.idxmax(axis=1).where(ahead.sum(axis=1) == 1, "tie")
    return lead.where(best.notna(), "n/a")  # no bloc holds any of the layer


def leaders(ds: xr.Dataset, time: Time = -1) -> pd.DataFrame:
    """Per layer: the bloc that leads it in most runs (or ``"tie"``; between as many runs
    each, the first in the order us, cn, other, tie), the share of runs it leads in, and
    the layer's mean value for each bloc."""
    frame = table(ds, time)
    rows = []
    for layer in LAYERS:
        values = frame[layer]
        lead = leader(values, layer)
        order = {name: i for i, name in enumerate(["us", "cn", "other", "tie", "n/a"])}
        counts = lead.value_counts()
        counts = counts.iloc[sorted(range(len(counts)), key=lambda i: (-counts.iloc[i], order.get(counts.index[i], 9)))]
        row = {"layer": layer, "leader": counts.index[0], "share of runs": counts.iloc[0] / len(lead)}
        row.update({f"mean {bloc}": values[bloc].mean() for bloc in values.columns})
        rows.append(row)
    result = pd.DataFrame(rows).set_index("layer")
    result.attrs["time"] = frame.attrs["time"]
    return result


def effects(ds: xr.Dataset, time: Time = -1) -> pd.DataFrame:
    """A compare file's effect on every layer (alternative − base): one row per (layer,
    bloc) with ``base``, ``alternative`` (the arms' means), ``difference``, ``ci_low``,
    ``ci_high`` and ``n``, at the file's confidence level and with its intervals (paired
    over replicate pairs under common random numbers, else Welch's; as
    `stackrace.comparison.effects`). Shares are fractions; the frontier is in months."""
    from . import comparison  # the arms and the file's settings

    comparison.effect_settings(ds)
    frame = table(ds, time)
    rows = {column: comparison.arm_difference(ds, frame[column].values) for column in frame.columns}
    result = pd.DataFrame.from_dict(rows, orient="index")
    result.index = pd.MultiIndex.from_tuples(result.index, names=["layer", "bloc"])
    base, alternative = comparison.arms(ds)
    result.attrs.update(time=frame.attrs["time"], base=base, alternative=alternative,
                        confidence=comparison.effect_settings(ds)[0])
    return result
