"""stackrace: load, plot and analyse the results of the stackrace simulator.

    import stackrace
    ds = stackrace.open("results/default.h5")          # xarray.Dataset, dates, metadata
    ds = stackrace.engine.run("policies/no_controls.toml", agents=100_000)  # run, then open
    stackrace.figures.adoption_curves(ds)              # matplotlib figures
    stackrace.sensitivity.sobol(sweep, outcome)        # Sobol indices of a Saltelli sweep
    stackrace.discovery.prim(X, y)                     # scenario discovery
    stackrace.record.compare(ds)                       # the model against published figures
    stackrace.calibration.summary(cal)                 # a calibration's posterior (stackrace calibrate)
    stackrace.groups.effect(cmp, "tier:2", stack="cn")  # a policy's effect on a group of countries
    stackrace.race.leaders(ds)                         # which bloc leads the frontier, adoption, use, sectors

Reads only the HDF5 format of the result files (README, "The result file"). The
submodules load on first use, so `import stackrace` stays quick.
"""
from __future__ import annotations

import importlib
import pathlib

from .io import RUN_STATUS, failed_runs, file_kind, open, swept_parameters, to_frame


def _version() -> str:
    # One definition, the repository's VERSION file (CMake's project version too): beside
    # this file once `cmake --install` has installed the package, two folders up in the
    # source tree.
    here = pathlib.Path(__file__).resolve().parent
    for candidate in (here / "VERSION", here.parent.parent / "VERSION"):
        if candidate.is_file():
            return candidate.read_text().strip()
    return "unknown"  # a copy of the package without either


__version__ = _version()
__all__ = ["open", "to_frame", "file_kind", "failed_runs", "swept_parameters", "RUN_STATUS",
           "figures", "sensitivity", "discovery", "report", "outcomes", "comparison", "record", "groups", "engine",
           "calibration", "race"]

_SUBMODULES = {"figures", "sensitivity", "discovery", "report", "outcomes", "comparison", "record", "groups", "engine",
               "calibration", "race"}


def __getattr__(name: str):
    # Submodules import matplotlib, scipy or scikit-learn: only when asked for.
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'stackrace' has no attribute {name!r}")
