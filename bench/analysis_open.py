#!/usr/bin/python3
"""Opening a large sweep in Python (issue 7): the time to open a 1,000-run sweep file with
`stackrace.open` and compute a per-run outcome for every run, and the peak memory it took.

Writes the sweep first (the default world, a random design over cn_open's price and the
developers' switching cost, 1,000 runs of --agents developer agents over 120 months), or
reuses --file. Each measurement runs in a fresh Python process, so its peak resident
memory (ru_maxrss) is the analysis's own and nothing is cached between them:

- open: `stackrace.open(path)` (reads only coordinates);
- world outcome: the developers' cn_open share worldwide at the last month, every run
  (reads the small `global_share` chunks);
- country outcome: the mean developer cn_open share over Tier 2 countries at the last
  month, every run (reads every run's whole `share` chunk: the file's bulk).

Usage: /usr/bin/python3 bench/analysis_open.py [--runs 1000] [--agents 5000] [--file F.h5]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import resource, sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import stackrace
start = time.perf_counter()
ds = stackrace.open(sys.argv[1])
opened = time.perf_counter()
what = sys.argv[2]
if what == "world":
    y = ds.global_share.sel(kind="developer", stack="cn_open").isel(time=-1).values
elif what == "country":
    tier2 = ds.country_tier.values == 2
    y = ds.share.sel(kind="developer", stack="cn_open").isel(time=-1, country=tier2.nonzero()[0]).mean("country").values
else:
    y = ds.run.values
done = time.perf_counter()
print(f"{ds.sizes['run']} {start - t0:.3f} {opened - start:.3f} {done - start:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} {float(y.mean()):.5f}")
"""


def write_sweep(folder: Path, runs: int, agents: int) -> Path:
    sweep = folder / "open_bench.toml"
    sweep.write_text(f'[sweep]\nbase = "{ROOT / "worlds/default.toml"}"\nname = "open_bench"\ndesign = "random"\n'
                     f'samples = {runs}\nagents = {agents}\nsteps = 120\nseed = 1\n'
                     '[[parameters]]\nkey = "stacks.cn_open.price"\nname = "cn_open_price"\nrange = [0.1, 1.0]\n'
                     '[[parameters]]\nkey = "choice.developer.switching_cost"\nname = "switching_cost"\n'
                     'range = [0.0, 1.5]\n')
    out = folder / "open_bench.h5"
    start = time.perf_counter()
    subprocess.run([str(ROOT / "build/sim/stackrace"), "sweep", str(sweep), "-o", str(out), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"wrote {out} ({runs} runs) in {time.perf_counter() - start:.1f} s")
    return out


def measure(path: Path, what: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "analysis"))
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), what], env=env, check=True, capture_output=True,
                         text=True).stdout
    return out.split()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--file", type=Path, help="an existing sweep file to open instead of writing one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or write_sweep(Path(tmp), args.runs, args.agents)
        size = path.stat().st_size
        print(f"file: {size / 1e6:.1f} MB on disk")
        for what, label in (("none", "open only"), ("world", "open + world outcome per run"),
                            ("country", "open + Tier 2 country outcome per run")):
            runs, imported, opened, total, peak_mb, mean = measure(path, what)
            print(f"{label:38s} runs={runs} (import {float(imported):.2f} s) open {float(opened):.3f} s, "
                  f"open + outcome {float(total):.3f} s, "
                  f"peak memory {float(peak_mb):.0f} MB (mean outcome {mean})")


if __name__ == "__main__":
    main()
