"""Figures of stackrace results (matplotlib).

Every function returns a ``matplotlib.figure.Figure`` and never shows it: save it with
``fig.savefig("adoption.png")``, or let a notebook display it. Functions that draw one
panel take ``ax=`` to draw into an existing Axes. Figures are built without pyplot, so
they work on any backend (including none: scripts, servers, CI) and are not kept alive
by pyplot's figure registry.

- ``adoption_curves``: shares over time per stack, median and band over runs
- ``world_map``: a choropleth of one stack's share by country
- ``policy_comparison``: the effect of a policy (compare files), world and countries
- ``parameter_scatter``: an outcome against each swept parameter (sweep files)
- ``sensitivity_bars``: Sobol indices with their confidence intervals
- ``stack_state``: capability and price of each stack over time
- ``posterior_pairs``, ``posterior_predictive``: a calibration's posterior and its check
"""
from __future__ import annotations

import functools
import textwrap
import warnings
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, PercentFormatter

from . import comparison, io
from .io import parameter_names, swept_parameters
from .outcomes import Time, countries_with_agents, kind_label, per_run, time_index, time_label

__all__ = ["adoption_curves", "world_map", "effect_map", "effect_over_time", "policy_comparison", "parameter_scatter",
           "sensitivity_bars", "stack_state", "stack_colour", "NO_DATA_LABEL", "posterior_pairs", "posterior_predictive"]

# Fixed colours for the default stacks, so every figure reads the same way.
_STACK_COLOURS = {"none": "#8c8c8c", "us_closed": "#1f63b4", "cn_open": "#d62728"}
# Further stacks a scenario defines take these, in the file's order.
_OTHER_COLOURS = ["#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22"]
# Arms of a compare file, or kinds sharing one panel, are told apart by line style.
_LINESTYLES = ["-", "--", ":", "-."]

NO_DATA_LABEL = "no data"
_NO_DATA_STYLE = {"facecolor": "#e6e6e6", "edgecolor": "#b3b3b3", "hatch": "////"}
_WORLD_COLOUR = "#222222"
_COUNTRY_COLOUR = "#6f93c0"

# Natural Earth marks some countries "-99" (disputed or special cases): their ISO3 by name.
_NATURAL_EARTH_FIXES = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX"}
# Natural Earth draws these apart from the country whose data they show.
_DRAWN_WITH = {"SOL": "SOM", "CYN": "CYP"}
# How many of the countries too small for the map's shapes to name under it.
_NAMED_UNDRAWN = 8


def stack_colour(stack: str, stacks: Sequence[str] = ()) -> str:
    """The colour of a stack: fixed for the default three, else by its place among ``stacks``."""
    if stack in _STACK_COLOURS:
        return _STACK_COLOURS[stack]
    others = [s for s in stacks if s not in _STACK_COLOURS]
    position = others.index(stack) if stack in others else 0
    return _OTHER_COLOURS[position % len(_OTHER_COLOURS)]


# --------------------------------------------------------------------------------------
# Shared drawing helpers
# --------------------------------------------------------------------------------------


def _new_figure(panels: int = 1, *, width: float = 6.4, height: float = 4.2, columns: int | None = None):
    columns = columns or min(panels, 3)
    rows = int(np.ceil(panels / columns))
    fig = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for extra in axes[panels:]:
        extra.set_visible(False)
    return fig, list(axes[:panels])


def one_panel(ax: Axes | None, *, width: float, height: float) -> tuple[Figure, Axes]:
    """The figure and axes to draw one panel on: ``ax``'s, or a new figure's."""
    if ax is not None:
        return ax.figure, ax
    fig, (ax,) = _new_figure(1, width=width, height=height)
    return fig, ax


def _draw_runs(ax: Axes, x, values: np.ndarray, *, colour, linestyle, label, band) -> bool:
    """The median over runs (rows of ``values``) as a line, and the band between the
    ``band`` percentiles when there are at least two runs. Returns whether a band was drawn."""
    values = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        # A country without agents of the kind is NaN in every run: an empty line, no warning.
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(values, axis=0)
        low, high = np.nanpercentile(values, band or (50, 50), axis=0)
    ax.plot(x, median, color=colour, linestyle=linestyle, linewidth=1.8, label=label)
    if band is None or values.shape[0] < 2:
        return False
    ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
    return True


