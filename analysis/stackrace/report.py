"""A self-contained HTML report of one result file (run, compare or sweep).

    python3 -m stackrace report results/default.h5 -o report/
    stackrace.report.write_report("results/default.h5", "report/")

writes ``report/index.html``: one page, figures embedded as PNG (base64), no other
files and nothing fetched from the network, so it can be mailed or archived as is.
It holds a summary of the file, the adoption curves, a world map at the last month,
per kind of file the policy's effects (compare), the outcome against each parameter
and, for Saltelli designs, the Sobol indices (sweep), and tables of the final shares.
"""
from __future__ import annotations

import base64
import html
import io as _bytes
import os
import pathlib
import tomllib
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import xarray as xr

from . import __version__, comparison, figures, io, outcomes, sensitivity

__all__ = ["write_report", "ReportError"]

_TOP_COUNTRIES = 15


class ReportError(Exception):
    """The report cannot be made: a missing or unreadable file, or an unknown kind or stack."""


@dataclass
class Section:
    id: str
    title: str
    body: str


def write_report(path: str | os.PathLike, out_dir: str | os.PathLike | None = None, *,
                 kind: str = "developer", stack: str = "cn_open") -> pathlib.Path:
    """Write ``out_dir/index.html`` for the result file at ``path`` and return its path.

    ``kind`` and ``stack`` choose the share the maps, effects, parameter views and
    country tables follow (default: developers on ``cn_open``). ``out_dir`` defaults to
    ``<file name without .h5>-report`` next to the file.
    """
    path = pathlib.Path(path)
    ds, status = _load(path)
    _check_choice(ds, kind, stack)
    out_dir = pathlib.Path(out_dir) if out_dir is not None else path.with_name(f"{path.stem}-report")
    sections = [_summary(ds, path, status), *_figures_and_tables(ds, kind, stack)]
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    # Written aside and renamed: an interrupted report never leaves half a page.
    partial = page.with_name("index.html.partial")
    partial.write_text(_page(f"stackrace report: {path.name}", sections), encoding="utf-8")
    partial.replace(page)
    return page


# --------------------------------------------------------------------------------------
# Loading and checking
# --------------------------------------------------------------------------------------


def _load(path: pathlib.Path) -> tuple[xr.Dataset, dict[str, int]]:
    """The finished runs of the file, and how many runs had each status."""
    try:
        ds = io.open(path, failed="keep")
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except (ValueError, OSError) as error:
        raise ReportError(f"{path}: not a stackrace result file ({error})") from None
    codes = ds["status"].values if "status" in ds.coords else np.ones(ds.sizes["run"], int)
    status = {name: int((codes == code).sum()) for code, name in io.RUN_STATUS.items()}
    done = np.flatnonzero(codes == io.DONE)
    if done.size == 0:
        raise ReportError(f"{path}: no run of the file finished ({status})")
    return ds.isel(run=done), status


def _check_choice(ds: xr.Dataset, kind: str, stack: str) -> None:
    for what, value in (("kind", kind), ("stack", stack)):
        available = [str(v) for v in ds[what].values]
        if value not in available:
            raise ReportError(f"no {what} {value!r} in the file (it has {', '.join(available)})")


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------


def _figures_and_tables(ds: xr.Dataset, kind: str, stack: str) -> list[Section]:
    kind_of_file = io.file_kind(ds)
    sections = [_adoption(ds), _map(ds, kind, stack)]
    if kind_of_file == "compare":
        sections.append(_comparison(ds, kind, stack))
    if kind_of_file == "sweep" and ds.attrs.get("parameters"):
        final = outcomes.global_share_at(kind, stack)
        sections.append(_parameters(ds, final))
        if ds.attrs.get("design") == "saltelli":
            sections.append(_sensitivity(ds, final))
    sections += [_final_shares(ds), _top_countries(ds, kind, stack), _stack_state(ds), _policies(ds)]
    return sections


