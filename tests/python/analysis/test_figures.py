"""stackrace.figures on files the engine writes: every figure saves as PNG, is labelled,
and draws what the data say (bands only over several runs, map colours from the
values, missing countries as missing, the world first in a policy comparison)."""
import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure

import stackrace
from stackrace import comparison, figures, outcomes
from conftest import WORLDS_DIR

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STACKS = ["none", "us_closed", "cn_open", "us_open"]

GRID = """design = "grid"
replicates = 2
seed = 3
agents = 3000
steps = 12

[[parameters]]
key = "choice.developer.switching_cost"
name = "switching_cost"
values = [0.0, 1.0]

[[parameters]]
key = "stacks.cn_open.price"
name = "cn_open_price"
range = [0.1, 0.6]
steps = 3
"""


@pytest.fixture(scope="module")
def run_ds(run_to_file):
    return stackrace.open(run_to_file(WORLDS_DIR / "default.toml", "--agents", "5000", "--steps", "12"))


@pytest.fixture(scope="module")
def compare_ds(compare_to_file):
    return open_result(compare_to_file("full_embargo.toml", "-r", "3", "--agents", "5000", "--steps", "12"))


@pytest.fixture(scope="module")
def sweep_ds(sweep_to_file):
    return open_result(sweep_to_file(GRID, "small_grid"))


def open_result(path):
    # (inside a fixture that takes the `stackrace` runner, the name no longer means the package)
    return stackrace.open(path)


def assert_png(fig, path):
    assert isinstance(fig, Figure)
    fig.savefig(path)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5000


def legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def bands(ax):
    # fill_between draws a PolyCollection; nothing else in these axes does
    return [c for c in ax.collections if type(c).__name__ == "PolyCollection"]


# --- adoption curves -------------------------------------------------------------------


def test_adoption_curves_of_one_run_have_a_panel_per_kind_and_no_band(run_ds, tmp_path):
    fig = figures.adoption_curves(run_ds)
    assert_png(fig, tmp_path / "adoption.png")
    axes = fig.get_axes()
    assert len(axes) == 3
    assert [ax.get_title().split(",")[0] for ax in axes] == ["Governments", "Firms", "Developers"]
    for ax in axes:
        assert legend_labels(ax) == STACKS
        assert ax.get_xlabel() == "month" and ax.get_ylabel().startswith("share of")
        assert bands(ax) == []  # one run: just its line
    # the developer panel's cn_open line is the run's global share
    line = [l for l in axes[2].get_lines() if l.get_label() == "cn_open"][0]
    np.testing.assert_allclose(line.get_ydata(), run_ds.global_share.isel(run=0).sel(kind="developer",
                                                                                      stack="cn_open").values)


def test_adoption_curves_over_replicates_draw_a_median_and_a_band_per_arm(compare_ds, tmp_path):
    fig = figures.adoption_curves(compare_ds, kinds="developer", stacks=["us_closed", "cn_open"])
    assert_png(fig, tmp_path / "adoption.png")
    (ax,) = fig.get_axes()
    labels = legend_labels(ax)
    assert labels[:4] == ["us_closed · no_controls", "us_closed · full_embargo",
                          "cn_open · no_controls", "cn_open · full_embargo"]
    assert labels[-1] == "5–95% of runs"
    assert len(bands(ax)) == 4
    base = compare_ds.global_share.sel(kind="developer", stack="cn_open").isel(run=[0, 1, 2]).values
    line = [l for l in ax.get_lines() if l.get_label() == "cn_open · no_controls"][0]
    np.testing.assert_allclose(line.get_ydata(), np.median(base, axis=0), rtol=1e-6)
    assert line.get_linestyle() == "-"
    assert [l for l in ax.get_lines() if l.get_label() == "cn_open · full_embargo"][0].get_linestyle() == "--"


def test_adoption_curves_of_one_country_into_a_given_axes(sweep_ds, tmp_path):
    fig = Figure()
    ax = fig.subplots()
    assert figures.adoption_curves(sweep_ds, kinds=["firm", "developer"], country="CHN", band=None, ax=ax) is fig
    assert_png(fig, tmp_path / "china.png")
    assert "China (CHN)" in ax.get_title()
    assert "cn_open · developers" in legend_labels(ax) and "cn_open · firms" in legend_labels(ax)
    assert bands(ax) == []  # band=None
    styles = {l.get_label(): l.get_linestyle() for l in ax.get_lines()}
    assert styles["cn_open · firms"] != styles["cn_open · developers"]
    line = [l for l in ax.get_lines() if l.get_label() == "cn_open · developers"][0]
    expected = np.median(sweep_ds.share.sel(country="CHN", kind="developer", stack="cn_open").values, axis=0)
    np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-6)
    with pytest.raises(KeyError, match="no stack"):
        figures.adoption_curves(sweep_ds, stacks="eu_open")


# --- world map -------------------------------------------------------------------------


def patch_of(ax, code):
    (patch,) = [p for p in ax.patches if p.get_gid() == code]
    return patch