def _band_handle(band) -> Patch:
    return Patch(facecolor="#999999", alpha=0.35, label=f"{band[0]:g}–{band[1]:g}% of runs")


def _legend(ax: Axes, band_drawn: bool, band, **options) -> None:
    handles, _ = ax.get_legend_handles_labels()
    if band_drawn:
        handles.append(_band_handle(band))
    ax.legend(handles=handles, fontsize="small", **options)


def _runs_phrase(runs: int) -> str:
    return "1 run" if runs == 1 else f"median of {runs} runs"


# --------------------------------------------------------------------------------------
# Adoption curves
# --------------------------------------------------------------------------------------


def adoption_curves(ds: xr.Dataset, *, kinds: Sequence[str] | str | None = None,
                    stacks: Sequence[str] | str | None = None, country: str | None = None,
                    band: tuple[float, float] | None = (5, 95), ax: Axes | None = None) -> Figure:
    """The share of each stack over time: the world's (``global_share``) or one country's (ISO3).

    One colour per stack; one panel per kind when several kinds are asked for (or, with
    ``ax``, one line style per kind). The line is the median over runs (replicates or
    sweep runs) with the ``band`` percentiles shaded when there are two or more runs; a
    compare file draws each arm separately (solid: base, dashed: alternative).
    ``band=None`` draws the medians only.
    """
    kinds = _chosen(kinds, ds["kind"].values, "kind")
    stacks = _chosen(stacks, ds["stack"].values, "stack")
    data = ds["global_share"] if country is None else ds["share"].sel(country=country)
    data = data.sel(kind=kinds, stack=stacks).transpose("run", "time", "kind", "stack").values
    times = ds["time"].values
    groups = comparison.run_groups(ds)

    if ax is None:
        fig, axes = _new_figure(len(kinds))
        panels = [(a, [k]) for a, k in zip(axes, kinds)]
    else:
        fig, panels = ax.figure, [(ax, list(kinds))]
    place = "world" if country is None else _country_phrase(ds, country)
    for axis, panel_kinds in panels:
        band_drawn = False
        variants = [(k, g) for k in panel_kinds for g in groups]
        for s, stack in enumerate(stacks):
            for v, (kind, (arm, runs)) in enumerate(variants):
                label = " · ".join([stack, *([kind_label(kind)] if len(panel_kinds) > 1 else []),
                                    *([arm] if arm else [])])
                band_drawn |= _draw_runs(axis, times, data[runs][:, :, kinds.index(kind), s],
                                         colour=stack_colour(stack, ds["stack"].values),
                                         linestyle=_LINESTYLES[v % len(_LINESTYLES)], label=label, band=band)
        _label_shares(axis, panel_kinds)
        _legend(axis, band_drawn, band, loc="best")
    about = f"{place} — {_scenario_phrase(ds)}"
    if len(panels) > 1:
        fig.suptitle(f"Adoption by stack, {about}")
    else:
        panels[0][0].set_title(f"{panels[0][0].get_title()}, {about}")
    return fig


def _chosen(asked, available, what) -> list[str]:
    available = [str(a) for a in available]
    if asked is None:
        return available
    asked = [asked] if isinstance(asked, str) else [str(a) for a in asked]
    missing = [a for a in asked if a not in available]
    if missing:
        raise KeyError(f"no {what} {', '.join(missing)} in the file (it has {', '.join(available)})")
    return asked


def _country_phrase(ds: xr.Dataset, country: str) -> str:
    name = str(ds["country_name"].sel(country=country).values) if "country_name" in ds.coords else country
    return f"{name} ({country})"


def _scenario_phrase(ds: xr.Dataset) -> str:
    if io.file_kind(ds) == "compare":
        base, alt = comparison.arms(ds)
        return f"{base} vs {alt}"
    if io.file_kind(ds) == "sweep":
        return f"sweep {ds.attrs.get('sweep_name', ds.attrs.get('scenario_name', ''))}, {ds.sizes['run']} runs"
    return str(ds.attrs.get("scenario_name", ""))