def _summary(ds: xr.Dataset, path: pathlib.Path, status: dict[str, int]) -> Section:
    kind_of_file = io.file_kind(ds)
    times = pd.DatetimeIndex(ds["time"].values)
    rows = [("file", str(path)),
            ("kind of file", kind_of_file + (f" ({ds.attrs['design']} design)" if "design" in ds.attrs else "")),
            ("scenario", ds.attrs.get("scenario_name", "")),
            ("created", ds.attrs.get("created", "")),
            ("stackrace_version", ds.attrs.get("stackrace_version", "")),
            ("runs", ", ".join(f"{n} {name}" for name, n in status.items() if n or name != "pending")),
            ("months", f"{times[0]:%Y-%m} to {times[-1]:%Y-%m} ({ds.sizes['time']} points)"),
            ("dimensions", " × ".join(f"{d} {n}" for d, n in ds["share"].sizes.items()))]
    if kind_of_file == "compare":
        rows += _compare_rows(ds)
    if kind_of_file == "sweep":
        rows += _sweep_rows(ds)
    return Section("summary", "Summary", _definition_table(rows))


def _compare_rows(ds: xr.Dataset) -> list[tuple[str, str]]:
    base, alt = comparison.arms(ds)
    crn = str(ds.attrs.get("common_random_numbers", "")).lower() == "true"
    replicates = int((ds["arm"].values == base).sum())
    return [("base scenario", f"{base} ({ds.attrs.get('base_file', '')})"),
            ("alternative scenario", f"{alt} ({ds.attrs.get('alternative_file', '')})"),
            ("replicates", f"{replicates} per scenario, "
                           + ("common random numbers (paired)" if crn else "independent seeds"))]


def _sweep_rows(ds: xr.Dataset) -> list[tuple[str, str]]:
    rows = [("sweep", ds.attrs.get("sweep_name", ""))]
    labels = io.parameter_labels(ds)
    for name in ds.attrs.get("parameters", []):
        values = ds[f"param_{name}"].values
        if name in labels:
            rows.append((f"parameter {name}", f"{len(labels[name])} values: {', '.join(labels[name])}"))
            continue
        rows.append((f"parameter {name}", f"{np.unique(values).size} values from {values.min():.4g} to {values.max():.4g}"))
    if "replicate" in ds.coords:
        rows.append(("replicates", str(np.unique(ds["replicate"].values).size)))
    return rows


def _adoption(ds: xr.Dataset) -> Section:
    # One figure per kind, each the page's width: three panels side by side would shrink
    # their labels to a few pixels.
    body = "".join(_figure(figures.adoption_curves(ds, kinds=str(kind)),
                           f"Global share of each stack among {outcomes.kind_label(str(kind))}: median over runs, "
                           "shaded 5–95% of runs (where there are several runs).")
                   for kind in ds["kind"].values)
    return Section("adoption", "Adoption over time", body)


def _map(ds: xr.Dataset, kind: str, stack: str) -> Section:
    if io.file_kind(ds) == "compare":
        maps = [_figure(figures.world_map(ds, stack=stack, kind=kind, arm=arm), f"The {arm} scenario.")
                for arm in comparison.arms(ds)]
    else:
        maps = [_figure(figures.world_map(ds, stack=stack, kind=kind), "Median over runs.")]
    note = _note("Hatched grey: no data (the country is not in the file, or has no agents of this kind). "
                 "Countries too small for the map's shapes are named under it with their shares.")
    return Section("map", f"World map: {stack} among {outcomes.kind_label(kind)}, last month", "".join(maps) + note)


def _comparison(ds: xr.Dataset, kind: str, stack: str) -> Section:
    table = comparison.effects(ds, kind=kind, stack=stack)
    shown = _percent_columns(table, ["base", "alternative"], ["difference", "ci_low", "ci_high"]).rename(
        columns={"country_name": "name", "base": table.attrs["base"], "alternative": table.attrs["alternative"],
                 "difference": "change", "ci_low": "CI low", "ci_high": "CI high"})
    world = _world_effects(ds)
    body = (_figure(figures.policy_comparison(table), "Change in share, alternative − base, with "
                                                      f"{100 * table.attrs['confidence']:g}% intervals.")
            + _figure(figures.effect_map(ds, stack=stack, kind=kind),
                      "The change by country at the last month (red: the share rose; blue: it fell).")
            + f"<h3>Effects on {html.escape(stack)} among {outcomes.kind_label(kind)}</h3>"
            + _note(f"Shares in %, changes in percentage points; {table.attrs['interval']} intervals over "
                    f"{int(table['n'].iloc[0])} replicates. Countries: the {len(table) - 1} that moved most "
                    "(of those with enough agents).")
            + _table(shown)
            + "<h3>World: change in every stack's share</h3>" + _table(world))
    return Section("comparison", f"Policy comparison: {table.attrs['alternative']} vs {table.attrs['base']}", body)


