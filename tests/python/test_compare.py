"""`stackrace compare`: both scenarios in one file with a `scenario` dimension, common
random numbers, the effects with their confidence intervals for every month, country,
kind and stack, and a printed table of them."""
import numpy as np
import xarray as xr

from conftest import attribute, labels

import h5py


def test_compare_writes_both_scenarios(stackrace, worlds_dir, tmp_path):
    out = tmp_path / "cmp.h5"
    result = stackrace("compare", worlds_dir / "policies" / "no_controls.toml",
                       worlds_dir / "policies" / "deepseek_bans_2025.toml",
                       "--replicates", 3, "--agents", 20000, "--steps", 12, "--seed", 5, "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"runs=6 replicates=3 output={out}"
    assert "95% confidence interval" in result.stdout and "common random numbers" in result.stdout
    assert "ITA" in result.stdout  # Italy's nationwide ban moves its developers most
    with h5py.File(out, "r") as f:
        assert labels(f["scenario"]) == ["no_controls", "deepseek_bans_2025"]
        np.testing.assert_array_equal(f["scenario_of_run"][()], [0, 0, 0, 1, 1, 1])
        np.testing.assert_array_equal(f["replicate"][()], [0, 1, 2, 0, 1, 2])
        np.testing.assert_array_equal(f["seed"][()], [5, 6, 7, 5, 6, 7])  # common random numbers
        np.testing.assert_array_equal(f["status"][()], [1] * 6)
        assert f.attrs["command"] == "compare"
        toml = [t.decode() if isinstance(t, bytes) else t for t in f["scenario_toml"][()]]
        assert "[[policies]]" in toml[1] and "[[policies]]" not in toml[0]
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["run"] == 6 and ds.sizes["scenario"] == 2
        by_arm = ds.share.groupby(ds.scenario_of_run).mean("run")
        italy_cn = by_arm.sel(country="ITA", kind="developer", stack="cn_open").isel(time=-1).values
        assert italy_cn[1] == 0.0 and italy_cn[0] > 0.0


EFFECT_DIMS = {"effect": ("time", "country", "kind", "stack"), "global_effect": ("time", "kind", "stack")}


def test_compare_writes_the_effects_with_their_intervals(stackrace, worlds_dir, tmp_path):
    out = tmp_path / "cmp.h5"
    result = stackrace("compare", worlds_dir / "policies" / "no_controls.toml",
                       worlds_dir / "policies" / "deepseek_bans_2025.toml", "--replicates", 3, "--agents", 5000,
                       "--steps", 6, "--confidence", "0.8", "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "with 80% confidence interval (paired: common random numbers)" in result.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["effect_confidence"] == 0.8 and f.attrs["effect_confidence"].dtype == np.float64
        assert f.attrs["effect_interval"] == "paired t"
        for prefix, dims in EFFECT_DIMS.items():
            for suffix in ("", "_low", "_high", "_n"):
                dataset = f[prefix + suffix]
                assert dataset.dtype == (np.int64 if suffix == "_n" else np.float64)
                for axis, dim in enumerate(dims):
                    assert [s.name.lstrip("/") for s in dataset.dims[axis].values()] == [dim]
                    assert dataset.shape[axis] == f[dim].shape[0]
                assert attribute(dataset, "units") == "1"
                assert "alternative - base" in attribute(dataset, "long_name")
            assert "80% paired t confidence interval" in attribute(f[prefix + "_low"], "long_name")
            assert "replicate pairs" in attribute(f[prefix + "_n"], "long_name")
        n = f["effect_n"][()]
        assert set(np.unique(n)) <= {0, 3}  # 0: a country without agents of the kind
        assert (f["global_effect_n"][()] == 3).all()
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.effect.dims == EFFECT_DIMS["effect"]
        italy = ds.effect.sel(country="ITA", kind="developer", stack="cn_open").isel(time=-1)
        assert float(italy) < 0  # the ban empties cn_open among Italy's developers


def test_compare_refuses_a_confidence_level_outside_0_1(stackrace, worlds_dir, tmp_path):
    for level in ("1", "0", "1.5", "-0.2"):
        result = stackrace("compare", worlds_dir / "policies" / "no_controls.toml",
                           worlds_dir / "policies" / "full_embargo.toml", "--confidence", level,
                           "-o", tmp_path / "x.h5", cwd=tmp_path)
        assert result.returncode != 0 and "confidence" in result.stderr, (level, result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_compare_refuses_scenarios_of_different_worlds(stackrace, worlds_dir, tmp_path):
    result = stackrace("compare", worlds_dir / "default.toml", worlds_dir / "bench-meanfield.toml",
                       "--replicates", 2, "-o", tmp_path / "x.h5", cwd=tmp_path)
    assert result.returncode == 2
    assert "countries: not the same countries" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_compare_help(stackrace):
    result = stackrace("compare", "--help")
    assert result.returncode == 0 and "--replicates" in result.stdout


def test_compare_into_an_output_that_cannot_be_written(stackrace, worlds_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder\n")
    result = stackrace("compare", worlds_dir / "policies" / "no_controls.toml",
                       worlds_dir / "policies" / "full_embargo.toml", "--replicates", 2, "--agents", 5000,
                       "--steps", 2, "--quiet", "-o", blocker / "x.h5", cwd=tmp_path)
    assert result.returncode == 1
    assert f"stackrace: {blocker / 'x.h5'}: cannot create its folder {blocker}: Not a directory" in result.stderr
