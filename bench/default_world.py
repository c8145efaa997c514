#!/usr/bin/python3
"""Speed of the calibrated default world against the bench-meanfield model (issue 4).

Runs `stackrace run` on worlds/default.toml and on worlds/bench-meanfield.toml at the
same number of developer agents (1, 4 and 10 million by default), alternately,
and prints agent-steps per second and the ratio (target: the default world at least
half the bench-meanfield speed). With --one-to-one it also runs the 1:1 worlds — one
agent per real developer (SlashData's count, firms scaled), and one agent per developer
and per firm of the country table (`run --one-to-one`) — and prints their time and peak
memory per agent.

Usage: /usr/bin/python3 bench/default_world.py [--sizes 1000000 4000000 10000000] [--repeats 3] [--one-to-one]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# SlashData, "Developer Nation" (2025): 47.2 million developers worldwide (worlds/SOURCES.md).
WORLD_DEVELOPERS = 47_200_000


def run(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {cmd}\n{err}")
    line = out.strip().splitlines()[-1]
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    return wall, usage.ru_maxrss * 1024, fields


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 4_000_000, 10_000_000])
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one-to-one", action="store_true", help="also run one agent per real developer")
    parser.add_argument("--stackrace", type=Path, default=ROOT / "build" / "sim" / "stackrace")
    args = parser.parse_args()

    worlds = {"default": ROOT / "worlds" / "default.toml", "bench-meanfield": ROOT / "worlds" / "bench-meanfield.toml"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.h5"
        for size in args.sizes:
            speeds = {name: [] for name in worlds}
            for _ in range(args.repeats):
                for name, world in worlds.items():
                    _, _, fields = run([args.stackrace, "run", world, "--agents", size, "--steps", args.steps,
                                        "--threads", args.threads, "--quiet", "-o", out])
                    speeds[name].append(float(fields["agent_steps_per_s"]))
            median = {name: statistics.median(v) for name, v in speeds.items()}
            print(f"{size:,} developer agents, {args.steps} steps, {args.threads} threads (median of {args.repeats}):")
            for name, m in median.items():
                print(f"  {name:16s} {m:.3g} agent-steps/s")
            print(f"  default / bench-meanfield: {median['default'] / median['bench-meanfield']:.2f} (target >= 0.5)")

        if args.one_to_one:
            # SlashData's developers with firms scaled as the default world's 1M do; then
            # every developer (the table's GitHub accounts) and every firm of the table.
            worlds_1to1 = (("SlashData's 47.2 M developers, firms scaled", ["--agents", WORLD_DEVELOPERS]),
                           ("every developer and firm of the country table", ["--one-to-one"]))
            for label, population in worlds_1to1:
                wall, rss, fields = run([args.stackrace, "run", worlds["default"], *population,
                                         "--steps", args.steps, "--threads", args.threads, "--quiet", "-o", out])
                agents = int(fields["agents"])
                print(f"1:1 world ({label}): {agents:,} agents of all kinds, {args.steps} steps: "
                      f"{wall:.1f} s wall, {float(fields['seconds']):.1f} s simulating, peak memory {rss / 1e9:.2f} GB "
                      f"({rss / agents:.2f} bytes per agent; targets: under a minute, under 8 bytes per agent)")

if __name__ == "__main__":
    main()
