"""The record: published figures the model is judged against.

``worlds/record/record.csv`` holds one observed target per row, each with its
uncertainty (``low``, ``high``) and its source (``worlds/record/SOURCES.md``): developer,
firm and government AI use by year, Chinese-model shares, the US–China capability gap,
prices. Each row says which model output it is compared with: ``quantity`` (adoption,
a stack's share of a kind's AI users, the capability gap in months, a price), the kind
of agent, the stack (or group of stacks) and the country (or group). ``compare`` puts a
result file beside the record: for each target whose month the file covers, the
model's value (median over runs, with the 5–95% range across them) against the
observed interval.

    >>> import stackrace
    >>> ds = stackrace.open("results/hindcast_2023.h5")
    >>> stackrace.record.compare(ds)                  # one row per target the file covers
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import groups

__all__ = ["load", "compare", "QUANTITIES", "KINDS", "GROUPS"]

COLUMNS = ["id", "description", "quantity", "kind", "stack", "country", "firm_size", "date", "value", "low", "high",
           "source", "read_via", "notes"]
QUANTITIES = ("adoption", "stack_share_of_users", "capability_gap_months", "price", "token_share")
KINDS = ("country", "firm", "developer", "population", "")
FIRM_SIZES = ("", "small", "medium", "large")  # "": firms of every size
# Country groups, by ISO code (EU members as of 2023).
GROUPS = {
    "EU27": ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
             "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"],
}


def default_path() -> Path:
    """Where the shipped record is: under $STACKRACE_SOURCE_DIR, beside this package in
    the source tree, or where ``cmake --install`` put the worlds."""
    candidates = []
    if os.environ.get("STACKRACE_SOURCE_DIR"):
        candidates.append(Path(os.environ["STACKRACE_SOURCE_DIR"]) / "worlds" / "record" / "record.csv")
    here = Path(__file__).resolve().parent
    candidates.append(here.parents[1] / "worlds" / "record" / "record.csv")
    for prefix in (Path("/usr/local"), Path("/usr"), Path(sys.prefix)):
        candidates.append(prefix / "share" / "stackrace" / "worlds" / "record" / "record.csv")
    candidates = list(dict.fromkeys(candidates))  # the source tree is often both of the first two
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError("the record (worlds/record/record.csv) was not found; looked in: "
                            + ", ".join(str(p) for p in candidates))


def load(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The record as a table indexed by ``id``, checked: its columns, unique ids, known
    quantities and kinds, months written YYYY-MM, and low ≤ value ≤ high. A bad row
    raises ValueError naming the file, its line and the column."""
    path = Path(path) if path is not None else default_path()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    for row, (_, target) in enumerate(table.iterrows(), start=2):  # line 1 is the header
        _check(path, row, target)
    if table["id"].duplicated().any():
        dup = table["id"][table["id"].duplicated()].iloc[0]
        raise ValueError(f"{path}: id {dup!r} is used twice")
    for column in ("value", "low", "high"):
        table[column] = table[column].astype(float)
    table["date"] = pd.to_datetime(table["date"], format="%Y-%m")
    return table.set_index("id")


def _check(path: Path, line: int, target: pd.Series) -> None:
    def fail(column, what):
        raise ValueError(f"{path}:{line}: {column}: {what}")

    if not target["id"]:
        fail("id", "empty")
    if target["quantity"] not in QUANTITIES:
        fail("quantity", f"{target['quantity']!r} is not one of {', '.join(QUANTITIES)}")
    if target["kind"] not in KINDS:
        fail("kind", f"{target['kind']!r} is not one of {', '.join(k for k in KINDS if k)}")
    if target["firm_size"] not in FIRM_SIZES:
        fail("firm_size", f"{target['firm_size']!r} is not one of small, medium, large (or empty: every size)")
    try:
        pd.to_datetime(target["date"], format="%Y-%m")
    except ValueError:
        fail("date", f"{target['date']!r} is not a month written YYYY-MM")
    try:
        value, low, high = (float(target[c]) for c in ("value", "low", "high"))
    except ValueError:
        fail("value", "value, low and high must be numbers")
    if not (np.isfinite([value, low, high]).all() and low <= value <= high):
        fail("low", f"expected low <= value <= high, got {low} <= {value} <= {high}")
    if not target["source"]:
        fail("source", "every target names its source")


