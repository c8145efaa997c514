"""The result file is the contract with notebooks (README.md, "The result file"):
read it back with h5py and xarray exactly as an analyst would."""
import re

import h5py
import numpy as np
import pytest
import xarray as xr
from h5py import h5ds

from conftest import MACHINE_LINE, attribute, labels, text

STEPS = 12
DIMS = {
    "share": ("run", "time", "country", "kind", "stack"),
    "global_share": ("run", "time", "kind", "stack"),
    "capability": ("run", "time", "stack"),
    "price": ("run", "time", "stack"),
    "tokens": ("run", "time", "country", "kind", "stack"),
    "global_usage_share": ("run", "time", "kind", "stack"),
    "sector_share": ("run", "time", "country", "sector", "stack"),
    "global_sector_share": ("run", "time", "sector", "stack"),
    "sector_tokens": ("run", "time", "country", "sector", "stack"),
    "lag": ("run", "time", "stack"),
    "bloc_compute": ("run", "time", "bloc"),
    "bloc_chips": ("run", "time", "bloc"),
    "real_developers": ("run", "time", "country"),
    "power_load": ("run", "time", "country"),
    "robot_share": ("run", "time", "country", "bloc"),
    "chinese_compute": ("run", "time", "country"),
    "unmet_compute": ("run", "time", "country"),
    "seed": ("run",),
    "status": ("run",),
    "month": ("time",),
    "stack_bloc": ("stack",),
    "stack_open_weights": ("stack",),
}
SCALES = ("run", "time", "country", "stack", "kind", "sector", "bloc")
COUNTRIES = 198  # the default world's country table


@pytest.fixture(scope="module")
def default_run(stackrace, worlds_dir, tmp_path_factory):
    """One small run of the default world: (output path, completed process)."""
    folder = tmp_path_factory.mktemp("format")
    output = folder / "x.h5"
    result = stackrace(
        "run", worlds_dir / "default.toml", "--agents", 20000, "--steps", STEPS, "--quiet", "-o", output, cwd=folder
    )
    assert result.returncode == 0, result.stderr
    return output, result


@pytest.fixture(scope="module")
def h5(default_run):
    with h5py.File(default_run[0], "r") as f:
        yield f


def test_machine_line(default_run):
    output, result = default_run
    last = result.stdout.splitlines()[-1]
    assert re.match(r"^agents=\d+ steps=12 seconds=\S+ agent_steps_per_s=\S+ output=\S+$", last), last
    match = MACHINE_LINE.match(last)
    assert match.group(5) == str(output)
    assert float(match.group(3)) >= 0 and float(match.group(4)) > 0
    assert output.exists()
    assert not output.with_name(output.name + ".partial").exists()


def test_root_attributes(h5):
    attrs = h5.attrs
    assert attrs["format"] == "stackrace"
    assert int(attrs["format_version"]) >= 1
    assert re.match(r"^\d+\.\d+", str(attrs["stackrace_version"]))
    # the one definition of which countries are big enough to rank (read by the Python package)
    assert int(attrs["min_ranked_developer_agents"]) > 0
    assert re.match(r"^\d{4}-\d{2}-\d{2}", str(attrs["created"]))
    assert attribute(h5, "Conventions") == "CF-1.10"
    # The resolved scenario is a dataset, not an attribute (netCDF tools print attributes whole).
    assert "scenario" not in attrs
    scenario = text(h5, "scenario_toml")
    for table in ("[scenario]", "[population]", "[[stacks]]", "[[countries]]", "[choice.developer]"):
        assert table in scenario
    # The stored scenario is the resolved one: the overrides of this run are in it.
    assert re.search(r"^developer_agents = 20000$", scenario, re.M)
    assert re.search(r"^steps = 12$", scenario, re.M)


@pytest.mark.parametrize("name", SCALES)
def test_coordinates_are_dimension_scales(h5, name):
    assert h5ds.is_scale(h5[name].id), f"{name} is not a dimension scale"
    assert h5[name].ndim == 1


@pytest.mark.parametrize("name", sorted(DIMS))
def test_variables_have_dims_attached(h5, name):
    dataset = h5[name]
    dims = DIMS[name]
    assert dataset.ndim == len(dims)
    for axis, dim in enumerate(dims):
        attached = [scale.name.lstrip("/") for scale in dataset.dims[axis].values()]
        assert attached == [dim], f"{name} axis {axis}: attached {attached}, expected {dim}"
        assert dataset.shape[axis] == h5[dim].shape[0]


def test_share_storage(h5):
    share = h5["share"]
    assert share.dtype == np.float32
    assert h5["global_share"].dtype == np.float32
    for name in ("share", "global_share", "capability", "price"):
        assert h5[name].chunks is not None, f"{name} is not chunked"
        assert h5[name].chunks[0] == 1, f"{name} is not chunked by run"
        assert h5[name].compression is not None, f"{name} is not compressed"
        assert np.isnan(h5[name].fillvalue), f"{name} does not read as NaN where nothing was written"
    # One kind of one run per chunk: a selection of one kind reads only its chunks.
    assert share.chunks == (1,) + share.shape[1:3] + (1,) + share.shape[4:]