def _world_effects(ds: xr.Dataset) -> pd.DataFrame:
    """The CLI's world block: the change for every kind and stack."""
    rows = []
    for kind in map(str, ds["kind"].values):
        for stack in map(str, ds["stack"].values):
            world = comparison.effects(ds, kind=kind, stack=stack, countries=0).iloc[0]
            rows.append({"kind": kind, "stack": stack, "difference": world["difference"],
                         "ci_low": world["ci_low"], "ci_high": world["ci_high"]})
    table = _percent_columns(pd.DataFrame(rows).set_index(["kind", "stack"]), [], ["difference", "ci_low", "ci_high"])
    return table.rename(columns={"difference": "change", "ci_low": "CI low", "ci_high": "CI high"})


def _parameters(ds: xr.Dataset, outcome) -> Section:
    # One figure per parameter, each readable at the page's width.
    body = "".join(_figure(figures.parameter_scatter(ds, outcome, parameter=name),
                           f"Each run's {outcome.label}, against {name}.")
                   for name in io.parameter_names(ds))
    return Section("parameters", "Outcome against the swept parameters", body)


def _sensitivity(ds: xr.Dataset, outcome) -> Section:
    title = "Sensitivity: Sobol indices"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sensitivity.IncompleteRowsWarning)
        try:
            table = sensitivity.sobol(ds, outcome)
        except ValueError as error:  # e.g. no variance: one section's failure must not sink the report
            return Section("sensitivity", title, _note(f"Left out: the indices could not be estimated ({error})."))
    notes = "".join(_note(str(w.message)) for w in caught if issubclass(w.category, sensitivity.IncompleteRowsWarning))
    figure = figures.sensitivity_bars(table, title=f"Sobol indices of the {outcome.label}")
    return Section("sensitivity", title, _figure(figure, f"First- and total-order indices of the {outcome.label}.")
                   + notes + _table(table.round(3)))


def _final_shares(ds: xr.Dataset) -> Section:
    rows = {}
    for arm, runs in comparison.run_groups(ds):
        final = ds["global_share"].isel(time=-1, run=runs).transpose("run", "kind", "stack")
        values = final.values.astype(float)
        for k, kind in enumerate(map(str, ds["kind"].values)):
            key = (arm, kind) if arm else kind
            rows[key] = [_share_summary(values[:, k, s]) for s in range(values.shape[2])]
    table = pd.DataFrame(list(rows.values()), columns=[str(s) for s in ds["stack"].values],
                         index=pd.MultiIndex.from_tuples(rows) if io.file_kind(ds) == "compare" else list(rows))
    table.index.names = ["scenario", "kind"] if io.file_kind(ds) == "compare" else ["kind"]
    when = pd.Timestamp(ds["time"].values[-1])
    note = _note(f"Global share at {when:%Y-%m}, weighted by the real entities each agent stands for: median "
                 "over runs, with the 5–95% range of runs in brackets where there are several.")
    return Section("shares", "Final global shares", note + _table(table))


# The keys that say what a policy does, by type (worlds/README.md, "Policies").
_POLICY_LEVERS = ("access", "cap_h100e_per_year", "leakage", "compute_growth_cut", "stack", "scope", "rate",
                  "price_share", "setup", "offered_by", "price_cut", "compute_share", "level", "mode", "penalty")


def _policies(ds: xr.Dataset) -> Section:
    """The policies in force in each scenario of the file, from its resolved text."""
    if io.file_kind(ds) == "compare" and "scenario_toml" in ds.variables:
        texts = dict(zip(comparison.arms(ds), map(str, ds["scenario_toml"].values)))
    else:
        texts = {str(ds.attrs.get("scenario_name", "scenario")): str(ds.attrs.get("scenario", ""))}
    rows = []
    for arm, text in texts.items():
        try:
            scenario = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        for policy in scenario.get("policies", []):
            window = f"{policy.get('start') or 'always'} – {policy.get('end') or 'on'}"
            levers = ", ".join(f"{key} {policy[key]}" for key in _POLICY_LEVERS if key in policy)
            rows.append({"scenario": arm, "id": policy.get("id", ""), "type": policy.get("type", ""),
                         "name": policy.get("name", ""), "targets": ", ".join(policy.get("targets", [])),
                         "in force": window, "what it sets": levers})
        unserved = scenario.get("availability", [])
        if unserved:
            rows.append({"scenario": arm, "id": "", "type": "availability", "in force": "",
                         "name": f"{len(unserved)} entries: stacks not served where their providers do not serve",
                         "targets": "", "what it sets": "leakage"})
    if not rows:
        return Section("policies", "Policies in force", _note("No policy: the scenario's world as it is."))
    note = _note("From each scenario's resolved text, which the file keeps (stackrace validate prints it "
                 "whole). Windows are inclusive months.")
    return Section("policies", "Policies in force", note + _table(pd.DataFrame(rows).set_index("scenario")))


