"""Outcomes: one number per run, named, to hand to the figures, sensitivity and discovery.

Each helper returns a function ``outcome(ds) -> xarray.DataArray`` over ``run``, the
form ``stackrace.sensitivity.sobol(ds, outcome)`` and ``figures.parameter_scatter``
take::

    from stackrace import outcomes
    final_cn = outcomes.global_share_at("developer", "cn_open")        # the last month
    final_cn(ds)                                                      # DataArray (run)
    outcomes.majority("developer", "cn_open", "2030-01")(ds)          # bool per run

The returned function carries a ``label`` (e.g. "global share of developers on
cn_open at the last month") and the DataArray it gives a ``long_name`` attribute with
the actual date, so plots label themselves.

A *time* is a position on ``time`` (``-1`` = the last month, ``0`` the start), or a
date: "2030-01", "2030-01-01", a ``numpy.datetime64`` or ``pandas.Timestamp``.
"""
from __future__ import annotations

from typing import Callable, Union

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["per_run", "global_share_at", "usage_share_at", "sector_share_at", "lag_at", "country_share_at", "majority", "months_to_reach",
           "time_index", "time_label", "kind_label", "countries_with_agents", "min_ranked_agents", "country_resolution",
           "Time"]

Time = Union[int, str, np.datetime64, pd.Timestamp]
Outcome = Callable[[xr.Dataset], xr.DataArray]

# What each kind of agent stands for, in plural, for labels ("share of governments").
_KIND_PLURALS = {"country": "governments", "firm": "firms", "developer": "developers"}

# Below so many developer agents one agent's move is a large share of its country, so
# country rankings leave such countries out. The engine defines the number and writes
# it into every file (root attribute `min_ranked_developer_agents`); files written
# before it did were ranked with 100, the value used for them.
_MIN_DEVELOPER_AGENTS_OF_OLDER_FILES = 100


def time_index(ds: xr.Dataset, time: Time) -> int:
    """The position on ``ds.time`` of a time given as a position or as a date."""
    n = ds.sizes["time"]
    if isinstance(time, (int, np.integer)) and not isinstance(time, bool):
        if not -n <= int(time) < n:
            raise IndexError(f"time {time} is outside the file's {n} months (0..{n - 1}, or -1 for the last)")
        return int(time) % n
    wanted = pd.Timestamp(time)
    dates = pd.DatetimeIndex(ds["time"].values)
    found = np.flatnonzero(dates == wanted)
    if found.size == 0:
        raise KeyError(f"{time!r} is not a month of the file, which runs from "
                       f"{dates[0]:%Y-%m} to {dates[-1]:%Y-%m}")
    return int(found[0])


def time_label(ds: xr.Dataset, time: Time) -> str:
    """The month as YYYY-MM (or "month N" in a file without dates)."""
    value = ds["time"].values[time_index(ds, time)]
    if np.issubdtype(np.asarray(value).dtype, np.datetime64):
        return f"{pd.Timestamp(value):%Y-%m}"
    return f"month {int(value)}"


def kind_label(kind: str) -> str:
    """The agents of a kind in words, plural: 'developers', 'firms', 'governments'."""
    return _KIND_PLURALS.get(str(kind), f"{kind} agents")


def min_ranked_agents(ds: xr.Dataset, kind: str) -> int:
    """How many agents of ``kind`` a country needs to be ranked, by ``stackrace compare``'s
    rule: the file's ``min_ranked_developer_agents`` (100 in files from before the
    attribute) for developers, no threshold for the other kinds (each country has one
    government agent and few firm agents)."""
    if kind != "developer":
        return 0
    return int(ds.attrs.get("min_ranked_developer_agents", _MIN_DEVELOPER_AGENTS_OF_OLDER_FILES))


def countries_with_agents(ds: xr.Dataset, kind: str, min_agents: int | None = None) -> np.ndarray:
    """The countries (ISO3) with at least ``min_agents`` agents of ``kind``; ``None``
    applies ``stackrace compare``'s rule (``min_ranked_agents``)."""
    if min_agents is None:
        min_agents = min_ranked_agents(ds, kind)
    agents = ds["agents"].sel(kind=kind).values
    return ds["country"].values[agents >= min_agents]


