"""`stackrace calibrate`: ABC-SMC against the record into one checkpointed file that
xarray opens; the same file on any thread count and after a SIGKILL and --resume; bad
calibration and record files refused with their file, line, column and key (exit 2)
and nothing written."""
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

from conftest import BINARY, WORLDS_DIR, scenario_of_files, text, tiny_calibration

BODY = """
[calibration]
scenario = "{world}"
record = "{record}"
quantities = ["adoption"]
agents = 20000
particles = 40
simulations = {simulations}
seed = 3
{extra}
[[parameters]]
key = "adoption.developer.imitation"
range = [0.005, 0.5]
distribution = "loguniform"

[[parameters]]
key = "adoption.firm.imitation"
range = [0.003, 0.3]
distribution = "loguniform"
"""


def write_calibration(folder, name="cal", simulations=600, extra="", record=None):
    """A calibration file; `extra` adds a line to [calibration] (or replaces the line of
    the key it sets)."""
    path = folder / f"{name}.toml"
    text = BODY.format(world=WORLDS_DIR / "hindcast_2023.toml", record=record or WORLDS_DIR / "record" / "record.csv",
                       simulations=simulations, extra=extra)
    if extra.startswith("quantities"):
        text = text.replace('quantities = ["adoption"]\n', "", 1)
    path.write_text(text)
    return path


def calibrate(*args, timeout=300):
    return subprocess.run([str(BINARY), "calibrate", *map(str, args)], capture_output=True, text=True, timeout=timeout)


def assert_same_particles(path, other):
    for a, b in zip(particles(path), particles(other)):
        np.testing.assert_array_equal(a, b)


def started(spec, out, **popen):
    """A calibration under way, once its first checkpoint is on disk."""
    proc = subprocess.Popen([str(BINARY), "calibrate", str(spec), "-o", str(out), "--threads", "1", "-q"], **popen)
    deadline = time.monotonic() + 120
    while not out.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    return proc


def particles(path):
    with h5py.File(path, "r") as f:
        return f["theta"][()], f["distance2"][()], f["tolerance"][()]


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibrate")
    spec = write_calibration(folder)
    out = folder / "cal.h5"
    result = calibrate(spec, "-o", out, "--threads", "1")
    assert result.returncode == 0, result.stderr
    return spec, out, result


def test_a_calibration_writes_its_generations_and_the_targets(calibrated):
    spec, out, result = calibrated
    assert "simulations_per_hour=" in result.stdout.splitlines()[-1]
    with h5py.File(out, "r") as f:
        assert f.attrs["command"] == "calibrate"
        G, N, P = f["theta"].shape
        assert (N, P) == (40, 2)
        assert f["summary"].shape[:2] == (G, N)
        np.testing.assert_array_equal(f["weight"][()], np.full((G, N), 1 / 40))
        tolerance = f["tolerance"][()]
        assert np.isinf(tolerance[0]) and (np.diff(tolerance) <= 0).all()
        assert f["simulations"][-1] <= 600
        # Only adoption targets, as the file asked.
        assert {q.decode() for q in f["target_quantity"][()]} == {"adoption"}
        # Particles stay inside their log-uniform priors.
        theta = f["theta"][()]
        assert (theta[..., 0] >= 0.005).all() and (theta[..., 0] <= 0.5).all()
    assert not out.with_name(out.name + ".partial").exists()


def test_the_same_calibration_on_two_threads_is_bit_identical(calibrated, tmp_path):
    spec, out, _ = calibrated
    two = tmp_path / "two.h5"
    result = calibrate(spec, "-o", two, "--threads", "2", "-q")
    assert result.returncode == 0, result.stderr
    assert_same_particles(out, two)


