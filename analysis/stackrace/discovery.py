"""Scenario discovery: which regions of parameter space make a condition hold.

Given a sweep (parameter values X per run) and a yes/no condition on each run's
outcome (y), scenario discovery looks for a few simple, interpretable boxes (limits
on a few parameters) that hold most of the runs where the condition holds
(coverage) and mostly such runs (density) (Bryant & Lempert 2010).

Two methods:

* :func:`prim`: the Patient Rule Induction Method (Friedman & Fisher 1999) as used
  for scenario discovery by Bryant & Lempert (2010) and the EMA workbench. It peels
  thin slices off the box one at a time, recording the whole trajectory of boxes, so
  that the analyst picks the coverage/density trade-off.
* :func:`cart`: a classification tree (scikit-learn's CART); every leaf is a box.

:func:`discover` runs either on a sweep result file.

Definitions, for a box and N runs of which T satisfy the condition:

* coverage = (runs in the box that satisfy it) / T
* density  = (runs in the box that satisfy it) / (runs in the box)
* mass     = (runs in the box) / N

References
----------
Friedman, J. H. and Fisher, N. I. (1999). Bump hunting in high-dimensional data.
Statistics and Computing 9:123-143.

Bryant, B. P. and Lempert, R. J. (2010). Thinking inside the box: A participatory,
computer-assisted approach to scenario discovery. Technological Forecasting and
Social Change 77(1):34-49.

Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental Modelling &
Software 96:239-250.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from matplotlib import colors
from sklearn.tree import DecisionTreeClassifier, export_text

from .figures import one_panel
from .io import DONE, parameter_names
from .outcomes import per_run

__all__ = ["CartResult", "PrimResult", "cart", "discover", "prim", "sweep_inputs"]

LIMIT_COLUMNS = ["low", "high", "restricted"]
TRAJECTORY_COLUMNS = ["stage", "coverage", "density", "mass", "n_restricted"]


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


def _check_inputs(X, y):
    """X as a float array (with its column names) and y as a bool array; both validated."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame of parameters, got {type(X).__name__}")
    non_numeric = [c for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
    if non_numeric:
        raise ValueError(f"parameters must be numeric; not so: {non_numeric}")
    values = X.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError("X contains NaN or infinite values")
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must hold one value per row of X ({len(X)}), got shape {y.shape}")
    if y.dtype != bool:
        if not np.isin(y, [0, 1]).all():
            raise ValueError("y must be boolean (or 0/1): whether the condition holds in each run")
        y = y.astype(bool)
    if not y.any():
        raise ValueError("the condition holds in no run: there is nothing to discover")
    return values, [str(c) for c in X.columns], y


def _limits_table(names, limits, bounds):
    """A box's limits as a DataFrame: index parameter, columns low, high, restricted."""
    table = pd.DataFrame(limits, index=pd.Index(names, name="parameter"), columns=["low", "high"])
    table["restricted"] = (limits[:, 0] > bounds[:, 0]) | (limits[:, 1] < bounds[:, 1])
    return table


def _box_statistics(inside, y):
    """Coverage, density and mass of the runs flagged `inside`."""
    n_inside = np.count_nonzero(inside)
    hits = np.count_nonzero(y & inside)
    return {
        "coverage": hits / np.count_nonzero(y),
        "density": hits / n_inside if n_inside else np.nan,
        "mass": n_inside / y.size,
    }


# --------------------------------------------------------------------------------------
# PRIM
# --------------------------------------------------------------------------------------


@dataclass
class PrimResult:
    """The peeling (and pasting) trajectory of PRIM.

    Attributes
    ----------
    trajectory : pandas.DataFrame
        One row per box, indexed by box number (0 = all runs): stage ("start",
        "peel" or "paste"), coverage, density, mass, n_restricted.
    boxes : list of pandas.DataFrame
        The limits of each box: index parameter, columns low, high (a run is inside
        when low <= x <= high for every parameter) and restricted (whether the box
        limits the parameter at all).
    bounds : pandas.DataFrame
        The range of each parameter over the runs (columns low, high): box 0.
    """

    trajectory: pd.DataFrame
    boxes: list
    bounds: pd.DataFrame
    X: pd.DataFrame | None = None  # the runs PRIM saw, for quasi_p
    y: np.ndarray | None = None

    def box(self, i):
        """The limits of box i (a copy); negative i counts from the end."""
        return self.boxes[i].copy()

    # The EMA workbench's name for choosing a box on the trajectory.
    select = box

    def restricted(self, i):
        """The names of the parameters that box i restricts."""
        limits = self.boxes[i]
        return list(limits.index[limits["restricted"]])

    def best(self, min_coverage=0.8):
        """The box number with the highest density among those with coverage >= min_coverage.

        Ties go to the higher coverage, then to fewer restricted parameters.
        """
        candidates = self.trajectory[self.trajectory["coverage"] >= min_coverage]
        if candidates.empty:
            raise ValueError(f"no box has coverage >= {min_coverage}")
        ranked = candidates.reset_index().sort_values(
            ["density", "coverage", "n_restricted", "box"], ascending=[False, False, True, True]
        )
        return int(ranked["box"].iloc[0])

    def quasi_p(self, i):
        """Whether each of box i's restrictions is more than chance: its quasi-p-value.

        For each restricted parameter, the box with that restriction dropped has some
        density d; the quasi-p-value is the chance that a box of box i's size drawn at
        that density holds at least as many runs where the condition holds as box i does
        (a one-sided binomial test, as in Bryant & Lempert 2010 and the EMA workbench).
        Large values (say above 0.05) flag a restriction that the data do not support.
        Returns a Series indexed by the restricted parameters.
        """
        if self.X is None:
            raise ValueError("this result does not keep its runs: run prim() again")
        limits = self.boxes[i]
        values = self.X[list(limits.index)].to_numpy(dtype=float)
        low, high = limits["low"].to_numpy(), limits["high"].to_numpy()
        within = (values >= low) & (values <= high)
        inside = within.all(axis=1)
        hits, size = np.count_nonzero(self.y & inside), np.count_nonzero(inside)
        result = {}
        for p, name in enumerate(limits.index):
            if limits["restricted"].iloc[p]:
                freed = np.delete(within, p, axis=1).all(axis=1)
                result[name] = float(stats.binom.sf(hits - 1, size, _density(freed, self.y)))
        return pd.Series(result, name="quasi_p", dtype=float).rename_axis("parameter")

    def inside(self, X, i):
        """Whether each row of X (a DataFrame with the same parameters) lies in box i."""
        limits = self.boxes[i]
        values = X[list(limits.index)].to_numpy(dtype=float)
        return ((values >= limits["low"].to_numpy()) & (values <= limits["high"].to_numpy())).all(axis=1)

    def plot_tradeoff(self, ax=None):
        """Coverage against density of every box, coloured by restricted dimensions.

        Returns the matplotlib Figure (a new one unless `ax` is given).
        """
        fig, ax = one_panel(ax, width=6, height=4.5)
        t = self.trajectory
        levels = np.arange(t["n_restricted"].max() + 2) - 0.5
        norm = colors.BoundaryNorm(levels, ncolors=256)
        points = ax.scatter(t["coverage"], t["density"], c=t["n_restricted"], cmap="viridis", norm=norm, s=22)
        colorbar = fig.colorbar(points, ax=ax, ticks=np.arange(t["n_restricted"].max() + 1))
        colorbar.set_label("restricted dimensions")
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_title("PRIM trajectory: coverage vs density")
        ax.grid(alpha=0.3)
        return fig

    def plot_box(self, i, ax=None):
        """Box i's limits as bars over each parameter's range scaled to [0, 1].

        Grey: the range in the data; blue: the part the box keeps, labelled with the
        limits it sets. Restricted parameters come first. Returns the Figure.
        """
        limits = self.boxes[i]
        order = list(limits.index[limits["restricted"]]) + list(limits.index[~limits["restricted"]])
        fig, ax = one_panel(ax, width=6, height=0.5 * len(order) + 1.5)
        span = (self.bounds["high"] - self.bounds["low"]).replace(0, 1.0)
        for row, name in enumerate(reversed(order)):
            low = (limits.at[name, "low"] - self.bounds.at[name, "low"]) / span[name]
            high = (limits.at[name, "high"] - self.bounds.at[name, "low"]) / span[name]
            ax.barh(row, 1.0, left=0.0, height=0.6, color="0.85")
            ax.barh(row, high - low, left=low, height=0.6, color="tab:blue" if limits.at[name, "restricted"] else "tab:gray")
            if limits.at[name, "restricted"]:
                ax.text(low, row + 0.38, f"{limits.at[name, 'low']:.3g}", ha="center", va="bottom", fontsize=8)
                ax.text(high, row + 0.38, f"{limits.at[name, 'high']:.3g}", ha="center", va="bottom", fontsize=8)
        ax.set_yticks(range(len(order)), list(reversed(order)))
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.7, len(order) - 0.1)
        ax.set_xlabel("position in the parameter's range (0 = lowest run, 1 = highest)")
        ax.set_ylabel("parameter")
        s = self.trajectory.loc[self.trajectory.index[i]]
        ax.set_title(f"box {self.trajectory.index[i]}: coverage {s.coverage:.2f}, density {s.density:.2f}, mass {s.mass:.2f}")
        return fig


