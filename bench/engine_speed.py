#!/usr/bin/python3
"""Engine speed and memory against the speed-of-light references (issue 3).

Builds bench/reference/limit_kernel.cpp and skip_kernel.cpp (bench/README.md), then
runs them, `stackrace run worlds/bench-meanfield.toml` and `stackrace run
worlds/default.toml` on the same number of developer agents (N, 120 months, 2 threads)
alternately, several times each, and prints:

- the ratio of median wall times (whole process) of each reference to the engine on
  bench-meanfield (above 1: the engine is faster). The project's rule: at least 10x
  limit_kernel;
- the default world's agent-steps per second against bench-meanfield's, each the
  median of the `agent_steps_per_s` field of the engine's last line (agents of all
  kinds x steps / simulation seconds). The project's rule: at least 0.5.

Then measures peak memory at 10,000,000 agents. A benchmark, not a test: it prints
figures and asserts nothing.

Usage: /usr/bin/python3 bench/engine_speed.py [--agents N] [--repeats R] [--threads T]
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


def run_timed(cmd):
    """Runs cmd, returns (wall seconds, peak RSS in bytes, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    return wall, usage.ru_maxrss * 1024, out.strip().splitlines()[-1]


def build_reference(source, folder):
    binary = Path(folder) / source.stem
    subprocess.run(["g++", "-O3", "-march=native", "-std=c++20", str(source), "-ltbb", "-o", str(binary)], check=True)
    return binary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=4_000_000)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-agents", type=int, default=10_000_000)
    parser.add_argument("--reference-dir", type=Path, default=ROOT / "bench" / "reference")
    parser.add_argument("--stackrace", type=Path, default=ROOT / "build" / "sim" / "stackrace")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        limit = build_reference(args.reference_dir / "limit_kernel.cpp", tmp)
        skip = build_reference(args.reference_dir / "skip_kernel.cpp", tmp)
        output = Path(tmp) / "bench.h5"
        world = ROOT / "worlds" / "bench-meanfield.toml"
        default_world = ROOT / "worlds" / "default.toml"
        commands = {
            "limit_kernel": [limit, args.agents, args.steps, args.threads],
            "skip_kernel": [skip, args.agents, args.steps, args.threads],
            "stackrace": [args.stackrace, "run", world, "--agents", args.agents, "--steps", args.steps,
                          "--threads", args.threads, "--quiet", "-o", output],
            "default world": [args.stackrace, "run", default_world, "--agents", args.agents, "--steps", args.steps,
                              "--threads", args.threads, "--quiet", "-o", output],
        }
        walls = {name: [] for name in commands}
        # The engine's own figure: agents of all kinds x steps / simulation seconds.
        engine_speed = {"stackrace": [], "default world": []}
        for repeat in range(args.repeats):
            for name, cmd in commands.items():
                wall, _, line = run_timed([str(c) for c in cmd])
                walls[name].append(wall)
                if name in engine_speed:
                    engine_speed[name].append(float(dict(re.findall(r"(\w+)=(\S+)", line))["agent_steps_per_s"]))
                print(f"[{repeat + 1}/{args.repeats}] {name:13s} {wall:7.3f} s  {line}")

        median = {name: statistics.median(w) for name, w in walls.items()}
        agent_steps = args.agents * args.steps
        print(f"\nbench-meanfield, {args.agents:,} agents x {args.steps} steps, {args.threads} threads, "
              f"median of {args.repeats} wall times (whole process):")
        for name in ("limit_kernel", "skip_kernel", "stackrace"):
            print(f"  {name:13s} {median[name]:7.3f} s  {agent_steps / median[name]:.3g} agent-steps/s")
        print(f"  speed vs limit_kernel: {median['limit_kernel'] / median['stackrace']:.2f}x (target >= 10x)")
        print(f"  speed vs skip_kernel:  {median['skip_kernel'] / median['stackrace']:.2f}x")

        engine_median = {name: statistics.median(v) for name, v in engine_speed.items()}
        print(f"\ndefault world and bench-meanfield, {args.agents:,} developer agents x {args.steps} steps, "
              f"{args.threads} threads, median of {args.repeats} agent_steps_per_s (agents of all kinds, "
              f"simulation seconds):")
        print(f"  bench-meanfield {engine_median['stackrace']:.3g} agent-steps/s")
        print(f"  default world   {engine_median['default world']:.3g} agent-steps/s")
        print(f"  default world / bench-meanfield agent-steps per second: "
              f"{engine_median['default world'] / engine_median['stackrace']:.2f} (target >= 0.5)")

        small_agents = args.memory_agents // 10
        _, small_rss, _ = run_timed([str(args.stackrace), "run", str(world), "--agents", str(small_agents),
                                     "--threads", str(args.threads), "--quiet", "-o", str(output)])
        _, rss, _ = run_timed([str(args.stackrace), "run", str(world), "--agents", str(args.memory_agents),
                               "--threads", str(args.threads), "--quiet", "-o", str(output)])
        fixed = 150e6
        print(f"\npeak memory at {args.memory_agents:,} agents: {rss / 1e6:.1f} MB")
        print(f"  beyond a fixed 150 MB: {max(0.0, rss - fixed) / args.memory_agents:.2f} bytes/agent (target <= 32)")
        print(f"  marginal: {(rss - small_rss) / (args.memory_agents - small_agents):.2f} bytes/agent "
              f"(between {small_agents:,} and {args.memory_agents:,} agents)")


if __name__ == "__main__":
    main()