def test_world_map_colours_each_country_from_its_share(run_ds, tmp_path):
    fig = figures.world_map(run_ds, stack="cn_open", kind="developer")
    assert_png(fig, tmp_path / "map.png")
    ax, colorbar = fig.get_axes()
    assert colorbar.get_xlabel() == "share of developers on cn_open"
    assert "cn_open" in ax.get_title() and "developers" in ax.get_title() and "2027-01" in ax.get_title()
    assert legend_labels(ax) == ["no data"]
    viridis, norm = matplotlib.colormaps["viridis"], Normalize(0, 1)
    for code in ("CHN", "USA", "FRA", "NOR", "BRA"):
        value = float(run_ds.share.isel(run=0, time=-1).sel(country=code, kind="developer", stack="cn_open"))
        np.testing.assert_allclose(patch_of(ax, code).get_facecolor(), viridis(norm(value)))
        assert not patch_of(ax, code).get_hatch()
    # a different scale changes the colour
    fig = figures.world_map(run_ds, vmax=0.5, cmap="magma")
    china = float(run_ds.share.isel(run=0, time=-1).sel(country="CHN", kind="developer", stack="cn_open"))
    np.testing.assert_allclose(patch_of(fig.get_axes()[0], "CHN").get_facecolor(),
                               matplotlib.colormaps["magma"](Normalize(0, 0.5)(china)))


def test_world_map_draws_missing_countries_as_missing_not_as_zero(run_ds):
    # Greenland is not in the file; give the USA no developers (NaN share) too.
    data = run_ds[["share", "agents"]].load()
    data.attrs = dict(run_ds.attrs)
    data["share"].loc[dict(country="USA", kind="developer")] = np.nan
    ax = figures.world_map(data).get_axes()[0]
    zero = matplotlib.colormaps["viridis"](0.0)
    for code in ("GRL", "USA"):
        patch = patch_of(ax, code)
        assert patch.get_hatch() == "////"
        assert tuple(patch.get_facecolor()) == to_rgba("#e6e6e6")
        assert tuple(patch.get_facecolor()) != zero


def test_world_map_of_a_comparison_maps_one_arm(compare_ds):
    ax = figures.world_map(compare_ds, arm="full_embargo", kind="firm", stack="us_closed", time="2026-06").get_axes()[0]
    assert "full_embargo" in ax.get_title() and "median of 3 runs" in ax.get_title()
    assert "2026-06" in ax.get_title() and "firms" in ax.get_title()
    value = np.median(compare_ds.share.sel(country="IND", kind="firm", stack="us_closed").isel(time=5, run=[3, 4, 5]))
    np.testing.assert_allclose(patch_of(ax, "IND").get_facecolor(), matplotlib.colormaps["viridis"](value))
    ax = figures.world_map(compare_ds, run=4).get_axes()[0]
    assert "run 4" in ax.get_title()


# --- policy comparison -----------------------------------------------------------------


def test_policy_comparison_puts_the_world_first_with_intervals(compare_ds, tmp_path):
    fig = figures.policy_comparison(compare_ds, kind="developer", stack="cn_open", top_n=5)
    assert_png(fig, tmp_path / "policy.png")
    (ax,) = fig.get_axes()
    table = comparison.effects(compare_ds, countries=5)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "World" and len(labels) == 6
    assert labels[1] == f"{table['country_name'].iloc[1]} ({table.index[1]})"
    assert ax.yaxis_inverted()  # the world on top
    widths = [bar.get_width() for bar in ax.patches[:6]]
    np.testing.assert_allclose(widths, 100 * table["difference"].to_numpy())
    assert to_rgba(ax.patches[0].get_facecolor()) != to_rgba(ax.patches[1].get_facecolor())  # highlighted
    assert "percentage points" in ax.get_xlabel()
    assert legend_labels(ax) == ["world", "country", "95% CI"]
    assert "full_embargo − no_controls" in ax.get_title()
    assert any(list(l.get_xdata()) == [0, 0] for l in ax.get_lines())  # the zero line


def test_policy_comparison_from_an_effects_table(compare_ds):
    table = comparison.effects(compare_ds, kind="firm", stack="us_closed", countries=8, min_agents=0)
    ax = figures.policy_comparison(table, top_n=3).get_axes()[0]
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "World"
    assert len(ax.get_yticklabels()) == 4
    assert "firms on us_closed" in ax.get_xlabel()


# --- sweeps ----------------------------------------------------------------------------


def test_parameter_scatter_of_a_grid_has_the_median_per_value(sweep_ds, tmp_path):
    outcome = outcomes.global_share_at("developer", "cn_open")
    fig = figures.parameter_scatter(sweep_ds, outcome)
    assert_png(fig, tmp_path / "scatter.png")
    axes = fig.get_axes()
    assert [ax.get_xlabel() for ax in axes] == ["switching_cost", "cn_open_price"]
    values = outcome(sweep_ds).to_series()
    for ax, name in zip(axes, ["switching_cost", "cn_open_price"]):
        assert "global share of developers on cn_open" in ax.get_ylabel()
        assert legend_labels(ax) == ["runs", "median per value"]
        (line,) = ax.get_lines()
        expected = values.groupby(sweep_ds[f"param_{name}"].values).median()
        np.testing.assert_allclose(line.get_xdata(), expected.index)
        np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())
        assert len(ax.collections[0].get_offsets()) == sweep_ds.sizes["run"]


