"""Loading stackrace result files (run, compare and sweep) into xarray and pandas.

This module knows only the HDF5 format documented in the repository README ("The
result file"); it never links to the C++ engine.
"""
from __future__ import annotations

import os
import tomllib
import warnings

import h5netcdf
import h5py
import numpy as np
import pandas as pd
import xarray as xr

from . import crash_guard, swmr

__all__ = ["open", "to_frame", "file_kind", "failed_runs", "swept_parameters", "parameter_names", "RUN_STATUS", "DONE"]

# status (run): what the engine writes for each run.
RUN_STATUS = {0: "pending", 1: "done", 2: "failed"}
DONE = 1

# Per-country datasets the engine writes, shown as coordinates on `country` (the file
# names them in each variable's CF `coordinates` attribute; files before format 4 did not).
_COUNTRY_METADATA = ("country_name", "country_region", "country_alignment", "country_tier")
# Per-stack datasets, shown as coordinates on `stack` (files from before them have none).
_STACK_METADATA = ("stack_bloc", "stack_open_weights")

# Per-run datasets that describe a run rather than measure it: coordinates on `run`.
# (A failed run's `error` message stays a variable: failed runs are dropped by default.)
_RUN_DESCRIPTION = ("seed", "status", "design_point", "replicate", "posterior_particle", "saltelli_matrix",
                    "saltelli_row", "scenario_of_run")

# Long texts the file keeps as scalar string datasets (format 4; before, root attributes):
# `open` gives them as the root attributes they were, the dataset's name -> the attribute's.
_TEXTS = {"scenario_toml": "scenario", "sweep_toml": "sweep", "calibration_toml": "calibration",
          "targets_csv": "targets"}

_builtin_open = open


def open(path: str | os.PathLike, *, failed: str = "drop") -> xr.Dataset:  # noqa: A001 (the package's verb)
    """Open a stackrace result file (run, compare or sweep) as a labelled, lazy Dataset.

    A calibration file (``stackrace calibrate``) opens with its generations, particles,
    parameters and targets labelled instead (``stackrace.calibration``).

    - ``time`` holds real dates (the first of each month, as the file's CF units and
      calendar give them); the months since the start stay available as the ``month``
      coordinate. A run whose months pandas cannot date (past April 2262) keeps its
      months as time, with a warning.
    - Country metadata (``country_name``, ``country_region``, ``country_alignment``,
      ``country_tier``) are coordinates on ``country``; each stack's bloc (``stack_bloc``:
      us, cn, other, none) and whether its weights are open (``stack_open_weights``, a
      bool) are coordinates on ``stack``, so that stacks group without parsing their
      names: ``ds.global_share.groupby("stack_bloc").sum()``.
    - Each swept parameter (``param_<name>``) and the run's ``seed``, ``status``,
      ``replicate``, ``design_point`` (and Saltelli indices, and for a comparison the
      ``arm``: the scenario name of each run) are coordinates on ``run``.
    - Runs that did not finish (failed, status 2; or pending, status 0, in a sweep that
      was stopped) are dropped with a warning naming how many; ``failed="keep"`` keeps
      them (their values are then undefined).
    - The resolved scenario (and a sweep's resolved sweep file, a calibration's file and
      targets), which the file keeps as the datasets ``scenario_toml`` and ``sweep_toml``
      (``calibration_toml``, ``targets_csv``), are the root attributes ``scenario`` and
      ``sweep`` (``calibration``, ``targets``) as in files before format 4. In a
      comparison, ``scenario`` is the base's; ``scenario_toml`` keeps both.
    - Nothing but these small coordinates is read: a selection reads only what it needs,
      so a sweep file larger than memory opens at once.

    A sweep killed with SIGKILL leaves its file in single-writer/multi-reader mode; it is
    opened as such (read-only) here.
    """
    if failed not in ("drop", "keep"):
        raise ValueError(f"failed must be 'drop' or 'keep', not {failed!r}")
    path = os.fspath(path)
    ds = _texts_as_attributes(_open_lazily(path))
    if str(ds.attrs.get("command", "")) == "calibrate":
        from . import calibration
        return calibration.label(ds)
    ds = _label(ds)
    if failed == "drop":
        ds = _drop_unfinished(ds, path)
    return ds


def _open_lazily(path: str) -> xr.Dataset:
    # SWMR access reads both finished files and sweep checkpoints left behind by a kill
    # (whose superblock still says a writer holds them).
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    crash_guard.check_strings(path)
    file = swmr.open_file(path)
    try:
        # The format first, as the engine's reader does: of a file cut short, reading an
        # attribute fails cleanly where HDF5 listing its objects (h5netcdf) may corrupt memory.
        if not h5py.h5a.exists(file, b"format") or h5py.File(file).attrs["format"] != "stackrace":
            file.close()
            raise ValueError(f"{path}: not a stackrace result file (no root attribute format = 'stackrace')")
        return _decoded(xr.backends.H5NetCDFStore(h5netcdf.File(file, "r", decode_vlen_strings=True)))
    except (OSError, RuntimeError, KeyError, TypeError, AttributeError) as e:
        # h5py's own words ("incorrect metadata checksum after all read attempts") do not
        # say which file, nor what is likely wrong with it. (A variable that fails to
        # decode, xarray raises again as its error's type with a message, which h5py's
        # error types do not take: a TypeError. A damaged reference between objects, a
        # dimension's scale, h5netcdf follows to None: an AttributeError.)
        if file.valid:
            file.close()
        raise OSError(f"{path}: cannot be read, a file cut short or damaged? ({e})") from e