def _label_shares(ax: Axes, kinds: Sequence[str]) -> None:
    who = kind_label(kinds[0]) if len(kinds) == 1 else "agents"
    ax.set_xlabel("month")
    ax.set_ylabel(f"share of {who}")
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(who.capitalize())


# --------------------------------------------------------------------------------------
# World map
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _country_shapes():
    """Natural Earth's countries (low resolution, shipped with geopandas) keyed by ISO3."""
    import geopandas  # slow to import: only for maps

    world = geopandas.read_file(geopandas.datasets.get_path("naturalearth_lowres"))
    fixed = world["name"].map(_NATURAL_EARTH_FIXES)
    world["iso3"] = world["iso_a3"].where(world["iso_a3"] != "-99", fixed)
    # Antarctica has no agents and takes a fifth of the map.
    world = world[world["iso3"] != "ATA"]
    return [(iso3 if isinstance(iso3, str) else f"name:{name}", _geometry_path(geometry))
            for iso3, name, geometry in zip(world["iso3"], world["name"], world["geometry"])]


def _geometry_path(geometry) -> Path:
    """A (multi)polygon as one matplotlib Path, holes included."""
    polygons = getattr(geometry, "geoms", [geometry])
    vertices, codes = [], []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            vertices.append(xy)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
    return Path(np.concatenate(vertices), np.concatenate(codes))


def world_map(ds: xr.Dataset, *, stack: str = "cn_open", kind: str = "developer", time: Time = -1,
              run: int | None = None, arm: str | None = None, ax: Axes | None = None,
              cmap: str = "viridis", vmin: float = 0.0, vmax: float = 1.0) -> Figure:
    """A choropleth of the share of ``kind`` agents on ``stack`` by country at ``time``.

    ``run`` picks one run by its label; by default the median over runs is mapped (for a
    compare file, over the runs of ``arm``, by default the base scenario). Each country's
    patch carries its ISO3 code as ``gid``. Countries the file does not have, or where the
    share is undefined (no agents of the kind), are drawn light grey and hatched, labelled
    "no data" — never coloured as zero.
    """
    t = time_index(ds, time)
    shares, runs_phrase = _map_values(ds, stack, kind, t, run, arm)
    fig, ax = one_panel(ax, width=10, height=5.6)
    _choropleth(ax, ds, shares, colormaps[cmap] if isinstance(cmap, str) else cmap, Normalize(vmin=vmin, vmax=vmax),
                lambda v: f"{v:.0%}", f"share of {kind_label(kind)} on {stack}")
    ax.set_title(f"{stack} among {kind_label(kind)}, {time_label(ds, t)} ({runs_phrase})")
    return fig


def effect_map(ds: xr.Dataset, *, stack: str = "cn_open", kind: str = "developer", time: Time = -1,
               ax: Axes | None = None, cmap: str = "RdBu_r", limit: float | None = None) -> Figure:
    """A choropleth of a compare file's effect (alternative − base) on the share of
    ``kind`` agents on ``stack`` by country at ``time``, in percentage points: the mean
    over replicate pairs that `stackrace compare` wrote (``effect``). Red where the share
    rose, blue where it fell, white where it did not move; ``limit`` (a fraction) is the
    end of the scale, by default the largest change. Countries without agents of the
    kind are "no data", never zero. By default the scale ends at the largest change among
    the countries `stackrace compare` ranks (enough agents of the kind): a country of a
    few agents moves by whole agents and would wash the rest out."""
    base, alternative = comparison.arms(ds)
    t = time_index(ds, time)
    effect = ds["effect"].isel(time=t).sel(kind=kind, stack=stack)
    changes = dict(zip(map(str, ds["country"].values), effect.values.astype(float)))
    ranked = effect.sel(country=countries_with_agents(ds, kind)).values
    largest = limit if limit is not None else float(np.nanmax(np.abs(ranked), initial=0.0)) or 0.01
    fig, ax = one_panel(ax, width=10, height=5.6)
    _choropleth(ax, ds, changes, colormaps[cmap] if isinstance(cmap, str) else cmap,
                Normalize(vmin=-largest, vmax=largest), lambda v: f"{100 * v:+.1f} pp",
                f"change in the share of {kind_label(kind)} on {stack}, pp",
                bar=(lambda v: f"{100 * v:+.0f}") if largest >= 0.1 else (lambda v: f"{100 * v:+.1f}"))
    ax.set_title(f"{alternative} − {base}: {stack} among {kind_label(kind)}, {time_label(ds, t)}")
    return fig


