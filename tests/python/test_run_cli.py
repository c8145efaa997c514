"""`stackrace run` as a user meets it: defaults, output paths, help, quiet mode, and a
progress bar only on a terminal."""
import h5py
import os
import pty
import select
import signal
import stat
import subprocess
import time

import pytest

from conftest import MACHINE_LINE, TINY_WORLD, write_sweep


def test_run_without_scenario_runs_the_default_world(stackrace, tmp_path):
    result = stackrace("run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    output = tmp_path / "results" / "default.h5"
    assert output.is_file()
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["default.h5"]
    out = result.stdout
    assert "us_closed" in out and "cn_open" in out
    assert "results/default.h5" in out
    lines = out.splitlines()
    # The summary gives start and end of each stack for each kind of agent.
    for kind in ("country", "firm", "developer"):
        assert kind in out
    assert "2026-01" in out and "2036-01" in out
    match = MACHINE_LINE.match(lines[-1])
    assert match, lines[-1]
    assert match.group(2) == "120" and match.group(5) == "results/default.h5"
    assert len(lines) > 1, "without --quiet a summary comes before the machine line"


def test_output_option_is_respected(stackrace, worlds_dir, tmp_path):
    output = tmp_path / "nested" / "folder" / "mine.h5"
    result = stackrace("run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 3, "-o", output, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert output.is_file()
    assert not (tmp_path / "results").exists()
    assert sorted(p.name for p in output.parent.iterdir()) == ["mine.h5"]
    assert MACHINE_LINE.match(result.stdout.splitlines()[-1]).group(5) == str(output)
    assert str(output) in result.stdout


def test_default_output_is_named_after_the_scenario(stackrace, worlds_dir, tmp_path):
    result = stackrace("run", worlds_dir / "bench-meanfield.toml", "--agents", 5000, "--steps", 3, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "results" / "bench-meanfield.h5").is_file()


def test_an_output_that_cannot_be_written_fails_with_the_path_and_the_cause(stackrace, worlds_dir, tmp_path):
    # Exit status 1: writing failed (a refused scenario is 2).
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder\n")
    result = stackrace("run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 2, "--quiet",
                       "-o", blocker / "x.h5")
    assert result.returncode == 1, result.stderr
    assert f"stackrace: {blocker / 'x.h5'}: cannot create its folder {blocker}: Not a directory" in result.stderr
    # Where HDF5 itself fails, its error stack follows the path and the operation.
    (tmp_path / "taken.h5.partial").mkdir()
    result = stackrace("run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 2, "--quiet",
                       "-o", tmp_path / "taken.h5")
    assert result.returncode == 1, result.stderr
    assert f"stackrace: {tmp_path / 'taken.h5.partial'}: cannot create the file; HDF5's error stack:\n" in result.stderr
    assert "in H5Fcreate(): unable to create file" in result.stderr and "Is a directory" in result.stderr
    assert not (tmp_path / "taken.h5").exists()


def test_output_overwrites_an_existing_file(stackrace, worlds_dir, tmp_path):
    output = tmp_path / "x.h5"
    output.write_text("old\n")
    result = stackrace("run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 3, "--quiet", "-o", output)
    assert result.returncode == 0, result.stderr
    assert output.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.h5"]


@pytest.mark.parametrize("command", ["run", "validate", "info"])
def test_subcommand_help(stackrace, command, tmp_path):
    result = stackrace(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert command in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_run_help_lists_every_option(stackrace):
    out = stackrace("run", "--help").stdout
    for option in ("--output", "--seed", "--threads", "--agents", "--steps", "--set", "--quiet"):
        assert option in out


def test_top_level_help(stackrace):
    result = stackrace("--help")
    assert result.returncode == 0
    for command in ("run", "validate", "info"):
        assert command in result.stdout


def test_quiet_prints_only_the_machine_line(stackrace, worlds_dir, tmp_path):
    output = tmp_path / "q.h5"
    result = stackrace("run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 3, "--quiet", "-o", output)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    match = MACHINE_LINE.match(lines[0])
    assert match and match.group(2) == "3" and match.group(5) == str(output)
    assert result.stderr == ""


def test_no_progress_bar_when_stderr_is_not_a_terminal(stackrace, worlds_dir, tmp_path):
    result = stackrace("run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 3, "-o", tmp_path / "p.h5")
    assert result.returncode == 0
    assert result.stderr == ""


def run_with_terminal_stderr(stackrace_bin, *args):
    """Runs stackrace with stderr on a pseudo-terminal; returns (exit status, what it wrote there)."""
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [str(stackrace_bin), *map(str, args)], stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL
        )
        os.close(slave)
        slave = None
        written = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            written += chunk
        return process.wait(timeout=60), written.decode(errors="replace")
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


def test_progress_bar_on_a_terminal(stackrace_bin, worlds_dir, tmp_path):
    status, written = run_with_terminal_stderr(
        stackrace_bin, "run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 3, "-o", tmp_path / "t.h5"
    )
    assert status == 0
    assert "ETA" in written, repr(written)


def test_quiet_has_no_progress_bar_on_a_terminal(stackrace_bin, worlds_dir, tmp_path):
    status, written = run_with_terminal_stderr(
        stackrace_bin, "run", worlds_dir / "default.toml", "--agents", 5000, "--steps", 3, "--quiet", "-o", tmp_path / "t.h5"
    )
    assert status == 0
    assert written == "", repr(written)


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_no_file(stackrace_bin, worlds_dir, tmp_path, signal_name):
    """A run stopped half way removes its temporary file and writes no result."""
    folder = tmp_path / "out"
    output = folder / "x.h5"
    # Long enough (minutes) that it is still running when the signal comes.
    process = subprocess.Popen(
        [str(stackrace_bin), "run", str(worlds_dir / "bench-meanfield.toml"), "--agents", "4000000",
         "--steps", "12000", "--quiet", "-o", str(output)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    try:
        partial = folder / "x.h5.partial"
        deadline = time.monotonic() + 30
        while not partial.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert partial.exists(), "the run writes to a temporary name first"
        time.sleep(0.2)
        process.send_signal(getattr(signal, signal_name))
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not any(MACHINE_LINE.match(line) for line in stdout.splitlines())
    assert list(folder.iterdir()) == []


def special_file(kind, path):
    """Makes a FIFO or a folder at `path`: outputs that are not regular files."""
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


def is_still(kind, path):
    mode = os.lstat(path).st_mode
    return stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISDIR(mode) and not any(path.iterdir())


def small_command(command, worlds_dir, folder):
    """The arguments of a small `command` (run, compare, sweep or calibrate) over the
    default world, all but its output: for tests of what -o accepts. A sweep's file is
    written into `folder`."""
    scenario = worlds_dir / "default.toml"
    small = ("--agents", 5000, "--steps", 2)
    if command == "run":
        return ("run", scenario, *small)
    if command == "compare":
        return ("compare", scenario, scenario, "--replicates", 2, *small)
    if command == "sweep":
        return ("sweep", write_sweep(folder, 'design = "grid"\nagents = 5000\nsteps = 2\n[[parameters]]\n'
                                             'key = "stacks.cn_open.price"\nvalues = [0.5]\n'))
    return ("calibrate", worlds_dir / "calibrations" / "hindcast_2023_to_2024.toml")


@pytest.mark.parametrize("kind", ["fifo", "folder"])
@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_an_output_that_is_not_a_regular_file_is_refused(stackrace, worlds_dir, tmp_path, command, kind):
    # -o names the user's file: a FIFO, a device or a folder there is not one to replace.
    # Exit 2 (input), with the reason, before anything runs, and the special file untouched.
    output = special_file(kind, tmp_path / "out.h5")
    result = stackrace(*small_command(command, worlds_dir, tmp_path), "--quiet", "-o", output, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"stackrace: {output}: not a regular file"), result.stderr
    assert is_still(kind, output), "the special file must be left as it was"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.h5"] + (["s.toml"] if command == "sweep" else []))


def refused_name(kind, folder):
    """An output path the file system refuses by its name: longer than a file name may be
    (NAME_MAX is 255 bytes), or a symbolic link into a loop."""
    if kind == "long":
        return folder / ("x" * 300 + ".h5")
    (folder / "a.h5").symlink_to("b.h5")
    (folder / "b.h5").symlink_to("a.h5")
    return folder / "a.h5"


@pytest.mark.parametrize("kind", ["long", "loop"])
@pytest.mark.parametrize("command", ["run", "compare", "sweep", "calibrate"])
def test_an_output_path_the_file_system_refuses_is_bad_input(stackrace, worlds_dir, tmp_path, command, kind):
    # The path given is at fault, not the machine: exit 2 with the file system's reason,
    # before anything runs, and nothing written.
    folder = tmp_path / "out"
    folder.mkdir()
    output = refused_name(kind, folder)
    before = sorted(p.name for p in folder.iterdir())
    result = stackrace(*small_command(command, worlds_dir, tmp_path), "--quiet", "-o", output, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    reason = "File name too long" if kind == "long" else "Too many levels of symbolic links"
    assert f"stackrace: {output}: the file system refuses the path: {reason}" in result.stderr, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out"] + (["s.toml"] if command == "sweep" else []))


def test_list_names_every_shipped_scenario_and_sweep(stackrace, worlds_dir, tmp_path):
    result = stackrace("list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shipped = [p.relative_to(worlds_dir).as_posix() for folder in (".", "policies", "race", "sweeps")
               for p in (worlds_dir / folder).glob("*.toml")]
    assert len(shipped) >= 12
    for path in shipped:
        assert f"  {path}\n" in result.stdout, path
    assert "no_controls: the calibrated default world with no policy at all" in result.stdout


def test_shipped_scenarios_are_found_from_any_folder(stackrace, tmp_path):
    # tmp_path holds no policies/ folder: the shipped worlds do.
    out = tmp_path / "c.h5"
    result = stackrace("compare", "policies/no_controls.toml", "policies/full_embargo.toml", "-r", "2",
                       "--agents", "2000", "--steps", "2", "-o", out, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stackrace("validate", "sweeps/example.toml", cwd=tmp_path).returncode == 2  # a sweep is no scenario
    missing = stackrace("validate", "policies/no_such_policy.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "policies/no_such_policy.toml" in missing.stderr
    # A file of that name where the command runs comes first.
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "no_controls.toml").write_text("[scenario]\nname = 7\n")
    local = stackrace("validate", "policies/no_controls.toml", cwd=tmp_path)
    assert local.returncode == 2 and "scenario.name" in local.stderr


def test_run_replicates_are_comparisons_replicates(stackrace, worlds_dir, tmp_path):
    # Replicate i has seed + i: replicate 0 is the single run, and the replicates are
    # the base arm of a comparison with the same seed, bit for bit.
    common = ["--agents", "20000", "--steps", "6", "--seed", "5", "--quiet"]
    assert stackrace("run", worlds_dir / "default.toml", "-r", "3", "-o", tmp_path / "r.h5", *common).returncode == 0
    assert stackrace("run", worlds_dir / "default.toml", "-o", tmp_path / "one.h5", *common).returncode == 0
    assert stackrace("compare", worlds_dir / "default.toml", worlds_dir / "default.toml", "-r", "3",
                     "-o", tmp_path / "c.h5", *common).returncode == 0
    with h5py.File(tmp_path / "r.h5") as r, h5py.File(tmp_path / "one.h5") as one, h5py.File(tmp_path / "c.h5") as c:
        assert list(r["seed"][()]) == [5, 6, 7] and list(r["status"][()]) == [1, 1, 1]
        assert r["share"][0].tobytes() == one["share"][0].tobytes()
        assert r["share"][()].tobytes() == c["share"][:3].tobytes()
        assert r["share"][1].tobytes() != r["share"][0].tobytes()


def test_one_to_one_runs_one_agent_per_real_developer_and_firm(stackrace, tmp_path):
    # The tiny world's countries with their own developer and firm counts, fractional as
    # real estimates are: the agents are the counts rounded, each weighing (about) one.
    world = TINY_WORLD.replace("firm_agents = 0", "firm_agents = 5").replace(
        "developers = 1000.0\n", "developers = 1000.0\nfirms = 250.3\n"
    ).replace('id = "DEU"', 'id = "DEU"\ndevelopers = 700.4').replace('id = "CHN"', 'id = "CHN"\ndevelopers = 2000.2')
    (tmp_path / "tiny.toml").write_text(world)
    output = tmp_path / "one.h5"
    result = stackrace("run", tmp_path / "tiny.toml", "--one-to-one", "--steps", 3, "--quiet", "-o", output)
    assert result.returncode == 0, result.stderr
    developers, firms, governments = round(1000.0 + 700.4 + 2000.2), round(3 * 250.3), 3
    assert int(MACHINE_LINE.match(result.stdout.splitlines()[-1]).group(1)) == developers + firms + governments
    with h5py.File(output, "r") as f:
        kinds = [k.decode() if isinstance(k, bytes) else str(k) for k in f["kind"][()]]
        agents = f["agents"][()]
        weight = f["weight"][()]
    developer, firm = kinds.index("developer"), kinds.index("firm")
    assert agents[:, developer].sum() == developers and agents[:, firm].sum() == firms
    assert abs(weight[:, developer] - 1).max() < 0.01 and abs(weight[:, firm] - 1).max() < 0.01
    # It sets the counts: --agents with it is a contradiction, refused.
    refused = stackrace("run", tmp_path / "tiny.toml", "--one-to-one", "--agents", 100, "--quiet", "-o", output)
    assert refused.returncode == 2 and "--agents" in refused.stderr
