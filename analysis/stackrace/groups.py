"""Groups of countries and of stacks: a region, a tier, an alignment, a list of countries;
a bloc's stacks, the open-weight ones.

Countries are chosen as scenarios target policies (worlds/README.md, "Policies"): an
ISO3 code, ``all``, ``tier:N``, ``region:NAME`` (World Bank region), ``alignment:us``,
``alignment:cn`` or ``alignment:none``; several together are their union, and
``exclude`` takes countries out. A group's share weighs each country by the real
entities its agents stand for, so a group of one country is that country's share and
``all`` is the file's ``global_share``::

    south = ["region:Sub-Saharan Africa", "region:South Asia", "region:Latin America & Caribbean"]
    stackrace.groups.share(ds, south, kind="developer", stack="cn")       # (run, time)
    stackrace.groups.effect(compare_ds, "tier:2", kind="firm", stack="cn_open")

Stacks are chosen by id, a list of ids, or a group: ``open`` (open weights), or a
bloc's stacks (``us``, ``cn``, ``other``).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .outcomes import Time, time_index, time_label

__all__ = ["members", "stacks", "share", "effect", "STACK_GROUPS"]

Targets = str | Sequence[str]

# Stack groups by what the file says of each stack (its bloc, its openness).
STACK_GROUPS = {
    "open": lambda ds: np.asarray(ds["stack_open_weights"].values).astype(bool),
    "us": lambda ds: np.asarray(ds["stack_bloc"].values) == "us",
    "cn": lambda ds: np.asarray(ds["stack_bloc"].values) == "cn",
    "other": lambda ds: np.asarray(ds["stack_bloc"].values) == "other",
}


def members(ds: xr.Dataset, targets: Targets, exclude: Targets = ()) -> np.ndarray:
    """Which countries of the file the targets name (a bool per country); a target that
    names none of them is an error naming it."""
    targets = [targets] if isinstance(targets, str) else list(targets)
    exclude = [exclude] if isinstance(exclude, str) else list(exclude)
    if not targets:
        raise ValueError("name at least one target: a country code, all, tier:N, region:NAME or alignment:BLOC")
    inside = np.zeros(ds.sizes["country"], dtype=bool)
    for target in targets:
        inside |= _named(ds, target)
    for target in exclude:
        inside &= ~_named(ds, target)
    return inside


def _named(ds: xr.Dataset, target: str) -> np.ndarray:
    codes = np.asarray(ds["country"].values).astype(str)
    if target == "all":
        hit = np.ones(codes.size, dtype=bool)
    elif target.startswith("tier:"):
        hit = np.asarray(ds["country_tier"].values).astype(str) == target[len("tier:"):]
    elif target.startswith("region:"):
        hit = np.asarray(ds["country_region"].values).astype(str) == target[len("region:"):]
    elif target.startswith("alignment:"):
        hit = np.asarray(ds["country_alignment"].values).astype(str) == target[len("alignment:"):]
    else:
        hit = codes == target
    if not hit.any():
        raise ValueError(f"the target {target!r} names no country of this file (a country code, all, tier:N, "
                         "region:NAME or alignment:us|cn|none)")
    return hit


def stacks(ds: xr.Dataset, stack: str | Sequence[str]) -> np.ndarray:
    """Which stacks of the file a stack id, a list of ids or a group names (a bool per stack)."""
    names = np.asarray(ds["stack"].values).astype(str)
    if isinstance(stack, str) and stack in STACK_GROUPS and stack not in names:
        return STACK_GROUPS[stack](ds)
    wanted = [stack] if isinstance(stack, str) else list(stack)
    unknown = [s for s in wanted if s not in names]
    if unknown:
        raise ValueError(f"no stack {unknown[0]!r} in this file (its stacks: {', '.join(names)}; "
                         f"groups: {', '.join(STACK_GROUPS)})")
    return np.isin(names, wanted)


def share(ds: xr.Dataset, targets: Targets, *, kind: str = "developer", stack: str | Sequence[str] = "cn_open",
          exclude: Targets = (), of_users: bool = False, firm_sizes: Sequence[str] | None = None) -> xr.DataArray:
    """The group's share of ``kind`` agents on ``stack`` (or, with ``of_users``, of those
    using AI), per run and month: each country weighed by the real entities its agents
    stand for. For firms, ``firm_sizes`` (micro, small, medium, large) keeps the firms of
    those size classes only, each country's class weighed by its real firms."""
    in_group = xr.DataArray(members(ds, targets, exclude), dims="country")
    if firm_sizes is not None:
        if kind != "firm":
            raise ValueError("firm_sizes selects firms: kind must be 'firm'")
        missing = sorted(set(firm_sizes) - set(ds["firm_size"].values))
        if missing or "size_share" not in ds:
            raise ValueError(f"the file has no firm size class {missing or list(firm_sizes)}")
        weights = ds["firms_by_size"].sel(firm_size=list(firm_sizes))
        shares = ds["size_share"].sel(firm_size=list(firm_sizes))
        weights = weights.where(in_group & shares.notnull().all("stack"), 0.0)  # a class without agents: none
        if float(weights.sum()) == 0:
            raise ValueError("the group has no firm agents of those sizes")
        group = (shares.fillna(0.0) * weights).sum(["country", "firm_size"]) / weights.sum(["country", "firm_size"])
    else:
        # Developers grow by country (talent, MODEL.md 7.2b): weigh each month by its own count.
        grown = kind == "developer" and "real_developers" in ds
        weights = ds["real_developers"] if grown else (ds["agents"] * ds["weight"]).sel(kind=kind)
        weights = weights.where(in_group, 0.0)
        if float(weights.sum()) == 0:
            raise ValueError(f"the group has no {kind} agents")
        shares = ds["share"].sel(kind=kind).fillna(0.0)
        group = (shares * weights).sum("country") / weights.sum("country")  # (run, time, stack)
    on = group.isel(stack=np.flatnonzero(stacks(ds, stack))).sum("stack")
    if of_users:
        if "none" not in ds["stack"].values:
            raise ValueError("the file has no outside option `none`: every agent uses some stack")
        on = on / (1.0 - group.sel(stack="none"))
    return on.rename("share")


def effect(ds: xr.Dataset, targets: Targets, *, kind: str = "developer", stack: str | Sequence[str] = "cn_open",
           time: Time = -1, exclude: Targets = (), of_users: bool = False) -> pd.Series:
    """A compare file's change in the group's share (alternative − base) at ``time``:
    ``base``, ``alternative`` (the arms' means), ``difference``, ``ci_low``, ``ci_high``
    and ``n``, at the file's confidence level. With common random numbers the interval
    is a paired t-interval over replicate pairs, as `stackrace compare` computes it for
    a country; with independent seeds, Welch's."""
    from . import comparison  # the arms and the file's settings

    t = time_index(ds, time)
    values = share(ds, targets, kind=kind, stack=stack, exclude=exclude, of_users=of_users).isel(time=t)
    result = pd.Series(comparison.arm_difference(ds, values.values))
    level, interval = comparison.effect_settings(ds)
    base_name, alt_name = comparison.arms(ds)
    result.attrs.update(kind=kind, stack=stack, time=time_label(ds, t), confidence=level, interval=interval,
                        base=base_name, alternative=alt_name)
    return result