def prim(X, y, *, alpha=0.05, threshold=None, min_mass=0.05, paste=True):
    """PRIM (Friedman & Fisher 1999) with the scenario-discovery bookkeeping of
    Bryant & Lempert (2010).

    Parameters
    ----------
    X : pandas.DataFrame
        The parameters of each run (numeric columns).
    y : array of bool
        Whether the condition of interest holds in each run.
    alpha : float
        Peeling (and pasting) fraction: each step removes (adds) about this share of
        the runs in the box, from the low or the high end of one parameter.
    threshold : float, optional
        Stop peeling once the density reaches it; by default peeling goes on until
        a further peel would leave less than `min_mass`.
    min_mass : float
        Smallest share of the runs a box may keep.
    paste : bool
        After peeling, paste the last box: widen it one slice at a time, along one
        parameter, while that does not lower its density (Friedman & Fisher's
        pasting); each step is appended to the trajectory with stage "paste".

    Returns
    -------
    PrimResult

    Notes
    -----
    Each peel tries, for every parameter, removing the runs at or below the alpha
    quantile (within the box) or at or above the 1 - alpha quantile (ties are removed
    together, so a peel always removes something), and keeps the candidate that
    leaves the highest density (ties: the one that keeps more runs). New limits sit
    halfway between the last run removed and the first one kept, as in the EMA
    workbench. Peeling also stops at density 1, where no peel can improve the box.
    """
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 0.5), got {alpha}")
    if not 0 < min_mass <= 1:
        raise ValueError(f"min_mass must lie in (0, 1], got {min_mass}")
    values, names, y = _check_inputs(X, y)
    bounds = np.column_stack([values.min(axis=0), values.max(axis=0)])
    min_count = math.ceil(min_mass * y.size)

    inside = np.ones(y.size, dtype=bool)
    limits = bounds.copy()
    steps = [("start", inside, limits)]
    while _density(inside, y) < (1.0 if threshold is None else min(threshold, 1.0)):
        peel = _best_peel(values, y, inside, limits, alpha, min_count)
        if peel is None:
            break
        inside, limits = peel
        steps.append(("peel", inside, limits))
    if paste:
        while (pasted := _best_paste(values, y, inside, limits, bounds, alpha)) is not None:
            inside, limits = pasted
            steps.append(("paste", inside, limits))

    result = _prim_result(steps, names, bounds, y)
    result.X, result.y = X, y
    return result