def _choropleth(ax: Axes, ds: xr.Dataset, values: dict, colours, norm: Normalize, write: Callable[[float], str],
                label: str, bar: Callable[[float], str] | None = None) -> None:
    """Each country coloured by its value (ISO3 -> number; NaN or missing: "no data"),
    with the colour bar and the no-data legend; `write` writes a value in the notes, and
    on the bar unless `bar` writes it shorter."""
    drawn = set()
    for code, path in _country_shapes():
        data_code = _DRAWN_WITH.get(code, code)
        value = values.get(data_code, np.nan)
        drawn.add(data_code)
        style = ({"facecolor": colours(norm(value)), "edgecolor": "white"} if np.isfinite(value)
                 else dict(_NO_DATA_STYLE))
        ax.add_patch(PathPatch(path, linewidth=0.3, gid=code, **style))
    _name_undrawn(ax, ds, {c: v for c, v in values.items() if c not in drawn and np.isfinite(v)}, write)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-58, 84)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.figure.colorbar(ScalarMappable(norm=norm, cmap=colours), ax=ax, orientation="horizontal", shrink=0.6,
                       pad=0.02, format=FuncFormatter(lambda x, _: (bar or write)(x)), label=label)
    ax.legend(handles=[Patch(label=NO_DATA_LABEL, **_NO_DATA_STYLE)], loc="lower left", fontsize="small")


