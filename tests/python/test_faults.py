"""Faults a user's machine brings, as the README's "Under faults" promises them: kills at
any moment (of `run`, of a sweep while its file is made, of `--resume`, under mpirun), a
full disk, a read-only folder, and damaged result files given to `stackrace info`.

The moments, disk sizes and damaged bytes are drawn from fixed seeds, so that a failure
names its case and a rerun tries the same. A signal (an exit status from 128 on, or a
negative one) is never a clean outcome."""
import os
import random
import re
import resource
import signal
import subprocess
import time

import h5py
import pytest

from conftest import BINARY, SANITIZER_BUILD, WORLDS_DIR, damaged_copies, write_sweep
from test_sweep import RESUMABLE
from test_sweep_mpi import MPIRUN, mpi_environment

# The datasets that hold what runs computed and which runs are done: equal bytes in
# these are the same result.
RESULTS = ("share", "global_share", "price", "capability", "unmet_compute", "status", "seed")

# A sweep of about a second on two cores: long enough that kills land while its file is
# made, while runs are written and while it is resumed.
KILLABLE = RESUMABLE.replace("samples = 16", "samples = 12").replace("agents = 400000", "agents = 40000")

RUN = ("run", WORLDS_DIR / "default.toml", "--agents", 1_000_000, "--steps", 120, "-r", 2, "--quiet")


def command(*args):
    return [str(BINARY), *map(str, args)]


@pytest.fixture(autouse=True)
def no_leak_check_at_a_failed_exit(monkeypatch):
    # A command that fails mid-write leaves HDF5's library state to the process's end
    # (H5dont_atexit: HDF5 does not retry, at exit, a close that failed); a sanitizer
    # build must not count what the exit frees as leaks. Every other check stays on.
    monkeypatch.setenv("ASAN_OPTIONS", "detect_leaks=0")


def ended_cleanly(result):
    """Whether an exit status is one the program chose: never a signal's."""
    return 0 <= result.returncode < 128


def results_of(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][()].tobytes() for name in RESULTS}


