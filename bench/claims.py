#!/usr/bin/python3
"""Does what MODEL.md says of the default world hold across posterior draws and agent
counts, and how far do the weights that stay assumptions move it?

1. Claims (`stackrace.claims.DEFAULT_WORLD`): the default world over --draws draws of its
   posterior (`run --draws`), at each of --agents developer-agent counts; per claim, the
   share of draws in which it holds and its median and 5%-95% range.
2. The sign of an export control (MODEL.md 1, pattern 6): `compare` of
   policies/no_controls.toml and policies/ai_diffusion_rule_2025.toml over the draws,
   with Chinese accelerators scarce (the default) and plentiful; per draw, the change in
   the Tier 2 countries not aligned with the US (their developers, weighted by real
   counts) of the cn_open and us_closed shares after 60 months.
3. With --assumptions: each weight that no calibration fits, set to the low and high end
   of the range MODEL.md 9 gives it, the rest at their values (one run each, the
   posterior medians): the world's cn_open share of developers and of firms in 2036, the
   share of countries tipped, and how many of the claims still hold.

Usage: /usr/bin/python3 bench/claims.py [--draws 500] [--agents 100000 300000 1000000 3000000] [--assumptions]
"""
import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "analysis"))

import stackrace  # noqa: E402
from stackrace import claims, engine  # noqa: E402

WORLD = ROOT / "worlds" / "default.toml"
PLENTIFUL = {"compute.cn.accelerators_h100e_per_year": 1e9}

# The weights that stay assumptions, with the range tried (MODEL.md 9).
ASSUMPTIONS = [
    ("choice.developer.revise", 0.03, 0.3),
    ("choice.firm.revise", 0.01, 0.12),
    ("choice.country.revise", 0.005, 0.06),
    ("choice.developer.switching_cost", 0.0, 1.5),
    ("choice.firm.switching_cost", 0.5, 3.0),
    ("choice.country.switching_cost", 0.5, 4.0),
    ("choice.developer.country_share", 0.0, 3.0),
    ("choice.developer.global_share", 0.0, 3.0),
    ("choice.firm.country_share", 0.0, 3.0),
    ("choice.developer.open_weights", 0.0, 1.0),
    ("choice.firm.open_weights", 0.0, 0.5),
    ("choice.firm.self_hosting", 0.0, 1.5),
    ("choice.firm.robot_bundle", 0.0, 5.0),
    ("robots.cn.abroad_share", 0.02, 0.3),
    ("robots.unlisted_density", 0.0, 60.0),
    ("choice.developer.employer", 0.0, 2.0),
    ("choice.developer.government", 0.0, 0.5),
    ("choice.firm.government", 0.0, 1.0),
    ("choice.developer.localisation", 0.0, 1.0),
    ("choice.firm.capability", 0.0, 100.0),
    ("choice.country.capability", 0.0, 100.0),
    ("choice.country.log_price", 0.0, 2.0),
    ("choice.developer.calibrate_momentum", 1.0, 3.0),
    ("adoption.developer.income_elasticity", 0.0, 0.66),
    ("adoption.developer.value_elasticity", 0.0, 0.3),
    ("compute.compute_elasticity", 0.1, 0.6),
    ("compute.catch_up", 0.03, 0.15),
    ("compute.joules_per_token", 0.1, 2.2),
    ("compute.ai_power_share", 0.05, 0.5),
]


def claims_over_draws(draws, agents, folder):
    print(f"\n## Claims over {draws} posterior draws")
    for n in agents:
        ds = engine.run(WORLD, Path(folder) / f"draws_{n}.h5", draws=draws, agents=n)
        table = claims.check(ds)
        print(f"\n### {n:,} developer agents")
        print(table.to_string(float_format=lambda x: f"{x:.4g}"))
        ds.close()


def tier2_change(ds):
    """Per draw: the alternative's minus the base's share of cn_open and us_closed among
    the developers of the Tier 2 countries not aligned with the US, at the last month."""
    draws = int(ds.attrs["posterior_draws"])

    def change(stack):
        share = stackrace.groups.share(ds, "tier:2", exclude="alignment:us", kind="developer", stack=stack)
        mean = share.isel(time=-1).values  # per run
        # Runs are laid out [arm][draw][replicate]: a draw's value is its replicates' mean
        # (stackrace.open drops failed runs, which would break the layout: none may fail).
        if mean.shape[0] % (2 * draws):
            raise SystemExit(f"{mean.shape[0]} runs in the comparison: some failed (stackrace.failed_runs)")
        base, alt = mean.reshape(2, draws, -1).mean(axis=2)
        return alt - base

    return change("cn_open"), change("us_closed")


def export_control_sign(draws, folder):
    print(f"\n## The sign of an export control over {draws} posterior draws x 2 replicates (300,000 agents, 60 months)")
    for label, sets in (("scarce", None), ("plentiful", PLENTIFUL)):
        ds = engine.compare(WORLD.parent / "policies" / "no_controls.toml",
                            WORLD.parent / "policies" / "ai_diffusion_rule_2025.toml",
                            Path(folder) / f"sign_{label}.h5", replicates=2, draws=draws, agents=300_000,
                            steps=60, set=sets)
        cn, closed = tier2_change(ds)
        holds = (cn < 0) & (closed > 0) if label == "scarce" else cn > 0
        print(f"Chinese accelerators {label}: Tier 2 (not US-aligned) developers, capped - uncapped: "
              f"cn_open {np.median(cn) * 100:+.2f} pp [{np.quantile(cn, .05) * 100:+.2f}, "
              f"{np.quantile(cn, .95) * 100:+.2f}], us_closed {np.median(closed) * 100:+.2f} pp "
              f"[{np.quantile(closed, .05) * 100:+.2f}, {np.quantile(closed, .95) * 100:+.2f}]; "
              f"the stated sign holds in {holds.mean():.0%} of draws")
        ds.close()


def assumptions(folder):
    print("\n## Weights that stay assumptions: each at the ends of its range (1,000,000 agents, one run)")
    print("| key | value | cn_open developers 2036 | cn_open firms 2036 | countries tipped | claims that fail |")
    print("|---|---|---|---|---|---|")
    base = engine.run(WORLD, Path(folder) / "base.h5")
    rows = [("(the world as shipped)", "", base)]
    for key, low, high in ASSUMPTIONS + [("feedback.network", False, False)]:
        for value in sorted({low, high}):
            rows.append((key, value, engine.run(WORLD, Path(folder) / "a.h5", set={key: value})))
            print_row(*rows[-1])
            rows[-1][2].close()
    print_row(*rows[0])


def print_row(key, value, ds):
    g = ds["global_share"].isel(run=0, time=-1)
    dev = float(g.sel(kind="developer", stack="cn_open")) * 100
    firm = float(g.sel(kind="firm", stack="cn_open")) * 100
    tipped = float(next(c for c in claims.DEFAULT_WORLD if c.name == "countries_tip").values(ds)[0]) * 100
    failing = ", ".join(c.name for c in claims.DEFAULT_WORLD if not c.holds(ds)[0]) or "none"
    print(f"| `{key}` | {value} | {dev:.1f}% | {firm:.1f}% | {tipped:.0f}% | {failing} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--agents", type=int, nargs="+", default=[100_000, 300_000, 1_000_000, 3_000_000])
    parser.add_argument("--assumptions", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        claims_over_draws(args.draws, args.agents, folder)
        export_control_sign(args.draws, folder)
        if args.assumptions:
            assumptions(folder)


if __name__ == "__main__":
    main()