def effect_over_time(ds: xr.Dataset, *, stack: str = "cn_open", kind: str = "developer",
                     countries: Sequence[str] = (comparison.WORLD,), ax: Axes | None = None) -> Figure:
    """A compare file's effect (alternative − base) on the share of ``kind`` agents on
    ``stack``, month by month, for the world (``comparison.WORLD``) and the countries
    named, each with its confidence band: what `stackrace compare` wrote (``effect*``,
    ``global_effect*``) for every month."""
    base, alternative = comparison.arms(ds)
    level, _ = comparison.effect_settings(ds)
    fig, ax = one_panel(ax, width=8, height=4.5)
    times = ds["time"].values
    for name in countries:
        prefix, where = ("global_", {}) if name == comparison.WORLD else ("", {"country": name})
        pick = lambda v: ds[f"{prefix}effect{v}"].sel(kind=kind, stack=stack, **where).values
        line, = ax.plot(times, pick(""), label=name if name == comparison.WORLD else f"{name}")
        ax.fill_between(times, pick("_low"), pick("_high"), color=line.get_color(), alpha=0.2, linewidth=0)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 * x:+.1f} pp"))
    ax.set_ylabel(f"change in the share of {kind_label(kind)} on {stack}")
    ax.set_xlabel("month")
    ax.set_title(f"{alternative} − {base}, {stack} among {kind_label(kind)} ({100 * level:g}% bands)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def _map_values(ds, stack, kind, t, run, arm) -> tuple[dict, str]:
    """ISO3 -> share (NaN where undefined), and which runs it summarises."""
    data = ds["share"].isel(time=t).sel(kind=kind, stack=stack)
    if run is not None:
        data, phrase = data.sel(run=[run]), f"run {run}"
    else:
        phrase = ""
        if io.file_kind(ds) == "compare":
            arm = arm or comparison.arms(ds)[0]
            if arm not in comparison.arms(ds):
                raise ValueError(f"arm {arm!r} is not one of this comparison's: {', '.join(comparison.arms(ds))}")
            data, phrase = data.isel(run=np.flatnonzero(ds["arm"].values == arm)), f"{arm}, "
        phrase += _runs_phrase(data.sizes["run"])
    values = data.transpose("run", "country").values.astype(float)
    with np.errstate(all="ignore"):
        # all-NaN columns (countries without agents of the kind) stay NaN, silently
        median = np.full(values.shape[1], np.nan)
        defined = np.isfinite(values).any(axis=0)
        median[defined] = np.nanmedian(values[:, defined], axis=0)
    return dict(zip(map(str, ds["country"].values), median)), phrase


def _name_undrawn(ax: Axes, ds: xr.Dataset, undrawn: dict, write: Callable[[float], str]) -> None:
    """Under the map: the countries with data that have no shape at this resolution
    (Singapore, Hong Kong, Malta...), the largest values first (by size), so none is
    silently lost; each value written as the colour bar writes it."""
    if not undrawn:
        return
    names = dict(zip(map(str, ds["country"].values), map(str, ds["country_name"].values)))
    ranked = sorted(undrawn.items(), key=lambda item: -abs(item[1]))
    listed = ", ".join(f"{names.get(c, c)} {write(v)}" for c, v in ranked[:_NAMED_UNDRAWN])
    more = f" and {len(ranked) - _NAMED_UNDRAWN} more" if len(ranked) > _NAMED_UNDRAWN else ""
    ax.text(0.5, -0.01, f"Too small to draw ({len(ranked)}): {listed}{more}", transform=ax.transAxes,
            ha="center", va="top", fontsize="x-small", wrap=True)


# --------------------------------------------------------------------------------------
# Policy comparison
# --------------------------------------------------------------------------------------


def policy_comparison(data: xr.Dataset | pd.DataFrame, *, kind: str = "developer", stack: str = "cn_open",
                      time: Time = -1, top_n: int = comparison.DEFAULT_TOP, ax: Axes | None = None) -> Figure:
    """The change in share (alternative − base) with its confidence interval, world first.

    ``data`` is a compare file (then ``comparison.effects(data, kind=, stack=, time=,
    countries=top_n)`` is drawn) or a table that ``effects`` returned (its first
    ``top_n`` countries are drawn; kind, stack and time are then taken from the table).
    """
    table = data if isinstance(data, pd.DataFrame) else comparison.effects(
        data, kind=kind, stack=stack, time=time, countries=top_n)
    table = table.iloc[: top_n + 1]
    about = table.attrs
    kind, stack = about.get("kind", kind), about.get("stack", stack)

    fig, ax = one_panel(ax, width=7.5, height=max(3.0, 0.32 * len(table) + 1.6))
    y = np.arange(len(table))
    points = 100 * table["difference"].to_numpy(float)
    # An interval that could not be estimated (one replicate) is drawn without a bar.
    below = np.nan_to_num(points - 100 * table["ci_low"].to_numpy(float))
    above = np.nan_to_num(100 * table["ci_high"].to_numpy(float) - points)
    is_world = np.asarray(table.index == comparison.WORLD)
    colours = np.where(is_world, _WORLD_COLOUR, _COUNTRY_COLOUR)
    ax.barh(y, points, color=colours, height=0.6)
    level = f"{100 * about['confidence']:g}% CI" if "confidence" in about else "CI"
    ax.errorbar(points, y, xerr=[below, above], fmt="none", ecolor="black", capsize=3, linewidth=1, label=level)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [name if code == comparison.WORLD else f"{name} ({code})"
                      for code, name in zip(table.index, table["country_name"])])
    for label, world in zip(ax.get_yticklabels(), is_world):
        label.set_fontweight("bold" if world else "normal")
    ax.invert_yaxis()  # the world on top
    ax.set_xlabel(f"change in share of {kind_label(kind)} on {stack} (percentage points)")
    ax.grid(axis="x", alpha=0.3)
    handles = [Patch(color=_WORLD_COLOUR, label="world"), Patch(color=_COUNTRY_COLOUR, label="country"),
               *ax.get_legend_handles_labels()[0]]
    ax.legend(handles=handles, fontsize="small", loc="best")
    arms = f"{about['alternative']} − {about['base']}" if "base" in about else "alternative − base"
    when = f", {about['time']}" if "time" in about else ""
    interval = f" ({about['interval']} intervals, n = {int(table['n'].iloc[0])})" if "interval" in about else ""
    ax.set_title(f"Effect on {stack} among {kind_label(kind)}{when}\n{arms}{interval}", fontsize="medium")
    return fig