def test_a_kind_without_agents_reads_as_nan(stackrace, worlds_dir, tmp_path):
    # bench-meanfield has no firm agents: their shares are NaN (no chunk is written for
    # them, and the file reads its NaN fill value), the other kinds' are numbers.
    output = tmp_path / "meanfield.h5"
    result = stackrace("run", worlds_dir / "bench-meanfield.toml", "--agents", 1000, "--steps", 3, "--quiet", "-o", output)
    assert result.returncode == 0, result.stderr
    with h5py.File(output, "r") as f:
        share = f["share"][()]
        kinds = labels(f["kind"])
        assert f["agents"][:, kinds.index("firm")].sum() == 0
        assert np.isnan(share[:, :, :, kinds.index("firm"), :]).all()
        for kind in ("country", "developer"):
            shares = share[:, :, :, kinds.index(kind), :]
            assert not np.isnan(shares).any()
            np.testing.assert_allclose(shares.sum(axis=-1), 1.0, atol=1e-6)


def test_coordinate_values(h5):
    # CF time: the first of each month in days since the start's; `month` counts the months.
    time = h5["time"]
    assert attribute(time, "units") == "days since 2026-01-01 00:00:00"
    assert attribute(time, "calendar") == "proleptic_gregorian"
    np.testing.assert_array_equal(time[()], [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365])
    np.testing.assert_array_equal(h5["month"][()], np.arange(STEPS + 1))
    np.testing.assert_array_equal(h5["run"][()], [0])
    assert labels(h5["kind"]) == ["country", "firm", "developer"]
    assert labels(h5["stack"]) == ["none", "us_closed", "cn_open", "us_open"]
    # Each stack's bloc and openness, as the scenario gives them.
    assert labels(h5["stack_bloc"]) == ["none", "us", "cn", "us"]
    np.testing.assert_array_equal(h5["stack_open_weights"][()], [0, 0, 1, 1])
    countries = labels(h5["country"])
    assert countries[:3] == ["AFG", "AGO", "ALB"] and len(countries) == len(set(countries)) == COUNTRIES
    assert {"USA", "CHN", "IND", "MAC"} <= set(countries)
    np.testing.assert_array_equal(h5["status"][()], [1])
    np.testing.assert_array_equal(h5["seed"][()], [1])


def test_shares_sum_to_one(h5):
    share = h5["share"][()].astype(np.float64)
    assert np.isfinite(share).all()
    assert ((share >= 0) & (share <= 1)).all()
    np.testing.assert_allclose(share.sum(axis=-1), 1.0, rtol=0, atol=1e-6)
    global_share = h5["global_share"][()].astype(np.float64)
    assert np.isfinite(global_share).all()
    np.testing.assert_allclose(global_share.sum(axis=-1), 1.0, rtol=0, atol=1e-6)


def test_usage_and_sectors_add_up(h5):
    """Tokens are the file's usage shares summed over countries; the firms' sector tokens
    are their tokens; no one uses tokens on the outside option (README, 'The result file')."""
    tokens = h5["tokens"][()].astype(np.float64)  # run, time, country, kind, stack
    assert (tokens >= 0).all() and (tokens[..., 0] == 0).all()
    world = tokens.sum(axis=2)
    np.testing.assert_allclose(world / world.sum(axis=-1, keepdims=True), h5["global_usage_share"][()], atol=1e-6)
    firm = labels(h5["kind"]).index("firm")
    np.testing.assert_allclose(h5["sector_tokens"][()].sum(axis=3), tokens[:, :, :, firm, :], rtol=1e-5)
    assert labels(h5["sector"]) == ["virtual", "physical"] and labels(h5["bloc"]) == ["us", "cn", "other"]
    np.testing.assert_allclose(h5["global_sector_share"][()].sum(axis=-1), 1.0, atol=1e-6)
    assert attribute(h5["tokens"], "units") == "month-1" and attribute(h5["lag"], "units") == "months"
    # The default world's lags at the start (worlds/SOURCES.md, "Stacks") and its blocs' compute shares.
    np.testing.assert_allclose(h5["lag"][0, 0, 1:], [0, 7, 9])
    np.testing.assert_allclose(h5["bloc_compute"][0, 0], [0.75, 0.15, 0.10])
    # Talent: month 0 is the table's developers (agents x weight); they grow, each country at its own rate.
    developer = labels(h5["kind"]).index("developer")
    real = h5["real_developers"][0]  # time, country
    assert (real[-1] > real[0]).sum() > 190 and real[-1].sum() > 1.2 * real[0].sum()


