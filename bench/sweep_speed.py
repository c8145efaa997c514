#!/usr/bin/python3
"""Sweep throughput (issue 6): runs per hour, the sweep machinery's overhead against the
same runs done one by one, and the Mesa comparison.

1. The sweep a Mesa user would write for bench-meanfield (worlds/sweeps/mesa_batch_run.toml:
   10,000 agents, 120 months, switching cost 0.0-0.9 in 10 values x 10 replicates = 100
   runs), which Mesa 2.4's batch_run takes 39-47 s for on 2 cores (7,600-9,300 runs per
   hour). Target: at least 200x that throughput.
2. N runs (default 1,000) of the default world at 100,000 developer agents, as one sweep
   and as N separate `stackrace run` calls; overhead = sweep time / one-by-one time - 1
   (target <= 5%; one-by-one pays a process start and a scenario read per run, so a
   negative overhead means the sweep is faster).

The Mesa job takes a fraction of a second, so its figure is the median of --repeats
whole-process runs (default 11): on a shared VM one run can be 20% off.

Usage: /usr/bin/python3 bench/sweep_speed.py [--runs 1000] [--repeats 11] [--threads 2]
"""
import argparse
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESA_RUNS_PER_HOUR = (7_600, 9_300)


def run(cmd):
    start = time.perf_counter()
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, dict(re.findall(r"(\w+)=(\S+)", out.strip().splitlines()[-1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stackrace", type=Path, default=ROOT / "build" / "sim" / "stackrace")
    args = parser.parse_args()
    exe = args.stackrace
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        walls = []
        for i in range(args.repeats):
            out = tmp / f"mesa{i}.h5"
            wall, _ = run([exe, "sweep", ROOT / "worlds/sweeps/mesa_batch_run.toml", "-o", out, "--quiet",
                           "--threads", args.threads])
            walls.append(wall)
        per_hour = 100 * 3600 / statistics.median(walls)
        print(f"Mesa job (bench-meanfield, 10,000 agents, 120 months, 100 runs), {args.threads} threads:")
        print(f"  median wall {statistics.median(walls):.3f} s (whole process, {args.repeats} runs; fastest "
              f"{min(walls):.3f} s) = {per_hour:,.0f} runs per hour")
        print(f"  vs Mesa batch_run {MESA_RUNS_PER_HOUR[0]:,}-{MESA_RUNS_PER_HOUR[1]:,} runs/hour: "
              f"{per_hour / MESA_RUNS_PER_HOUR[1]:.0f}x-{per_hour / MESA_RUNS_PER_HOUR[0]:.0f}x (target >= 200x)")

        sweep = tmp / "prices.toml"
        sweep.write_text(f'[sweep]\nbase = "{ROOT / "worlds/default.toml"}"\nname = "prices"\ndesign = "random"\n'
                         f'samples = {args.runs}\nagents = {args.agents}\nsteps = {args.steps}\n'
                         '[[parameters]]\nkey = "stacks.cn_open.price"\nrange = [0.1, 0.6]\n')
        wall_sweep, fields = run([exe, "sweep", sweep, "-o", tmp / "prices.h5", "--quiet", "--threads", args.threads])
        import h5py
        with h5py.File(tmp / "prices.h5", "r") as f:
            prices = f["param_stacks_cn_open_price"][()]
        start = time.perf_counter()
        for price in prices:
            run([exe, "run", ROOT / "worlds/default.toml", "--agents", args.agents, "--steps", args.steps,
                 "--set", f"stacks.cn_open.price={price!r}", "--quiet", "-o", tmp / "one.h5", "--threads", args.threads])
        wall_one = time.perf_counter() - start
        print(f"\n{args.runs:,} runs of the default world at {args.agents:,} developer agents, {args.steps} months, "
              f"{args.threads} threads:")
        print(f"  as one sweep:   {wall_sweep:8.1f} s = {args.runs * 3600 / wall_sweep:,.0f} runs per hour")
        print(f"  one by one:     {wall_one:8.1f} s = {args.runs * 3600 / wall_one:,.0f} runs per hour")
        print(f"  sweep overhead: {100 * (wall_sweep / wall_one - 1):+.1f}% (target <= 5%)")


if __name__ == "__main__":
    main()
