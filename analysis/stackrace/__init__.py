"""stackrace: load, plot and analyse the results of the stackrace simulator.

    import stackrace
    ds = stackrace.open("results/default.h5")          # xarray.Dataset, dates, metadata
    stackrace.figures.adoption_curves(ds)              # matplotlib figures
    stackrace.sensitivity.sobol(sweep, outcome)        # Sobol indices of a Saltelli sweep
    stackrace.discovery.prim(X, y)                     # scenario discovery

Reads only the HDF5 format of the result files (README, "The result file"). The
submodules load on first use, so `import stackrace` stays quick.
"""
from __future__ import annotations

import importlib

from .io import RUN_STATUS, failed_runs, file_kind, open, swept_parameters, to_frame

__version__ = "0.1.0"
__all__ = ["open", "to_frame", "file_kind", "failed_runs", "swept_parameters", "RUN_STATUS",
           "figures", "sensitivity", "discovery", "report", "outcomes", "comparison"]

_SUBMODULES = {"figures", "sensitivity", "discovery", "report", "outcomes", "comparison"}


def __getattr__(name: str):
    # Submodules import matplotlib, scipy or scikit-learn: only when asked for.
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'stackrace' has no attribute {name!r}")
