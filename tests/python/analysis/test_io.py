"""stackrace.open and to_frame on files the engine writes: dims, dates, country metadata,
parameters as coordinates, unfinished runs dropped with a warning, lazy loading."""
import subprocess
import sys
import warnings

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import stackrace
import stackrace as package  # where a test's `stackrace` is the command-line fixture
from conftest import WORLDS_DIR, kill_sweep_mid_way, write_sweep


@pytest.fixture(scope="module")
def run_file(run_to_file):
    return run_to_file(WORLDS_DIR / "default.toml", "--agents", "20000", "--steps", "14", name="run.h5")


@pytest.fixture(scope="module")
def faulty_sweep(sweep_to_file):
    # revise ~ Normal(0.5, 1): about a third of the draws fall outside [0, 1] and the
    # model refuses those runs (status 2).
    return sweep_to_file('design = "random"\nsamples = 10\nreplicates = 2\nseed = 5\nagents = 4000\nsteps = 5\n'
                         '[[parameters]]\nkey = "choice.developer.revise"\nname = "revise"\nmean = 0.5\nsd = 1.0\n'
                         '[[parameters]]\nkey = "stacks.cn_open.price"\nname = "cn_price"\nrange = [0.1, 0.5]\n',
                         "faulty")


@pytest.fixture(scope="module")
def compare_file(stackrace, tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    out = folder / "cmp.h5"
    result = stackrace("compare", WORLDS_DIR / "policies" / "no_controls.toml",
                       WORLDS_DIR / "policies" / "full_embargo.toml", "-r", "3", "--agents", "5000",
                       "--steps", "6", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def test_text_parameters_open_with_their_labels(sweep_to_file, tmp_path):
    out = sweep_to_file('design = "grid"\nagents = 5000\nsteps = 3\n'
                        '[[parameters]]\nkey = "stacks.us_open.bloc"\nname = "us_open_bloc"\nvalues = ["us", "other"]\n',
                        "text_levels")
    ds = stackrace.open(out)
    assert list(ds.param_us_open_bloc.values) == [0, 1]
    assert list(ds.param_us_open_bloc_label.values) == ["us", "other"]
    assert stackrace.io.parameter_labels(ds) == {"us_open_bloc": ["us", "other"]}
    # Runs select by what was set; the scatter names the levels on its axis.
    assert ds.where(ds.param_us_open_bloc_label == "other", drop=True).sizes["run"] == 1
    fig = stackrace.figures.parameter_scatter(ds, stackrace.outcomes.global_share_at("developer", "cn_open"))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["us", "other"]


def test_a_run_past_2262_opens_with_months_for_time(run_to_file):
    # pandas dates end in April 2262: such a run opens with its months as time, and says so.
    path = run_to_file(WORLDS_DIR / "default.toml", "--agents", "2000", "--steps", "3000", name="long.h5")
    with pytest.warns(UserWarning, match="past what pandas can date"):
        ds = stackrace.open(path)
    assert list(ds.time.values[:3]) == [0, 1, 2] and int(ds.month.values[-1]) == 3000
    assert stackrace.outcomes.time_label(ds, -1) == "month 3000"
    assert float(stackrace.outcomes.global_share_at("developer", "cn_open")(ds).values[0]) > 0


def test_a_run_starting_past_2262_opens_with_months_for_time(run_to_file):
    # Not only a long run: a world that starts past pandas' last date (its start alone
    # overflows) opens too, with its months as time.
    late = run_to_file(WORLDS_DIR / "default.toml", "--agents", "2000", "--steps", "3", "--set", "scenario.start=2300-01",
                       name="late.h5")
    with pytest.warns(UserWarning, match="past what pandas can date"):
        ds = stackrace.open(late)
    assert list(ds.time.values) == [0, 1, 2, 3] and int(ds.month.values[-1]) == 3
    assert ds.time.attrs["start"] == "2300-01"


def test_months_past_2262_open_without_cftime(run_to_file, monkeypatch):
    # Without cftime xarray cannot date them at all: the file still opens, with months.
    monkeypatch.setattr(xr.coding.times, "cftime", None)
    late = run_to_file(WORLDS_DIR / "default.toml", "--agents", "2000", "--steps", "3", "--set", "scenario.start=2300-01",
                       name="late.h5")
    with pytest.warns(UserWarning, match="past what pandas can date"):
        ds = stackrace.open(late)
    assert list(ds.time.values) == [0, 1, 2, 3] and ds.time.attrs["start"] == "2300-01"


def test_a_file_from_before_cf_time_opens_with_dates(run_file, tmp_path):
    # Format 3 and before: time counted months from its attribute `start`, and the
    # resolved scenario was a root attribute.
    older = tmp_path / "older.h5"
    older.write_bytes(run_file.read_bytes())
    with h5py.File(older, "r+") as f:
        f["time"][...] = np.arange(15)
        for cf in ("units", "calendar"):
            del f["time"].attrs[cf]
        f["time"].attrs["start"] = "2031-07"
        f.attrs["scenario"] = f["scenario_toml"][()]
        del f["scenario_toml"]
    ds = stackrace.open(older)
    assert ds.time.values[0] == np.datetime64("2031-07-01") and ds.time.values[-1] == np.datetime64("2032-09-01")
    np.testing.assert_array_equal(ds.month.values, np.arange(15))
    assert "[scenario]" in ds.attrs["scenario"]


def test_the_long_texts_are_root_attributes_again(run_file, faulty_sweep):
    # The file keeps them as datasets (netCDF tools print attributes whole); the package
    # gives them where files before format 4 had them.
    run, sweep = stackrace.open(run_file), stackrace.open(faulty_sweep, failed="keep")
    assert "[scenario]" in run.attrs["scenario"] and "scenario_toml" not in run.variables
    assert "[[parameters]]" in sweep.attrs["sweep"] and "sweep_toml" not in sweep.variables


def test_a_run_opens_with_dates_and_country_metadata(run_file):
    ds = stackrace.open(run_file)
    assert stackrace.file_kind(ds) == "run"
    assert dict(ds.share.sizes) == {"run": 1, "time": 15, "country": 198, "kind": 3, "stack": 4}
    assert ds.global_share.dims == ("run", "time", "kind", "stack")
    # months since the file's start become the first day of each month
    assert ds.time.values[0] == np.datetime64("2026-01-01")
    assert ds.time.values[13] == np.datetime64("2027-02-01")
    np.testing.assert_array_equal(ds.month.values, np.arange(15))
    usa = ds.sel(country="USA")
    assert str(usa.country_name.values) == "United States"
    assert str(usa.country_alignment.values) == "us"
    assert int(usa.country_tier.values) == 1
    assert str(ds.sel(country="CHN").country_alignment.values) == "cn"
    assert int(ds.sel(country="CHN").country_tier.values) == 3
    assert str(ds.sel(country="IND").country_region.values) == "South Asia"
    # Stacks carry their bloc and openness: they group without parsing their names.
    assert list(ds.stack_bloc.values) == ["none", "us", "cn", "us"]
    assert ds.stack_open_weights.dtype == bool and list(ds.stack_open_weights.values) == [False, False, True, True]
    by_bloc = ds.global_share.groupby("stack_bloc").sum()
    np.testing.assert_allclose(by_bloc.sel(stack_bloc="cn").values, ds.global_share.sel(stack="cn_open").values)
    us = ds.global_share.sel(stack="us_closed") + ds.global_share.sel(stack="us_open")
    np.testing.assert_allclose(by_bloc.sel(stack_bloc="us").values, us.values, rtol=1e-6)
    assert int(ds.seed.values[0]) == 1 and int(ds.status.values[0]) == 1


def test_the_loaded_values_are_the_files(run_file):
    ds = stackrace.open(run_file)
    with h5py.File(run_file, "r") as f:
        np.testing.assert_array_equal(ds.share.values, f["share"][()])
        np.testing.assert_array_equal(ds.global_share.values, f["global_share"][()])


def test_failed_runs_are_dropped_with_a_warning_naming_how_many(faulty_sweep):
    with h5py.File(faulty_sweep, "r") as f:
        status = f["status"][()]
        revise = f["param_revise"][()]
    failed = int((status == 2).sum())
    assert 0 < failed < status.size
    with pytest.warns(UserWarning, match=f"dropped {failed} of {status.size} runs .*{failed} failed"):
        ds = stackrace.open(faulty_sweep)
    assert stackrace.file_kind(ds) == "sweep"
    assert ds.sizes["run"] == status.size - failed
    # the parameters are coordinates on run, the surviving runs' values in order
    assert ds.param_revise.dims == ("run",) and "param_revise" in ds.coords
    np.testing.assert_array_equal(ds.param_revise.values, revise[status == 1])
    np.testing.assert_array_equal(ds.run.values, np.flatnonzero(status == 1))
    assert ds.attrs["parameters"] == ["revise", "cn_price"]
    assert set(ds.replicate.values) == {0, 1}
    assert not np.isnan(ds.global_share.values).any()


def test_failed_runs_can_be_kept_and_listed(faulty_sweep):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = stackrace.open(faulty_sweep, failed="keep")
    assert ds.sizes["run"] == 20
    table = stackrace.failed_runs(faulty_sweep)
    assert len(table) == int((ds.status.values == 2).sum())
    assert (table["status"] == "failed").all()
    assert table["error"].str.contains("choice.developer.revise").all()
    assert ((table["param_revise"] < 0) | (table["param_revise"] > 1)).all()


def test_the_status_codes_are_the_ones_the_file_states(run_file):
    # The engine's RunStatus enum is their one definition; each file states it, and the
    # package's RUN_STATUS and DONE must read the same.
    with h5py.File(run_file, "r") as f:
        values, meanings = f["status"].attrs["flag_values"], f["status"].attrs["flag_meanings"].decode()
    stated = dict(zip(values.tolist(), meanings.split(" ")))
    assert stated == package.RUN_STATUS
    assert stated[package.io.DONE] == "done"


def test_every_kind_the_engine_writes_has_a_label(run_file):
    # The engine names the kinds (the file's `kind` scale); the package's plural labels
    # ("developers") are keyed by those names and fall back to "<kind> agents" otherwise.
    with h5py.File(run_file, "r") as f:
        kinds = [k.decode() for k in f["kind"][()]]
    for kind in kinds:
        assert package.outcomes.kind_label(kind) != f"{kind} agents", kind


def test_a_comparison_names_each_runs_arm(compare_file):
    ds = stackrace.open(compare_file)
    assert stackrace.file_kind(ds) == "compare"
    assert list(ds.arm.values) == ["no_controls"] * 3 + ["full_embargo"] * 3
    assert list(ds.scenario.values) == ["no_controls", "full_embargo"]
    base = ds.global_share.where(ds.arm == "no_controls", drop=True)
    assert base.sizes["run"] == 3


def test_to_frame_is_tidy_with_coordinates_as_columns(faulty_sweep):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = stackrace.open(faulty_sweep)
    frame = stackrace.to_frame(ds, "global_share", kind="developer", stack="cn_open")
    assert len(frame) == ds.sizes["run"] * ds.sizes["time"]
    for column in ("run", "time", "global_share", "param_revise", "param_cn_price", "seed", "month"):
        assert column in frame.columns
    assert pd.api.types.is_datetime64_any_dtype(frame["time"])
    shares = stackrace.to_frame(ds.share.isel(run=0, time=-1), kind="firm")
    assert {"country", "country_name", "country_region", "stack", "share"} <= set(shares.columns)
    # a country's three stack shares add up to one
    sums = shares.groupby("country")["share"].sum()
    np.testing.assert_allclose(sums.values, 1.0, atol=1e-5)


def test_opening_reads_nothing_big_and_selections_read_what_they_select(run_file):
    ds = stackrace.open(run_file)
    # the big arrays are not in memory after open ...
    assert not ds.share.variable._in_memory
    # ... and a selection gives the file's values
    picked = ds.share.sel(country="CHN", kind="developer", stack="cn_open").isel(run=0).values
    with h5py.File(run_file, "r") as f:
        countries = [c.decode() for c in f["country"][()]]
        raw = f["share"][0, :, countries.index("CHN"), 2, 2]
    np.testing.assert_array_equal(picked, raw)


def test_not_a_stackrace_file_is_refused(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(ValueError, match="not a stackrace result file"):
        stackrace.open(path)
    with pytest.raises(FileNotFoundError):
        stackrace.open(tmp_path / "missing.h5")


def test_two_scenarios_with_one_name_keep_their_arms_apart(stackrace, tmp_path):
    # A copy of a policy file that was changed but not renamed: the comparison must not
    # merge its arms (which would pair every run with itself and show no effect).
    renamed = tmp_path / "embargo_misnamed.toml"
    renamed.write_text(f'extends = "{WORLDS_DIR / "policies" / "full_embargo.toml"}"\n'
                       '[scenario]\nname = "no_controls"\n')
    out = tmp_path / "same_name.h5"
    result = stackrace("compare", WORLDS_DIR / "policies" / "no_controls.toml", renamed, "-r", "3",
                       "--agents", "20000", "--steps", "24", "-o", out)
    assert result.returncode == 0, result.stderr
    with pytest.warns(UserWarning, match="both compared scenarios are named 'no_controls'"):
        ds = package.open(out)
    assert list(ds.arm.values) == ["no_controls (base)"] * 3 + ["no_controls (alternative)"] * 3
    world = package.comparison.effects(ds, kind="developer", stack="cn_open").iloc[0]
    assert world.difference < 0 and world.ci_high < 0  # the embargo's effect, not zero


def test_a_sweep_killed_mid_way_opens_with_its_finished_runs(tmp_path):
    # SIGKILL leaves the file in single-writer/multi-reader mode with runs pending.
    sweep = write_sweep(tmp_path, 'design = "random"\nsamples = 16\nseed = 5\nagents = 400000\nsteps = 60\n'
                        '[[parameters]]\nkey = "stacks.cn_open.price"\nname = "price"\nrange = [0.1, 0.6]\n', "killed")
    out = tmp_path / "killed.h5"
    kill_sweep_mid_way(sweep, out)
    with h5py.File(out, "r", swmr=True) as f:
        finished = f["status"][()] == 1
    assert 0 < finished.sum() < len(finished)
    with pytest.warns(UserWarning, match=f"dropped {16 - finished.sum()} of 16 runs .* pending"):
        ds = package.open(out)
    np.testing.assert_array_equal(ds.run.values, np.flatnonzero(finished))
    assert np.isfinite(ds.global_share.values).all()
    # The same file cut short: its metadata fails its checksums for good, and HDF5's SWMR
    # reader retried for ever. Opened in another process, so that a hang fails the test.
    cut = tmp_path / "cut.h5"
    cut.write_bytes(out.read_bytes()[:20000])
    opening = subprocess.run([sys.executable, "-c", "import sys, stackrace; stackrace.open(sys.argv[1])", str(cut)],
                             capture_output=True, text=True, timeout=60)
    assert opening.returncode != 0 and f"OSError: {cut}: cannot be read, a file cut short" in opening.stderr, \
        opening.stderr