def _prim_result(steps, names, bounds, y):
    rows, boxes = [], []
    for stage, inside, limits in steps:
        table = _limits_table(names, limits, bounds)
        boxes.append(table)
        rows.append({"stage": stage, **_box_statistics(inside, y), "n_restricted": int(table["restricted"].sum())})
    trajectory = pd.DataFrame(rows, columns=TRAJECTORY_COLUMNS)
    trajectory.index.name = "box"
    bounds_table = pd.DataFrame(bounds, index=pd.Index(names, name="parameter"), columns=["low", "high"])
    return PrimResult(trajectory=trajectory, boxes=boxes, bounds=bounds_table)


def _density(inside, y):
    return np.count_nonzero(y & inside) / np.count_nonzero(inside)


def _best_peel(values, y, inside, limits, alpha, min_count):
    """The (inside, limits) after the best admissible peel, or None if there is none."""
    count = max(1, math.ceil(alpha * np.count_nonzero(inside)))
    best, best_key = None, None
    for dim in range(values.shape[1]):
        x_in = np.sort(values[inside, dim])
        for side in ("low", "high"):
            cut = _peel_cut(x_in, count, side)
            if cut is None:
                continue
            removed, new_limit = cut
            removed_mask = inside & ((values[:, dim] <= removed) if side == "low" else (values[:, dim] >= removed))
            kept = inside & ~removed_mask
            n_kept = np.count_nonzero(kept)
            if n_kept < min_count:
                continue
            key = (np.count_nonzero(kept & y) / n_kept, n_kept)
            if best_key is None or key > best_key:
                new_limits = limits.copy()
                new_limits[dim, 0 if side == "low" else 1] = new_limit
                best, best_key = (kept, new_limits), key
    return best


