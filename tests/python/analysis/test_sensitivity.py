"""Tests of stackrace.sensitivity: Sobol indices against analytic values, and on sweep datasets."""
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from stackrace.sensitivity import IncompleteRowsWarning, saltelli_sample, sobol, sobol_indices

# --------------------------------------------------------------------------------------
# Test functions with known indices
# --------------------------------------------------------------------------------------


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a=7.0, b=0.1):
    """Closed-form S1 and ST of the Ishigami function on [-pi, pi]^3."""
    pi = np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    variance = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    assert np.isclose(v1 + v2 + v13, variance)  # the decomposition adds up
    s1 = np.array([v1, v2, 0.0]) / variance
    st = np.array([v1 + v13, v2, v13]) / variance
    return s1, st


G_A = np.array([0, 1, 4.5, 9, 99, 99, 99, 99])


def g_function(x, a=G_A):
    return np.prod((np.abs(4 * x - 2) + a) / (1 + a), axis=1)


def g_function_indices(a=G_A):
    """Closed-form S1 and ST of Sobol's G function on [0, 1]^P."""
    partial = 1 / (3 * (1 + a) ** 2)  # V_i
    variance = np.prod(1 + partial) - 1
    s1 = partial / variance
    st = partial * np.prod(1 + partial) / (1 + partial) / variance  # V_i * prod_{j != i}(1 + V_j) / V
    return s1, st


def saltelli_outputs(model, bounds, n, seed=None):
    A, B, AB = saltelli_sample(bounds, n, seed=seed)
    return model(A), model(B), np.column_stack([model(AB_i) for AB_i in AB])


def random_outputs(model, n_params, n, rng):
    """A Saltelli design from independent uniform draws on [0, 1]^P (for bootstrap coverage)."""
    A, B = rng.uniform(size=(n, n_params)), rng.uniform(size=(n, n_params))
    f_AB = np.empty((n, n_params))
    for i in range(n_params):
        AB_i = A.copy()
        AB_i[:, i] = B[:, i]
        f_AB[:, i] = model(AB_i)
    return model(A), model(B), f_AB


ISHIGAMI_BOUNDS = [[-np.pi, np.pi]] * 3
TOLERANCE = 0.03  # absolute, on indices in [0, 1], at N = 2**13 Sobol rows


# --------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------


def test_ishigami_indices_match_closed_form():
    s1, st = ishigami_indices()
    table = sobol_indices(*saltelli_outputs(ishigami, ISHIGAMI_BOUNDS, 2**13), n_bootstrap=100)
    assert list(table.index) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(table["S1"], s1, atol=TOLERANCE)
    np.testing.assert_allclose(table["ST"], st, atol=TOLERANCE)
    # The published values, as a check on the closed forms themselves.
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=5e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=5e-4)


def test_g_function_indices_match_closed_form():
    s1, st = g_function_indices()
    names = [f"g{i}" for i in range(G_A.size)]
    table = sobol_indices(*saltelli_outputs(g_function, [[0, 1]] * G_A.size, 2**13), names=names, n_bootstrap=100)
    assert list(table.index) == names
    np.testing.assert_allclose(table["S1"], s1, atol=TOLERANCE)
    np.testing.assert_allclose(table["ST"], st, atol=TOLERANCE)
    # The important parameters come out in the right order.
    assert list(table["ST"].sort_values(ascending=False).index[:4]) == names[:4]


def test_confidence_intervals_cover_the_analytic_values_and_shrink_with_n():
    s1, st = g_function_indices()
    rng = np.random.default_rng(20240611)
    small = sobol_indices(*random_outputs(g_function, G_A.size, 2**10, rng), n_bootstrap=500)
    large = sobol_indices(*random_outputs(g_function, G_A.size, 2**14, rng), n_bootstrap=500)
    for table in (small, large):
        covered = np.r_[
            (table["S1_low"] <= s1) & (s1 <= table["S1_high"]),
            (table["ST_low"] <= st) & (st <= table["ST_high"]),
        ]
        assert covered.sum() >= 14, f"only {covered.sum()} of 16 95% intervals hold the analytic value"
        assert (table["S1_low"] <= table["S1"]).all() and (table["S1"] <= table["S1_high"]).all()
    width = lambda t: np.r_[t["S1_high"] - t["S1_low"], t["ST_high"] - t["ST_low"]]  # noqa: E731
    # 16 times the rows: about a quarter of the width; allow up to a half.
    assert (width(large) < 0.5 * width(small)).all()


