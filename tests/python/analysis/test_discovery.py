"""Tests of stackrace.discovery: PRIM and CART find a planted box; discover() reads sweeps."""
import io

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: the tests never open a window

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

from stackrace.discovery import CartResult, PrimResult, cart, discover, prim

NAMES = ["p0", "p1", "p2", "p3", "p4"]
# The condition holds in [0.2, 0.6] x [0.5, 0.9] of (p1, p3); the others are noise.
PLANTED = {"p1": (0.2, 0.6), "p3": (0.5, 0.9)}
LIMIT_TOLERANCE = 0.05


def planted_box(n=3000, noise=0.03, seed=0):
    """Uniform parameters on [0, 1]^5 and y = inside the planted box, with a share
    `noise` of the labels flipped. (With 3 % noise the planted box itself has density
    about 0.97 and coverage about 0.86: 5 % would push its coverage below 0.8.)"""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(size=(n, len(NAMES))), columns=NAMES)
    y = np.ones(n, dtype=bool)
    for name, (low, high) in PLANTED.items():
        y &= X[name].between(low, high).to_numpy()
    return X, y ^ (rng.uniform(size=n) < noise)


@pytest.fixture(scope="module")
def planted():
    return planted_box()


@pytest.fixture(scope="module")
def planted_prim(planted):
    return prim(*planted)


def assert_matches_planted(limits):
    """The box limits p1 and p3 to the planted ranges (within the tolerance) and nothing else."""
    assert set(limits.index[limits["restricted"]]) == set(PLANTED)
    for name, (low, high) in PLANTED.items():
        assert abs(limits.at[name, "low"] - low) < LIMIT_TOLERANCE, limits
        assert abs(limits.at[name, "high"] - high) < LIMIT_TOLERANCE, limits


def box_statistics(inside, y):
    return {
        "coverage": (inside & y).sum() / y.sum(),
        "density": (inside & y).sum() / inside.sum(),
        "mass": inside.mean(),
    }


# --------------------------------------------------------------------------------------
# PRIM
# --------------------------------------------------------------------------------------


def test_prim_recovers_the_planted_box(planted_prim):
    best = planted_prim.best(min_coverage=0.8)
    assert_matches_planted(planted_prim.box(best))
    stats = planted_prim.trajectory.loc[best]
    assert stats.coverage >= 0.8 and stats.density > 0.9
    assert stats.n_restricted == 2
    assert planted_prim.restricted(best) == ["p1", "p3"]
    # `best` is the densest box among those covering enough.
    enough = planted_prim.trajectory[planted_prim.trajectory.coverage >= 0.8]
    assert stats.density == enough.density.max()


def test_quasi_p_values_support_the_planted_restrictions_and_not_a_spurious_one(planted, planted_prim):
    best = planted_prim.best(min_coverage=0.8)
    qp = planted_prim.quasi_p(best)
    assert list(qp.index) == ["p1", "p3"]
    assert (qp < 1e-10).all()  # dropping either planted limit dilutes the box a lot
    # A box with an extra, needless restriction on a noise parameter: the restriction
    # keeps the density about the same, so its quasi-p-value is large.
    X, y = planted
    spurious = planted_prim.box(best)
    spurious.loc["p2", ["low", "restricted"]] = [0.3, True]
    planted_prim.boxes.append(spurious)
    try:
        qp = planted_prim.quasi_p(len(planted_prim.boxes) - 1)
    finally:
        planted_prim.boxes.pop()
    assert qp["p2"] > 0.05 and qp["p1"] < 1e-10


def test_prim_statistics_agree_with_the_box_limits(planted, planted_prim):
    X, y = planted
    for i in planted_prim.trajectory.index:
        inside = planted_prim.inside(X, i)
        expected = box_statistics(inside, y)
        recorded = planted_prim.trajectory.loc[i, ["coverage", "density", "mass"]].astype(float)
        np.testing.assert_allclose(recorded.to_numpy(), list(expected.values()), rtol=1e-12)


