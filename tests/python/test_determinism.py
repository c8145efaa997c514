"""What the command writes is reproducible: the same scenario and seed give the same
file's data from run to run, a file's stored scenario reruns it, and the file records the
seed. That a run's aggregates do not depend on the thread count, and differ with the
seed, is the kernel's invariant, tested in C++ (tests/sim/simulation_test.cpp)."""
import h5py
import numpy as np

from conftest import read_shares, text

AGENTS = 300_000
STEPS = 24


def assert_bit_identical(a, b, name):
    assert a.shape == b.shape and a.dtype == b.dtype, name
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{name}: NaN in different places")
    assert np.array_equal(a, b, equal_nan=True), f"{name} differs"
    # Bit for bit, NaN payloads and signed zeros included.
    assert np.array_equal(a.view(np.uint32), b.view(np.uint32)), f"{name} differs in its bits"


def test_same_seed_same_results(run_to_file, worlds_dir):
    common = (worlds_dir / "default.toml", "--agents", AGENTS, "--steps", STEPS, "--seed", 7)
    a, b = run_to_file(*common), run_to_file(*common)
    for x, y, name in zip(read_shares(a), read_shares(b), ("share", "global_share")):
        assert_bit_identical(x, y, name)


def test_the_seed_flag_reaches_the_run_and_the_file(run_to_file, worlds_dir):
    common = (worlds_dir / "default.toml", "--agents", AGENTS, "--steps", STEPS)
    first, second = run_to_file(*common, "--seed", 1), run_to_file(*common, "--seed", 2)
    assert not np.array_equal(read_shares(first)[1], read_shares(second)[1], equal_nan=True)
    with h5py.File(second, "r") as f:
        np.testing.assert_array_equal(f["seed"][()], [2])


def test_stored_scenario_reproduces_the_run(run_to_file, worlds_dir, tmp_path):
    """The stored scenario is the whole experiment: running it again gives the same data."""
    first = run_to_file(worlds_dir / "default.toml", "--agents", AGENTS, "--steps", STEPS, "--seed", 5)
    with h5py.File(first, "r") as f:
        stored_text = text(f, "scenario_toml")
    stored = tmp_path / "stored.toml"
    stored.write_text(stored_text)
    again = run_to_file(stored)
    for x, y, name in zip(read_shares(first), read_shares(again), ("share", "global_share")):
        assert_bit_identical(x, y, name)