def test_bootstrap_is_deterministic_for_a_seed():
    outputs = saltelli_outputs(ishigami, ISHIGAMI_BOUNDS, 2**9, seed=3)
    first = sobol_indices(*outputs, n_bootstrap=200, seed=7)
    again = sobol_indices(*outputs, n_bootstrap=200, seed=7)
    other = sobol_indices(*outputs, n_bootstrap=200, seed=8)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_series_equal(first["S1"], other["S1"])  # point estimates do not resample
    assert not np.allclose(first["S1_low"], other["S1_low"])


def test_estimators_follow_the_documented_formulas():
    rng = np.random.default_rng(1)
    f_A, f_B, f_AB = rng.normal(size=50), rng.normal(size=50), rng.normal(size=(50, 2))
    table = sobol_indices(f_A, f_B, f_AB, n_bootstrap=0)
    centre = np.r_[f_A, f_B, f_AB.ravel()].mean()  # SALib centres on every output
    variance = np.var(np.r_[f_A, f_B])
    expected_s1 = np.mean((f_B - centre)[:, None] * (f_AB - f_A[:, None]), axis=0) / variance
    expected_st = np.mean((f_A[:, None] - f_AB) ** 2, axis=0) / 2 / variance
    np.testing.assert_allclose(table["S1"], expected_s1, rtol=1e-12)
    np.testing.assert_allclose(table["ST"], expected_st, rtol=1e-12)
    assert table[["S1_low", "ST_high"]].isna().all().all()  # no bootstrap asked for
    # Centring makes the indices blind to a constant added to the model.
    shifted = sobol_indices(f_A + 1e3, f_B + 1e3, f_AB + 1e3, n_bootstrap=0)
    np.testing.assert_allclose(shifted[["S1", "ST"]], table[["S1", "ST"]], rtol=1e-9)


def test_zero_variance_is_a_clear_error():
    with pytest.raises(ValueError, match="zero variance"):
        sobol_indices(np.ones(10), np.ones(10), np.ones((10, 3)))


@pytest.mark.parametrize(
    "f_A, f_B, f_AB, message",
    [
        (np.zeros(5), np.zeros(4), np.zeros((5, 2)), "same length"),
        (np.zeros(5), np.zeros(5), np.zeros((4, 2)), "shape"),
        (np.r_[np.nan, np.arange(4.0)], np.arange(5.0), np.zeros((5, 2)), "NaN"),
    ],
)
def test_malformed_outputs_are_rejected(f_A, f_B, f_AB, message):
    with pytest.raises(ValueError, match=message):
        sobol_indices(f_A, f_B, f_AB)


def test_saltelli_sample_takes_column_i_of_AB_i_from_B():
    bounds = [[0, 1], [10, 20], [-1, 1]]
    A, B, AB = saltelli_sample(bounds, 16)
    assert A.shape == B.shape == (16, 3) and AB.shape == (3, 16, 3)
    for i in range(3):
        np.testing.assert_array_equal(AB[i][:, i], B[:, i])
        np.testing.assert_array_equal(np.delete(AB[i], i, axis=1), np.delete(A, i, axis=1))
    low, high = np.array(bounds).T
    assert ((A >= low) & (A <= high) & (B >= low) & (B <= high)).all()
    assert not (A == B).all(axis=1).any()  # the skip keeps A's and B's rows apart


# --------------------------------------------------------------------------------------
# On sweep datasets
# --------------------------------------------------------------------------------------

PARAMETERS = ["alpha", "beta", "gamma"]  # Ishigami's x1, x2, x3