# --------------------------------------------------------------------------------------
# Sweeps: an outcome against each parameter
# --------------------------------------------------------------------------------------

# Up to this many distinct values a parameter is treated as a grid axis: median per value.
_MAX_GRID_VALUES = 12
_BINS = 10


def parameter_scatter(ds: xr.Dataset, outcome: Callable[[xr.Dataset], xr.DataArray] | xr.DataArray,
                      parameter: str | Sequence[str] | None = None, *, ax: Axes | None = None) -> Figure:
    """Each swept parameter against the outcome of every run, one panel per parameter.

    ``outcome`` is a function ``ds -> DataArray over run`` (see ``stackrace.outcomes``) or
    such a DataArray. A median line summarises the runs: per distinct value on a grid
    (or any parameter with few values), else over quantile bins of the parameter.
    """
    if "parameters" not in ds.attrs:
        raise ValueError(f"not a sweep file (command = {io.file_kind(ds)!r}): it has no swept parameters")
    values = outcome(ds) if callable(outcome) else outcome
    y = per_run(ds, values, "outcome")  # aligned on the run labels
    names = _chosen(parameter, parameter_names(ds), "swept parameter")
    if ax is not None and len(names) != 1:
        raise ValueError("ax= draws one panel: name one parameter")
    fig, axes = _new_figure(len(names), width=4.6, height=3.8) if ax is None else (ax.figure, [ax])
    y_label = _outcome_label(values, outcome)
    logarithmic = _loguniform(ds)
    text_values = io.parameter_labels(ds)
    for axis, name in zip(axes, names):
        x = np.asarray(ds[f"param_{name}"].values, dtype=float)  # a text parameter's codes
        axis.scatter(x, y, s=14, alpha=0.55, color="#4c72b0", linewidths=0, label="runs")
        line_x, line_y, what = _median_line(x, y, ds.attrs.get("design") == "grid")
        axis.plot(line_x, line_y, color="black", marker="o", markersize=3.5, linewidth=1.5, label=what)
        if name in logarithmic and np.all(x > 0):
            axis.set_xscale("log")  # drawn evenly over decades: shown so
        if name in text_values:
            axis.set_xticks(range(len(text_values[name])), text_values[name])
        axis.set_xlabel(name)
        axis.set_ylabel(textwrap.fill(y_label, 45))  # a long outcome's label would run off the panel
        axis.set_title(f"{name}", fontsize="medium")
        axis.grid(alpha=0.3)
        axis.legend(fontsize="small", loc="best")
    if ax is None:
        # Wrapped to the figure's width: one narrow panel would cut a long title.
        width = int(fig.get_figwidth() * 11)
        fig.suptitle(textwrap.fill(f"{y_label} against the swept parameters ({_scenario_phrase(ds)})", width),
                     fontsize="medium")
    return fig


def _loguniform(ds: xr.Dataset) -> set[str]:
    """The parameters the sweep drew evenly over decades (none if it does not say)."""
    try:
        table = swept_parameters(ds)
    except ValueError:
        return set()
    return set(table.index[table["distribution"] == "loguniform"])