def test_a_killed_calibration_resumes_to_the_same_file(calibrated, tmp_path):
    spec, out, _ = calibrated
    cut = tmp_path / "cut.h5"
    proc = started(spec, cut, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)  # a step or two more
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert cut.exists(), "no checkpoint before the kill"
    with h5py.File(cut, "r") as f:
        assert f["theta"].shape[0] >= 1  # whole: it opens, with its generations
    resumed = calibrate(spec, "-o", cut, "--resume", "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_particles(out, cut)


def mpi_calibrate(ranks, *args):
    from test_sweep_mpi import MPIRUN, mpi_environment
    command = MPIRUN[:-1] + [str(ranks), str(BINARY), "calibrate", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=mpi_environment(), timeout=300)


def test_three_ranks_calibrate_to_the_same_file_as_one_process(calibrated, tmp_path):
    # Each step's simulations split across the ranks, every result gathered on every
    # rank: the same particles, distances and summaries, bit for bit; rank 0 alone speaks.
    spec, out, _ = calibrated
    three = tmp_path / "three.h5"
    result = mpi_calibrate(3, spec, "-o", three, "--threads", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("generations=") == 1, result.stdout
    assert result.stderr.count("Calibrating 2 parameters") == 1, result.stderr
    assert_same_particles(out, three)
    with h5py.File(out, "r") as a, h5py.File(three, "r") as b:
        for name in ("summary", "state_noise", "state_summary", "simulations"):
            assert a[name][()].tobytes() == b[name][()].tobytes(), name


def test_a_killed_calibration_resumes_across_ranks(calibrated, tmp_path):
    spec, out, _ = calibrated
    cut = tmp_path / "cut.h5"
    proc = started(spec, cut, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert cut.exists(), "no checkpoint before the kill"
    resumed = mpi_calibrate(2, spec, "-o", cut, "--resume", "--threads", "1", "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_particles(out, cut)
    # An output that exists is refused once, by rank 0, and every rank ends.
    again = mpi_calibrate(2, spec, "-o", cut, "-q")
    assert again.returncode == 2
    assert again.stderr.count("the output exists") == 1, again.stderr


def test_the_check_across_ranks_gives_what_one_process_gives(stackrace, tmp_path):
    spec = tiny_calibration(tmp_path, particles=40, simulations=400)
    one = stackrace("calibrate", spec, "--check", "3", "--threads", "1", "-q", timeout=300)
    assert one.returncode == 0, one.stderr
    two = mpi_calibrate(2, spec, "--check", "3", "--threads", "1", "-q")
    assert two.returncode == 0, two.stderr
    drop_time = lambda line: line.rsplit(" seconds=", 1)[0]
    assert two.stdout.count("datasets=3") == 1, two.stdout
    assert drop_time(two.stdout.strip().splitlines()[-1]) == drop_time(one.stdout.strip().splitlines()[-1])


def test_resume_refuses_another_calibrations_file_and_an_existing_output(calibrated, tmp_path):
    spec, out, _ = calibrated
    other = write_calibration(tmp_path, "other", simulations=500)
    result = calibrate(other, "-o", out, "--resume", "-q")
    assert result.returncode == 2
    assert "written by a different calibration" in result.stderr
    again = calibrate(spec, "-o", out, "-q")
    assert again.returncode == 2
    assert "the output exists" in again.stderr


def test_resume_refuses_a_file_from_before_the_texts_were_datasets(calibrated, tmp_path):
    # Format 3 and before kept the calibration, scenario and targets in root attributes.
    spec, out, _ = calibrated
    older = tmp_path / "older.h5"
    shutil.copyfile(out, older)
    with h5py.File(older, "r+") as f:
        for name, attribute in (("calibration_toml", "calibration"), ("scenario_toml", "scenario"),
                                ("targets_csv", "targets")):
            f.attrs[attribute] = text(f, name)
            del f[name]
    result = calibrate(spec, "-o", older, "--resume", "-q")
    assert result.returncode == 2
    assert "--resume: this file was written by an older stackrace" in result.stderr, result.stderr


@pytest.mark.parametrize("change", ["extended file", "country table"])
def test_resume_refuses_a_file_whose_scenario_has_changed(tmp_path, change):
    # The calibration's own text is unchanged; what its scenario is made of is not.
    world, middle, countries = scenario_of_files(tmp_path, WORLDS_DIR / "hindcast_2023.toml")
    spec = tmp_path / "cal.toml"
    spec.write_text(BODY.format(world=world, record=WORLDS_DIR / "record" / "record.csv", simulations=80, extra=""))
    out = tmp_path / "cal.h5"
    assert calibrate(spec, "-o", out, "--threads", "1", "-q").returncode == 0
    if change == "extended file":
        middle.write_text(middle.read_text() + "[choice.developer]\nswitching_cost = 0.9\n")
    else:
        # Afghanistan's developers doubled: data only, no name or key changes.
        text = countries.read_text()
        assert text.count(",47750,") == 1
        countries.write_text(text.replace(",47750,", ",95500,"))
    result = calibrate(spec, "-o", out, "--resume", "-q")
    assert result.returncode == 2, result.stderr
    assert "the scenario (or a file it extends, or its country table) has changed" in result.stderr


def test_sigint_keeps_the_last_checkpoint(calibrated, tmp_path):
    spec, out, _ = calibrated
    cut = tmp_path / "int.h5"
    proc = started(spec, cut, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the calibration finished before the interrupt")
    assert proc.returncode == 130, stderr
    resumed = calibrate(spec, "-o", cut, "--resume", "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_particles(out, cut)


@pytest.mark.parametrize("extra, where, what", [
    ("particles_count = 3", "particles_count", "unknown key"),
    ("quantities = [\"vibes\"]", "calibration.quantities", "not a quantity of the record"),
    ("targets = [\"no_such_target\"]", "calibration.targets", "no target 'no_such_target'"),
    ("interval_coverage = 1.0", "calibration.interval_coverage", "below 1"),
    ("fit_until = \"2024-13\"", "calibration.fit_until", "not a month"),
])
def test_bad_calibration_input_is_refused_with_file_line_and_key(stackrace, tmp_path, extra, where, what):
    spec = write_calibration(tmp_path, extra=extra)
    out = tmp_path / "never.h5"
    result = stackrace("calibrate", spec, "-o", out)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{spec}:"), result.stderr
    assert where in result.stderr and what in result.stderr, result.stderr
    assert not out.exists() and not out.with_name(out.name + ".partial").exists()


def test_a_prior_the_scenario_refuses_is_reported_before_anything_runs(stackrace, tmp_path):
    spec = write_calibration(tmp_path)
    spec.write_text(spec.read_text().replace('range = [0.003, 0.3]\ndistribution = "loguniform"', "range = [-0.3, 0.3]"))
    result = stackrace("calibrate", spec, "-o", tmp_path / "never.h5")
    assert result.returncode == 2
    assert "parameters[1].key: the base scenario refuses adoption.firm.imitation=-0.2999" in result.stderr
    assert "-0.3 is out of range" in result.stderr


def test_a_bad_record_row_is_refused_with_its_line_and_column(stackrace, tmp_path):
    record = tmp_path / "record.csv"
    lines = (WORLDS_DIR / "record" / "record.csv").read_text().splitlines()
    lines[3] = lines[3].replace(",adoption,", ",vibes,", 1)
    record.write_text("\n".join(lines) + "\n")
    spec = write_calibration(tmp_path, record=record)
    result = stackrace("calibrate", spec, "-o", tmp_path / "never.h5")
    assert result.returncode == 2
    assert f"{record}:4:" in result.stderr and "column quantity" in result.stderr, result.stderr


def test_the_check_recovers_known_parameters(stackrace, tmp_path):
    # Simulation-based calibration, small: 30 synthetic datasets from known imitation
    # rates. The truth must lie in the posterior's 90% interval about 90% of the time and
    # in its 50% interval about half the time, and the posterior must be far narrower than
    # the prior (a posterior that is the prior would cover its truth as often). The full
    # check, on the hindcast world, is bench/calibration_speed.py --check.
    spec = tiny_calibration(tmp_path, particles=100, simulations=3000)
    result = stackrace("calibrate", spec, "--check", "30", "-q", timeout=600)
    assert result.returncode == 0, result.stderr
    line = dict(part.split("=") for part in result.stdout.splitlines()[-1].split())
    assert int(line["datasets"]) == 30
    assert 0.75 <= float(line["coverage90"]) <= 1.0, line
    assert 0.25 <= float(line["coverage50"]) <= 0.75, line
    assert float(line["width90"]) < 0.3, line


def test_info_describes_a_calibration_file(calibrated, stackrace):
    _, out, _ = calibrated
    result = stackrace("info", out)
    assert result.returncode == 0, result.stderr
    assert "(a calibration: stackrace calibrate)" in result.stdout
    assert "adoption_developer_imitation" in result.stdout and "loguniform prior" in result.stdout
    with h5py.File(out, "r") as f:
        assert f"{f['theta'].shape[0]} generations of 40 particles" in result.stdout


def test_run_over_posterior_draws(stackrace, tmp_path):
    # Each draw is one of the calibration's last particles (evenly spaced), run with its
    # values set; replicate r of every draw has seed + r, as a sweep's points do.
    spec = tiny_calibration(tmp_path, simulations=600)
    cal = tmp_path / "cal.h5"
    assert calibrate(spec, "-o", cal, "-q").returncode == 0
    out = tmp_path / "post.h5"
    result = stackrace("run", tmp_path / "tiny.toml", "--posterior", cal, "--draws", "3", "--replicates", "2",
                       "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "draws=3" in result.stdout
    with h5py.File(cal, "r") as f:
        last = f["theta"][-1, :, 0]
    with h5py.File(out, "r") as f:
        assert f.attrs["posterior"] == str(cal)
        np.testing.assert_array_equal(f["posterior_particle"][()], [0, 0, 20, 20, 40, 40])
        np.testing.assert_array_equal(f["seed"][()], [1, 2, 3, 4, 5, 6])  # every run its own numbers
        np.testing.assert_array_equal(f["param_adoption_developer_imitation"][()], np.repeat(last[[0, 20, 40]], 2))
        share = f["global_share"][()]
    # Another draw is another model: the same seed gives other shares.
    assert not np.array_equal(share[0], share[2])
    assert not np.array_equal(share[0], share[1])
    # The first run is the scenario with its draw set, as `--set` makes it.
    single = tmp_path / "single.h5"
    assert stackrace("run", tmp_path / "tiny.toml", "--set", f"adoption.developer.imitation={last[0]!r}",
                     "-o", single, "-q").returncode == 0
    with h5py.File(single, "r") as f:
        np.testing.assert_array_equal(f["global_share"][0], share[0])


def test_run_posterior_refuses_a_file_that_is_not_a_calibration(stackrace, run_to_file, tmp_path):
    plain = run_to_file(WORLDS_DIR / "default.toml", "--agents", "2000", "--steps", "2", name="plain.h5")
    out = tmp_path / "never.h5"
    result = stackrace("run", WORLDS_DIR / "default.toml", "--posterior", plain, "-o", out, "-q")
    assert result.returncode == 2
    assert "not a calibration's file" in result.stderr
    assert not out.exists()


def test_compare_over_posterior_draws_splits_the_uncertainty(stackrace, tmp_path):
    # Both arms over 3 draws x 3 replicates: the effect's spread across draws (the
    # parameters') and within them (the model's noise), as the file's own runs give them.
    spec = tiny_calibration(tmp_path, simulations=600)
    cal = tmp_path / "cal.h5"
    assert calibrate(spec, "-o", cal, "-q").returncode == 0
    alternative = tmp_path / "cheaper.toml"
    alternative.write_text('extends = "tiny.toml"\n[scenario]\nname = "cheaper"\n\n[[events]]\ndate = "2023-06"\n'
                           'stack = "cn_open"\nprice = 0.1\n')
    out = tmp_path / "cmp.h5"
    result = stackrace("compare", tmp_path / "tiny.toml", alternative, "--posterior", cal, "--draws", "3",
                       "--replicates", "3", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "parameter sd" in result.stdout and "runs=18 replicates=3 draws=3" in result.stdout
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(f["posterior_particle"][()], np.tile(np.repeat([0, 20, 40], 3), 2))
        np.testing.assert_array_equal(f["seed"][()], np.tile(np.arange(1, 10), 2))
        g = f["global_share"][()]  # run, time, kind, stack
        kinds = [k.decode() for k in f["kind"][()]]
        stacks = [s.decode() for s in f["stack"][()]]
        n, k = kinds.index("developer"), stacks.index("cn_open")
        change = (g[9:, -1, n, k] - g[:9, -1, n, k]).reshape(3, 3)  # [draw][replicate]
        means = change.mean(axis=1)
        noise = np.sqrt(((change - means[:, None]) ** 2).sum() / (3 * 2))
        parameter = np.sqrt(max(0.0, means.var(ddof=1) - noise ** 2 / 3))
        assert f["global_effect_noise_sd"][-1, n, k] == pytest.approx(noise, rel=1e-6, abs=1e-12)
        assert f["global_effect_parameter_sd"][-1, n, k] == pytest.approx(parameter, rel=1e-6, abs=1e-12)
        assert f["global_effect_draw_low"][-1, n, k] == pytest.approx(np.quantile(means, 0.05), rel=1e-6)
        assert f["global_effect_draw_high"][-1, n, k] == pytest.approx(np.quantile(means, 0.95), rel=1e-6)
        assert f.attrs["posterior_draws"] == 3
    # A cheaper Chinese stack takes developers in every draw.
    assert (means > 0).all()
    refused = stackrace("compare", tmp_path / "tiny.toml", alternative, "--posterior", cal, "--independent-seeds",
                        "-o", tmp_path / "never.h5")
    assert refused.returncode == 2 and "does not take --independent-seeds" in refused.stderr


def test_run_over_the_shipped_posterior_table(stackrace, tmp_path):
    # The hindcast world's shipped posterior (a CSV of draws, one column per key).
    table = WORLDS_DIR / "calibrations" / "hindcast_2023.posterior.csv"
    rows = np.loadtxt(table, delimiter=",", skiprows=1)
    out = tmp_path / "hindcast.h5"
    result = stackrace("run", WORLDS_DIR / "hindcast_2023.toml", "--posterior", table, "--draws", "2",
                       "--agents", "5000", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(f["posterior_particle"][()], [0, len(rows) // 2])
        np.testing.assert_array_equal(f["param_stacks_us_closed_appeal"][()], rows[[0, len(rows) // 2], 0])
    bad = tmp_path / "bad.csv"
    bad.write_text("stacks.us_closed.appeal\nmany\n")
    refused = stackrace("run", WORLDS_DIR / "hindcast_2023.toml", "--posterior", bad, "-o", tmp_path / "n.h5", "-q")
    assert refused.returncode == 2
    assert f"{bad}:2:1: column stacks.us_closed.appeal: 'many' is not a number" in refused.stderr


def test_the_default_world_runs_over_its_own_posterior(stackrace, tmp_path):
    # `--draws` alone: the world's [posterior], only the keys it names (the behavioural
    # weights, not the hindcast's appeals or its 2023 start).
    table = WORLDS_DIR / "calibrations" / "hindcast_2023.posterior.csv"
    header = table.read_text().splitlines()[0].split(",")
    rows = np.loadtxt(table, delimiter=",", skiprows=1)
    out = tmp_path / "draws.h5"
    result = stackrace("run", WORLDS_DIR / "default.toml", "--draws", "3", "--agents", "5000", "--steps", "6",
                       "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "draws=3" in result.stdout
    picked = [0, len(rows) // 3, 2 * len(rows) // 3]
    with h5py.File(out, "r") as f:
        assert f.attrs["posterior"] == str(table)
        np.testing.assert_array_equal(f["posterior_particle"][()], picked)
        params = sorted(k for k in f.keys() if k.startswith("param_"))
        assert "param_stacks_us_closed_appeal" not in params and "param_world_developer_adoption" not in params
        assert len(params) == 11
        column = header.index("choice.developer.capability")
        np.testing.assert_array_equal(f["param_choice_developer_capability"][()], rows[picked, column])
        share = f["global_share"][()]
    # Draw 0 is the world with its values set, as `--set` makes it.
    single = tmp_path / "single.h5"
    sets = [a for key in header if f"param_{key.replace('.', '_')}" in params
            for a in ("--set", f"{key}={rows[picked[0], header.index(key)]!r}")]
    assert stackrace("run", WORLDS_DIR / "default.toml", *sets, "--agents", "5000", "--steps", "6",
                     "-o", single, "-q").returncode == 0
    with h5py.File(single, "r") as f:
        np.testing.assert_array_equal(f["global_share"][0], share[0])
    assert not np.array_equal(share[0], share[1])


def test_draws_alone_need_a_world_with_a_posterior(stackrace, tmp_path):
    out = tmp_path / "never.h5"
    result = stackrace("run", WORLDS_DIR / "bench-meanfield.toml", "--draws", "2", "-o", out, "-q")
    assert result.returncode == 2
    assert "has no [posterior] to draw from" in result.stderr
    assert not out.exists()


def test_compare_over_the_worlds_posterior_needs_the_same_one_in_both_arms(stackrace, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(f'extends = "{WORLDS_DIR / "default.toml"}"\n[scenario]\nname = "other"\n'
                     '[posterior]\nkeys = ["choice.firm.log_price"]\n')
    out = tmp_path / "never.h5"
    result = stackrace("compare", WORLDS_DIR / "default.toml", other, "--draws", "2", "--agents", "2000",
                       "--steps", "2", "-o", out, "-q")
    assert result.returncode == 2
    assert f"{other}:1:1: posterior: not the same [posterior]" in result.stderr
    assert not out.exists()
    same = tmp_path / "same.toml"
    same.write_text(f'extends = "{WORLDS_DIR / "default.toml"}"\n[scenario]\nname = "same"\n')
    ok = stackrace("compare", WORLDS_DIR / "default.toml", same, "--draws", "2", "--replicates", "2",
                   "--agents", "2000", "--steps", "2", "-o", out, "-q")
    assert ok.returncode == 0, ok.stderr
    assert "runs=8 replicates=2 draws=2" in ok.stdout


def test_a_worlds_draws_are_read_only_when_a_run_draws_from_them(stackrace, tmp_path):
    # A world loads, validates and runs without its table of draws (the calibration that
    # makes the table loads the world); --draws reads it and blames the key for what is
    # wrong with it, before any output is made.
    draws = tmp_path / "draws.csv"
    world = tmp_path / "world.toml"
    world.write_text(f'extends = "{WORLDS_DIR / "default.toml"}"\n[scenario]\nname = "linked"\n'
                     '[posterior]\nfile = "draws.csv"\nkeys = ["choice.firm.log_price", "countries.USA.developers"]\n')
    assert stackrace("validate", world).returncode == 0
    assert stackrace("run", world, "--agents", "2000", "--steps", "1", "-o", tmp_path / "plain.h5",
                     "-q").returncode == 0
    out = tmp_path / "never.h5"
    missing = stackrace("run", world, "--draws", "2", "-o", out, "-q")
    assert missing.returncode == 2 and not out.exists()
    assert f"{world}:5:8: posterior.file: cannot read the posterior's draws" in missing.stderr, missing.stderr
    draws.write_text("choice.firm.log_price\n3.0\n4.0\n")
    no_column = stackrace("run", world, "--draws", "2", "-o", out, "-q")
    assert no_column.returncode == 2 and not out.exists()
    assert f"{world}:6:34: posterior.keys[1]: 'countries.USA.developers' is not a column of {draws}" \
        in no_column.stderr, no_column.stderr
    draws.write_text("choice.firm.log_price,countries.USA.developers\n3.0,4e6\n4.0,5e6\n")
    ok = stackrace("run", world, "--draws", "2", "--agents", "2000", "--steps", "1", "-o", out, "-q")
    assert ok.returncode == 0, ok.stderr
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(f["param_choice_firm_log_price"][()], [3.0, 4.0])
