"""The same scenario and seed give bit-identical datasets whatever the thread count;
the bench world reproduces the reference model's result."""
import h5py
import numpy as np
import pytest

from conftest import labels, read_shares

AGENTS = 300_000
STEPS = 24


def assert_bit_identical(a, b, name):
    assert a.shape == b.shape and a.dtype == b.dtype, name
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{name}: NaN in different places")
    assert np.array_equal(a, b, equal_nan=True), f"{name} differs"
    # Bit for bit, NaN payloads and signed zeros included.
    assert np.array_equal(a.view(np.uint32), b.view(np.uint32)), f"{name} differs in its bits"


@pytest.mark.parametrize("world", ["default.toml", "bench-meanfield.toml"])
def test_thread_count_does_not_change_results(run_to_file, worlds_dir, world):
    common = (worlds_dir / world, "--agents", AGENTS, "--steps", STEPS)
    runs = {threads: run_to_file(*common, "--threads", threads) for threads in (1, 2, 3)}
    share_1, global_1 = read_shares(runs[1])
    assert np.isfinite(share_1[:, :, :, 2]).all(), "developer shares must be numbers"
    for threads in (2, 3):
        share, global_share = read_shares(runs[threads])
        assert_bit_identical(share_1, share, f"share with --threads {threads}")
        assert_bit_identical(global_1, global_share, f"global_share with --threads {threads}")


def test_same_seed_same_results(run_to_file, worlds_dir):
    common = (worlds_dir / "default.toml", "--agents", AGENTS, "--steps", STEPS, "--seed", 7)
    a, b = run_to_file(*common), run_to_file(*common)
    for x, y, name in zip(read_shares(a), read_shares(b), ("share", "global_share")):
        assert_bit_identical(x, y, name)


def test_different_seed_different_results(run_to_file, worlds_dir):
    common = (worlds_dir / "default.toml", "--agents", AGENTS, "--steps", STEPS)
    share_1, global_1 = read_shares(run_to_file(*common, "--seed", 1))
    share_2, global_2 = read_shares(run_to_file(*common, "--seed", 2))
    # The starting stacks are drawn from the stream too, so every month differs, month 0 included.
    for t in range(STEPS + 1):
        assert not np.array_equal(share_1[:, t], share_2[:, t], equal_nan=True), f"month {t} is the same"
    assert not np.array_equal(global_1[:, -1], global_2[:, -1], equal_nan=True)
    with h5py.File(run_to_file(*common, "--seed", 2), "r") as f:
        np.testing.assert_array_equal(f["seed"][()], [2])


def test_stored_scenario_reproduces_the_run(run_to_file, worlds_dir, tmp_path):
    """The scenario attribute is the whole experiment: running it again gives the same data."""
    first = run_to_file(worlds_dir / "default.toml", "--agents", AGENTS, "--steps", STEPS, "--seed", 5)
    with h5py.File(first, "r") as f:
        text = f.attrs["scenario"]
    stored = tmp_path / "stored.toml"
    stored.write_text(text.decode() if isinstance(text, bytes) else text)
    again = run_to_file(stored)
    for x, y, name in zip(read_shares(first), read_shares(again), ("share", "global_share")):
        assert_bit_identical(x, y, name)


def test_bench_world_final_share(run_to_file, worlds_dir):
    """bench/README.md: final global cn_open developer share about 0.9897 at 1,000,000 agents, seed 1."""
    output = run_to_file(worlds_dir / "bench-meanfield.toml", "--threads", 2)
    with h5py.File(output, "r") as f:
        kinds, stacks = labels(f["kind"]), labels(f["stack"])
        assert f["time"].shape == (121,)
        np.testing.assert_array_equal(f["seed"][()], [1])
        agents = f["agents"][()]
        final = f["global_share"][0, -1, kinds.index("developer"), stacks.index("cn_open")]
    assert agents[:, kinds.index("developer")].sum() == 1_000_000
    assert final == pytest.approx(0.9897, abs=0.002)