def _decoded(store: xr.backends.H5NetCDFStore) -> xr.Dataset:
    # CF decoding, time included (xarray dates past 2262 with cftime, and _label keeps
    # months for such a run).
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Unable to decode time axis", xr.SerializationWarning)
            return xr.open_dataset(store)
    except ValueError as e:
        # Past pandas' dates without cftime to hold them: time as the file stores it.
        if "unable to decode time" not in str(e):
            raise
        return xr.open_dataset(store, decode_times=False)


def _label(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.set_coords([v for v in _COUNTRY_METADATA + _STACK_METADATA if v in ds.variables])
    if "stack_open_weights" in ds.coords:
        ds = ds.assign_coords(stack_open_weights=ds["stack_open_weights"].astype(bool))
    description = [v for v in ds.data_vars if v in _RUN_DESCRIPTION or v.startswith("param_")]
    ds = ds.set_coords(description)
    if "time" in ds.coords and "start" in ds["time"].attrs:
        ds = _dated(ds)  # a file from before format 4: months since `start`
    elif "time" in ds.coords and not np.issubdtype(ds["time"].dtype, np.datetime64):
        ds = _months_as_time(ds)
    if "scenario_of_run" in ds.coords and "scenario" in ds.coords:
        names = _arm_names([str(n) for n in ds["scenario"].values])
        ds = ds.assign_coords(arm=("run", np.asarray(names)[ds["scenario_of_run"].values]))
        ds.attrs["arms"] = names  # [base, alternative], as `arm` labels them
    if "parameters" in ds.attrs:
        ds.attrs["parameters"] = parameter_names(ds)
        ds = _with_parameter_labels(ds)
    return ds


def parameter_labels(ds: xr.Dataset) -> dict[str, list[str]]:
    """The swept parameters given as text (``values = ["2025-05", "2027-01"]``): for each,
    its labels in order. Their ``param_<name>`` holds each run's code, an index into them."""
    try:
        table = swept_parameters(ds)
    except ValueError:
        return {}
    if "values" not in table:
        return {}
    # Booleans (a switch on or off) are levels too, labelled as TOML writes them.
    return {str(name): [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
            for name, values in table["values"].items()
            if isinstance(values, list) and values and isinstance(values[0], (str, bool))}


def _with_parameter_labels(ds: xr.Dataset) -> xr.Dataset:
    # A text parameter gets its labels as a coordinate beside its codes, so runs can be
    # selected by what was set: ds.where(ds.param_tier2_start_label == "2027-01").
    for name, labels in parameter_labels(ds).items():
        codes = np.asarray(ds[f"param_{name}"].values)
        text = np.asarray(labels, dtype=object)[np.nan_to_num(codes, nan=0).astype(int)]
        ds = ds.assign_coords({f"param_{name}_label": ("run", text)})
    return ds


def _texts_as_attributes(ds: xr.Dataset) -> xr.Dataset:
    for name, attribute in _TEXTS.items():
        if name not in ds.variables:
            continue
        texts = np.atleast_1d(ds[name].values)  # a comparison keeps one per scenario, the base first
        ds.attrs[attribute] = _text(texts[0])
        if ds[name].ndim == 0:
            ds = ds.drop_vars(name)
    return ds


def _months_as_time(ds: xr.Dataset) -> xr.Dataset:
    # pandas dates run from 1677-09 to 2262-04: xarray gives later months as cftime dates
    # (or, without cftime, as the days the file stores), which neither pandas nor
    # matplotlib take. Such a run keeps its months, counted from the start, as time (every
    # function here takes a month index as well as a date).
    start = _start_month(ds["time"])
    warnings.warn(f"the file's months run past what pandas can date (1677-09 to 2262-04): time is kept as months since "
                  f"{start}", stacklevel=4)
    months = ds["month"].values.astype(int)
    return ds.assign_coords(time=("time", months, {"long_name": f"months since {start}", "start": start}))


def _start_month(time: xr.DataArray) -> str:
    """YYYY-MM of the file's first month, from time's CF units ("days since YYYY-MM-01 ...")."""
    units = str(time.encoding.get("units", time.attrs.get("units", "")))
    return units.removeprefix("days since ")[:7]


def _arm_names(names: list[str]) -> list[str]:
    # Everything downstream tells the arms apart by name: two scenarios that share a
    # name (a copied file not renamed, a scenario against itself) must not merge.
    if len(set(names)) == len(names):
        return names
    warnings.warn(f"both compared scenarios are named {names[0]!r}: their arms are labelled "
                  f"'{names[0]} (base)' and '{names[0]} (alternative)'", stacklevel=4)
    return [f"{names[0]} (base)", f"{names[1]} (alternative)"]


def _dated(ds: xr.Dataset) -> xr.Dataset:
    months = ds["time"].values.astype(int)
    ds = ds.assign_coords(month=("time", months))
    try:
        # The start itself may lie past what pandas can date (a world starting in 2300).
        start = pd.Timestamp(str(ds["time"].attrs["start"]) + "-01")
        dates = pd.DatetimeIndex([start + pd.DateOffset(months=int(m)) for m in months])
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        # pandas dates run from 1677-09 to 2262-04: a run outside them keeps its months,
        # counted from the start, as time (every function here takes a month index as
        # well as a date).
        warnings.warn(f"the file's months run past what pandas can date (1677-09 to 2262-04): time is kept as months since "
                      f"{ds['time'].attrs['start']}", stacklevel=4)
        return ds
    ds = ds.assign_coords(time=("time", dates, {"long_name": "month", "start": str(ds["time"].attrs["start"])}))
    return ds


def _drop_unfinished(ds: xr.Dataset, path: str) -> xr.Dataset:
    if "status" not in ds.coords:
        return ds
    status = ds["status"].values
    done = status == DONE
    if done.all():
        return ds
    counts = {RUN_STATUS.get(int(s), str(s)): int((status == s).sum()) for s in np.unique(status[~done])}
    told = ", ".join(f"{n} {what}" for what, n in counts.items())
    warnings.warn(f"{path}: dropped {int((~done).sum())} of {status.size} runs that did not finish ({told}); "
                  "stackrace.failed_runs(path) lists them, open(path, failed='keep') keeps them",
                  stacklevel=3)
    return ds.isel(run=np.flatnonzero(done))


def failed_runs(path: str | os.PathLike) -> pd.DataFrame:
    """The runs of a file that did not finish: run, status, error message, parameters."""
    with open(path, failed="keep") as ds:
        bad = ds["status"].values != DONE
        columns = [c for c in ds.coords if ds[c].dims == ("run",) and c != "run"]
        table = ds[columns].isel(run=np.flatnonzero(bad)).reset_coords().to_dataframe()
        if "error" in ds:
            messages = ds["error"].values[bad]
            table["error"] = [m.decode(errors="replace").rstrip("\0") if isinstance(m, bytes) else str(m)
                              for m in messages]
    table["status"] = table["status"].map(lambda s: RUN_STATUS.get(int(s), str(s)))
    return table


def parameter_names(ds: xr.Dataset) -> list[str]:
    """A sweep's parameter names in design order, from the root attribute ``parameters``
    (space-separated in the file, a list once ``open`` has read it; either works, so
    does a dataset from plain ``xarray.open_dataset``)."""
    raw = ds.attrs.get("parameters")
    if raw is None:
        raise ValueError("the dataset has no `parameters` attribute: not a sweep result")
    if isinstance(raw, (str, bytes)):
        names = _text(raw).split()
    else:
        names = [_text(n) for n in np.atleast_1d(raw)]
    if not names:
        raise ValueError("the dataset's `parameters` attribute is empty")
    return names


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def swept_parameters(ds: xr.Dataset) -> pd.DataFrame:
    """A sweep's parameters in design order, from its resolved sweep file (root attribute
    ``sweep``): index ``name``; columns ``key`` (the scenario key), ``distribution``
    (uniform, loguniform, normal... as the sweep file spells it; ``values`` for a list)
    and the range or values as written."""
    if "sweep" not in ds.attrs:
        raise ValueError("not a sweep result: no root attribute `sweep`")
    rows = tomllib.loads(str(ds.attrs["sweep"])).get("parameters", [])
    table = pd.DataFrame(rows).set_index("name")
    if "distribution" not in table:
        table["distribution"] = None
    if "values" in table:
        table.loc[table["values"].notna(), "distribution"] = "values"
    return table


def file_kind(ds: xr.Dataset) -> str:
    """'run', 'compare' or 'sweep': the command that wrote the file."""
    return str(ds.attrs.get("command", "run"))


def to_frame(data: xr.Dataset | xr.DataArray, variable: str | None = None, *, dropna: bool = True,
             **selection) -> pd.DataFrame:
    """A tidy table: one row per value, a column per dimension and per coordinate.

    ``to_frame(ds, "global_share", kind="developer")`` gives columns run, time, kind,
    stack, global_share and every coordinate on those dimensions (seed, parameters, the
    comparison arm, month...). Selections by label are applied first (and read only what
    they select). Missing values (a country without agents of a kind) are dropped unless
    ``dropna=False``.
    """
    if isinstance(data, xr.Dataset):
        if variable is None:
            raise ValueError("to_frame(dataset, variable): name the variable, e.g. 'global_share'")
        array = data[variable]
    else:
        array = data
        variable = variable or array.name or "value"
    if selection:
        array = array.sel(**selection)
    frame = array.to_dataframe(name=variable).reset_index()
    if dropna:
        frame = frame.dropna(subset=[variable])
    return frame
