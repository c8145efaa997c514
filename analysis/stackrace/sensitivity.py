"""Variance-based (Sobol) sensitivity analysis of a Saltelli sweep.

A Saltelli design (``design = "saltelli"`` in a sweep file) evaluates the model on
two independent base matrices A and B of N rows each, and on the P matrices AB_i:
A with its i-th column taken from B. From these N * (P + 2) evaluations come, for
every parameter, the first-order index S_i (the share of the output variance that
the parameter explains on its own) and the total-order index ST_i (its share
including every interaction).

The estimators are the ones SALib uses (``SALib.analyze.sobol``, first and total
order only):

* first order, Saltelli et al. (2010)::

      S_i  = mean(f_B * (f_AB_i - f_A)) / V

* total order, Jansen (1999)::

      ST_i = mean((f_A - f_AB_i) ** 2) / 2 / V

where V is the (population) variance of the concatenation of f_A and f_B. As in
SALib, the outputs are first centred on the mean of every evaluation: the
first-order estimator is otherwise not invariant to adding a constant to the model.

The matrix order is SALib's: AB_i takes its i-th column from B, and a sweep file
stores, per run, ``saltelli_matrix`` = 0 for A, i for AB_i (i = 1..P) and P + 1 for
B, and ``saltelli_row`` = the row j of A and B the run belongs to.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola, S.
(2010). Variance based sensitivity analysis of model output. Design and estimator
for the total sensitivity index. Computer Physics Communications 181(2):259-270,
doi:10.1016/j.cpc.2009.09.018.

Jansen, M. J. W. (1999). Analysis of variance designs for model output. Computer
Physics Communications 117(1-2):35-43, doi:10.1016/S0010-4655(98)00154-4.

Herman, J. and Usher, W. (2017). SALib: An open-source Python library for
sensitivity analysis. Journal of Open Source Software 2(9):97.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import qmc

from .io import DONE, parameter_names
from .outcomes import per_run

__all__ = ["IncompleteRowsWarning", "saltelli_sample", "sobol", "sobol_indices"]

# Bootstrap draws are processed in blocks of at most this many draws x rows, which
# bounds the memory of the count matrix (8 bytes an entry) whatever N and n_bootstrap.
_BOOTSTRAP_BLOCK = 2_000_000

INDEX_COLUMNS = ["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]


class IncompleteRowsWarning(UserWarning):
    """Some Saltelli rows lacked a run (missing, failed or NaN) and were left out."""


# --------------------------------------------------------------------------------------
# The estimator on arrays
# --------------------------------------------------------------------------------------


def sobol_indices(f_A, f_B, f_AB, *, names=None, n_bootstrap=1000, confidence=0.95, seed=0):
    """First- and total-order Sobol indices, with bootstrap confidence intervals.

    Parameters
    ----------
    f_A, f_B : array of shape (N,)
        The model at the rows of the base matrices A and B.
    f_AB : array of shape (N, P)
        Column i is the model at the rows of AB_i, that is A with column i taken
        from B (SALib's convention).
    names : sequence of P str, optional
        Parameter names, in design order; default ``x1`` .. ``xP``.
    n_bootstrap : int
        Bootstrap resamples of the N rows (0 for none: the interval columns are NaN).
    confidence : float
        Level of the percentile intervals, in (0, 1).
    seed : int
        Seeds the resampling; the same seed gives the same intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter name (design order), with columns S1, S1_low, S1_high,
        ST, ST_low, ST_high. S1 follows Saltelli et al. (2010), ST Jansen (1999);
        the intervals are bootstrap percentile intervals from resampling the rows
        (each row keeps its A, B and AB_i evaluations together). ``attrs`` records
        N, the output variance, n_bootstrap and confidence.

    Raises
    ------
    ValueError
        On mismatched shapes, non-finite outputs, fewer than two rows, or an output
        whose variance over A and B is zero (the indices are then undefined).
    """
    f_A, f_B, f_AB = _check_outputs(f_A, f_B, f_AB)
    n_rows, n_params = f_AB.shape
    names = _check_names(names, n_params)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be >= 0, got {n_bootstrap}")

    terms = _row_terms(f_A, f_B, f_AB)
    variance = _variance(terms.mean(axis=0, keepdims=True), n_params)[0]
    if not variance > 0:
        raise ValueError(
            "the outcome has zero variance over the A and B samples: every run gave the same "
            "value, so the Sobol indices are undefined (check the outcome function)"
        )
    s1, st = _indices(terms.mean(axis=0, keepdims=True), n_params)

    table = pd.DataFrame(index=pd.Index(names, name="parameter"), columns=INDEX_COLUMNS, dtype=float)
    table["S1"], table["ST"] = s1[0], st[0]
    if n_bootstrap > 0:
        s1_draws, st_draws = _bootstrap(terms, n_params, n_bootstrap, np.random.default_rng(seed))
        table["S1_low"], table["S1_high"] = _percentile_interval(s1_draws, confidence)
        table["ST_low"], table["ST_high"] = _percentile_interval(st_draws, confidence)
    table.attrs.update(N=n_rows, variance=variance, n_bootstrap=n_bootstrap, confidence=confidence)
    return table


def _check_outputs(f_A, f_B, f_AB):
    f_A = np.asarray(f_A, dtype=float)
    f_B = np.asarray(f_B, dtype=float)
    f_AB = np.asarray(f_AB, dtype=float)
    if f_A.ndim != 1 or f_B.shape != f_A.shape:
        raise ValueError(f"f_A and f_B must be 1-D of the same length, got {f_A.shape} and {f_B.shape}")
    if f_AB.ndim != 2 or f_AB.shape[0] != f_A.size:
        raise ValueError(f"f_AB must have shape (N, P) = ({f_A.size}, P), got {f_AB.shape}")
    if f_A.size < 2:
        raise ValueError(f"at least two Saltelli rows are needed, got {f_A.size}")
    if not (np.isfinite(f_A).all() and np.isfinite(f_B).all() and np.isfinite(f_AB).all()):
        raise ValueError("the model outputs contain NaN or infinite values: drop incomplete rows first")
    return f_A, f_B, f_AB


def _check_names(names, n_params):
    names = [f"x{i + 1}" for i in range(n_params)] if names is None else [str(n) for n in names]
    if len(names) != n_params:
        raise ValueError(f"{len(names)} names given for {n_params} parameters")
    if len(set(names)) != len(names):
        raise ValueError(f"parameter names must be unique, got {names}")
    return names


def _row_terms(f_A, f_B, f_AB):
    """Per-row terms whose means give every index: shape (N, 2P + 2).

    Columns: P first-order numerator terms, P total-order numerator terms, then
    f_A + f_B and f_A^2 + f_B^2 (for the variance). Writing the estimators as means
    of per-row terms lets one bootstrap draw be a weighted mean (weights = how often
    each row was drawn), so all draws are a single matrix product.
    """
    # Centre on the mean of every evaluation, as SALib does: S1's estimator is not
    # shift-invariant, and a large mean would otherwise inflate its error.
    centre = np.concatenate([f_A, f_B, f_AB.ravel()]).mean()
    a, b, ab = f_A - centre, f_B - centre, f_AB - centre
    first = b[:, None] * (ab - a[:, None])
    total = (a[:, None] - ab) ** 2
    return np.column_stack([first, total, a + b, a * a + b * b])


def _variance(means, n_params):
    """Variance of the concatenation of f_A and f_B, from the means of the row terms."""
    mean = means[:, 2 * n_params] / 2
    return means[:, 2 * n_params + 1] / 2 - mean**2


def _indices(means, n_params):
    """S1 and ST (each of shape (draws, P)) from the means of the row terms (draws, 2P + 2)."""
    variance = _variance(means, n_params)[:, None]
    # A resample can have zero variance (all rows equal); its indices are NaN, not an error.
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = means[:, :n_params] / variance
        st = means[:, n_params : 2 * n_params] / 2 / variance
    return s1, st


def _bootstrap(terms, n_params, n_bootstrap, rng):
    """S1 and ST for n_bootstrap resamples (with replacement) of the rows."""
    n_rows = terms.shape[0]
    block = max(1, _BOOTSTRAP_BLOCK // n_rows)
    s1, st = [], []
    for start in range(0, n_bootstrap, block):
        draws = min(block, n_bootstrap - start)
        picked = rng.integers(0, n_rows, size=(draws, n_rows))
        # counts[d, j] = how often draw d picked row j.
        offsets = picked + n_rows * np.arange(draws)[:, None]
        counts = np.bincount(offsets.ravel(), minlength=draws * n_rows).reshape(draws, n_rows)
        s1_block, st_block = _indices(counts @ terms / n_rows, n_params)
        s1.append(s1_block)
        st.append(st_block)
    return np.concatenate(s1), np.concatenate(st)


def _percentile_interval(draws, confidence):
    tail = (1 - confidence) / 2
    low, high = np.nanquantile(draws, [tail, 1 - tail], axis=0)
    return low, high


# --------------------------------------------------------------------------------------
# A Saltelli design, for evaluating analytic or Python models
# --------------------------------------------------------------------------------------


def saltelli_sample(bounds, n, *, seed=None):
    """The matrices A, B and AB_i of a Saltelli design over a box of uniform parameters.

    Parameters
    ----------
    bounds : array-like of shape (P, 2)
        Low and high bound of each parameter.
    n : int
        Rows N of A and B.
    seed : int, optional
        None (default): the unscrambled Sobol sequence in 2P dimensions after skipping
        its first points (the smallest power of two >= n), A its first P columns and B
        the last P: SALib's construction, which ``stackrace sweep`` follows too (its
        points differ, as it uses Boost.Random's Sobol generator). An int: an
        Owen-scrambled Sobol sequence seeded with it (no skip needed), for independent
        replications.

    Returns
    -------
    A, B : arrays of shape (N, P)
    AB : array of shape (P, N, P)
        AB[i] is A with column i taken from B.

    Example
    -------
    >>> A, B, AB = saltelli_sample([[-np.pi, np.pi]] * 3, 1024)
    >>> f_AB = np.column_stack([model(AB_i) for AB_i in AB])
    >>> sobol_indices(model(A), model(B), f_AB)
    """
    bounds = np.asarray(bounds, dtype=float)
    if bounds.ndim != 2 or bounds.shape[1] != 2 or not (bounds[:, 1] > bounds[:, 0]).all():
        raise ValueError(f"bounds must be P pairs (low, high) with low < high, got {bounds.tolist()}")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    n_params = bounds.shape[0]
    base = _sobol_points(2 * n_params, n, seed)
    base = qmc.scale(base, np.tile(bounds[:, 0], 2), np.tile(bounds[:, 1], 2))
    A, B = base[:, :n_params], base[:, n_params:]
    AB = np.repeat(A[None, :, :], n_params, axis=0)
    for i in range(n_params):
        AB[i, :, i] = B[:, i]
    return A, B, AB


def _sobol_points(dimensions, n, seed):
    with warnings.catch_warnings():
        # scipy warns when n is not a power of two (balance properties); Saltelli
        # designs of any N are still valid, and the sweep tool accepts any N too.
        warnings.simplefilter("ignore", UserWarning)
        if seed is None:
            sequence = qmc.Sobol(dimensions, scramble=False)
            # Skipping as SALib and the sweep tool do keeps A's and B's rows apart
            # (the unscrambled sequence starts at the origin).
            sequence.fast_forward(1 << max(0, int(n - 1).bit_length()))
        else:
            sequence = qmc.Sobol(dimensions, scramble=True, seed=seed)
        return sequence.random(n)


# --------------------------------------------------------------------------------------
# From a sweep result
# --------------------------------------------------------------------------------------


def sobol(ds, outcome, *, n_bootstrap=1000, confidence=0.95, seed=0):
    """Sobol indices of an outcome of a Saltelli sweep.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep result with ``design == "saltelli"`` (from ``stackrace.open`` or
        ``xarray.open_dataset(path, engine="h5netcdf")``): per run ``saltelli_matrix``
        (0 = A, i = AB_i, P + 1 = B), ``saltelli_row``, and optionally ``replicate``
        and ``status``; the attribute ``parameters`` names the P parameters in design
        order (a space-separated string or a list).
    outcome : callable
        ``outcome(ds)`` gives one number per run: an xarray.DataArray over ``run``, or
        a 1-D array in the order of ``ds.run``.
    n_bootstrap, confidence, seed
        As for :func:`sobol_indices`.

    Returns
    -------
    pandas.DataFrame
        As :func:`sobol_indices`, indexed by parameter name in design order.

    Notes
    -----
    The replicates of a design point are averaged first, so the indices are those of
    the outcome's mean over the random streams. A Saltelli row j is used only when
    every one of its runs (A_j, B_j and each AB_i,j, every replicate) is in the file,
    is done (``status == 1``) and gave a finite outcome; the other rows are left out
    with an :class:`IncompleteRowsWarning`. Requiring every replicate keeps the rows
    comparable: replicate r uses the same seed at every point of a row, so the
    differences f_AB_i - f_A that the estimators average stay paired.
    """
    _require_saltelli(ds)
    names = parameter_names(ds)
    n_params = len(names)
    values = per_run(ds, outcome(ds), "outcome")
    if "status" in ds.variables:
        values = np.where(np.asarray(ds["status"]) == DONE, values, np.nan)

    points = _design_point_means(ds, values, n_params)  # (rows, P + 2)
    complete = np.isfinite(points).all(axis=1)
    if not complete.all():
        warnings.warn(
            f"dropped {np.count_nonzero(~complete)} of {complete.size} Saltelli rows that lack a "
            "run (missing, failed or NaN outcome); the indices use the other "
            f"{np.count_nonzero(complete)}",
            IncompleteRowsWarning,
            stacklevel=2,
        )
    points = points[complete]
    return sobol_indices(
        points[:, 0],
        points[:, n_params + 1],
        points[:, 1 : n_params + 1],
        names=names,
        n_bootstrap=n_bootstrap,
        confidence=confidence,
        seed=seed,
    )


def _require_saltelli(ds):
    design = ds.attrs.get("design")
    design = design.decode() if isinstance(design, bytes) else design
    if design != "saltelli":
        raise ValueError(
            f"Sobol indices need a sweep with design = \"saltelli\"; this file's design is {design!r}"
        )
    missing = [v for v in ("saltelli_matrix", "saltelli_row") if v not in ds.variables]
    if missing:
        raise ValueError(f"the dataset lacks {', '.join(missing)}: not a Saltelli sweep result")


def _design_point_means(ds, values, n_params):
    """The replicate mean of every (row, matrix) point: shape (rows, P + 2), NaN where incomplete."""
    matrix = np.asarray(ds["saltelli_matrix"], dtype=np.int64)
    row = np.asarray(ds["saltelli_row"], dtype=np.int64)
    replicate = np.asarray(ds["replicate"], dtype=np.int64) if "replicate" in ds.variables else np.zeros_like(row)
    if matrix.size and (matrix.min() < 0 or matrix.max() > n_params + 1):
        raise ValueError(
            f"saltelli_matrix runs from {matrix.min()} to {matrix.max()}, but {n_params} parameters "
            f"need 0..{n_params + 1}: do the file's `parameters` match its design?"
        )
    if row.size and row.min() < 0:
        raise ValueError("saltelli_row has negative entries")

    # The design has rows 0..N-1 and replicates 0..R-1 (a whole row or replicate may
    # have been dropped from the file, hence the max, not the distinct values).
    n_rows = int(row.max()) + 1 if row.size else 0
    replicates = np.unique(replicate)
    runs = np.full((n_rows, n_params + 2, replicates.size), np.nan)
    slot = (row, matrix, np.searchsorted(replicates, replicate))
    seen = np.zeros(runs.shape, dtype=np.int64)
    np.add.at(seen, slot, 1)
    if (seen > 1).any():
        raise ValueError("several runs share one (saltelli_row, saltelli_matrix, replicate)")
    runs[slot] = values
    # NaN unless every replicate is there: see `sobol`'s notes.
    return runs.mean(axis=2)
