"""Every file the engine writes (run, run --replicates, compare, sweep, calibrate) follows
the CF conventions (README.md, "The result file"), so that netCDF users read it with
their own tools: plain xarray with either engine, netCDF4-python and ncdump. No CF
checker is packaged in Debian; these are the conventions' rules as assertions."""
import re
import subprocess

import cftime
import netCDF4
import numpy as np
import pytest
import xarray as xr

from conftest import BINARY, WORLDS_DIR, tiny_calibration

ENGINES = ("h5netcdf", "netcdf4")
KINDS = ("run", "replicates", "compare", "sweep", "calibrate")
RESULT_KINDS = KINDS[:-1]  # those with time, countries and runs
STEPS = 4
# The longest attribute a file may have: ncdump -h and xarray's repr print every one whole.
LONGEST_ATTRIBUTE = 300
# Units UDUNITS does not know: there is no currency in it.
NOT_UDUNITS = {"USD per million tokens"}


@pytest.fixture(scope="module")
def files(run_to_file, compare_to_file, sweep_to_file, tmp_path_factory):
    small = ("--agents", 3000, "--steps", STEPS)
    folder = tmp_path_factory.mktemp("calibration")
    calibration = folder / "cal.h5"
    result = subprocess.run([str(BINARY), "calibrate", tiny_calibration(folder, particles=20, simulations=100), "-o",
                             calibration, "--threads", "1", "-q"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return {
        "run": run_to_file(WORLDS_DIR / "default.toml", *small, name="run.h5"),
        "replicates": run_to_file(WORLDS_DIR / "default.toml", *small, "--replicates", 3, name="replicates.h5"),
        "compare": compare_to_file("full_embargo.toml", "-r", 2, *small),
        # revise ~ Normal(0.5, 1): the model refuses the draws outside [0, 1], whose runs fail.
        "sweep": sweep_to_file(f'design = "random"\nsamples = 6\nseed = 5\nagents = 3000\nsteps = {STEPS}\n'
                               '[[parameters]]\nkey = "choice.developer.revise"\nname = "revise"\nmean = 0.5\n'
                               'sd = 1.0\n', "cf"),
        "calibrate": calibration,
    }


def variables(path):
    """Every variable of the file as netCDF4-python reads it: name -> (dtype, attributes)."""
    with netCDF4.Dataset(path) as nc:
        return {name: (v.dtype, {a: v.getncattr(a) for a in v.ncattrs()}) for name, v in nc.variables.items()}


def is_text(dtype):
    return dtype is str or np.dtype(dtype).kind in "SU"


@pytest.mark.parametrize("kind", KINDS)
def test_global_attributes_name_the_conventions(files, kind):
    with netCDF4.Dataset(files[kind]) as nc:
        assert nc.getncattr("Conventions") == "CF-1.10"
        title = {"replicates": "stackrace run of default", "compare": "stackrace compare of full_embargo against",
                 "sweep": "stackrace sweep of default", "calibrate": "stackrace calibration tiny_cal"}
        assert nc.getncattr("title").startswith(title.get(kind, f"stackrace {kind} of default"))
        # History: a line that starts with when the file was written, then by what.
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ stackrace \d+\.\d+\S* \w+", nc.getncattr("history"))
        assert nc.getncattr("source").startswith("stackrace ")


@pytest.mark.parametrize("kind", KINDS)
def test_every_variable_has_a_long_name_and_every_number_units(files, kind):
    for name, (dtype, attributes) in variables(files[kind]).items():
        assert attributes.get("long_name"), f"{name} has no long_name"
        if is_text(dtype):
            assert "units" not in attributes, f"{name}: text has no units"
        else:
            assert attributes.get("units"), f"{name} has no units"


def test_units_are_udunits(files):
    # CF's units are UDUNITS' (currencies aside, which it has none of); `udunits2` says
    # whether it knows each one.
    units = {attributes["units"] for kind in KINDS for _, attributes in variables(files[kind]).values()
             if "units" in attributes}
    assert {"1", "months", "month-1", "days since 2026-01-01 00:00:00"} <= units
    for unit in sorted(units - NOT_UDUNITS):
        said = subprocess.run(["udunits2", "-H", unit, "-W", ""], capture_output=True, text=True)
        assert said.returncode == 0 and "Don't recognize" not in said.stdout + said.stderr, f"{unit!r}: {said.stderr}"


@pytest.mark.parametrize("kind", KINDS)
def test_flags_have_a_meaning_for_each_value(files, kind):
    flagged = {}
    with netCDF4.Dataset(files[kind]) as nc:
        for name, v in nc.variables.items():
            if "flag_values" not in v.ncattrs():
                continue
            values, meanings = np.atleast_1d(v.flag_values), v.flag_meanings.split(" ")
            assert values.dtype == v.dtype, f"{name}: flag_values of another type"
            assert len(meanings) == len(values) and all(re.fullmatch(r"\w+", m) for m in meanings), name
            assert set(np.unique(v[:])) <= set(values), f"{name} holds a value without a meaning"
            flagged[name] = dict(zip(values.tolist(), meanings))
    if kind == "calibrate":
        assert flagged == {"target_fitted": {0: "held_out", 1: "fitted"}}
    else:
        assert flagged == {"status": {0: "pending", 1: "done", 2: "failed"},
                           "stack_open_weights": {0: "closed_weights", 1: "open_weights"}}


@pytest.mark.parametrize("kind", KINDS)
def test_floating_point_variables_state_their_fill_value(files, kind):
    # Pending runs and kinds without agents read as the fill value: NaN, of the
    # variable's own type, as netCDF requires.
    with netCDF4.Dataset(files[kind]) as nc:
        for name, v in nc.variables.items():
            if not is_text(v.dtype) and v.dtype.kind == "f":
                fill = np.asarray(v.getncattr("_FillValue"))
                assert fill.dtype == v.dtype and np.isnan(fill), name


@pytest.mark.parametrize("kind", KINDS)
def test_no_attribute_is_a_long_text(files, kind):
    with netCDF4.Dataset(files[kind]) as nc:
        owners = [("", nc)] + list(nc.variables.items())
        for owner, thing in owners:
            for a in thing.ncattrs():
                assert len(str(thing.getncattr(a))) <= LONGEST_ATTRIBUTE, f"{owner}:{a} is a long text"


@pytest.mark.parametrize("kind", KINDS)
def test_long_texts_are_string_datasets(files, kind):
    texts = {"run": ["scenario_toml"], "replicates": ["scenario_toml"], "compare": ["scenario_toml"],
             "sweep": ["scenario_toml", "sweep_toml"],
             "calibrate": ["scenario_toml", "calibration_toml", "targets_csv"]}[kind]
    with netCDF4.Dataset(files[kind]) as nc:
        for name in texts:
            v = nc.variables[name]
            assert v.dtype is str
            assert v.dimensions == (("scenario",) if kind == "compare" and name == "scenario_toml" else ())
            text = np.atleast_1d(v[...])[0]
            head = {"scenario_toml": "[scenario]", "sweep_toml": "[sweep]", "calibration_toml": "[calibration]",
                    "targets_csv": "id,month,fitted,"}[name]
            assert head in text, name


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", RESULT_KINDS)
def test_plain_xarray_dates_time_and_attaches_the_metadata(files, kind, engine):
    with xr.open_dataset(files[kind], engine=engine) as ds:
        # The first of each month, by xarray's own decoding of CF time.
        first_days = np.array([f"2026-{m:02d}-01" for m in range(1, STEPS + 2)], dtype="datetime64[ns]")
        np.testing.assert_array_equal(ds.time.values, first_days)
        assert ds.time.encoding["calendar"] == "proleptic_gregorian"
        np.testing.assert_array_equal(ds.month.values, np.arange(STEPS + 1))
        # Country and stack metadata, and what describes each run, are coordinates.
        described = {"month", "country_name", "country_region", "country_alignment", "country_tier", "stack_bloc",
                     "stack_open_weights", "seed", "status"}
        assert described <= set(ds.coords) and not described & set(ds.data_vars)
        assert ds.share.sel(country="CHN").country_name == "China"
        of_this_kind = {"sweep": {"param_revise", "design_point", "replicate"},
                        "compare": {"scenario_of_run", "replicate"}}.get(kind, set())
        assert of_this_kind <= set(ds.coords)
        assert "error" not in ds.coords  # a failed run's message is no description of it
        assert ds.share.attrs["units"] == "1" and "long_name" in ds.share.attrs
        assert ds.attrs["Conventions"] == "CF-1.10"


@pytest.mark.parametrize("engine", ENGINES)
def test_plain_xarray_opens_a_calibration(files, engine):
    with xr.open_dataset(files["calibrate"], engine=engine) as ds:
        assert {"target_date", "target_fitted", "parameter_key", "tolerance"} <= set(ds.coords)
        assert ds.theta.dims == ("generation", "particle", "parameter")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failed_runs_message_reads_as_text(files, engine):
    # netCDF's char array (run, error_length), which both engines join into a string.
    with xr.open_dataset(files["sweep"], engine=engine) as ds:
        failed = ds.status.values == 2
        assert 0 < failed.sum() < failed.size
        assert ds.error.dims == ("run",)
        assert all("choice.developer.revise" in str(m) for m in ds.error.values[failed])
        assert all(str(m) == "" for m in ds.error.values[~failed])
    with netCDF4.Dataset(files["sweep"]) as nc:
        assert "out of range" in nc["error"][:][failed][0]


def test_netcdf4_python_dates_time(files):
    with netCDF4.Dataset(files["run"]) as nc:
        time = nc.variables["time"]
        dates = netCDF4.num2date(time[:], time.units, time.calendar)
        assert [(d.year, d.month, d.day) for d in dates] == [(2026, m, 1) for m in range(1, STEPS + 2)]


def cdl_header(path):
    result = subprocess.run(["ncdump", "-h", str(path)], capture_output=True, text=True, check=True)
    return result.stdout


def cdl_variables(header):
    """The variables ncdump -h declares: name -> (type, {attribute: CDL value})."""
    found, current = {}, None
    for line in header.splitlines():
        declared = re.match(r"^\t(\w+) (\w+)(\(.*\))? ;$", line)
        attribute = re.match(r"^\t\t(?:string )?(\w+):(\w+) = (.*) ;$", line)
        if declared:
            current = declared.group(2)
            found[current] = (declared.group(1), {})
        elif attribute and attribute.group(1) == current:
            found[current][1][attribute.group(2)] = attribute.group(3)
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_ncdump_header_is_short_and_describes_every_variable(files, kind):
    header = cdl_header(files[kind])
    assert len(header) < 40_000, f"ncdump -h prints {len(header)} characters"
    assert re.search(r'^\t\t:Conventions = "CF-1\.10" ;$', header, re.M)
    declared = cdl_variables(header)
    assert "share" in declared or "theta" in declared
    for name, (cdl_type, attributes) in declared.items():
        assert "long_name" in attributes, f"{name}: no long_name in\n{header}"
        assert cdl_type in ("string", "char") or "units" in attributes, f"{name}: no units"


def test_ncdump_prints_dates(files):
    # ncdump -t dates a time whose units and calendar are netCDF char attributes.
    header = cdl_header(files["run"])
    assert '\t\ttime:units = "days since 2026-01-01 00:00:00" ;' in header
    dumped = subprocess.run(["ncdump", "-t", "-v", "time", str(files["run"])], capture_output=True, text=True,
                            check=True).stdout
    assert '"2026-01-01", "2026-02-01"' in dumped


@pytest.fixture(scope="module")
def past_2262(run_to_file):
    """Runs whose months pandas cannot date (it stops in April 2262): (file, first and last month)."""
    world = WORLDS_DIR / "default.toml"
    return {"long run": (run_to_file(world, "--agents", 2000, "--steps", 3000, name="long.h5"), (2026, 1), (2276, 1)),
            "late start": (run_to_file(world, "--agents", 2000, "--steps", 3, "--set", "scenario.start=2300-01",
                                       name="late.h5"), (2300, 1), (2300, 4))}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("how", ["long run", "late start"])
def test_months_past_2262_open_in_plain_xarray_as_cftime_dates(past_2262, how, engine):
    path, first, last = past_2262[how]
    with pytest.warns(xr.SerializationWarning), xr.open_dataset(path, engine=engine) as ds:
        dates = ds.time.values
        assert isinstance(dates[0], cftime.DatetimeProlepticGregorian)
        assert (dates[0].year, dates[0].month, dates[0].day) == (*first, 1)
        assert (dates[-1].year, dates[-1].month, dates[-1].day) == (*last, 1)
        assert int(ds.month.values[-1]) == len(dates) - 1
