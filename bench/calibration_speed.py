#!/usr/bin/python3
"""Calibration (issue 16): simulations per hour of the hindcast world as the shipped
calibration runs it, and whether it recovers known parameters.

1. `stackrace calibrate worlds/calibrations/hindcast_2023.toml` with its budget (50,000
   simulations at 100,000 developer agents; --simulations for a shorter run): seconds,
   simulations per hour, generations, the last tolerance and whether it reached the
   posterior (tolerance 1). Target: the 50,000 within 30 minutes on 2 cores.
2. With --check N (default 0: skipped): simulation-based calibration on
   bench/recovery_hindcast.toml (four of the hindcast's parameters, 150 particles) over
   N synthetic datasets (at least 50 for the issue's test): the share of datasets whose
   90% (50%) posterior interval holds the true value, per parameter and in all, and how
   narrow the posterior is against the prior. Target: 90% coverage in 85-95%.

Usage: /usr/bin/python3 bench/calibration_speed.py [--simulations 50000] [--check 50] [--threads 2]
"""
import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine_line(stdout):
    return dict(re.findall(r"(\w+)=(\S+)", stdout.strip().splitlines()[-1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--simulations", type=int, default=50_000)
    parser.add_argument("--check", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stackrace", type=Path, default=ROOT / "build" / "sim" / "stackrace")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hindcast.h5"
        start = time.perf_counter()
        result = subprocess.run([str(args.stackrace), "calibrate", str(ROOT / "worlds/calibrations/hindcast_2023.toml"),
                                 "-o", str(out), "--simulations", str(args.simulations), "--threads", str(args.threads),
                                 "-q"], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        line = machine_line(result.stdout)
        per_hour = float(line["simulations_per_hour"])
        print(f"Hindcast calibration (worlds/calibrations/hindcast_2023.toml), {args.threads} threads, budget "
              f"{args.simulations:,}:")
        print(f"  {int(line['simulations']):,} simulations in {wall:.0f} s = {per_hour:,.0f} simulations per hour; "
              f"{line['generations']} generations, last tolerance {float(line['tolerance']):.3g}, "
              f"converged={line['converged']}")
        print(f"  50,000 simulations at this rate: {50_000 / per_hour * 60:.1f} minutes (target <= 30)")
    if args.check > 0:
        start = time.perf_counter()
        result = subprocess.run([str(args.stackrace), "calibrate", str(ROOT / "bench/recovery_hindcast.toml"),
                                 "--check", str(args.check), "--threads", str(args.threads)],
                                capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        print(f"\nRecovery check (bench/recovery_hindcast.toml), {args.check} synthetic datasets, {wall:.0f} s:")
        print("  " + "\n  ".join(result.stdout.strip().splitlines()))
        line = machine_line(result.stdout)
        print(f"  90% intervals hold the truth in {100 * float(line['coverage90']):.0f}% of cases (target 85-95%), "
              f"50% intervals in {100 * float(line['coverage50']):.0f}%; posterior 90% intervals "
              f"{100 * float(line['width90']):.0f}% of the prior's")


if __name__ == "__main__":
    main()