def _peel_cut(x_sorted, count, side):
    """For a peel of `count` runs off one end: (the value removed up to, the new limit).

    Runs tied with the last one removed go too; None when that would empty the box.
    """
    if side == "low":
        removed = x_sorted[count - 1]
        first_kept = np.searchsorted(x_sorted, removed, side="right")
        if first_kept == x_sorted.size:
            return None
        return removed, (removed + x_sorted[first_kept]) / 2
    removed = x_sorted[x_sorted.size - count]
    last_kept = np.searchsorted(x_sorted, removed, side="left") - 1
    if last_kept < 0:
        return None
    return removed, (removed + x_sorted[last_kept]) / 2


def _best_paste(values, y, inside, limits, bounds, alpha):
    """The (inside, limits) after the best paste that does not lower density, or None."""
    n_inside = np.count_nonzero(inside)
    density = _density(inside, y)
    count = max(1, math.ceil(alpha * n_inside))
    within = (values >= limits[:, 0]) & (values <= limits[:, 1])  # per run and parameter
    best, best_key = None, None
    for dim in range(values.shape[1]):
        # Runs that only this parameter's limits keep out of the box.
        others = np.delete(within, dim, axis=1).all(axis=1)
        for side in ("low", "high"):
            outside = others & ((values[:, dim] < limits[dim, 0]) if side == "low" else (values[:, dim] > limits[dim, 1]))
            if not outside.any():
                continue
            added, new_limit = _paste_cut(values[outside, dim], count, side, bounds[dim])
            added_mask = outside & ((values[:, dim] >= added) if side == "low" else (values[:, dim] <= added))
            grown = inside | added_mask
            key = (np.count_nonzero(grown & y) / np.count_nonzero(grown), np.count_nonzero(grown))
            if key[0] >= density and (best_key is None or key > best_key):
                new_limits = limits.copy()
                new_limits[dim, 0 if side == "low" else 1] = new_limit
                best, best_key = (grown, new_limits), key
    return best


def _paste_cut(x_outside, count, side, bounds):
    """For a paste of `count` of the nearest outside runs: (the value added up to, the new limit)."""
    # Order the candidates from the box edge outwards.
    x = np.sort(x_outside)[::-1] if side == "low" else np.sort(x_outside)
    added = x[min(count, x.size) - 1]
    beyond = x[(x < added) if side == "low" else (x > added)]
    if beyond.size == 0:
        # Every run on this side joins: the limit goes back to the data's range.
        return added, bounds[0] if side == "low" else bounds[1]
    return added, (added + beyond[0]) / 2


# --------------------------------------------------------------------------------------
# CART
# --------------------------------------------------------------------------------------


@dataclass
class CartResult:
    """A classification tree over the parameters; every leaf is a box.

    Attributes
    ----------
    tree : sklearn.tree.DecisionTreeClassifier
        The fitted tree.
    leaves : pandas.DataFrame
        One row per leaf (index: the tree's node id), sorted by density then
        coverage: n (runs in the leaf), coverage, density, mass, n_restricted, and
        ``<parameter>_low`` / ``<parameter>_high`` / ``<parameter>_restricted`` for
        every parameter (the leaf's box: the data's range where the tree does not
        split on it). Along a split,
        the leaf holds runs with low < x <= high (scikit-learn sends x <= threshold
        left, comparing x as float32: runs within float32 rounding of a threshold
        can fall on either side).
    names : list of str
        The parameters, in X's column order.
    """

    tree: DecisionTreeClassifier
    leaves: pd.DataFrame
    names: list = field(default_factory=list)

    def box(self, leaf):
        """The limits of a leaf (node id), as PrimResult.box gives them."""
        row = self.leaves.loc[leaf]
        table = pd.DataFrame(
            {"low": [row[f"{n}_low"] for n in self.names], "high": [row[f"{n}_high"] for n in self.names]},
            index=pd.Index(self.names, name="parameter"),
        )
        table["restricted"] = [bool(row[f"{n}_restricted"]) for n in self.names]
        return table

    def text(self):
        """The tree as text (sklearn.tree.export_text)."""
        return export_text(self.tree, feature_names=self.names)