def test_stack_state(h5):
    price = h5["price"][()]
    capability = h5["capability"][()]
    assert price.shape == capability.shape == (1, STEPS + 1, 4)
    # GPT-5, DeepSeek V3.2 and gpt-oss-120b, blended 3:1 (worlds/SOURCES.md); the frontier at 1.0.
    np.testing.assert_allclose(price[0, 0, 1:], [3.4375, 0.315, 0.2625])
    np.testing.assert_allclose(capability[0, 0, 1:], [1.0, 0.9832, 0.9784])
    # Every AI stack loses 2% of its price a month in the default world (the frontier's path).
    np.testing.assert_allclose(price[0, 1:, 1:] / price[0, :-1, 1:], 0.98)
    # The frontier's capability grows 0.0024 a month.
    np.testing.assert_allclose(np.diff(capability[0, :, 1]), 0.0024, rtol=1e-9)


def test_xarray_reads_it(default_run):
    with xr.open_dataset(default_run[0], engine="h5netcdf") as ds:
        assert dict(ds.sizes) == {"run": 1, "time": STEPS + 1, "country": COUNTRIES, "kind": 3, "stack": 4,
                                  "sector": 2, "firm_size": 4, "bloc": 3}
        assert ds["share"].dims == DIMS["share"]
        assert ds["global_share"].dims == DIMS["global_share"]
        assert ds["price"].dims == DIMS["price"]
        developer_cn = ds["share"].sel(kind="developer", stack="cn_open")
        assert developer_cn.dims == ("run", "time", "country")
        assert developer_cn.sel(country="CHN").isel(run=0, time=0) > 0.5
        total = ds["global_share"].sum("stack")
        np.testing.assert_allclose(total.values, 1.0, atol=1e-6)
        assert ds["time"].values[0] == np.datetime64("2026-01-01") and ds["time"].values[-1] == np.datetime64("2027-01-01")
        assert list(ds["month"].values) == list(range(STEPS + 1))


def test_info(stackrace, default_run):
    result = stackrace("info", default_run[0])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "default" in out
    for dim, size in (("run", 1), ("time", STEPS + 1), ("country", COUNTRIES), ("kind", 3), ("stack", 4)):
        assert f"{dim}={size}" in out, f"info does not give {dim}={size}:\n{out}"
    assert "us_closed" in out and "cn_open" in out


def test_validate_prints_a_scenario_that_revalidates(stackrace, worlds_dir, tmp_path):
    first = stackrace("validate", worlds_dir / "default.toml")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("#") and "valid" in lines[0]
    resolved = tmp_path / "resolved.toml"
    resolved.write_text("\n".join(lines[1:]) + "\n")
    second = stackrace("validate", resolved)
    assert second.returncode == 0, second.stderr
    # Resolving is idempotent: the resolved scenario resolves to itself.
    assert second.stdout.splitlines()[1:] == lines[1:]
    for key in ("description", "seed", "start", "capability_growth", "price_decline"):
        assert re.search(rf"^{key} = ", "\n".join(lines), re.M), f"default for {key} not filled in"


THREE_STACKS = """
[scenario]
name = "three"
steps = 6

[population]
developer_agents = 10000
firm_agents = 500

[[stacks]]
id = "a"
capability = 1.0
price = 2.0

[[stacks]]
id = "b"
bloc = "cn"
open_weights = true
capability = 0.9
price = 1.0

[[stacks]]
id = "c"
capability = 0.8
capability_growth = 0.01
price = 0.5
price_decline = 0.1

[country_defaults]
developers = 1.0
firms = 1.0
initial_share = { a = 0.5, b = 0.3, c = 0.2 }

[[countries]]
id = "X"

[[countries]]
id = "Y"
initial_share = { a = 1.0 }
"""


def test_three_stacks(run_to_file, tmp_path):
    """Any number K >= 2 of stacks: the file's stack dim follows the scenario."""
    scenario = tmp_path / "three.toml"
    scenario.write_text(THREE_STACKS)
    with h5py.File(run_to_file(scenario), "r") as f:
        assert labels(f["stack"]) == ["a", "b", "c"]
        assert labels(f["stack_bloc"]) == ["other", "cn", "other"]
        np.testing.assert_array_equal(f["stack_open_weights"][()], [0, 1, 0])
        assert labels(f["country"]) == ["X", "Y"]
        share = f["share"][()].astype(np.float64)
        assert share.shape == (1, 7, 2, 3, 3)
        np.testing.assert_allclose(share.sum(axis=-1), 1.0, atol=1e-6)
        np.testing.assert_allclose(f["global_share"][()].sum(axis=-1), 1.0, atol=1e-6)
        # Month 0 of country Y: everyone starts on stack a.
        np.testing.assert_array_equal(share[0, 0, 1, :, 0], 1.0)
        # Stack dynamics: the price falls 10% a month, capability grows 0.01 a month.
        np.testing.assert_allclose(f["price"][0, :, 2], 0.5 * 0.9 ** np.arange(7), rtol=1e-12)
        np.testing.assert_allclose(f["capability"][0, :, 2], 0.8 + 0.01 * np.arange(7), rtol=1e-12)
        np.testing.assert_allclose(f["price"][0, :, 0], 2.0)