def descendants(pid):
    """The processes `pid` started, and theirs: mpirun puts each rank in a process group
    of its own, so that killing mpirun's group leaves the ranks running (and the writer
    rank writing beside the --resume that follows)."""
    children = {}
    for process in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{process}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # it ended meanwhile
        children.setdefault(parent, []).append(int(process))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def killed_at(args, delay, **popen):
    """Runs `args` and after `delay` seconds kills it and every process it started with
    SIGKILL, as a machine that loses power would; returns once all of them are gone."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)
    time.sleep(delay)
    doomed = [proc.pid] + descendants(proc.pid)
    for pid in doomed:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had ended
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(os.path.exists(f"/proc/{pid}") and not zombie(pid) for pid in doomed[1:]):
        assert time.monotonic() < deadline, "a killed process lives on"
        time.sleep(0.01)


def zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.fixture(scope="module")
def killable(tmp_path_factory):
    """The KILLABLE sweep file, and its file run without interruption."""
    folder = tmp_path_factory.mktemp("killable")
    sweep = write_sweep(folder, KILLABLE, "k")
    whole = folder / "whole.h5"
    done = subprocess.run(command("sweep", sweep, "-o", whole, "--quiet"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return sweep, whole


# ---- kills ------------------------------------------------------------------------------

def test_a_run_killed_at_any_moment_leaves_no_file_or_the_whole_one(tmp_path):
    # Killed from its first millisecond to past its end (about half a second): the output
    # is absent or whole, never a part of one, and running again gives the same file.
    reference = tmp_path / "reference.h5"
    assert subprocess.run(command(*RUN, "-o", reference), timeout=120).returncode == 0
    expected = results_of(reference)
    rng = random.Random(20)
    out = tmp_path / "killed" / "run.h5"
    outcomes = set()
    for delay in sorted(rng.uniform(0, 0.7) for _ in range(8)):
        killed_at(command(*RUN, "-o", out), delay)
        if out.exists():
            outcomes.add("whole")
            assert results_of(out) == expected, f"killed after {delay:.3f} s"
            out.unlink()
        else:
            outcomes.add("none")
        again = subprocess.run(command(*RUN, "-o", out), capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, f"killed after {delay:.3f} s, the run again says:\n{again.stderr}"
        assert results_of(out) == expected
        assert sorted(p.name for p in out.parent.iterdir()) == ["run.h5"], "the run again leaves no PATH.partial"
        out.unlink()
    assert "none" in outcomes


def finish(sweep, out, mpi=False):
    """Finishes a killed sweep: --resume where it left a file, afresh where it left none."""
    resume = ["--resume"] if out.exists() else []
    args = (MPIRUN if mpi else []) + command("sweep", sweep, "-o", out, "--quiet", *resume)
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, env=mpi_environment() if mpi else None)
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stderr}"


def test_a_sweep_killed_at_any_moment_and_again_while_resumed_resumes_to_the_same_file(killable, tmp_path):
    # Half the moments in the first tenth of a second (the base read, the file made aside
    # and renamed into place), half over the rest; each --resume is itself killed once at
    # a moment of its own before the last one finishes.
    sweep, whole = killable
    expected = results_of(whole)
    rng = random.Random(21)
    moments = [rng.uniform(0, 0.1) for _ in range(3)] + [rng.uniform(0.1, 1.0) for _ in range(3)]
    for i, delay in enumerate(moments):
        out = tmp_path / f"killed{i}.h5"
        killed_at(command("sweep", sweep, "-o", out, "--quiet", "--threads", 1), delay)
        if out.exists():
            info = subprocess.run(command("info", out), capture_output=True, text=True, timeout=60)
            assert info.returncode == 0, f"killed after {delay:.3f} s, info says:\n{info.stderr}"
            killed_at(command("sweep", sweep, "-o", out, "--quiet", "--resume"), rng.uniform(0, 0.5))
        finish(sweep, out)
        assert results_of(out) == expected, f"killed after {delay:.3f} s"
        assert not out.with_name(out.name + ".partial").exists(), "a fresh sweep takes over what a kill left aside"


def test_a_sweep_killed_under_mpirun_resumes_to_the_same_file(killable, tmp_path):
    # mpirun and its three ranks killed together, at moments spread over the sweep; the
    # --resume runs on three ranks again, and the file is the one-process sweep's.
    sweep, whole = killable
    expected = results_of(whole)
    rng = random.Random(22)
    for i, delay in enumerate(sorted(rng.uniform(0.3, 1.8) for _ in range(3))):
        out = tmp_path / f"mpi{i}.h5"
        killed_at(MPIRUN + command("sweep", sweep, "-o", out, "--quiet"), delay, env=mpi_environment())
        finish(sweep, out, mpi=True)
        assert results_of(out) == expected, f"killed after {delay:.3f} s"


# ---- a full disk --------------------------------------------------------------------------

class SmallDisk:
    """A folder on a disk of `size`: a tmpfs of that size where this process may mount
    one (root in CI), else a cap on the size of any file written (RLIMIT_FSIZE, with
    SIGXFSZ ignored so that the write fails with EFBIG rather than killing the writer)."""

    def __init__(self, folder, size):
        folder.mkdir()
        self.folder, self.size = folder, size
        mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                               capture_output=True, text=True)
        self.mounted = mount.returncode == 0

    def _cap_file_size(self):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.size, self.size))

    def run(self, *args):
        return subprocess.run(command(*args), capture_output=True, text=True, timeout=120,
                              preexec_fn=None if self.mounted else self._cap_file_size)

    def grow(self):
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,size=256m", str(self.folder)], check=True)
        else:
            self.size = resource.RLIM_INFINITY

    def remove(self):
        if self.mounted:
            subprocess.run(["umount", str(self.folder)], check=True)


def bytes_of(size):
    return int(size[:-1]) * {"k": 1 << 10, "m": 1 << 20}[size[-1]]


@pytest.fixture
def small_disk(tmp_path):
    disks = []

    def make(size):
        disks.append(SmallDisk(tmp_path / f"disk{len(disks)}", bytes_of(size)))
        return disks[-1]

    yield make
    for disk in disks:
        disk.remove()


SMALL_RUN = ("--agents", 5000, "--steps", 24, "--quiet")


@pytest.mark.parametrize("size", ["8k", "64k", "256k"])
@pytest.mark.parametrize("what", ["run", "compare"])
def test_a_full_disk_fails_cleanly_and_leaves_nothing(small_disk, what, size):
    # The disk fills while the file is made, while runs are written or at the last flush
    # as it closes (where HDF5's own closing at exit crashed: exit 139).
    disk = small_disk(size)
    out = disk.folder / "out.h5"
    scenario = WORLDS_DIR / "default.toml"
    arms = (scenario,) if what == "run" else (scenario, scenario, "--replicates", 2)
    result = disk.run(what, *arms, *SMALL_RUN, "-o", out)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"stackrace: {out}.partial: "), result.stderr
    assert "No space left on device" in result.stderr or "File too large" in result.stderr, result.stderr
    assert list(disk.folder.iterdir()) == [], "nothing is left, not even PATH.partial"


@pytest.mark.parametrize("size", ["8k", "64k", "256k", "1m"])
def test_a_sweep_on_a_full_disk_fails_cleanly_and_resumes_to_the_same_file(small_disk, killable, size):
    # Full while its file is made aside: nothing is left. Full once the file is in place:
    # it is a checkpoint like any other, and once there is room --resume finishes it.
    sweep, whole = killable
    disk = small_disk(size)
    out = disk.folder / "sweep.h5"
    result = disk.run("sweep", sweep, "-o", out, "--quiet")
    assert result.returncode == 1, result.stderr
    assert "No space left on device" in result.stderr or "File too large" in result.stderr, result.stderr
    left = sorted(p.name for p in disk.folder.iterdir())
    assert left in ([], ["sweep.h5"]), left
    where = f"{out}: " if left else f"{out}.partial: "
    assert result.stderr.startswith(f"stackrace: {where}"), result.stderr
    disk.grow()
    finish(sweep, out)
    assert results_of(out) == results_of(whole)


# ---- a read-only folder ---------------------------------------------------------------------

@pytest.fixture
def read_only_folder(tmp_path, killable):
    """A folder holding a finished sweep's file and nothing may be written in: a tmpfs
    remounted read-only (root ignores permission bits, so none are used)."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("a read-only folder needs a tmpfs mounted read-only, and this process may not mount one")
    try:
        (folder / "sweep.h5").write_bytes(killable[1].read_bytes())
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("what", ["run", "compare", "sweep"])
def test_a_read_only_folder_fails_cleanly(read_only_folder, killable, what):
    out = read_only_folder / "new.h5"
    scenario = WORLDS_DIR / "default.toml"
    args = {"run": ("run", scenario, *SMALL_RUN), "compare": ("compare", scenario, scenario, "-r", 2, *SMALL_RUN),
            "sweep": ("sweep", killable[0], "--quiet")}[what]
    result = subprocess.run(command(*args, "-o", out), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"stackrace: {out}"), result.stderr
    assert "Read-only file system" in result.stderr, result.stderr
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["sweep.h5"]


