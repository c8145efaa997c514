"""Shared fixtures for the end-to-end tests of the `stackrace` executable.

The tests drive the built binary the way a user does. They find it from
STACKRACE_BIN and the source tree from STACKRACE_SOURCE_DIR; both default to this
checkout (the binary at <root>/build/sim/stackrace), so that
`/usr/bin/python3 -m pytest tests/python` works from a plain build.
"""
import os
import pathlib
import random
import re
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(
    os.environ.get("STACKRACE_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2]
).resolve()
BINARY = pathlib.Path(os.environ.get("STACKRACE_BIN") or SOURCE_DIR / "build" / "sim" / "stackrace").resolve()
# Whether BINARY is the sanitizer build (GCC links AddressSanitizer's runtime as a shared
# library, libasan.so; clang builds it in): some tests provoke what a sanitizer reports itself.
SANITIZER_BUILD = BINARY.exists() and any(mark in BINARY.read_bytes() for mark in (b"libasan", b"AddressSanitizer"))
WORLDS_DIR = SOURCE_DIR / "worlds"
BAD_SCENARIOS_DIR = SOURCE_DIR / "tests" / "bad_scenarios"

# The last line `stackrace run` prints on stdout, for scripts to read.
MACHINE_LINE = re.compile(r"^agents=(\d+) steps=(\d+) seconds=(\S+) agent_steps_per_s=(\S+) output=(\S+)$")

# No single run in these tests should come near this; a hang fails instead of blocking CI.
RUN_TIMEOUT_S = 120


@pytest.fixture(scope="session")
def stackrace_bin():
    if not BINARY.is_file() or not os.access(BINARY, os.X_OK):
        pytest.fail(f"stackrace executable not found at {BINARY}: build it, or set STACKRACE_BIN")
    return BINARY


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def worlds_dir():
    return WORLDS_DIR


@pytest.fixture(scope="session")
def bad_scenarios_dir():
    return BAD_SCENARIOS_DIR


def _environment():
    # STACKRACE_WORLDS redirects the default world; the tests mean this checkout's.
    env = dict(os.environ)
    env.pop("STACKRACE_WORLDS", None)
    return env


@pytest.fixture(scope="session")
def stackrace(stackrace_bin):
    """Runs `stackrace ARGS...` with stdout and stderr captured (so neither is a terminal)."""

    def run(*args, cwd=None, timeout=RUN_TIMEOUT_S):
        return subprocess.run(
            [str(stackrace_bin), *map(str, args)],
            cwd=cwd,
            env=_environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def run_to_file(stackrace, tmp_path_factory):
    """Runs a scenario quietly into a fresh file and returns the file's path; fails on a non-zero exit."""

    def run(scenario, *args, name="out.h5"):
        folder = tmp_path_factory.mktemp("run")
        output = folder / name
        result = stackrace("run", scenario, "--quiet", "-o", output, *args, cwd=folder)
        assert result.returncode == 0, f"stackrace run failed ({result.returncode}):\n{result.stderr}"
        assert output.is_file()
        return output

    return run


@pytest.fixture(scope="session")
def compare_to_file(stackrace, tmp_path_factory):
    """Compares no_controls with a shipped policy scenario quietly into a fresh file and
    returns the file's path; fails on a non-zero exit."""

    def run(policy, *args):
        output = tmp_path_factory.mktemp("compare") / "cmp.h5"
        result = stackrace("compare", WORLDS_DIR / "policies" / "no_controls.toml", WORLDS_DIR / "policies" / policy,
                           "--quiet", "-o", output, *args)
        assert result.returncode == 0, f"stackrace compare failed ({result.returncode}):\n{result.stderr}"
        return output

    return run


def wait_until_some_runs_are_done(path, proc, at_least=2, fewer_than=12):
    """Polls the file of the sweep `proc` is running (SWMR) until some, not all, of its
    runs are in it: the moment to interrupt or kill it. Fails (killing the sweep) if the
    sweep ends first or no such moment comes within a minute."""
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.02)
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended (status {proc.returncode}) before {at_least} to {fewer_than - 1} "
                        "runs were in its file")
        if path.exists():
            try:
                with h5py.File(path, "r", swmr=True) as f:
                    done = int((f["status"][()] == 1).sum())
                if at_least <= done < fewer_than:
                    return
            except OSError:
                pass
    proc.kill()
    proc.wait()
    pytest.fail(f"{path}: no moment with {at_least} to {fewer_than - 1} runs done")

