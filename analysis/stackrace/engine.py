"""Running the engine from Python: `stackrace run`, `compare`, `sweep` and `calibrate` as
functions that
return the opened result.

    import stackrace
    ds = stackrace.engine.run("policies/status_quo_2026.toml", agents=100_000, steps=60,
                              set={"policies.tier3_chips.leakage": 0.3})
    cmp = stackrace.engine.compare("policies/no_controls.toml", "policies/full_embargo.toml", replicates=8)

Scenarios are named as the command line names them: a path, or a shipped one
(`policies/no_controls.toml`; `stackrace list` names them all). The engine is found as
``$STACKRACE_BIN``, then ``stackrace`` on the PATH (after ``cmake --install``), then the
source tree's build; when none is there, or the engine refuses its input, the error says
so in a line, with the engine's own message.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Mapping

import xarray as xr

from .io import open as open_result

__all__ = ["binary", "run", "compare", "sweep", "calibrate", "EngineError"]


class EngineError(RuntimeError):
    """The engine exited with an error: ``returncode`` (2 for bad input, 1 for a failure
    while running) and ``stderr``, whose message is the error's text."""

    def __init__(self, command: list[str], returncode: int, stderr: str):
        self.command, self.returncode, self.stderr = command, returncode, stderr
        what = "refused its input" if returncode == 2 else f"failed (exit status {returncode})"
        message = "\n".join(line for line in stderr.strip().splitlines()[:8])
        super().__init__(f"stackrace {command[1] if len(command) > 1 else ''} {what}:\n{message}")


def binary() -> Path:
    """The stackrace executable to run."""
    candidates = []
    if os.environ.get("STACKRACE_BIN"):
        candidates.append(Path(os.environ["STACKRACE_BIN"]))
    on_path = shutil.which("stackrace")
    if on_path:
        candidates.append(Path(on_path))
    candidates.append(Path(__file__).resolve().parents[2] / "build" / "sim" / "stackrace")
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError("the stackrace engine was not found (looked at " + ", ".join(map(str, candidates))
                            + "): build it with `bash scripts/quickstart.sh`, install it with `cmake --install "
                              "build`, or set STACKRACE_BIN to its path")


def _value(value: Any) -> str:
    # --set reads TOML values: booleans are lower case; text is taken as written.
    return str(value).lower() if isinstance(value, bool) else str(value)


def _options(**options) -> list[str]:
    args = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif name == "set":
            for key, setting in (value.items() if isinstance(value, Mapping) else value):
                args += ["--set", f"{key}={_value(setting)}"]
        else:
            args += [flag, str(value)]
    return args


def _call(command: str, *args, output: str | os.PathLike | None) -> xr.Dataset:
    cmd = [str(binary()), command, *map(str, args), "--quiet"]
    if output is not None:
        cmd += ["-o", str(output)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise EngineError(cmd, result.returncode, result.stderr)
    # The last line names the file: ... output=PATH
    last = result.stdout.strip().splitlines()[-1]
    path = last.rsplit("output=", 1)[1] if "output=" in last else str(output)
    return open_result(path)


def run(scenario: str | os.PathLike | None = None, output: str | os.PathLike | None = None, *,
        replicates: int = 1, seed: int | None = None, agents: int | None = None, steps: int | None = None,
        set: Mapping[str, Any] | None = None, threads: int | None = None, draws: int | None = None,
        posterior: str | os.PathLike | None = None) -> xr.Dataset:
    """`stackrace run`: ``replicates`` runs of ``scenario`` (the shipped default world if
    None; replicate i with seed + i) into ``output`` (``results/<name>.h5`` if None),
    opened with ``stackrace.open``. ``set`` maps scenario keys to values, as
    ``--set KEY=VALUE`` does. ``draws`` runs over that many posterior draws: of
    ``posterior`` (a calibration file or table of draws), else of the world's own
    ``[posterior]``."""
    args = [] if scenario is None else [scenario]
    return _call("run", *args, *_options(replicates=replicates if replicates != 1 else None, seed=seed,
                                         agents=agents, steps=steps, set=set, threads=threads, draws=draws,
                                         posterior=posterior),
                 output=output)


def compare(base: str | os.PathLike, alternative: str | os.PathLike, output: str | os.PathLike | None = None, *,
            replicates: int = 10, seed: int | None = None, agents: int | None = None, steps: int | None = None,
            set: Mapping[str, Any] | None = None, confidence: float | None = None, independent_seeds: bool = False,
            threads: int | None = None, draws: int | None = None,
            posterior: str | os.PathLike | None = None) -> xr.Dataset:
    """`stackrace compare`: ``replicates`` runs of each scenario with common random numbers
    (or independent seeds), the effects computed, the file opened; with ``draws``, both
    arms over posterior draws (as ``run``), the effect's spread split into the
    parameters' and the model's noise."""
    return _call("compare", base, alternative,
                 *_options(replicates=replicates, seed=seed, agents=agents, steps=steps, set=set,
                           confidence=confidence, independent_seeds=independent_seeds, threads=threads,
                           draws=draws, posterior=posterior),
                 output=output)


def sweep(sweep_file: str | os.PathLike, output: str | os.PathLike | None = None, *, resume: bool = False,
          threads: int | None = None) -> xr.Dataset:
    """`stackrace sweep`: every run of the sweep's design (or, with ``resume``, those its
    file still lacks), the file opened."""
    return _call("sweep", sweep_file, *_options(resume=resume, threads=threads), output=output)


def calibrate(calibration: str | os.PathLike, output: str | os.PathLike | None = None, *, resume: bool = False,
              particles: int | None = None, simulations: int | None = None, threads: int | None = None) -> xr.Dataset:
    """`stackrace calibrate`: ABC-SMC of the calibration file (``particles`` and
    ``simulations`` override its own, for a quicker, rougher run), the file opened
    (``stackrace.calibration`` reads it)."""
    return _call("calibrate", calibration, *_options(resume=resume, particles=particles, simulations=simulations,
                                                     threads=threads), output=output)
