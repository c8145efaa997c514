"""Calibration files (``stackrace calibrate``): the posterior and its check against the record.

A calibration file holds every generation of the ABC-SMC sampler: each particle's
parameter values (``theta``: generation, particle, parameter), its simulation's distance
to the targets and its model value of every target (``summary``: generation, particle,
target), with the tolerance each generation reached. Tolerance 1 is the posterior of the
model with each target's error (README, "The calibration file"); ``converged`` says
whether the sampler got there within its budget.

    >>> import stackrace
    >>> cal = stackrace.open("results/hindcast_2023.h5")     # a calibration file
    >>> stackrace.calibration.posterior(cal)                  # one row per particle
    >>> stackrace.calibration.summary(cal)                    # prior and posterior of each parameter
    >>> stackrace.calibration.predictive(cal)                 # each target against its predictive interval
    >>> stackrace.figures.posterior_pairs(cal)
    >>> stackrace.figures.posterior_predictive(cal)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["posterior", "summary", "predictive", "draws", "is_calibration"]

_TARGET_METADATA = ("target_value", "target_low", "target_high", "target_sd", "target_fitted", "target_date",
                    "target_month", "target_quantity", "target_kind", "target_stack", "target_country",
                    "target_description")
_PARAMETER_METADATA = ("parameter_key", "prior", "prior_low", "prior_high", "prior_mean", "prior_sd")
_GENERATION_METADATA = ("tolerance", "ess", "acceptance", "moves", "simulations")


def is_calibration(ds: xr.Dataset) -> bool:
    return str(ds.attrs.get("command", "")) == "calibrate"


def label(ds: xr.Dataset) -> xr.Dataset:
    """The file as ``stackrace.open`` gives it: target, parameter and generation metadata
    as coordinates, ``target_fitted`` a bool, the sampler's resume state left out."""
    ds = ds.drop_vars([v for v in ds.variables if str(v).startswith("state_")] + ["parameter_pair"], errors="ignore")
    ds = ds.set_coords([v for v in _TARGET_METADATA + _PARAMETER_METADATA + _GENERATION_METADATA
                        if v in ds.variables])
    ds = ds.assign_coords(target_fitted=ds["target_fitted"].astype(bool))
    for flag in ("converged", "done"):
        if flag in ds.attrs:
            ds.attrs[flag] = bool(int(ds.attrs[flag]))
    return ds


def _check(ds: xr.Dataset) -> None:
    if not is_calibration(ds):
        raise ValueError("not a calibration file (written by stackrace calibrate)")


def posterior(ds: xr.Dataset, generation: int = -1) -> pd.DataFrame:
    """The particles of a generation (the last: the posterior, where ``converged``), one
    row per particle, one column per parameter. Every particle weighs the same (the
    sampler resamples before it moves)."""
    _check(ds)
    theta = ds["theta"].isel(generation=generation)
    return pd.DataFrame(theta.values, columns=[str(p) for p in ds["parameter"].values],
                        index=pd.Index(ds["particle"].values, name="particle"))


def summary(ds: xr.Dataset, generation: int = -1) -> pd.DataFrame:
    """Each parameter's prior and its posterior median and 90% interval."""
    _check(ds)
    post = posterior(ds, generation)
    rows = []
    for i, name in enumerate(post.columns):
        prior = str(ds["prior"].values[i])
        bounds = ((float(ds["prior_mean"].values[i]), float(ds["prior_sd"].values[i])) if prior == "normal"
                  else (float(ds["prior_low"].values[i]), float(ds["prior_high"].values[i])))
        q = post[name].quantile([0.05, 0.5, 0.95])
        rows.append({"parameter": name, "key": str(ds["parameter_key"].values[i]), "prior": prior,
                     "prior_a": bounds[0], "prior_b": bounds[1], "median": q[0.5], "low": q[0.05], "high": q[0.95]})
    return pd.DataFrame(rows).set_index("parameter")


def draws(ds: xr.Dataset, n: int | None = None, seed: int = 0, generation: int = -1) -> pd.DataFrame:
    """``n`` posterior draws (particles chosen at random without replacement, all when
    ``n`` is None), as ``--set KEY=VALUE`` assignments would give them: one column per
    parameter key."""
    post = posterior(ds, generation)
    if n is not None:
        post = post.sample(n=min(n, len(post)), random_state=seed)
    post.columns = [str(k) for k in ds["parameter_key"].values]
    return post


def predictive(ds: xr.Dataset, generation: int = -1, seed: int = 0) -> pd.DataFrame:
    """Each target against the posterior predictive: the model's median and 90% range
    over the particles' simulations (``model``, ``model_low``, ``model_high``), and the
    90% interval of what the record would show (``predictive_low``, ``predictive_high``:
    a simulation plus the target's observation error, of sd ``sd``). ``covered`` says
    whether the observed value lies in that interval; ``fitted`` whether the target was
    fitted or held out (predicted only)."""
    _check(ds)
    values = ds["summary"].isel(generation=generation).values.astype(float)  # (particle, target)
    sd = ds["target_sd"].values
    rng = np.random.default_rng(seed)
    noisy = values + rng.standard_normal(values.shape) * sd
    observed = ds["target_value"].values
    low, high = np.nanquantile(noisy, 0.05, axis=0), np.nanquantile(noisy, 0.95, axis=0)
    table = pd.DataFrame({
        "description": ds["target_description"].values.astype(str),
        "date": pd.to_datetime(ds["target_date"].values.astype(str), format="%Y-%m"),
        "fitted": ds["target_fitted"].values.astype(bool),
        "observed": observed, "low": ds["target_low"].values, "high": ds["target_high"].values, "sd": sd,
        "model": np.nanmedian(values, axis=0),
        "model_low": np.nanquantile(values, 0.05, axis=0), "model_high": np.nanquantile(values, 0.95, axis=0),
        "predictive_low": low, "predictive_high": high,
    }, index=pd.Index(ds["target"].values.astype(str), name="target"))
    table["covered"] = (table["observed"] >= table["predictive_low"]) & (table["observed"] <= table["predictive_high"])
    return table
