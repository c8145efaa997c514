"""`stackrace sweep`: designs written into the file, determinism across thread counts,
failed runs recorded, and a sweep killed at any moment resumed to the same file."""
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import xarray as xr

from conftest import (BINARY, WORLDS_DIR, kill_sweep_mid_way, scenario_of_files, text, wait_until_some_runs_are_done,
                      write_sweep)


GRID = """design = "grid"
replicates = 2
seed = 3
agents = 20000
steps = 12

[[parameters]]
key = "choice.developer.switching_cost"
name = "switching_cost"
values = [0.0, 1.0]

[[parameters]]
key = "stacks.cn_open.price"
name = "cn_open_price"
range = [0.1, 0.5]
steps = 3
"""


def shares(path):
    with h5py.File(path, "r") as f:
        return f["share"][()], f["global_share"][()], f["status"][()]


def test_grid_sweep_writes_its_design(stackrace, tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    out = tmp_path / "grid.h5"
    result = stackrace("sweep", sweep, "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "runs=12 done=12 failed=0 pending=0" in result.stdout.splitlines()[-1]
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(f["param_switching_cost"][()], [0.0] * 6 + [1.0] * 6)
        np.testing.assert_allclose(f["param_cn_open_price"][()], [0.1, 0.1, 0.3, 0.3, 0.5, 0.5] * 2)
        np.testing.assert_array_equal(f["replicate"][()], [0, 1] * 6)
        np.testing.assert_array_equal(f["design_point"][()], np.repeat(np.arange(6), 2))
        np.testing.assert_array_equal(f["seed"][()], [3, 4] * 6)
        np.testing.assert_array_equal(f["status"][()], [1] * 12)
        assert f.attrs["design"] == "grid" and "[[parameters]]" in text(f, "sweep_toml")
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.param_cn_open_price.dims == ("run",)
        # A cheaper cn_open stack wins more developers (same seeds: common random numbers).
        end = ds.global_share.isel(time=-1).sel(kind="developer", stack="cn_open")
        by_price = end.groupby(ds.param_cn_open_price).mean()
        assert by_price.values[0] > by_price.values[-1]


def swept_policy(stackrace, tmp_path, policy, name, body):
    """A grid sweep over a shipped policy scenario (20,000 agents), run; its file's path."""
    sweep = tmp_path / f"{name}.toml"
    sweep.write_text(f'[sweep]\nbase = "{WORLDS_DIR / "policies" / policy}"\nname = "{name}"\n'
                     'design = "grid"\nagents = 20000\n' + body)
    out = tmp_path / f"{name}.h5"
    result = stackrace("sweep", sweep, "-o", out, "--quiet")
    assert result.returncode == 0, result.stderr
    return out


def test_policy_levers_given_as_text_are_swept(stackrace, tmp_path):
    # A policy's start month and its access mode, addressed by the policy's id.
    out = swept_policy(stackrace, tmp_path, "ai_diffusion_rule_2025.toml", "levers",
                       'steps = 24\n[[parameters]]\nkey = "policies.tier2_caps.start"\nname = "caps_start"\n'
                       'values = ["2026-01", "2030-01"]\n'
                       '[[parameters]]\nkey = "policies.tier2_caps.access"\nname = "access"\n'
                       'values = ["capped", "embargoed"]\n')
    with h5py.File(out, "r") as f:
        assert list(f["status"][()]) == [1, 1, 1, 1]
        # Codes into the labels, in design order (the first parameter varies slowest).
        np.testing.assert_array_equal(f["param_caps_start"][()], [0, 0, 1, 1])
        np.testing.assert_array_equal(f["param_access"][()], [0, 1, 0, 1])
        unmet = f["unmet_compute"][()]  # (run, time, country)
    # Caps from 2030 are not in force within the 24 months; from 2026 they are, and an
    # embargo restricts more than a cap.
    assert unmet[2].max() == unmet[3].max()
    with h5py.File(out, "r") as f:
        india = [c.decode() if isinstance(c, bytes) else c for c in f["country"][()]].index("IND")
    assert unmet[1, 12, india] > unmet[0, 12, india] > unmet[2, 12, india]


def test_a_switch_is_swept_on_and_off(stackrace, tmp_path):
    out = swept_policy(stackrace, tmp_path, "full_embargo.toml", "switch",
                       'steps = 60\n[[parameters]]\nkey = "feedback.lag_pricing"\nname = "lag_pricing"\n'
                       'values = [false, true]\n')
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(f["param_lag_pricing"][()], [0, 1])
        cn_open = f["price"][:, -1, 2]
    # The embargo widens cn_open's lag: priced along the fixed-capability path, it is cheaper.
    assert cn_open[1] < cn_open[0]


def test_text_values_must_be_text_throughout(stackrace, tmp_path):
    sweep = write_sweep(tmp_path, 'design = "grid"\n[[parameters]]\nkey = "policies.x.start"\n'
                                  'values = ["2026-01", 3]\n', "mixed")
    result = stackrace("sweep", sweep, "-o", tmp_path / "mixed.h5")
    assert result.returncode == 2 and "parameters[0].values[1]" in result.stderr, result.stderr
    assert not (tmp_path / "mixed.h5").exists()


def test_sweep_is_bit_identical_on_one_and_two_threads(stackrace, tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    assert stackrace("sweep", sweep, "-o", one, "--threads", 1, "--quiet").returncode == 0
    assert stackrace("sweep", sweep, "-o", two, "--threads", 2, "--quiet").returncode == 0
    for a, b in zip(shares(one), shares(two)):
        assert a.tobytes() == b.tobytes()


def test_a_run_the_model_refuses_is_recorded_and_the_others_go_on(stackrace, tmp_path):
    # revise drawn from a normal around 0.5 with sd 1: about a third of the draws fall
    # outside [0, 1], which the scenario refuses when that run is built.
    sweep = write_sweep(tmp_path, """design = "random"
samples = 12
agents = 5000
steps = 6

[[parameters]]
key = "choice.developer.revise"
mean = 0.5
sd = 1.0
""")
    out = tmp_path / "faults.h5"
    result = stackrace("sweep", sweep, "-o", out, "--quiet")
    assert result.returncode == 0, result.stderr
    with h5py.File(out, "r") as f:
        status, revise = f["status"][()], f["param_choice_developer_revise"][()]
        # netCDF's char array: a message's bytes, padded with nulls.
        errors = [row.tobytes().rstrip(b"\0").decode() for row in f["error"][()]]
    bad = (revise < 0) | (revise > 1)
    assert bad.any() and (~bad).any()
    np.testing.assert_array_equal(status, np.where(bad, 2, 1))
    for e, b in zip(errors, bad):
        assert ("choice.developer.revise" in e and "out of range" in e) if b else e == ""


def test_bad_sweep_input_is_refused(stackrace, tmp_path):
    cases = {
        "unknown key": ('design = "grid"\ncolour = 1\n[[parameters]]\nkey = "stacks.cn_open.price"\nvalues = [0.2]\n',
                        "sweep.colour: unknown key"),
        "bad design": ('design = "orthogonal"\n[[parameters]]\nkey = "stacks.cn_open.price"\nvalues = [0.2]\n',
                       "sweep.design: 'orthogonal' is not one of"),
        "refused value": ('design = "grid"\n[[parameters]]\nkey = "stacks.cn_open.price"\nvalues = [0.2, -1.0]\n',
                          "parameters[0].key: the base scenario refuses stacks.cn_open.price=-1"),
        "unknown key path": ('design = "grid"\n[[parameters]]\nkey = "stacks.cn_open.colour"\nvalues = [1]\n',
                             "stacks[2].colour: unknown key"),
        "grid without levels": ('design = "grid"\n[[parameters]]\nkey = "stacks.cn_open.price"\nrange = [0.1, 0.5]\n',
                                "parameters[0].steps: required key is missing"),
    }
    for label, (body, message) in cases.items():
        sweep = write_sweep(tmp_path, body, name="bad")
        result = stackrace("sweep", sweep, "-o", tmp_path / "bad.h5")
        assert result.returncode == 2, label
        assert str(sweep) in result.stderr and message in result.stderr, (label, result.stderr)
        assert not (tmp_path / "bad.h5").exists(), label


RESUMABLE = """design = "latin_hypercube"
samples = 16
seed = 5
agents = 400000
steps = 60

[[parameters]]
key = "stacks.cn_open.price"
range = [0.1, 0.6]
"""


def test_a_killed_sweep_leaves_its_finished_runs_and_resumes_to_the_same_file(stackrace, tmp_path):
    sweep = write_sweep(tmp_path, RESUMABLE)
    whole = tmp_path / "whole.h5"
    assert stackrace("sweep", sweep, "-o", whole, "--quiet").returncode == 0
    cut = tmp_path / "cut.h5"
    kill_sweep_mid_way(sweep, cut)
    with h5py.File(cut, "r", swmr=True) as f:  # readable as it was left
        status = f["status"][()]
        finished = status == 1
        assert 0 < finished.sum() < len(status)
        assert np.isfinite(f["share"][finished]).all()
    info = stackrace("info", cut)
    assert info.returncode == 0 and "pending" in info.stdout, info.stderr
    resumed = stackrace("sweep", sweep, "-o", cut, "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    for a, b in zip(shares(whole), shares(cut)):
        assert a.tobytes() == b.tobytes()


def interrupted_sweep(tmp_path, name, sweep=None):
    """A resumable sweep (`sweep`, by default RESUMABLE over the default world) stopped by
    SIGINT with some of its runs done: (sweep, output)."""
    sweep = sweep or write_sweep(tmp_path, RESUMABLE)
    out = tmp_path / name
    proc = subprocess.Popen([str(BINARY), "sweep", str(sweep), "-o", str(out), "--quiet", "--threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_some_runs_are_done(out, proc)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    return sweep, out


def test_a_kill_while_the_file_is_made_leaves_no_dead_file(stackrace, tmp_path):
    # Killed at moments spread over the sweep's first tenth of a second (the base is read,
    # the file made, the design written): the output either does not exist — a fresh
    # sweep then starts, whatever PATH.partial was left — or opens and resumes.
    sweep = write_sweep(tmp_path, RESUMABLE.replace("agents = 400000", "agents = 40000"))
    out = tmp_path / "early.h5"
    outcomes = set()
    for delay in (0.0, 0.005, 0.01, 0.02, 0.03, 0.04, 0.06, 0.08, 0.12):
        out.unlink(missing_ok=True)
        proc = subprocess.Popen([str(BINARY), "sweep", str(sweep), "-o", str(out), "--quiet", "--threads", "1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            outcomes.add("file")
            info = stackrace("info", out, timeout=30)
            assert info.returncode == 0, f"killed after {delay} s: info says\n{info.stderr}"
            resumed = stackrace("sweep", sweep, "-o", out, "--resume", "--quiet", timeout=120)
            assert resumed.returncode == 0, f"killed after {delay} s: resume says\n{resumed.stderr}"
        else:
            outcomes.add("none")
            fresh = stackrace("sweep", sweep, "-o", out, "--quiet", timeout=120)
            assert fresh.returncode == 0, f"killed after {delay} s: a fresh sweep says\n{fresh.stderr}"
        with h5py.File(out, "r") as f:
            assert (f["status"][()] == 1).all()
    assert outcomes  # (which ones depends on the machine's speed)


def killed_sweep_cut_short(tmp_path, keep_bytes):
    """A sweep killed with SIGKILL (its file still marked as written in SWMR mode), then
    cut to its first `keep_bytes` bytes, as a copy broken off or a full disk leaves it."""
    sweep = write_sweep(tmp_path, RESUMABLE)
    out = tmp_path / "cut_short.h5"
    kill_sweep_mid_way(sweep, out)
    with open(out, "r+b") as f:
        f.truncate(keep_bytes)
    return sweep, out


def test_info_and_resume_give_up_quickly_on_a_checkpoint_cut_short(stackrace, tmp_path):
    # Its metadata fails its checksums for good: HDF5's SWMR reader retried each read 100
    # times, doubling its sleep each time, and `info` ran past ten minutes.
    sweep, out = killed_sweep_cut_short(tmp_path, 20000)
    began = time.monotonic()
    info = stackrace("info", out, timeout=60)
    assert info.returncode == 2 and f"stackrace: {out}:" in info.stderr, info.stderr
    resumed = stackrace("sweep", sweep, "-o", out, "--resume", "--quiet", timeout=60)
    assert resumed.returncode == 2 and f"stackrace: {out}:" in resumed.stderr, resumed.stderr
    assert time.monotonic() - began < 20


def test_info_refuses_a_checkpoint_whose_runs_are_cut_off(stackrace, tmp_path):
    # Cut past its metadata, into its runs' chunks: info opens it, then a chunk read
    # from beyond the end fails to inflate. The file is damaged, bad input (exit 2), not a
    # machine that failed (it said exit 1).
    sweep = write_sweep(tmp_path, RESUMABLE)
    out = tmp_path / "cut_off.h5"
    kill_sweep_mid_way(sweep, out)
    whole = out.read_bytes()
    cut_in_data = 0
    for fraction in (0.2, 0.3, 0.5, 0.8):
        out.write_bytes(whole[:int(len(whole) * fraction)])
        info = stackrace("info", out, timeout=60)
        assert info.returncode in (0, 2), (fraction, info.stderr)
        if "cannot read dataset" in info.stderr:
            cut_in_data += 1
            assert info.returncode == 2 and info.stderr.startswith(f"stackrace: {out}: "), info.stderr
    assert cut_in_data, "no cut fell into the runs' chunks"


@pytest.mark.parametrize("keep_bytes", [0, 48])
def test_a_file_cut_to_nothing_is_refused_as_no_complete_sweep_file(stackrace, tmp_path, keep_bytes):
    # A sweep never leaves such a file (it makes its file aside and renames it whole), but
    # a copy broken off or a full disk may: each command says so, exit 2, none hangs.
    sweep, out = killed_sweep_cut_short(tmp_path, keep_bytes)
    info = stackrace("info", out, timeout=60)
    assert info.returncode == 2 and f"stackrace: {out}:" in info.stderr, info.stderr
    resumed = stackrace("sweep", sweep, "-o", out, "--resume", "--quiet", timeout=60)
    assert resumed.returncode == 2, resumed.stderr
    assert f"stackrace: {out}: --resume: not a complete sweep file, start afresh or delete it" in resumed.stderr
    fresh = stackrace("sweep", sweep, "-o", out, "--quiet", timeout=60)
    assert fresh.returncode == 2 and "the output exists" in fresh.stderr, fresh.stderr


def test_resume_refuses_a_file_drawn_with_other_random_numbers(stackrace, tmp_path):
    # A file from a stackrace with other random numbers (before `random_numbers` was
    # stored, SplitMix64) would get unfinished runs that do not match its finished ones.
    sweep, out = interrupted_sweep(tmp_path, "older.h5")
    with h5py.File(out, "r+") as f:
        assert f.attrs["random_numbers"] == "wyrand-2"
        del f.attrs["random_numbers"]
    result = stackrace("sweep", sweep, "-o", out, "--resume", "--quiet")
    assert result.returncode == 2
    assert f"stackrace: {out}: --resume: this file's runs were drawn with other random numbers" in result.stderr


def test_resume_refuses_a_file_from_before_the_texts_were_datasets(stackrace, tmp_path):
    # Format 3 and before kept the scenario and the sweep in root attributes: such a file
    # is not resumed into a format-4 file.
    sweep, out = interrupted_sweep(tmp_path, "format3.h5")
    with h5py.File(out, "r+") as f:
        f.attrs["scenario"], f.attrs["sweep"] = text(f, "scenario_toml"), text(f, "sweep_toml")
        del f["scenario_toml"], f["sweep_toml"]
    result = stackrace("sweep", sweep, "-o", out, "--resume", "--quiet")
    assert result.returncode == 2
    assert f"stackrace: {out}: --resume: this file was written by an older stackrace" in result.stderr


@pytest.mark.parametrize("change", ["extended file", "country table"])
def test_resume_refuses_a_file_whose_base_has_changed(stackrace, tmp_path, change):
    # The sweep's own text is unchanged; what its base is made of is not.
    base, middle, table = scenario_of_files(tmp_path, WORLDS_DIR / "default.toml")
    sweep = tmp_path / "changed.toml"
    sweep.write_text(f'[sweep]\nbase = "{base}"\nname = "changed"\n' + RESUMABLE)
    sweep, out = interrupted_sweep(tmp_path, "changed.h5", sweep)
    if change == "extended file":
        middle.write_text(middle.read_text() + "[choice.developer]\nrevise = 0.2\n")
    else:
        table.write_text(table.read_text().replace("AFG,Afghanistan", "AFG,Afghanistan (renamed)"))
    with h5py.File(out, "r") as f:
        before = f["share"][()].tobytes(), f["status"][()].tobytes()
    result = stackrace("sweep", sweep, "-o", out, "--resume", "--quiet")
    assert result.returncode == 2, result.stderr
    assert f"--resume: the base scenario {base}" in result.stderr and "has changed" in result.stderr
    with h5py.File(out, "r") as f:  # the file is left as it was
        assert (f["share"][()].tobytes(), f["status"][()].tobytes()) == before


def test_resume_refuses_a_file_chunked_otherwise(stackrace, tmp_path):
    # Before `share` was chunked per kind, a run's shares were one chunk: this stackrace
    # writes a run's chunks at kind offsets, which such a file cannot take.
    sweep, out = interrupted_sweep(tmp_path, "whole_runs.h5")
    with h5py.File(out, "r+") as f:
        shape = f["share"].shape
        assert f["share"].chunks == (1,) + shape[1:3] + (1, shape[4])
        del f["share"]
        f.create_dataset("share", shape, dtype="f4", chunks=(1,) + shape[1:], compression="gzip")
    result = stackrace("sweep", sweep, "-o", out, "--resume", "--quiet")
    assert result.returncode == 2
    assert f"stackrace: {out}: --resume: this file's datasets are chunked otherwise" in result.stderr


def test_sigint_stops_cleanly_and_resume_finishes(stackrace, tmp_path):
    sweep = write_sweep(tmp_path, RESUMABLE)
    out = tmp_path / "int.h5"
    proc = subprocess.Popen([str(BINARY), "sweep", str(sweep), "-o", str(out), "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_some_runs_are_done(out, proc)
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "--resume" in stdout
    with h5py.File(out, "r") as f:  # closed cleanly: an ordinary open works
        assert (f["status"][()] == 0).any()
    assert stackrace("sweep", sweep, "-o", out, "--resume", "--quiet").returncode == 0
    with h5py.File(out, "r") as f:
        assert (f["status"][()] == 1).all()
    assert stackrace("sweep", sweep, "-o", out, "--quiet").returncode == 2  # exists: resume or remove


SMALL = """design = "grid"
agents = 5000
steps = 2

[[parameters]]
key = "stacks.cn_open.price"
values = [0.2, 0.3]
"""


def test_output_problems_name_the_file_and_the_cause(stackrace, run_to_file, worlds_dir, tmp_path):
    # Exit 2 where the file given cannot be taken (nothing is written), 1 where writing fails.
    sweep = write_sweep(tmp_path, SMALL)
    out = tmp_path / "small.h5"
    assert stackrace("sweep", sweep, "-o", out, "--quiet").returncode == 0
    other = write_sweep(tmp_path, SMALL.replace("0.3", "0.4"), name="other")
    text = tmp_path / "notes.h5"
    text.write_text("not an HDF5 file\n")
    run_file = run_to_file(worlds_dir / "default.toml", "--agents", 5000, "--steps", 2)
    cases = [
        (("-o", out), 2, f"stackrace: {out}: the output exists: resume it with --resume, or remove it"),
        (("-o", tmp_path / "missing.h5", "--resume"), 2,
         f"stackrace: {tmp_path / 'missing.h5'}: --resume: no sweep file to resume"),
        (("-o", run_file, "--resume"), 2, f"stackrace: {run_file}: --resume: not a sweep's file (written by stackrace run)"),
        (("-o", text, "--resume"), 2, f"stackrace: {text}: --resume: not a complete sweep file, start afresh or delete "
                                      "it: cannot reopen the file for writing; HDF5's error stack:"),
        (("-o", text / "x.h5"), 1, f"stackrace: {text / 'x.h5'}: cannot create its folder {text}: Not a directory"),
    ]
    for args, status, message in cases:
        result = stackrace("sweep", sweep, "--quiet", *args)
        assert result.returncode == status, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert ":1:1:" not in result.stderr
    # HDF5's own account of why the text file is no HDF5 file comes with it.
    assert "file signature not found" in stackrace("sweep", sweep, "-o", text, "--resume").stderr
    result = stackrace("sweep", other, "-o", out, "--resume", "--quiet")
    assert result.returncode == 2
    assert f"stackrace: {out}: --resume: this file was written by a different sweep than {other}" in result.stderr


@pytest.mark.parametrize("name", ["../../escaped", "sub/name", "back\\\\slash", "", "..", "a\\u0000b", "a\\nb",
                                  "x" * 101],
                         ids=["dot-dot-slash", "slash", "backslash", "empty", "dot-dot", "nul", "newline", "too-long"])
def test_a_sweep_name_that_is_no_file_name_is_refused(stackrace, tmp_path, name):
    # [sweep] name names results/<name>.h5, as scenario.name does: the same rule, so that
    # a sweep writes one file inside results/ (a NUL cut the path short: "a\\u0000b" wrote
    # results/a).
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    sweep = tmp_path / "bad.toml"
    sweep.write_text(f'[sweep]\nbase = "{WORLDS_DIR / "default.toml"}"\nname = "{name}"\ndesign = "grid"\n'
                     'agents = 5000\nsteps = 2\n[[parameters]]\nkey = "stacks.cn_open.price"\nvalues = [0.5]\n')
    result = stackrace("sweep", sweep, "--quiet", cwd=work)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{sweep}:3:8: sweep.name: must be a non-empty name of at most 100 bytes without "
                                    "slashes, backslashes, '..' or control characters"), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "work"]
    assert list(work.iterdir()) == []


def test_a_design_too_large_to_run_is_refused_before_it_is_built(stackrace, tmp_path):
    # Two parameters of 100,000 values: 10^10 runs. Refused at once, in little memory.
    sweep = write_sweep(tmp_path, 'design = "grid"\n'
                                  '[[parameters]]\nkey = "stacks.cn_open.price"\nrange = [0.1, 1.0]\nsteps = 100000\n'
                                  '[[parameters]]\nkey = "stacks.us_closed.price"\nrange = [1.0, 5.0]\nsteps = 100000\n',
                        "huge")
    result = stackrace("sweep", sweep, "-o", tmp_path / "huge.h5", timeout=20)
    assert result.returncode == 2
    assert "sweep: the design has 1e+10 runs" in result.stderr
    assert not (tmp_path / "huge.h5").exists()