def saltelli_sweep(n_rows, replicates, rng):
    """A dataset laid out as `stackrace sweep` writes a Saltelli sweep, with an outcome `y`.

    Each replicate adds +d or -d to the Ishigami value of its point (d varies by
    point), so the replicate mean is exactly the Ishigami value. Runs are shuffled so
    that nothing can depend on their order.
    """
    A, B, AB = saltelli_sample(ISHIGAMI_BOUNDS, n_rows)
    P = len(PARAMETERS)
    matrices = [A, *AB, B]  # saltelli_matrix 0 = A, i = AB_i, P + 1 = B
    row, matrix, replicate, x, y = [], [], [], [], []
    for j in range(n_rows):
        for m in range(P + 2):
            spread = rng.uniform(0, 2)
            for r in range(replicates):
                row.append(j), matrix.append(m), replicate.append(r)
                x.append(matrices[m][j])
                y.append(ishigami(matrices[m][j][None, :])[0] + (spread if r % 2 == 0 else -spread))
    if replicates % 2:
        raise ValueError("the +d/-d replicates need an even count")
    x, order = np.array(x), rng.permutation(len(row))
    n_points = P + 2
    data = {
        "saltelli_matrix": ("run", np.array(matrix)[order]),
        "saltelli_row": ("run", np.array(row)[order]),
        "replicate": ("run", np.array(replicate)[order]),
        "design_point": ("run", (np.array(row) * n_points + np.array(matrix))[order]),
        "status": ("run", np.ones(len(row), dtype=np.int8)),
        "y": ("run", np.array(y)[order]),
    }
    data.update({f"param_{name}": ("run", x[order, p]) for p, name in enumerate(PARAMETERS)})
    ds = xr.Dataset(data, coords={"run": np.arange(len(row))})
    ds.attrs.update(design="saltelli", parameters=" ".join(PARAMETERS), format="stackrace")
    return ds, (A, B, AB)


def the_run(ds, row, matrix, replicate):
    hit = (ds.saltelli_row == row) & (ds.saltelli_matrix == matrix) & (ds.replicate == replicate)
    (run,) = np.flatnonzero(hit.values)
    return run


def expected_indices(A, B, AB, rows, **options):
    f_AB = np.column_stack([ishigami(AB_i) for AB_i in AB])
    return sobol_indices(ishigami(A)[rows], ishigami(B)[rows], f_AB[rows], names=PARAMETERS, **options)


def test_sobol_on_a_sweep_averages_replicates_and_drops_incomplete_rows():
    ds, (A, B, AB) = saltelli_sweep(256, replicates=2, rng=np.random.default_rng(5))
    y, status = ds.y.values.copy(), ds.status.values.copy()
    failed = the_run(ds, row=3, matrix=2, replicate=1)
    status[failed], y[failed] = 2, np.nan  # a failed run, as the sweep tool records it
    y[the_run(ds, row=7, matrix=0, replicate=0)] = np.nan  # done, but the outcome is NaN
    ds = ds.assign(y=("run", y), status=("run", status))
    ds = ds.drop_isel(run=[the_run(ds, row=11, matrix=4, replicate=1)])  # a run missing altogether

    with pytest.warns(IncompleteRowsWarning, match="dropped 3 of 256"):
        table = sobol(ds, lambda d: d.y, n_bootstrap=200, seed=4)

    rows = np.setdiff1d(np.arange(256), [3, 7, 11])
    expected = expected_indices(A, B, AB, rows, n_bootstrap=200, seed=4)
    pd.testing.assert_frame_equal(table, expected, rtol=1e-10)
    assert list(table.index) == PARAMETERS
    assert table.attrs["N"] == 253