def test_prim_trajectory_peels_monotonically_down_to_min_mass(planted_prim):
    t = planted_prim.trajectory
    assert t.stage.iloc[0] == "start"
    assert t.loc[0, ["coverage", "mass"]].tolist() == [1.0, 1.0] and t.loc[0, "n_restricted"] == 0
    peels = t[t.stage.isin(["start", "peel"])]
    assert (np.diff(peels.mass) < 0).all()  # every peel removes runs
    assert (np.diff(peels.coverage) <= 0).all()
    assert (t.mass >= 0.05).all()
    assert peels.mass.iloc[-1] < 0.05 / 0.95 + 0.01  # went on until one more peel would break min_mass
    for i, j in zip(peels.index[:-1], peels.index[1:]):  # each box nests in the one before
        before, after = planted_prim.box(i), planted_prim.box(j)
        assert (after.low >= before.low).all() and (after.high <= before.high).all()
    pastes = t[t.stage == "paste"]
    assert (np.diff(np.r_[peels.mass.iloc[-1], pastes.mass]) > 0).all()
    assert (np.diff(np.r_[peels.density.iloc[-1], pastes.density]) >= 0).all()


def test_prim_stops_at_the_density_threshold(planted):
    result = prim(*planted, threshold=0.9, paste=False)
    density = result.trajectory.density
    assert density.iloc[-1] >= 0.9 > density.iloc[-2]
    assert (result.trajectory.stage.iloc[1:] == "peel").all()


def test_prim_pasting_widens_a_box_that_peeling_left_too_small():
    X, y = planted_box(noise=0.0, seed=1)
    peeled = prim(X, y, paste=False)
    pasted = prim(X, y, paste=True)
    n_peel = len(peeled.trajectory)
    pd.testing.assert_frame_equal(pasted.trajectory.iloc[:n_peel], peeled.trajectory)
    # Without noise peeling stops at density 1, a slice inside the planted box;
    # pasting grows it back to the planted limits without losing density.
    assert peeled.trajectory.density.iloc[-1] == 1.0
    assert (pasted.trajectory.stage.iloc[n_peel:] == "paste").all() and len(pasted.trajectory) > n_peel
    assert pasted.trajectory.density.iloc[-1] == 1.0
    assert pasted.trajectory.coverage.iloc[-1] > peeled.trajectory.coverage.iloc[-1]
    assert_matches_planted(pasted.box(-1))


def test_prim_handles_tied_discrete_parameters():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"level": rng.integers(0, 4, size=800), "noise": rng.uniform(size=800)})
    y = (X.level.to_numpy() == 3) ^ (rng.uniform(size=800) < 0.02)
    result = prim(X, y, min_mass=0.1)
    best = result.box(result.best(min_coverage=0.9))
    assert 2 < best.at["level", "low"] < 3 and best.at["level", "high"] == 3
    assert not best.at["noise", "restricted"]


@pytest.mark.parametrize(
    "X, y, options, message",
    [
        (pd.DataFrame({"a": [0.0, 1.0]}), [False, False], {}, "holds in no run"),
        (pd.DataFrame({"a": [0.0, np.nan]}), [True, False], {}, "NaN"),
        (pd.DataFrame({"a": [0.0, 1.0]}), [True], {}, "one value per row"),
        (pd.DataFrame({"a": ["x", "y"]}), [True, False], {}, "numeric"),
        (pd.DataFrame({"a": [0.0, 1.0]}), [2, 0], {}, "boolean"),
        (pd.DataFrame({"a": [0.0, 1.0]}), [True, False], {"alpha": 0.7}, "alpha"),
    ],
)
def test_prim_rejects_bad_input(X, y, options, message):
    with pytest.raises(ValueError, match=message):
        prim(X, np.asarray(y), **options)


def png_bytes(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_plot_tradeoff_draws_a_labelled_figure(planted_prim):
    fig = planted_prim.plot_tradeoff()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "coverage" and ax.get_ylabel() == "density"
    assert len(ax.collections[0].get_offsets()) == len(planted_prim.trajectory)  # one point a box
    assert fig.axes[1].get_ylabel() == "restricted dimensions"  # the colour bar
    png = png_bytes(fig)
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    # On given axes it draws there and returns their figure.
    own = Figure()
    ax = own.add_subplot()
    assert planted_prim.plot_tradeoff(ax=ax) is own and len(ax.collections) == 1


def test_plot_box_draws_a_bar_per_parameter(planted_prim):
    best = planted_prim.best(min_coverage=0.8)
    fig = planted_prim.plot_box(best)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == NAMES and set(labels[-2:]) == {"p1", "p3"}  # restricted ones on top
    assert ax.get_xlabel() and ax.get_ylabel() == "parameter"
    assert f"box {best}" in ax.get_title()
    # The bar for p1 spans its box limits, scaled to the data's range.
    limits, bounds = planted_prim.box(best), planted_prim.bounds
    p1 = limits.loc["p1", ["low", "high"]].astype(float).to_numpy()
    scaled = (p1 - bounds.at["p1", "low"]) / (bounds.at["p1", "high"] - bounds.at["p1", "low"])
    row = labels.index("p1")
    bars = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - row) < 1e-9]
    assert any(np.allclose([b.get_x(), b.get_x() + b.get_width()], scaled) for b in bars)
    png = png_bytes(fig)
    assert png.startswith(b"\x89PNG") and len(png) > 5000