def cart(X, y, *, max_depth=3, min_samples_leaf=0.05, random_state=0):
    """Fit a CART classification tree of y on X and describe its leaves as boxes.

    Parameters
    ----------
    X : pandas.DataFrame
        The parameters of each run (numeric columns).
    y : array of bool
        Whether the condition holds in each run.
    max_depth : int
        Depth of the tree. A box bounded on both sides in k parameters needs 2k
        splits, so an interior box in two parameters needs depth 4.
    min_samples_leaf : int or float
        Smallest leaf, as a count or (float) a share of the runs, as in scikit-learn.
    random_state : int
        Seeds scikit-learn's tie-breaking between equally good splits.

    Returns
    -------
    CartResult
    """
    values, names, y = _check_inputs(X, y)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=random_state)
    tree.fit(values, y)
    bounds = np.column_stack([values.min(axis=0), values.max(axis=0)])
    return CartResult(tree=tree, leaves=_leaf_table(tree, values, y, names, bounds), names=names)


def _leaf_boxes(tree, bounds):
    """{leaf node id: limits array (P, 2)} by walking the tree from its root."""
    t = tree.tree_
    boxes, stack = {}, [(0, bounds.copy())]
    while stack:
        node, limits = stack.pop()
        left, right = t.children_left[node], t.children_right[node]
        if left == right:  # a leaf (both are -1)
            boxes[node] = limits
            continue
        dim, threshold = t.feature[node], t.threshold[node]
        left_limits, right_limits = limits.copy(), limits.copy()
        left_limits[dim, 1] = min(limits[dim, 1], threshold)
        right_limits[dim, 0] = max(limits[dim, 0], threshold)
        stack += [(left, left_limits), (right, right_limits)]
    return boxes


def _leaf_table(tree, values, y, names, bounds):
    leaf_of_run = tree.apply(values)
    rows = {}
    for leaf, limits in _leaf_boxes(tree, bounds).items():
        row = {"n": int(np.count_nonzero(leaf_of_run == leaf)), **_box_statistics(leaf_of_run == leaf, y)}
        restricted = (limits[:, 0] > bounds[:, 0]) | (limits[:, 1] < bounds[:, 1])
        row["n_restricted"] = int(restricted.sum())
        for name, (low, high), r in zip(names, limits, restricted):
            row.update({f"{name}_low": low, f"{name}_high": high, f"{name}_restricted": bool(r)})
        rows[leaf] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "leaf"
    return table.sort_values(["density", "coverage"], ascending=False)


# --------------------------------------------------------------------------------------
# On a sweep result
# --------------------------------------------------------------------------------------


def discover(ds, condition, *, method="prim", **options):
    """Scenario discovery on a sweep result.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep result (``stackrace.open`` or ``xarray.open_dataset(path,
        engine="h5netcdf")``) with per-run ``param_<name>`` variables or coordinates.
    condition : callable
        ``condition(ds)`` gives, per run, whether the condition holds: booleans (or
        0/1), as an xarray.DataArray over ``run`` or a 1-D array in run order; NaN
        marks a run without an answer.
    method : "prim" or "cart"
    **options
        Passed on to :func:`prim` or :func:`cart`.

    Returns
    -------
    PrimResult or CartResult
        Over the runs that are done (``status == 1``, where the file has a status)
        and have an answer; the parameters are named without the ``param_`` prefix.
    """
    if method not in ("prim", "cart"):
        raise ValueError(f"method must be 'prim' or 'cart', got {method!r}")
    X = sweep_inputs(ds)
    answer = per_run(ds, condition(ds), "condition")
    usable = ~np.isnan(answer)
    if "status" in ds.variables:
        usable &= np.asarray(ds["status"]) == DONE
    if not usable.any():
        raise ValueError("no run is done with an answer to the condition")
    X, y = X[usable], answer[usable]
    return prim(X, y, **options) if method == "prim" else cart(X, y, **options)


def sweep_inputs(ds):
    """The swept parameters per run: a DataFrame indexed by run, one column per parameter.

    Columns are the ``param_<name>`` variables without the prefix, in design order
    when the file's ``parameters`` attribute names them.
    """
    found = {str(v)[len("param_"):]: v for v in ds.variables if str(v).startswith("param_") and ds[v].dims == ("run",)}
    if not found:
        raise ValueError("the dataset has no param_<name> variables over run: not a sweep result")
    try:
        order = [n for n in parameter_names(ds) if n in found]
    except ValueError:
        order = []
    order += [n for n in found if n not in order]
    index = pd.Index(np.asarray(ds["run"]) if "run" in ds.variables else np.arange(ds.sizes["run"]), name="run")
    return pd.DataFrame({name: np.asarray(ds[found[name]]) for name in order}, index=index)