def _median_line(x: np.ndarray, y: np.ndarray, grid: bool):
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    distinct = np.unique(x)
    # Per value where values repeat enough for a median to mean something (a grid, or a
    # list of values picked at random); otherwise bins (Sobol, Saltelli, continuous draws).
    if grid or (distinct.size <= _MAX_GRID_VALUES and x.size >= 3 * distinct.size):
        return distinct, np.array([np.median(y[x == v]) for v in distinct]), "median per value"
    bins = min(_BINS, max(2, x.size // 5))
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    used = np.unique(which)
    return (np.array([np.median(x[which == b]) for b in used]),
            np.array([np.median(y[which == b]) for b in used]), "binned median")


def _outcome_label(values, outcome) -> str:
    attrs = getattr(values, "attrs", {})
    return attrs.get("long_name") or getattr(outcome, "label", None) or getattr(values, "name", None) or "outcome"


# --------------------------------------------------------------------------------------
# Sobol indices
# --------------------------------------------------------------------------------------


def sensitivity_bars(indices: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None) -> Figure:
    """First- (S1) and total-order (ST) Sobol indices per parameter, with their intervals.

    ``indices`` is a table as ``stackrace.sensitivity.sobol`` returns: indexed by
    parameter, columns S1, S1_low, S1_high, ST, ST_low, ST_high (NaN bounds: no bar).
    """
    missing = {"S1", "ST"} - set(indices.columns)
    if missing:
        raise KeyError(f"the indices table lacks {', '.join(sorted(missing))}")
    fig, ax = one_panel(ax, width=max(4.5, 1.1 * len(indices) + 2.5), height=4.0)
    x = np.arange(len(indices))
    width = 0.38
    for offset, order, colour, words in [(-width / 2, "S1", "#4c72b0", "first order (S1)"),
                                         (width / 2, "ST", "#dd8452", "total order (ST)")]:
        centre = indices[order].to_numpy(float)
        ax.bar(x + offset, centre, width, color=colour, label=words)
        if {f"{order}_low", f"{order}_high"} <= set(indices.columns):
            # The interval as the table gives it: a percentile bootstrap interval need not
            # contain the estimate, so it is drawn from its ends, not as estimate ± error.
            low, high = indices[f"{order}_low"].to_numpy(float), indices[f"{order}_high"].to_numpy(float)
            shown = np.isfinite(low) & np.isfinite(high)
            ax.vlines(x[shown] + offset, low[shown], high[shown], color="black", linewidth=1)
            for end in (low, high):
                ax.plot(x[shown] + offset, end[shown], linestyle="none", marker="_", markersize=8, color="black")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [str(p) for p in indices.index], rotation=30 if len(indices) > 4 else 0, ha="right"
                  if len(indices) > 4 else "center")
    ax.set_xlabel("parameter")
    ax.set_ylabel("Sobol index (share of output variance)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    confidence = indices.attrs.get("confidence")
    bars = f"; bars: {100 * confidence:g}% bootstrap CI" if confidence else ""
    ax.set_title(title or f"Sobol sensitivity indices{bars}", fontsize="medium")
    return fig


# --------------------------------------------------------------------------------------
# Stack state
# --------------------------------------------------------------------------------------


def stack_state(ds: xr.Dataset, *, band: tuple[float, float] | None = (5, 95)) -> Figure:
    """Capability and price (USD per million tokens, log scale) of each stack over time."""
    stacks = [s for s in map(str, ds["stack"].values) if s != "none"]  # not using AI has neither
    fig, axes = _new_figure(2, width=5.4, height=3.8)
    groups = comparison.run_groups(ds)
    times = ds["time"].values
    for axis, variable, label in [(axes[0], "capability", "capability"),
                                  (axes[1], "price", "price (USD per million tokens)")]:
        data = ds[variable].sel(stack=stacks).transpose("run", "time", "stack").values
        band_drawn = False
        for s, stack in enumerate(stacks):
            for g, (arm, runs) in enumerate(groups):
                band_drawn |= _draw_runs(axis, times, data[runs][:, :, s], colour=stack_colour(stack, ds["stack"].values),
                                         linestyle=_LINESTYLES[g % len(_LINESTYLES)],
                                         label=" · ".join([stack, *([arm] if arm else [])]), band=band)
        axis.set_xlabel("month")
        axis.set_ylabel(label)
        axis.set_title(label.split(" (")[0].capitalize(), fontsize="medium")
        axis.grid(alpha=0.3)
        _legend(axis, band_drawn, band, loc="best")
    axes[1].set_yscale("log")
    # Prices often span less than a decade: ticks at 1, 2, 5 x 10^k, in plain numbers.
    axes[1].yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axes[1].yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes[1].yaxis.set_minor_formatter(NullFormatter())
    fig.suptitle(f"Stack state — {_scenario_phrase(ds)}", fontsize="medium")
    return fig


# --------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------


def posterior_pairs(ds: xr.Dataset, *, parameters: Sequence[str] | None = None, generation: int = -1) -> Figure:
    """The posterior of a calibration file: each parameter's histogram on the diagonal
    (over its prior's range, log-scaled for log-uniform priors), each pair's particles
    below it. Pass ``parameters`` to draw a few of many."""
    from . import calibration
    post = calibration.posterior(ds, generation)
    names = list(parameters) if parameters is not None else list(post.columns)
    prior = dict(zip([str(p) for p in ds["parameter"].values], [str(p) for p in ds["prior"].values]))
    bounds = {str(p): (float(lo), float(hi)) for p, lo, hi in
              zip(ds["parameter"].values, ds["prior_low"].values, ds["prior_high"].values)}
    n = len(names)
    fig = Figure(figsize=(1.9 * n + 1, 1.9 * n + 1), layout="constrained")
    axes = fig.subplots(n, n, squeeze=False)
    for i, row in enumerate(names):
        for j, column in enumerate(names):
            ax = axes[i][j]
            if j > i:
                ax.set_visible(False)
                continue
            log = prior.get(column) == "loguniform"
            if i == j:
                lo, hi = bounds.get(column, (np.nan, np.nan))
                edges = (np.geomspace(lo, hi, 25) if log else np.linspace(lo, hi, 25)) if np.isfinite([lo, hi]).all() \
                    else 25
                ax.hist(post[column], bins=edges, color="#4c72b0", alpha=0.8)
                ax.set_yticks([])
            else:
                ax.scatter(post[column], post[row], s=3, alpha=0.4, color="#4c72b0", linewidths=0)
                if prior.get(row) == "loguniform":
                    ax.set_yscale("log")
            if log:
                ax.set_xscale("log")
            if i == n - 1:
                ax.set_xlabel(column, fontsize="x-small")
            if j == 0 and i > 0:
                ax.set_ylabel(row, fontsize="x-small")
            ax.tick_params(labelsize="xx-small")
    tolerance = float(ds["tolerance"].values[generation])
    state = "posterior" if tolerance <= 1 else f"tolerance {tolerance:.3g}, not yet the posterior"
    fig.suptitle(f"{ds.attrs.get('name', 'calibration')}: {len(post)} particles ({state})", fontsize="medium")
    return fig


def posterior_predictive(ds: xr.Dataset, *, targets: Sequence[str] | None = None, generation: int = -1) -> Figure:
    """Each target of a calibration file: the observed value and its interval (black)
    against the posterior predictive (blue: the model's 90% range over particles; the
    thin line widened by the target's observation error). Held-out targets are drawn in
    orange: what the model predicted without seeing them."""
    from . import calibration
    table = calibration.predictive(ds, generation)
    if targets is not None:
        table = table.loc[list(targets)]
    fig, ax = one_panel(None, width=7.5, height=0.26 * len(table) + 1.2)
    y = np.arange(len(table))[::-1]
    colour = np.where(table["fitted"], "#1f63b4", "#ff7f0e")
    ax.hlines(y, table["predictive_low"], table["predictive_high"], color=colour, linewidth=1, alpha=0.6)
    ax.hlines(y, table["model_low"], table["model_high"], color=colour, linewidth=4, alpha=0.8)
    ax.errorbar(table["observed"], y, xerr=[table["observed"] - table["low"], table["high"] - table["observed"]],
                fmt="o", color="black", markersize=3, elinewidth=0.8, capsize=2)
    ax.set_yticks(y, [f"{t}{'' if f else ' (held out)'}" for t, f in zip(table.index, table["fitted"])],
                  fontsize="x-small")
    ax.set_xlabel("value (shares as fractions)")
    ax.grid(axis="x", alpha=0.3)
    covered = table["covered"]
    ax.set_title(f"Posterior predictive: {int(covered.sum())} of {len(table)} observed values inside the "
                 f"predictive 90% interval", fontsize="medium")
    ax.legend(handles=[Patch(color="#1f63b4", label="fitted: model 90% range"),
                       Patch(color="#ff7f0e", label="held out: model 90% range"),
                       Patch(color="black", label="observed and its interval")], fontsize="x-small", loc="lower right")
    return fig