def _described(outcome: Outcome, label: str) -> Outcome:
    outcome.label = label
    outcome.__name__ = label.replace(" ", "_")
    outcome.__doc__ = f"Per run: {label}."
    return outcome


def _when(time: Time) -> str:
    if isinstance(time, (int, np.integer)):
        return "at the last month" if int(time) == -1 else f"at month index {int(time)}"
    return f"at {pd.Timestamp(time):%Y-%m}"


def _selected_at(variable: str, time: Time, label: str, **selection) -> Outcome:
    # One cell of `variable` per run: its value at `time` where `selection` picks it.
    def outcome(ds: xr.Dataset) -> xr.DataArray:
        t = time_index(ds, time)
        value = ds[variable].isel(time=t).sel(**selection).astype(float)
        return _named(value, variable, f"{label}, {time_label(ds, t)}")

    return _described(outcome, f"{label} {_when(time)}")


def global_share_at(kind: str, stack: str, time: Time = -1) -> Outcome:
    """The world's share of ``kind`` agents on ``stack`` at ``time`` (weighted), per run."""
    return _selected_at("global_share", time, f"global share of {kind_label(kind)} on {stack}", kind=kind, stack=stack)


def usage_share_at(kind: str, stack: str, time: Time = -1) -> Outcome:
    """The share of the world's ``kind`` tokens used on ``stack`` at ``time``, per run (usage, MODEL.md 7.8b)."""
    return _selected_at("global_usage_share", time, f"share of {kind_label(kind)}' tokens on {stack}", kind=kind,
                        stack=stack)


def sector_share_at(sector: str, stack: str, time: Time = -1) -> Outcome:
    """The world's share of firms of ``sector`` (``virtual``, ``physical``) on ``stack`` at ``time`` (weighted), per run."""
    return _selected_at("global_sector_share", time, f"global share of {sector} firms on {stack}", sector=sector,
                        stack=stack)


def lag_at(stack: str, time: Time = -1) -> Outcome:
    """Months ``stack`` is behind the frontier at ``time``, per run."""
    return _selected_at("lag", time, f"months {stack} is behind the frontier", stack=stack)


def country_share_at(country: str, kind: str, stack: str, time: Time = -1) -> Outcome:
    """One country's (ISO3) share of ``kind`` agents on ``stack`` at ``time``, per run."""
    return _selected_at("share", time, f"share of {kind_label(kind)} in {country} on {stack}", country=country,
                        kind=kind, stack=stack)


def majority(kind: str, stack: str, time: Time = -1, *, country: str | None = None) -> Outcome:
    """Whether more than half of the ``kind`` agents (of the world, or one country) use ``stack``.

    A boolean per run: the kind of outcome scenario discovery looks for. Where the share
    is undefined (a country without agents of the kind) the answer is NaN, not False.
    """
    share = global_share_at(kind, stack, time) if country is None else country_share_at(country, kind, stack, time)

    def outcome(ds: xr.Dataset) -> xr.DataArray:
        value = share(ds)
        holds = value > 0.5
        if value.isnull().any():  # booleans where every run has a share, else 1/0/NaN
            holds = holds.where(value.notnull())
        return _named(holds, "majority", f"{stack} has the majority: {value.attrs['long_name']}")

    return _described(outcome, f"{stack} holds a majority of {kind_label(kind)} {_when(time)}")


def months_to_reach(kind: str, stack: str, threshold: float, *, never: float | None = None) -> Outcome:
    """Months from the start until the world's share of ``kind`` agents on ``stack`` first
    reaches ``threshold``; ``never`` in runs where it never does within the file's months
    (default NaN). Sensitivity analysis drops NaN runs, which conditions its indices on
    the threshold being reached: give ``never`` (e.g. the file's months + 1) to keep them."""
    def outcome(ds: xr.Dataset) -> xr.DataArray:
        share = ds["global_share"].sel(kind=kind, stack=stack).transpose("run", "time").values
        reached = share >= threshold
        first = np.where(reached.any(axis=1), reached.argmax(axis=1), -1)
        months = np.asarray(ds["month"].values if "month" in ds.coords else np.arange(ds.sizes["time"]))
        value = np.where(first >= 0, months[np.maximum(first, 0)], np.nan if never is None else never).astype(float)
        result = xr.DataArray(value, dims="run", coords={"run": ds["run"]})
        return _named(result, "months_to_reach", f"months until {threshold:.0%} of {kind_label(kind)} use {stack}")

    return _described(outcome, f"months until {threshold:.0%} of {kind_label(kind)} use {stack}")