def _top_countries(ds: xr.Dataset, kind: str, stack: str) -> Section:
    eligible = outcomes.countries_with_agents(ds, kind)
    final = ds["share"].isel(time=-1).sel(kind=kind, country=eligible)
    columns = {}
    for arm, runs in comparison.run_groups(ds):
        medians = final.isel(run=runs).median("run").transpose("country", "stack").to_pandas()
        for s in medians.columns:
            columns[f"{s} ({arm})" if arm else str(s)] = medians[s]
    table = pd.DataFrame(columns)
    # Ranked by the share in the first group of runs (the base scenario of a comparison).
    first_arm = comparison.run_groups(ds)[0][0]
    ranking = f"{stack} ({first_arm})" if first_arm else stack
    table = table.dropna().sort_values(ranking, ascending=False).head(_TOP_COUNTRIES)
    table = table.apply(lambda column: column.map(_percent))
    table.insert(0, "agents", ds["agents"].sel(kind=kind, country=table.index).values)
    if "country_region" in ds.coords:
        table.insert(0, "region", ds["country_region"].sel(country=table.index).values)
    if "country_name" in ds.coords:
        table.insert(0, "name", ds["country_name"].sel(country=table.index).values)
    table.index.name = "country"
    threshold = outcomes.min_ranked_agents(ds, kind)
    note = _note(f"The {len(table)} countries with the highest median share of {outcomes.kind_label(kind)} on "
                 f"{stack} at the last month, of those with enough {outcomes.kind_label(kind)} for a share to be "
                 "meaningful" + (f" (at least {threshold} agents)." if threshold else "."))
    return Section("countries", f"Top countries: {stack} among {outcomes.kind_label(kind)}", note + _table(table))


def _stack_state(ds: xr.Dataset) -> Section:
    return Section("stack-state", "Stack capability and price",
                   _figure(figures.stack_state(ds), "Median over runs, shaded 5–95% of runs."))


# --------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------


def _percent(x: float, digits: int = 1) -> str:
    return "" if not np.isfinite(x) else f"{100 * x:.{digits}f}%"


def _share_summary(values: np.ndarray) -> str:
    if values.size < 2:
        return _percent(float(values[0]))
    low, median, high = np.nanpercentile(values, [5, 50, 95])
    return f"{_percent(median)} ({_percent(low)}–{_percent(high)})"


def _percent_columns(table: pd.DataFrame, shares: list[str], changes: list[str]) -> pd.DataFrame:
    shown = table.copy()
    for column in shares:
        shown[column] = shown[column].map(_percent)
    for column in changes:
        shown[column] = shown[column].map(lambda x: "" if not np.isfinite(x) else f"{100 * x:+.2f} pp")
    return shown


def _figure(figure, caption: str) -> str:
    buffer = _bytes.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    text = html.escape(caption)
    return f'<figure><img src="data:image/png;base64,{data}" alt="{text}"><figcaption>{text}</figcaption></figure>'


def _table(table: pd.DataFrame) -> str:
    # Named index levels become ordinary columns: one header row, not two.
    if any(name is not None for name in table.index.names):
        table = table.reset_index()
        return table.to_html(classes="data", border=0, na_rep="", escape=True, index=False)
    return table.to_html(classes="data", border=0, na_rep="", escape=True)


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _definition_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f'<table class="summary">{cells}</table>'


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
nav a { margin-right: 1em; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption, .note { color: #555; font-size: .9em; }
table { border-collapse: collapse; font-size: .9em; margin: .5em 0; }
th, td { padding: .25em .7em; text-align: right; border-bottom: 1px solid #eee; }
table.summary th, table.summary td { text-align: left; }
footer { margin-top: 3em; color: #777; font-size: .8em; }
"""


def _page(title: str, sections: list[Section]) -> str:
    nav = " ".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    body = "\n".join(f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>\n{s.body}</section>' for s in sections)
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head>\n<body><h1>{html.escape(title)}</h1><nav>{nav}</nav>\n{body}\n"
            f"<footer>Written by the stackrace Python package {__version__} on {made}.</footer></body></html>\n")