def test_sobol_on_a_sweep_estimates_the_ishigami_indices():
    ds, _ = saltelli_sweep(2**11, replicates=2, rng=np.random.default_rng(6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complete sweep drops nothing
        table = sobol(ds, lambda d: d.y.values, n_bootstrap=100)
    s1, st = ishigami_indices()
    np.testing.assert_allclose(table["S1"], s1, atol=0.05)
    np.testing.assert_allclose(table["ST"], st, atol=0.05)


def test_sobol_uses_the_status_even_when_the_outcome_looks_fine():
    ds, (A, B, AB) = saltelli_sweep(64, replicates=2, rng=np.random.default_rng(7))
    status = ds.status.values.copy()
    status[the_run(ds, row=5, matrix=1, replicate=0)] = 0  # pending: its value is not a result
    with pytest.warns(IncompleteRowsWarning, match="dropped 1 of 64"):
        table = sobol(ds.assign(status=("run", status)), lambda d: d.y, n_bootstrap=0)
    expected = expected_indices(A, B, AB, np.setdiff1d(np.arange(64), [5]), n_bootstrap=0)
    pd.testing.assert_frame_equal(table, expected, rtol=1e-10)


def test_sobol_reads_a_file_and_a_list_of_parameters(tmp_path):
    ds, (A, B, AB) = saltelli_sweep(64, replicates=2, rng=np.random.default_rng(8))
    expected = expected_indices(A, B, AB, np.arange(64), n_bootstrap=50)
    path = tmp_path / "sweep.h5"
    ds.to_netcdf(path, engine="h5netcdf")
    with xr.open_dataset(path, engine="h5netcdf") as from_file:
        pd.testing.assert_frame_equal(sobol(from_file, lambda d: d.y, n_bootstrap=50), expected, rtol=1e-10)
    as_list = ds.assign_attrs(parameters=list(PARAMETERS))  # as stackrace.open may give it
    pd.testing.assert_frame_equal(sobol(as_list, lambda d: d.y, n_bootstrap=50), expected, rtol=1e-10)


def test_sobol_refuses_other_designs_and_outcomes_not_per_run():
    ds, _ = saltelli_sweep(16, replicates=2, rng=np.random.default_rng(9))
    with pytest.raises(ValueError, match="saltelli"):
        sobol(ds.assign_attrs(design="latin_hypercube"), lambda d: d.y)
    with pytest.raises(ValueError, match="one value per run"):
        sobol(ds, lambda d: d.y.expand_dims(time=2))
    with pytest.raises(ValueError, match="parameters"):
        sobol(ds.assign_attrs(parameters="alpha beta"), lambda d: d.y)  # matrix 4 needs P >= 3


def test_sobol_on_a_real_saltelli_sweep(sweep_to_file):
    """The file the sweep tool writes has the layout `sobol` reads."""
    output = sweep_to_file(
        """design = "saltelli"
samples = 8
replicates = 2
agents = 2000
steps = 12

[[parameters]]
key = "choice.developer.switching_cost"
name = "switching_cost"
range = [0.0, 1.0]

[[parameters]]
key = "stacks.cn_open.price"
name = "cn_open_price"
range = [0.1, 0.6]
""",
        "tiny", "--threads", "2",
    )
    with xr.open_dataset(output, engine="h5netcdf") as ds:
        share = lambda d: d.global_share.sel(kind="developer", stack="cn_open").isel(time=-1)  # noqa: E731
        table = sobol(ds, share, n_bootstrap=50)
        # The layout the estimator relies on: AB_i is A's row with the i-th parameter
        # (in the order of the `parameters` attribute) taken from B's row.
        names = str(ds.attrs["parameters"]).split()
        matrix, row = ds.saltelli_matrix.values, ds.saltelli_row.values
        values = {n: ds[f"param_{n}"].values for n in names}
        P = len(names)
        for j in np.unique(row):
            a = np.flatnonzero((row == j) & (matrix == 0))[0]
            b = np.flatnonzero((row == j) & (matrix == P + 1))[0]
            for i in range(1, P + 1):
                ab = np.flatnonzero((row == j) & (matrix == i))[0]
                for p, name in enumerate(names):
                    source = b if p == i - 1 else a
                    assert values[name][ab] == values[name][source]
    assert list(table.index) == ["switching_cost", "cn_open_price"]
    assert np.isfinite(table[["S1", "ST", "S1_low", "ST_high"]].to_numpy()).all()
    assert table.attrs["N"] == 8