# --------------------------------------------------------------------------------------
# CART
# --------------------------------------------------------------------------------------


def test_cart_finds_a_leaf_matching_the_planted_box(planted):
    X, y = planted
    result = cart(X, y, max_depth=4)
    top = result.leaves.index[0]  # sorted by density
    assert_matches_planted(result.box(top))
    assert result.leaves.loc[top, "density"] > 0.9 and result.leaves.loc[top, "coverage"] > 0.7
    assert result.leaves.density.is_monotonic_decreasing
    assert result.leaves.n.sum() == len(X)
    assert np.isclose(result.leaves.coverage.sum(), 1.0) and np.isclose(result.leaves.mass.sum(), 1.0)
    text = result.text()
    assert "p1" in text and "p3" in text and "class" in text


def test_cart_leaf_boxes_hold_exactly_their_runs(planted):
    X, y = planted
    result = cart(X, y, max_depth=3, min_samples_leaf=50)
    leaf_of_run = result.tree.apply(X.to_numpy())
    # scikit-learn compares the parameters as float32 with its thresholds.
    as_tree_sees = X.astype(np.float32).astype(float)
    for leaf in result.leaves.index:
        limits = result.box(leaf)
        # A split sends x <= threshold left, so a leaf holds low < x <= high, where
        # the limits are the data's range on the sides no split bounds.
        above = (as_tree_sees > limits.low) | (limits.low == X.min())
        below = (as_tree_sees <= limits.high) | (limits.high == X.max())
        within = above & below
        np.testing.assert_array_equal(within.all(axis=1).to_numpy(), leaf_of_run == leaf)
        stats = box_statistics(leaf_of_run == leaf, y)
        np.testing.assert_allclose(result.leaves.loc[leaf, ["coverage", "density", "mass"]].astype(float), list(stats.values()))


# --------------------------------------------------------------------------------------
# On sweep datasets
# --------------------------------------------------------------------------------------


def sweep_dataset(X, outcome):
    """A dataset with the per-run layout of a sweep result (`param_<name>`, `status`)."""
    n = len(X)
    data = {f"param_{name}": ("run", X[name].to_numpy()) for name in X.columns}
    data.update(outcome=("run", outcome), status=("run", np.ones(n, dtype=np.int8)))
    ds = xr.Dataset(data, coords={"run": np.arange(n)})
    # As stackrace.open may do: one parameter as a coordinate rather than a variable.
    ds = ds.set_coords("param_p2")
    ds.attrs.update(design="latin_hypercube", parameters=" ".join(X.columns))
    return ds


def test_discover_on_a_sweep_uses_done_runs_and_plain_parameter_names(planted):
    X, y = planted
    outcome = np.where(y, 1.0, -1.0)
    outcome[10] = np.nan  # a run without an outcome
    ds = sweep_dataset(X, outcome)
    status = ds.status.values.copy()
    status[[20, 30]] = 2  # failed runs: their (stale) outcome must not count
    ds = ds.assign(status=("run", status))

    with np.errstate(invalid="ignore"):
        result = discover(ds, lambda d: (d.outcome > 0).where(d.outcome.notnull()))
    assert isinstance(result, PrimResult)
    keep = np.setdiff1d(np.arange(len(X)), [10, 20, 30])
    expected = prim(X.iloc[keep], y[keep])
    pd.testing.assert_frame_equal(result.trajectory, expected.trajectory)
    assert list(result.bounds.index) == NAMES  # design order, prefix gone
    assert_matches_planted(result.box(result.best(0.8)))

    tree = discover(ds, lambda d: (d.outcome > 0).values, method="cart", max_depth=4)
    assert isinstance(tree, CartResult) and tree.names == NAMES
    # The failed runs are out; run 10 stays, as a bare comparison makes its NaN False.
    assert tree.leaves.n.sum() == len(X) - 2


def test_discover_rejects_unknown_methods_and_non_sweeps(planted):
    X, y = planted
    ds = sweep_dataset(X, y.astype(float))
    with pytest.raises(ValueError, match="method"):
        discover(ds, lambda d: d.outcome > 0, method="forest")
    with pytest.raises(ValueError, match="param_"):
        discover(xr.Dataset({"outcome": ("run", y)}), lambda d: d.outcome)
