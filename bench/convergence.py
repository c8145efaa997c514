#!/usr/bin/python3
"""Do the default world's aggregates converge as agents grow (issue 18, "Resolution")?

Runs worlds/default.toml with --replicates seeds at each of --agents developer-agent
counts (firms scale with them) and prints, per aggregate, its mean and seed standard
deviation at each count, and whether it has settled: the two largest counts agree
within three standard errors of their difference. Only settled aggregates may be
described as the model's behaviour; one that still moves with the count is an artefact
of resolution. Country-level agreement is printed too: the developer-weighted mean
absolute difference of each country's cn_open developer share from the largest count's.

A benchmark, not a test (it prints and asserts nothing). The default counts end at one
agent per real developer (47.2 million, SlashData).

Usage: /usr/bin/python3 bench/convergence.py [--agents 100000 1000000 4000000 47200000] [--replicates 4]
"""
import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "analysis"))

from stackrace import claims, engine  # noqa: E402

WORLD = ROOT / "worlds" / "default.toml"
WORLD_DEVELOPERS = 47_200_000


def world_share(kind, stack):
    return lambda ds: ds["global_share"].sel(kind=kind, stack=stack).isel(time=-1).values * 100


def sector_share(sector, stack):
    return lambda ds: ds["global_sector_share"].sel(sector=sector, stack=stack).isel(time=-1).values * 100


def peak(kind, stack):
    return lambda ds: ds["global_share"].sel(kind=kind, stack=stack).max("time").values * 100


# (label, unit, per-run values of a result).
AGGREGATES = [
    ("cn_open developers 2036", "%", world_share("developer", "cn_open")),
    ("cn_open developers at peak", "%", peak("developer", "cn_open")),
    ("us_open developers 2036", "%", world_share("developer", "us_open")),
    ("cn_open firms 2036", "%", world_share("firm", "cn_open")),
    ("cn_open physical firms 2036", "%", sector_share("physical", "cn_open")),
    ("cn_open virtual firms 2036", "%", sector_share("virtual", "cn_open")),
    ("governments on cn_open 2036", "%", world_share("country", "cn_open")),
    ("cn_open lag 2036", "months", lambda ds: claims.lag_months(ds, "cn_open")),
    ("large countries tipped", "of 36", lambda ds: claims.tipped_countries(ds).astype(float)),
]


def cn_country_shares(ds):
    """Mean over runs of each country's cn_open share of developers, and the real
    developers that weigh it."""
    share = ds["share"].sel(kind="developer", stack="cn_open").isel(time=-1).mean("run").values
    real = (ds["weight"] * ds["agents"]).sel(kind="developer").values
    return share, real / real.sum()


def settled(means, sds, replicates):
    """The two largest counts agree within three standard errors of their difference."""
    se = np.sqrt((sds[-1] ** 2 + sds[-2] ** 2) / replicates)
    return abs(means[-1] - means[-2]) <= 3 * max(se, 1e-12)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, nargs="+", default=[100_000, 1_000_000, 4_000_000, WORLD_DEVELOPERS])
    parser.add_argument("--replicates", type=int, default=4)
    args = parser.parse_args()
    counts = sorted(args.agents)

    values, countries = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            ds = engine.run(WORLD, Path(tmp) / f"n{n}.h5", agents=n, replicates=args.replicates)
            values[n] = [f(ds) for _, _, f in AGGREGATES]
            countries[n] = cn_country_shares(ds)
            ds.close()

    print(f"default world, {args.replicates} seeds per count: mean (seed sd)")
    print("| aggregate | " + " | ".join(f"{n:,} developers" for n in counts) + " | settled |")
    print("|---|" + "---|" * len(counts) + "---|")
    for i, (label, unit, _) in enumerate(AGGREGATES):
        means = [float(np.mean(values[n][i])) for n in counts]
        sds = [float(np.std(values[n][i], ddof=1)) if args.replicates > 1 else 0.0 for n in counts]
        cells = " | ".join(f"{m:.2f} ({s:.2f})" for m, s in zip(means, sds))
        print(f"| {label} ({unit}) | {cells} | {'yes' if settled(means, sds, args.replicates) else 'NO'} |")

    top_share, weight = countries[counts[-1]]
    print(f"\ncountries' cn_open developer shares 2036, developer-weighted mean |difference| from {counts[-1]:,}:")
    for n in counts[:-1]:
        share, _ = countries[n]
        print(f"  {n:>12,}: {float(np.sum(weight * np.abs(share - top_share))) * 100:.3f} points")


if __name__ == "__main__":
    main()
