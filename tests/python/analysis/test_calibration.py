"""`stackrace.open` on a calibration file and `stackrace.calibration`: labelled generations,
particles, parameters and targets; the posterior, its summary and draws; the posterior
predictive against every target; the two figures."""
import numpy as np
import pytest

import stackrace
from stackrace import calibration, figures
from conftest import tiny_calibration


@pytest.fixture(scope="module")
def cal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibration")
    spec = tiny_calibration(folder)
    return stackrace.engine.calibrate(spec, folder / "tiny.h5")


def test_a_calibration_file_opens_labelled(cal):
    assert calibration.is_calibration(cal)
    assert stackrace.file_kind(cal) == "calibrate"
    assert set(cal["theta"].dims) == {"generation", "particle", "parameter"}
    assert list(cal["parameter"].values) == ["adoption_developer_imitation"]
    assert "target_fitted" in cal.coords and cal["target_fitted"].dtype == bool
    assert not [v for v in cal.variables if str(v).startswith("state_")]
    assert isinstance(cal.attrs["converged"], bool)


def test_the_posterior_is_the_last_generation_inside_the_prior(cal):
    post = calibration.posterior(cal)
    assert post.shape == (60, 1)
    np.testing.assert_array_equal(post.values[:, 0], cal["theta"].isel(generation=-1, parameter=0).values)
    assert post.values.min() >= 0.01 and post.values.max() <= 0.3
    summary = calibration.summary(cal)
    row = summary.loc["adoption_developer_imitation"]
    assert row["prior"] == "loguniform" and (row["prior_a"], row["prior_b"]) == (0.01, 0.3)
    assert row["low"] <= row["median"] <= row["high"]
    # Learning: the posterior's 90% interval is far narrower than the prior's.
    assert row["high"] - row["low"] < 0.5 * (0.3 - 0.01)
    draws = calibration.draws(cal, n=10, seed=1)
    assert list(draws.columns) == ["adoption.developer.imitation"] and len(draws) == 10


def test_the_predictive_table_puts_each_target_beside_its_interval(cal):
    table = calibration.predictive(cal)
    assert list(table.index) == ["dev_2023_07", "dev_2024_01", "dev_2024_07", "dev_2024_12"]
    assert (table["model_low"] <= table["model"]).all() and (table["model"] <= table["model_high"]).all()
    # The predictive interval adds the observation error to the model's range.
    assert (table["predictive_low"] < table["model_low"]).all() and (table["predictive_high"] > table["model_high"]).all()
    inside = (table["observed"] >= table["predictive_low"]) & (table["observed"] <= table["predictive_high"])
    assert (table["covered"] == inside).all()
    assert table["fitted"].all()


def test_calibration_figures_draw(cal):
    pairs = figures.posterior_pairs(cal)
    assert len([ax for ax in pairs.axes if ax.get_visible()]) == 1
    predictive = figures.posterior_predictive(cal)
    assert "observed values inside" in predictive.axes[0].get_title()


def test_the_calibration_functions_refuse_a_run_file(run_to_file, worlds_dir):
    ds = stackrace.open(run_to_file(worlds_dir / "default.toml", "--agents", "2000", "--steps", "2", name="c.h5"))
    with pytest.raises(ValueError, match="not a calibration file"):
        calibration.posterior(ds)


def _value(resolved, key):
    """A dotted scenario key's value in a resolved scenario (arrays of tables by id)."""
    node = resolved
    for part in key.split("."):
        node = next(e for e in node if e.get("id") == part) if isinstance(node, list) else node[part]
    return node


def test_the_hindcast_world_carries_its_shipped_posterior(stackrace_bin, worlds_dir):
    # worlds/calibrations/hindcast_2023.posterior.csv is the shipped calibration's last
    # generation (scripts/refresh_posterior.py); the hindcast world's point values are its
    # medians, and every draw lies inside the calibration file's priors.
    import subprocess
    import tomllib
    import pandas as pd
    draws = pd.read_csv(worlds_dir / "calibrations" / "hindcast_2023.posterior.csv")
    calibration_file = tomllib.loads((worlds_dir / "calibrations" / "hindcast_2023.toml").read_text())
    priors = {p["key"]: p["range"] for p in calibration_file["parameters"]}
    assert list(draws.columns) == list(priors)
    assert len(draws) == calibration_file["calibration"]["particles"]
    for key, (low, high) in priors.items():
        assert draws[key].between(low, high).all(), key
    text = subprocess.run([str(stackrace_bin), "validate", str(worlds_dir / "hindcast_2023.toml")],
                          capture_output=True, text=True, check=True).stdout
    resolved = tomllib.loads(text.split("\n", 1)[1])
    for key, median in draws.median().items():
        assert _value(resolved, key) == pytest.approx(median, rel=0.006), key


def test_the_default_world_carries_the_posterior_of_its_weights(stackrace_bin, worlds_dir):
    # The default world's [posterior] takes the hindcast's behavioural weights (not its
    # appeals or 2023 start), and its point values are their medians.
    import subprocess
    import tomllib
    import pandas as pd
    draws = pd.read_csv(worlds_dir / "calibrations" / "hindcast_2023.posterior.csv")
    text = subprocess.run([str(stackrace_bin), "validate", str(worlds_dir / "default.toml")],
                          capture_output=True, text=True, check=True).stdout
    resolved = tomllib.loads(text.split("\n", 1)[1])
    keys = resolved["posterior"]["keys"]
    assert len(keys) == 11 and not any(k.startswith(("stacks.", "world.")) for k in keys)
    assert resolved["posterior"]["file"].endswith("worlds/calibrations/hindcast_2023.posterior.csv")
    for key in keys:
        assert _value(resolved, key) == pytest.approx(draws[key].median(), rel=0.006), key