def test_parameter_scatter_of_continuous_draws_has_a_binned_median():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 60)
    ds = xr.Dataset(coords={"run": np.arange(60), "param_leakage": ("run", x)},
                    attrs={"command": "sweep", "design": "random", "parameters": ["leakage"]})
    outcome = xr.DataArray(2 * x + rng.normal(0, 0.05, 60), dims="run", name="cost")
    fig = Figure()
    ax = fig.subplots()
    figures.parameter_scatter(ds, outcome, "leakage", ax=ax)
    assert legend_labels(ax) == ["runs", "binned median"]
    (line,) = ax.get_lines()
    assert 2 <= len(line.get_xdata()) <= 10
    assert (np.diff(line.get_ydata()) > 0).all()  # follows the rising outcome
    assert ax.get_ylabel() == "cost"
    with pytest.raises(ValueError, match="one per run"):
        figures.parameter_scatter(ds, outcome[:10])


def test_sensitivity_bars_show_both_orders_with_their_intervals(tmp_path):
    indices = pd.DataFrame({"S1": [0.6, 0.1, 0.0], "S1_low": [0.5, 0.0, -0.1], "S1_high": [0.7, 0.3, 0.1],
                            "ST": [0.7, 0.25, 0.05], "ST_low": [0.6, 0.1, 0.0], "ST_high": [0.8, 0.4, 0.1]},
                           index=pd.Index(["leakage", "cn_open_price", "catch_up"], name="parameter"))
    indices.attrs["confidence"] = 0.95
    fig = figures.sensitivity_bars(indices)
    assert_png(fig, tmp_path / "sobol.png")
    (ax,) = fig.get_axes()
    assert legend_labels(ax) == ["first order (S1)", "total order (ST)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(indices.index)
    assert ax.get_ylabel().startswith("Sobol index") and "95%" in ax.get_title()
    s1, st = ax.containers  # the two sets of bars
    np.testing.assert_allclose([b.get_height() for b in s1], indices["S1"])
    np.testing.assert_allclose([b.get_height() for b in st], indices["ST"])
    # the interval lines span the table's intervals, even one that leaves out its estimate
    s1_lines, st_lines = ax.collections
    np.testing.assert_allclose([(s[0][1], s[1][1]) for s in s1_lines.get_segments()],
                               indices[["S1_low", "S1_high"]].to_numpy())
    np.testing.assert_allclose([(s[0][1], s[1][1]) for s in st_lines.get_segments()],
                               indices[["ST_low", "ST_high"]].to_numpy())
    outside = indices.assign(S1_low=[0.65, 0.0, -0.1])  # a percentile interval above its estimate
    (ax,) = figures.sensitivity_bars(outside).get_axes()
    assert ax.collections[0].get_segments()[0][0][1] == pytest.approx(0.65)


def test_stack_state_shows_capability_and_price(compare_ds, tmp_path):
    fig = figures.stack_state(compare_ds)
    assert_png(fig, tmp_path / "state.png")
    capability, price = fig.get_axes()
    assert capability.get_ylabel() == "capability" and price.get_ylabel().startswith("price")
    assert price.get_yscale() == "log"
    assert "cn_open · full_embargo" in legend_labels(price)


def test_figures_stay_out_of_pyplot(run_ds):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    figures.adoption_curves(run_ds)
    figures.world_map(run_ds)
    assert plt.get_fignums() == before


def test_an_effect_map_colours_each_country_by_its_change(compare_ds):
    fig = figures.effect_map(compare_ds, stack="us_closed", kind="developer")
    effect = compare_ds["effect"].isel(time=-1).sel(kind="developer", stack="us_closed")
    patches = {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}
    rose = str(effect.idxmax("country").values)
    fell = str(effect.idxmin("country").values)
    red, _, blue, _ = patches[rose].get_facecolor()
    assert red > blue  # the scale runs blue (fell) to red (rose)
    if float(effect.sel(country=fell)) < 0:
        red, _, blue, _ = patches[fell].get_facecolor()
        assert blue > red
    assert "full_embargo − no_controls" in fig.axes[0].get_title()


def test_the_effect_over_time_is_what_compare_wrote_each_month(compare_ds):
    fig = figures.effect_over_time(compare_ds, stack="us_closed", countries=["World", "RUS"])
    world, russia = fig.axes[0].get_lines()[:2]
    np.testing.assert_allclose(world.get_ydata(), compare_ds["global_effect"].sel(kind="developer", stack="us_closed"))
    np.testing.assert_allclose(russia.get_ydata(),
                               compare_ds["effect"].sel(kind="developer", stack="us_closed", country="RUS"))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["World", "RUS"]
