#!/usr/bin/python3
"""Ships a calibration's posterior: after a model change, re-run the hindcast calibration
and the out-of-sample one, then run this (README, "Calibration"):

    build/sim/stackrace calibrate worlds/calibrations/hindcast_2023.toml -o results/hindcast_2023.h5
    build/sim/stackrace calibrate worlds/calibrations/hindcast_2023_to_2024.toml -o results/hindcast_2023_to_2024.h5
    /usr/bin/python3 scripts/refresh_posterior.py
    /usr/bin/python3 analysis/notebooks/execute.py validation.ipynb

It writes the last generation's particles of results/hindcast_2023.h5 to
worlds/calibrations/hindcast_2023.posterior.csv (one column per scenario key, one row per
draw: what `run --posterior` and `compare --posterior` take), and prints each parameter's
posterior median, which worlds/hindcast_2023.toml carries as its point values (to
3 significant figures), and worlds/default.toml for the eleven weights its [posterior] takes
(tests/python/analysis/test_calibration.py checks that they agree). After a refresh, run
bench/claims.py and update the figures MODEL.md quotes from it.
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "analysis"))

import stackrace  # noqa: E402
from stackrace import calibration  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibration", type=Path, default=ROOT / "results" / "hindcast_2023.h5")
    parser.add_argument("--output", type=Path, default=ROOT / "worlds" / "calibrations" / "hindcast_2023.posterior.csv")
    args = parser.parse_args()
    cal = stackrace.open(args.calibration)
    if not cal.attrs["converged"]:
        sys.exit(f"{args.calibration}: the sampler did not reach tolerance 1: not a posterior to ship")
    draws = calibration.draws(cal)
    draws.to_csv(args.output, index=False, float_format="%.17g")
    print(f"wrote {len(draws)} draws to {args.output}")
    print("posterior medians for worlds/hindcast_2023.toml:")
    for key, median in draws.median().items():
        print(f"  {key} = {median:.3g}")


if __name__ == "__main__":
    main()