def kill_sweep_mid_way(sweep, out):
    """Runs `sweep` into `out` on one thread and kills it with SIGKILL once some, not all,
    of its runs are in the file (which stays marked as written in SWMR mode)."""
    proc = subprocess.Popen([str(BINARY), "sweep", str(sweep), "-o", str(out), "--quiet", "--threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_some_runs_are_done(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def scenario_of_files(folder, base):
    """A scenario in `folder` made of more files than its own: it extends middle.toml,
    which extends `base` and reads a copy of the shipped country table. Returns (scenario,
    middle, countries), for tests that edit one of them behind a --resume."""
    countries = folder / "countries.csv"
    countries.write_text((WORLDS_DIR / "data" / "countries.csv").read_text())
    middle = folder / "middle.toml"
    middle.write_text(f'extends = "{base}"\n[world]\ncountries_table = "countries.csv"\n')
    scenario = folder / "world.toml"
    scenario.write_text('extends = "middle.toml"\n')
    return scenario, middle, countries



def write_sweep(folder, body, name="s"):
    """A sweep file over the default world: the `[sweep]` base and name, then `body`."""
    path = folder / f"{name}.toml"
    path.write_text(f'[sweep]\nbase = "{WORLDS_DIR / "default.toml"}"\nname = "{name}"\n' + body)
    return path


@pytest.fixture(scope="session")
def sweep_to_file(stackrace, tmp_path_factory):
    """Runs a sweep (`body` as for write_sweep) quietly into a fresh file and returns the
    file's path; fails on a non-zero exit."""

    def run(body, name="s", *args):
        folder = tmp_path_factory.mktemp("sweep")
        output = folder / f"{name}.h5"
        result = stackrace("sweep", write_sweep(folder, body, name), "--quiet", "-o", output, *args, cwd=folder)
        assert result.returncode == 0, f"stackrace sweep failed ({result.returncode}):\n{result.stderr}"
        return output

    return run


def read_shares(path):
    """The raw `share` and `global_share` arrays of a result file."""
    with h5py.File(path, "r") as f:
        return np.asarray(f["share"][()]), np.asarray(f["global_share"][()])


def labels(dataset):
    """Strings of a string dataset (a dimension scale such as `stack`), decoded."""
    return [x.decode() if isinstance(x, bytes) else str(x) for x in dataset[()]]


def text(h5file, name):
    """A long text the file keeps as a scalar string dataset (scenario_toml, sweep_toml), decoded."""
    value = h5file[name][()]
    return value.decode() if isinstance(value, bytes) else str(value)


def attribute(h5object, name):
    """A text attribute, decoded: CF's attributes are fixed-length (netCDF's char), which h5py reads as bytes."""
    value = h5object.attrs[name]
    return value.decode() if isinstance(value, bytes) else str(value)


# A world of three countries and one kind, and a record of four developer-adoption
# figures: calibrations that take seconds (test_calibrate.py, analysis/test_calibration.py).
TINY_WORLD = """
[scenario]
name = "tiny"
start = "2023-01"
steps = 24

[population]
developer_agents = 20000
firm_agents = 0

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "us_closed"
bloc = "us"
capability = 1.0
price = 3.0

[[stacks]]
id = "cn_open"
bloc = "cn"
open_weights = true
capability = 0.9
price = 0.5

[choice.developer]
calibrate = false

[country_defaults]
developers = 1000.0
initial_share = { none = 0.8, us_closed = 0.15, cn_open = 0.05 }

[[countries]]
id = "USA"

[[countries]]
id = "DEU"

[[countries]]
id = "CHN"
"""

TINY_RECORD = """id,description,quantity,kind,stack,country,firm_size,date,value,low,high,source,read_via,notes
dev_2023_07,developers using AI,adoption,developer,,WLD,,2023-07,0.4,0.35,0.45,synthetic,,
dev_2024_01,developers using AI,adoption,developer,,WLD,,2024-01,0.55,0.5,0.6,synthetic,,
dev_2024_07,developers using AI,adoption,developer,,WLD,,2024-07,0.65,0.6,0.7,synthetic,,
dev_2024_12,developers using AI,adoption,developer,,WLD,,2024-12,0.7,0.65,0.75,synthetic,,
"""


def tiny_calibration(folder, particles=60, simulations=1500, seed=5):
    """A calibration of the tiny world's developer imitation rate to its record."""
    (folder / "tiny.toml").write_text(TINY_WORLD)
    (folder / "record.csv").write_text(TINY_RECORD)
    spec = folder / "tiny_cal.toml"
    spec.write_text(f'[calibration]\nscenario = "tiny.toml"\nrecord = "record.csv"\nparticles = {particles}\n'
                    f'simulations = {simulations}\nseed = {seed}\n\n[[parameters]]\n'
                    'key = "adoption.developer.imitation"\nrange = [0.01, 0.3]\ndistribution = "loguniform"\n')
    return spec


def with_a_heap_string_enlarged(data):
    """`data` with the first string of its first global heap collection (where HDF5 keeps
    variable-length strings, with no checksum) claiming 1 GiB more than it holds: the
    damage whose reading crashed HDF5 (SIGSEGV in H5HG_read). None if it has no heap."""
    at = data.find(b"GCOL\x01")
    if at < 0:
        return None
    # The collection's header is 16 bytes; an object's is its index, references,
    # 4 reserved bytes and then its size, 8 bytes little-endian.
    damaged = bytearray(data)
    damaged[at + 16 + 8 + 3] ^= 0x40
    return bytes(damaged)


def damaged_copies(path, folder, seed, cuts=6, flips=12):
    """Copies of the result file `path` in `folder`, damaged as a broken-off copy or a
    failing disk leaves them: cut to `cuts` lengths drawn with `seed`, with one bit
    flipped at each of `flips` positions drawn with it (half of them in the first 16 kB,
    where HDF5 keeps most of its metadata), and with a heap string enlarged
    (with_a_heap_string_enlarged). Returns {label: path}; the label says what was done,
    so that a failure names its case."""
    rng = random.Random(seed)
    data = path.read_bytes()
    copies = {f"{path.stem}-heap-string-enlarged": with_a_heap_string_enlarged(data)}
    for _ in range(cuts):
        keep = rng.randrange(len(data))
        copies[f"{path.stem}-cut-to-{keep}"] = data[:keep]
    for i in range(flips):
        at = rng.randrange(min(len(data), 16384) if i % 2 == 0 else len(data))
        bit = rng.randrange(8)
        flipped = bytearray(data)
        flipped[at] ^= 1 << bit
        copies[f"{path.stem}-bit-{bit}-of-byte-{at}-flipped"] = bytes(flipped)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for label, content in copies.items():
        if content is None:
            continue
        paths[label] = folder / f"{label}.h5"
        paths[label].write_bytes(content)
    return paths