def compare(ds: xr.Dataset, record: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each target the file covers beside the model: columns ``description``, ``date``,
    ``observed``, ``low``, ``high``, ``model`` (the median over runs), ``model_low`` and
    ``model_high`` (its 5–95% range over runs), ``inside`` (whether the model's median is
    within the observed interval) and ``how`` (the output compared). Targets outside the
    file's months, or with no model output yet (token shares; population adoption), are
    left out; ``compare(ds).attrs["skipped"]`` lists them with the reason."""
    record = load() if record is None else record
    rows, skipped = [], {}
    for target_id, target in record.iterrows():
        try:
            values, how = _model_values(ds, target)
        except _NotCovered as reason:
            skipped[target_id] = str(reason)
            continue
        values = np.asarray(values, dtype=float)
        median = float(np.nanmedian(values))
        rows.append({"id": target_id, "description": target["description"], "date": target["date"],
                     "observed": target["value"], "low": target["low"], "high": target["high"],
                     "model": median, "model_low": float(np.nanquantile(values, 0.05)),
                     "model_high": float(np.nanquantile(values, 0.95)),
                     "inside": bool(target["low"] <= median <= target["high"]), "how": how})
    table = pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame(
        columns=["description", "date", "observed", "low", "high", "model", "model_low", "model_high", "inside",
                 "how"])
    table.attrs["skipped"] = skipped
    return table


class _NotCovered(Exception):
    """Why a target has no model value in this file."""


def _month(ds: xr.Dataset, date: pd.Timestamp) -> int:
    times = pd.DatetimeIndex(ds["time"].values)
    match = np.flatnonzero(times == date)
    if match.size == 0:
        raise _NotCovered(f"{date:%Y-%m} is outside the file's months ({times[0]:%Y-%m} to {times[-1]:%Y-%m})")
    return int(match[0])


def _stacks(ds: xr.Dataset, stack: str) -> np.ndarray:
    try:
        return groups.stacks(ds, stack)  # an id, or a group: open, us, cn
    except ValueError as e:
        raise _NotCovered(str(e)) from None


def _group_share(ds: xr.Dataset, kind: str, country: str, stack: str, t: int, of_users: bool = False,
                 firm_sizes: list[str] | None = None):
    """Each run's share of the target's country group on `stack` at month t (stackrace.groups)."""
    targets = "all" if country == "WLD" else GROUPS.get(country, country)
    try:
        return groups.share(ds, targets, kind=kind, stack=stack, of_users=of_users, firm_sizes=firm_sizes).isel(time=t)
    except ValueError as e:  # a country, stack or group the file has not
        raise _NotCovered(str(e)) from None


def _model_values(ds: xr.Dataset, target: pd.Series) -> tuple[np.ndarray, str]:
    quantity, kind, stack, country = target["quantity"], target["kind"], target["stack"], target["country"]
    if quantity == "token_share":
        raise _NotCovered("the model has no usage (tokens) yet")
    # Enterprise surveys count firms of 10+ staff (Eurostat, Destatis): a firm figure of no
    # size class is compared with the model's small, medium and large firms.
    firm_sizes = None
    if kind == "firm":
        firm_sizes = [target["firm_size"]] if target.get("firm_size", "") else ["small", "medium", "large"]
        if "size_share" not in ds:
            raise _NotCovered("the file has no firm size classes (written before format 4)")
    if kind == "population" and quantity == "adoption":
        raise _NotCovered("the model has no population of people, only governments, firms and developers")
    t = _month(ds, target["date"])
    if quantity in ("adoption", "stack_share_of_users"):
        agents_kind = "developer" if kind == "population" else kind
        # Without an outside option every agent uses some stack.
        outside = "none" in ds["stack"].values
        if quantity == "adoption":
            users = (1.0 - _group_share(ds, agents_kind, country, "none", t, firm_sizes=firm_sizes) if outside
                     else np.ones(ds.sizes["run"]))
            return np.asarray(users), f"1 − share of {agents_kind}s on none, {country}"
        on = _group_share(ds, agents_kind, country, stack, t, of_users=outside, firm_sizes=firm_sizes)
        return np.asarray(on), f"share of {agents_kind}s' AI users on {stack}, {country}"
    if quantity == "price":
        return np.asarray(ds["price"].isel(time=t).isel(stack=np.nonzero(_stacks(ds, stack))[0][0])), \
            f"price of {stack}"
    # capability_gap_months: the frontier's lead over the stack, in months of the
    # frontier's growth.
    capability = ds["capability"]
    frontier = capability.max("stack")
    growth = float(frontier.isel(time=-1).mean() - frontier.isel(time=0).mean()) / max(1, ds.sizes["time"] - 1)
    if growth <= 0:
        raise _NotCovered("the frontier does not grow in this file: no months of lag to measure")
    follower = capability.isel(stack=np.nonzero(_stacks(ds, stack))[0]).max("stack")
    return np.asarray((frontier - follower).isel(time=t) / growth), f"capability gap of {stack}, months"
