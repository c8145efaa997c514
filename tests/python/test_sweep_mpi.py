"""`mpirun -np 3 stackrace sweep`: the writer rank and two workers produce the same file,
bit for bit, as one process."""
import os
import shutil
import subprocess
import time

import h5py

from conftest import BINARY, WORLDS_DIR

MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", "3"]


def mpi_environment():
    env = dict(os.environ)
    env.pop("STACKRACE_WORLDS", None)
    # Open MPI keeps some allocations until exit; a sanitizer build must not count them as leaks.
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    # Shared-memory transport without ptrace (refused in containers).
    env.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    return env


def test_this_build_supports_mpi(stackrace):
    assert shutil.which("mpirun"), "mpirun missing: scripts/install-deps.sh installs openmpi-bin"
    assert "MPI support in this build: yes" in stackrace("sweep", "--help").stdout


def test_three_ranks_write_the_same_file_as_one_process(stackrace, tmp_path):
    sweep = WORLDS_DIR / "sweeps" / "example.toml"
    one, three = tmp_path / "one.h5", tmp_path / "three.h5"
    assert stackrace("sweep", sweep, "-o", one, "--quiet").returncode == 0
    result = subprocess.run(MPIRUN + [str(BINARY), "sweep", str(sweep), "-o", str(three), "--quiet"],
                            capture_output=True, text=True, env=mpi_environment(), timeout=300)
    assert result.returncode == 0, result.stderr
    # Only the writer rank speaks.
    assert result.stdout.count("runs=27 done=27 failed=0 pending=0") == 1, result.stdout
    with h5py.File(one, "r") as a, h5py.File(three, "r") as b:
        for name in a:
            if name in ("share", "global_share", "capability", "price", "chinese_compute", "unmet_compute", "status",
                        "seed", "error",
                        "government_ban_month") or name.startswith("param_"):
                assert a[name][()].tobytes() == b[name][()].tobytes(), name


def test_a_bad_sweep_under_mpi_is_refused_once(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[sweep]\nbase = "{WORLDS_DIR / "default.toml"}"\ndesign = "grid"\n'
                   '[[parameters]]\nkey = "stacks.cn_open.price"\nvalues = [-1.0]\n')
    result = subprocess.run(MPIRUN + [str(BINARY), "sweep", str(bad), "-o", str(tmp_path / "x.h5")],
                            capture_output=True, text=True, env=mpi_environment(), timeout=300)
    assert result.returncode == 2
    assert result.stderr.count("the base scenario refuses") == 1, result.stderr
    assert not (tmp_path / "x.h5").exists()


def test_an_output_that_cannot_be_written_ends_every_rank_at_once(tmp_path):
    # The output's folder would have to be made inside a regular file: the writer rank
    # cannot create it. Every rank must end, not wait for runs that never come.
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file\n")
    sweep = WORLDS_DIR / "sweeps" / "example.toml"
    started = time.monotonic()
    result = subprocess.run(MPIRUN + [str(BINARY), "sweep", str(sweep), "-o", str(blocker / "sweep.h5")],
                            capture_output=True, text=True, env=mpi_environment(), timeout=120)
    assert result.returncode != 0
    assert time.monotonic() - started < 60
    # The writer says why, naming the path; the workers say nothing of their own.
    assert str(blocker) in result.stderr, result.stderr
    assert result.stderr.count("stackrace:") == 1, result.stderr


def test_an_output_that_exists_is_refused_by_every_rank(tmp_path):
    existing = tmp_path / "sweep.h5"
    existing.write_text("someone's file\n")
    sweep = WORLDS_DIR / "sweeps" / "example.toml"
    result = subprocess.run(MPIRUN + [str(BINARY), "sweep", str(sweep), "-o", str(existing)],
                            capture_output=True, text=True, env=mpi_environment(), timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count(str(existing)) == 1, result.stderr
    assert existing.read_text() == "someone's file\n"