def test_a_sweep_in_a_read_only_folder_is_read_but_not_resumed(read_only_folder, killable):
    # The file is fine: --resume must say that it cannot be written (exit 1), not call it
    # damaged and to be deleted (exit 2, as it did).
    sweep, whole = killable
    out = read_only_folder / "sweep.h5"
    resumed = subprocess.run(command("sweep", sweep, "-o", out, "--resume", "--quiet"), capture_output=True, text=True,
                             timeout=60)
    assert resumed.returncode == 1, resumed.stderr
    assert resumed.stderr == f"stackrace: {out}: --resume: cannot write the file: Read-only file system\n"
    info = subprocess.run(command("info", out), capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert out.read_bytes() == whole.read_bytes()


# ---- damaged files ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result_files(tmp_path_factory, killable):
    """One file of each kind the engine writes: a run, a comparison, a finished sweep and
    a sweep killed mid-way (its checkpoint still marked as written)."""
    folder = tmp_path_factory.mktemp("results")
    scenario = WORLDS_DIR / "default.toml"
    files = {"run": folder / "run.h5", "compare": folder / "compare.h5"}
    for args, out in ((("run", scenario, *SMALL_RUN), files["run"]),
                      (("compare", scenario, scenario, "-r", 2, *SMALL_RUN), files["compare"])):
        assert subprocess.run(command(*args, "-o", out), timeout=120).returncode == 0
    files["sweep"] = killable[1]
    files["checkpoint"] = folder / "checkpoint.h5"
    killed_at(command("sweep", killable[0], "-o", files["checkpoint"], "--quiet", "--threads", 1), 0.5)
    assert files["checkpoint"].exists()
    return files


# The crash a damaged string provokes in info's guarded child (sim/cli/crash_guard.cpp) is
# what this test is about; a sanitizer build reports that crash and aborts the child
# itself, before the guard's message.
@pytest.mark.skipif(SANITIZER_BUILD, reason="a sanitizer reports the guarded child's crash itself")
@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "checkpoint"])
def test_info_on_a_damaged_file_reads_it_or_refuses_it(result_files, tmp_path, kind):
    # Cut short or with a bit flipped: info describes what it can read or refuses the
    # file (exit 2, naming it), within seconds; it neither crashes (a flipped size in
    # HDF5's global heap crashed it) nor hangs.
    for label, path in damaged_copies(result_files[kind], tmp_path, seed=23).items():
        result = subprocess.run(command("info", path), capture_output=True, text=True, timeout=30)
        assert ended_cleanly(result) and result.returncode in (0, 2), (label, result.returncode, result.stderr)
        if result.returncode == 2:
            assert result.stderr.startswith(f"stackrace: {path}: "), (label, result.stderr)


# ---- the README's promises --------------------------------------------------------------------

def test_every_test_the_readme_names_under_faults_exists(source_dir):
    # Each sentence of "Under faults" names the tests that prove it: a renamed or removed
    # test must not leave a promise unproven.
    readme = (source_dir / "README.md").read_text()
    section = readme.split("### Under faults\n", 1)[1].split("\n### ", 1)[0]
    named = set(re.findall(r"`(test_\w+)`", section))
    assert len(named) >= 9, named
    defined = {m for p in (source_dir / "tests" / "python").rglob("test_*.py")
               for m in re.findall(r"^def (test_\w+)\(", p.read_text(), re.M)}
    assert named <= defined, named - defined