def _named(value: xr.DataArray, name: str, long_name: str) -> xr.DataArray:
    # Drop the selected scalars (time, kind, stack...) so outcomes combine cleanly.
    value = value.reset_coords([c for c in value.coords if c not in value.dims and value[c].ndim == 0], drop=True)
    value.name = name
    value.attrs = {"long_name": long_name}
    return value


def per_run(ds: xr.Dataset, values, what: str) -> np.ndarray:
    """``values`` (a DataArray over ``run`` or a 1-D array) as floats in the order of ``ds.run``."""
    n_runs = ds.sizes["run"]
    if isinstance(values, xr.DataArray):
        if values.dims != ("run",):
            raise ValueError(
                f"the {what} must give one value per run (dims ('run',)), got dims {values.dims}: "
                "select or reduce the other dimensions"
            )
        if "run" in values.coords and "run" in ds.coords:
            # Align on the run labels, so an outcome computed on a reordered or
            # subset selection still lands on the right runs (absent runs get NaN).
            values = values.reindex(run=ds["run"].values)
        values = values.values
    values = np.asarray(values)
    if values.shape != (n_runs,):
        raise ValueError(f"the {what} must give {n_runs} values (one per run), got shape {values.shape}")
    return values.astype(float)


def _effective_firm_agents(ds: xr.Dataset) -> np.ndarray:
    """Each country's firm agents as an equally weighted sample would count them: a size
    class of F firms and N agents weighs F / N per agent, so (sum F)^2 / sum F^2 / N over
    the classes with agents."""
    firms = ds["firms_by_size"].values.astype(float)
    agents = ds["firm_agents_by_size"].values.astype(float)
    covered = np.where(agents > 0, firms, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(agents > 0, covered ** 2 / agents, 0.0).sum(axis=1)
        return np.where(spread > 0, covered.sum(axis=1) ** 2 / spread, 0.0)


def country_resolution(ds: xr.Dataset, kind: str, stack: str, time: Time = -1, *,
                       max_sd: float = 0.02) -> pd.DataFrame:
    """How far each country's share of ``kind`` agents on ``stack`` can be read, one row a
    country: its ``agents`` of the kind, the ``entities`` they stand for, the ``share``
    (mean over runs), and ``resolution_sd``: the standard deviation that sampling its
    entities with that many agents gives a share, sqrt(p (1 - p) / n), the noise of one
    run's country share at this agent count, whatever the model does. ``n`` is
    ``effective_agents``: the agents, or for firms, whose agents are allotted by staff and
    weighted by firms (MODEL.md 5.2), Kish's effective sample (sum of weights)^2 / sum of
    squared weights, from ``firms_by_size`` and ``firm_agents_by_size``. ``low`` and
    ``high`` are the share plus and minus 1.645 of it (a 90% band, within 0 and 1);
    ``resolved`` says whether it is at most ``max_sd`` (2 points by default). Countries
    with no agent of the kind have a NaN share and are not resolved. Sorted by entities,
    largest first: where a question turns on an unresolved country, run more agents
    (``--agents``, or ``--one-to-one``)."""
    agents = ds["agents"].sel(kind=kind).values.astype(float)
    entities = (ds["weight"] * ds["agents"]).sel(kind=kind).values
    share = ds["share"].sel(kind=kind, stack=stack).isel(time=time_index(ds, time)).mean("run").values.astype(float)
    effective = _effective_firm_agents(ds) if kind == "firm" and "firm_agents_by_size" in ds else agents
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.where(effective > 0, np.sqrt(share * (1 - share) / effective), np.nan)
    table = pd.DataFrame({"agents": agents.astype(int), "effective_agents": effective, "entities": entities,
                          "share": share, "resolution_sd": sd,
                          "low": np.clip(share - 1.645 * sd, 0, 1), "high": np.clip(share + 1.645 * sd, 0, 1)},
                         index=pd.Index(ds["country"].values, name="country"))
    table["resolved"] = table["resolution_sd"] <= max_sd
    return table.sort_values("entities", ascending=False)
