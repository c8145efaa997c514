"""Bad input is refused before any step runs: exit status 2, `FILE:LINE:COL: KEY: what`
on stderr, and no output file.

Every file in tests/bad_scenarios/ breaks one rule. Its first line names the key the
message must contain (`# expect-key: stacks[1].price`, or `syntax error`), its second
the rule it breaks.
"""
import os
import re
import resource
import shutil
import subprocess

import h5py
import pytest

from conftest import BAD_SCENARIOS_DIR, BINARY, MACHINE_LINE, SANITIZER_BUILD, WORLDS_DIR

CORPUS = sorted(BAD_SCENARIOS_DIR.glob("*.toml"))

def header(path):
    lines = path.read_text().splitlines()
    assert len(lines) >= 2, f"{path.name}: needs the two header lines"
    key = re.fullmatch(r"# expect-key: (\S.*)", lines[0])
    rule = re.fullmatch(r"# rule: (\S.*)", lines[1])
    assert key, f"{path.name}: first line must be '# expect-key: KEY'"
    assert rule, f"{path.name}: second line must be '# rule: RULE'"
    return key.group(1).strip(), rule.group(1).strip()


def assert_refused(result, path, key):
    assert result.returncode == 2, f"exit status {result.returncode}, stderr:\n{result.stderr}"
    err = result.stderr
    assert str(path) in err, f"message does not name the file:\n{err}"
    assert re.search(r":\d+:\d+: ", err), f"message has no :LINE:COL: position:\n{err}"
    assert key in err, f"message does not name {key!r}:\n{err}"
    # All three together, in the promised form FILE:LINE:COL: KEY: what is wrong.
    match = re.search(re.escape(str(path)) + r":(\d+):(\d+): " + re.escape(key) + r": \S", err)
    assert match, f"message is not '{path}:LINE:COL: {key}: ...':\n{err}"
    line, column = int(match.group(1)), int(match.group(2))
    assert 1 <= line <= len(path.read_text().splitlines()) and column >= 1, f"position {line}:{column} is outside the file"
    return line


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 25, f"only {len(CORPUS)} bad scenarios in {BAD_SCENARIOS_DIR}"


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_file_has_header(path):
    header(path)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_validate_refuses(stackrace, path, tmp_path):
    key, _ = header(path)
    result = stackrace("validate", path, cwd=tmp_path)
    assert_refused(result, path, key)
    assert "valid" not in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_run_refuses_and_writes_nothing(stackrace, path, tmp_path):
    key, _ = header(path)
    folder = tmp_path / "out"
    folder.mkdir()
    result = stackrace("run", path, "-o", folder / "out.h5", "--quiet", cwd=tmp_path)
    assert_refused(result, path, key)
    assert not any(MACHINE_LINE.match(line) for line in result.stdout.splitlines()), result.stdout
    assert not (folder / "out.h5").exists()
    assert not (folder / "out.h5.partial").exists()
    assert list(folder.iterdir()) == [], "the output folder must stay empty"
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "nothing may be written in the working directory"


def assignment_lines(text, leaf):
    """1-based lines where `leaf = ...` is written, as a key of its own or inside an inline table."""
    pattern = re.compile(rf'(^\s*|[{{,]\s*)"?{re.escape(leaf)}"?\s*=')
    return [n for n, line in enumerate(text.splitlines(), 1) if not line.startswith("#") and pattern.search(line)]


def position_cases():
    """Corpus files where the offending key is written exactly once: the message must point at it."""
    cases = []
    for p in CORPUS:
        key, rule = header(p)
        if key == "syntax error" or rule.startswith("missing"):
            continue
        leaf = re.sub(r"\[\d+\]", "", key).split(".")[-1]
        lines = assignment_lines(p.read_text(), leaf)
        if len(lines) != 1:
            continue
        cases.append(pytest.param(p, key, lines[0], id=p.stem))
    return cases


@pytest.mark.parametrize("path,key,line", position_cases())
def test_message_points_at_the_key(stackrace, path, key, line, tmp_path):
    result = stackrace("validate", path, cwd=tmp_path)
    reported = assert_refused(result, path, key)
    assert reported == line, f"{key} is written on line {line}, the message says line {reported}:\n{result.stderr}"


def test_bad_default_share_points_at_country_defaults(stackrace, tmp_path):
    path = BAD_SCENARIOS_DIR / "country_defaults_share_sum.toml"
    default_line = assignment_lines(path.read_text(), "initial_share")[0]
    result = stackrace("validate", path, cwd=tmp_path)
    assert result.returncode == 2
    assert re.search(re.escape(str(path)) + rf":{default_line}:\d+: ", result.stderr), result.stderr


# ---- bad command-line input --------------------------------------------------------


DEFAULT_WORLD = WORLDS_DIR / "default.toml"


def run_refused(stackrace, tmp_path, *args):
    """Runs `stackrace run ARGS -o TMP/out/x.h5`, expects exit 2 and nothing written."""
    folder = tmp_path / "out"
    folder.mkdir()
    result = stackrace("run", *args, "--quiet", "-o", folder / "x.h5", cwd=tmp_path)
    assert result.returncode == 2, f"exit status {result.returncode}:\n{result.stderr}"
    assert result.stderr.strip(), "a refusal must say why on stderr"
    assert not any(MACHINE_LINE.match(line) for line in result.stdout.splitlines())
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    return result


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--set", "scenario.colour=red"], ["scenario.colour", "unknown key"]),
        (["--set", "foo.bar=1"], ["--set"]),
        (["--set", "stacks.eu_open.price=1"], ["--set", "eu_open"]),
        (["--set", "choice.developer.revise=2"], ["--set", "choice.developer.revise"]),
        (["--set", "stacks.cn_open.price=-1"], ["--set", "stacks[2].price"]),
        (["--set", "scenario.steps"], ["--set"]),
        (["--steps", "0"], ["--steps"]),
        (["--agents", "0"], ["--agents"]),
        (["--agents", "1000000000000"], ["population.developer_agents"]),
        (["--set", "countries.USB.developers=5"], ["--set countries.USB.developers=5: ", "no country 'USB'"]),
    ],
    ids=["set-unknown-key", "set-unknown-table", "set-unknown-stack", "set-out-of-range", "set-stack-by-id",
         "set-without-equals", "steps-zero", "agents-zero", "agents-absurd", "set-unknown-country"],
)
def test_bad_command_line_is_refused(stackrace, tmp_path, args, expected):
    result = run_refused(stackrace, tmp_path, DEFAULT_WORLD, *args)
    for text in expected:
        assert text in result.stderr, result.stderr


def test_validate_set_out_of_range(stackrace, tmp_path):
    result = stackrace("validate", DEFAULT_WORLD, "--set", "scenario.steps=0", cwd=tmp_path)
    assert result.returncode == 2
    assert "--set" in result.stderr and "scenario.steps" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_scenario_file(stackrace, tmp_path):
    missing = tmp_path / "no-such-world.toml"
    result = run_refused(stackrace, tmp_path, missing)
    assert str(missing) in result.stderr


def test_validate_missing_scenario_file(stackrace, tmp_path):
    missing = tmp_path / "no-such-world.toml"
    result = stackrace("validate", missing, cwd=tmp_path)
    assert result.returncode == 2
    assert str(missing) in result.stderr


def test_info_on_a_text_file(stackrace, tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("not an HDF5 file\n")
    result = stackrace("info", path, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"stackrace: {path}: cannot open the file for reading; HDF5's error stack:\n")
    assert "file signature not found" in result.stderr  # HDF5's own words
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.h5"]


def test_info_on_a_foreign_hdf5_file(stackrace, tmp_path):
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w") as f:
        f["x"] = [1, 2, 3]
    result = stackrace("info", path, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f'stackrace: {path}: not a stackrace result file (no format = "stackrace" attribute)\n'


@pytest.fixture(scope="module")
def small_run(run_to_file):
    return run_to_file(DEFAULT_WORLD, "--agents", 5000, "--steps", 2)


@pytest.mark.parametrize("units", ["garbage", "days since 2026", "", "days since 2026-13-01 00:00:00",
                                   "days since 2026-01-02 00:00:00", "months since 2026-01", b"garbage", 5],
                         ids=["garbage", "year-only", "empty", "month-13", "not-the-first", "months", "bytes", "integer"])
def test_info_on_a_file_whose_time_units_name_no_month(stackrace, small_run, tmp_path, units):
    # A damaged file: a clean refusal (exit 2, `stackrace: PATH: cause`), never a signal.
    path = tmp_path / "damaged.h5"
    shutil.copyfile(small_run, path)
    with h5py.File(path, "r+") as f:
        f["time"].attrs["units"] = units
    result = stackrace("info", path, cwd=tmp_path)
    assert result.returncode == 2, f"exit status {result.returncode}:\n{result.stderr}"
    assert result.stderr.startswith(f"stackrace: {path}: time: its units "), result.stderr
    assert "are not days since the first of a month, 'days since YYYY-MM-01 00:00:00'" in result.stderr, result.stderr
    assert result.stdout == ""


def test_info_on_a_file_whose_time_has_no_units(stackrace, small_run, tmp_path):
    path = tmp_path / "damaged.h5"
    shutil.copyfile(small_run, path)
    with h5py.File(path, "r+") as f:
        del f["time"].attrs["units"]
    result = stackrace("info", path, cwd=tmp_path)
    assert result.returncode == 2, f"exit status {result.returncode}:\n{result.stderr}"
    assert result.stderr == f"stackrace: {path}: time: no units attribute (a damaged file)\n"
    assert result.stdout == ""


@pytest.mark.parametrize("start", ["2031-07", "garbage"])
def test_info_reads_the_start_of_a_file_from_before_cf_time(stackrace, small_run, tmp_path, start):
    # Format 3 and before: time counted months, its start in the attribute `start`.
    path = tmp_path / "older.h5"
    shutil.copyfile(small_run, path)
    with h5py.File(path, "r+") as f:
        del f["time"].attrs["units"]
        f["time"].attrs["start"] = start
    result = stackrace("info", path, cwd=tmp_path)
    if start == "garbage":
        assert result.returncode == 2
        assert result.stderr == (f"stackrace: {path}: time: its start attribute 'garbage' is not a month written YYYY-MM "
                                 "(a damaged file)\n")
    else:
        assert result.returncode == 0, result.stderr
        assert "(2031-07 to 2031-09)" in result.stdout


def test_info_on_a_missing_file(stackrace, tmp_path):
    result = stackrace("info", tmp_path / "nothing.h5", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"stackrace: {tmp_path / 'nothing.h5'}: no such file\n"
    assert list(tmp_path.iterdir()) == []


def file_that_cannot_be_read(kind, folder):
    """A path to read that is no regular file: a FIFO (HDF5 would wait on it for a writer),
    a folder, or a name the file system refuses."""
    if kind == "fifo":
        os.mkfifo(folder / "f.h5")
        return folder / "f.h5", "not a regular file (a FIFO)"
    if kind == "folder":
        (folder / "d.h5").mkdir()
        return folder / "d.h5", "not a regular file (a folder)"
    return folder / ("x" * 300 + ".h5"), "cannot read the file: File name too long"


UNREADABLE = ["fifo", "folder", "long-name"]


@pytest.mark.parametrize("kind", UNREADABLE)
def test_info_on_a_path_that_is_no_file(stackrace, tmp_path, kind):
    path, reason = file_that_cannot_be_read(kind, tmp_path)
    result = stackrace("info", path, cwd=tmp_path, timeout=20)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"stackrace: {path}: {reason}\n"


@pytest.mark.parametrize("kind", UNREADABLE)
def test_a_posterior_that_is_no_file_is_refused(stackrace, tmp_path, kind):
    path, reason = file_that_cannot_be_read(kind, tmp_path)
    result = stackrace("run", DEFAULT_WORLD, "--posterior", path, "--draws", 2, "--agents", 2000, "--steps", 1,
                       "--quiet", "-o", tmp_path / "x.h5", cwd=tmp_path, timeout=20)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"stackrace: {path}: --posterior: {reason}\n"
    assert not (tmp_path / "x.h5").exists()


def test_unknown_option(stackrace, tmp_path):
    result = run_refused(stackrace, tmp_path, DEFAULT_WORLD, "--frobnicate")
    assert "frobnicate" in result.stderr


def test_bad_country_table_names_the_table_and_the_scenario(stackrace, bad_scenarios_dir, tmp_path):
    scenario = bad_scenarios_dir / "tables" / "countries_table_bad_number.toml"
    table = bad_scenarios_dir / "tables" / "bad_countries.csv"
    for command in (["validate", scenario], ["run", scenario, "-o", tmp_path / "x.h5", "--quiet"]):
        result = stackrace(*command, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        # The cell's own position (line 5, the CHN row; column 41, its gdp_per_capita_usd cell) ...
        assert f"{table}:5:41: column gdp_per_capita_usd: 'lots' is not a number" in result.stderr
        # ... and the scenario key that named the table.
        assert re.search(re.escape(str(scenario)) + r":\d+:\d+: world.countries_table", result.stderr), result.stderr
        assert list(tmp_path.iterdir()) == []


# ---- paths the file system cannot take ----------------------------------------------
# Made in tmp_path, since they need names longer than a file name may be (NAME_MAX is
# 255 bytes) or symbolic links. A file-system error is the input's fault, like a missing
# file: exit 2 with the position of the key that named the path.

TOO_LONG = "x" * 300


def scenario_extending(folder, extends, body=""):
    path = folder / "bad.toml"
    path.write_text(f"# a scenario that names a path the file system refuses\nextends = {extends!r}\n{body}")
    return path


def long_extends(folder):
    return scenario_extending(folder, TOO_LONG + ".toml"), "extends"


def extends_symlink_loop(folder):
    (folder / "a.toml").symlink_to("b.toml")
    (folder / "b.toml").symlink_to("a.toml")
    return scenario_extending(folder, "a.toml"), "extends"


def long_countries_table(folder):
    body = f'[world]\ncountries_table = "{TOO_LONG}.csv"\n'
    return scenario_extending(folder, str(DEFAULT_WORLD), body), "world.countries_table"


@pytest.mark.parametrize("make", [long_extends, extends_symlink_loop, long_countries_table],
                         ids=["long-extends", "extends-symlink-loop", "long-countries-table"])
def test_a_path_the_file_system_refuses_is_bad_input(stackrace, tmp_path, make):
    folder = tmp_path / "in"
    folder.mkdir()
    path, key = make(folder)
    before = sorted(p.name for p in folder.iterdir())
    for command in (["validate", path], ["run", path, "--quiet", "-o", tmp_path / "out" / "x.h5"]):
        result = stackrace(*command, cwd=tmp_path)
        assert_refused(result, path, key)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in"], "nothing may be written"
        assert sorted(p.name for p in folder.iterdir()) == before


def test_a_sweep_base_the_file_system_refuses_is_bad_input(stackrace, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(f'[sweep]\nbase = "{TOO_LONG}.toml"\ndesign = "grid"\n'
                    '[[parameters]]\nkey = "stacks.cn_open.price"\nvalues = [0.5]\n')
    result = stackrace("sweep", path, "--quiet", "-o", tmp_path / "out.h5", cwd=tmp_path)
    assert_refused(result, path, "sweep.base")
    assert [p.name for p in tmp_path.iterdir()] == ["bad.toml"]


# ---- bad country tables ----------------------------------------------------------------
# Every CSV in tests/bad_scenarios/tables/ breaks one rule of the country table, named in
# its first two lines as for the scenarios (`# expect-key: column iso3`). The table is
# held to the rules of `[[countries]]`: ids, uniqueness, alignment, whole-number tiers.

TABLES_DIR = BAD_SCENARIOS_DIR / "tables"
TABLE_CORPUS = sorted(TABLES_DIR.glob("*.csv"))

# A small world that reads its countries from a table; with the table's bad cell fixed,
# each table in the corpus makes it valid.
TABLE_WORLD = """[scenario]
name = "table"
steps = 3

[population]
developer_agents = 1000
firm_agents = 100

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "us_closed"
bloc = "us"
capability = 1.0
price = 4.0

[[stacks]]
id = "cn_open"
bloc = "cn"
open_weights = true
capability = 0.98
price = 0.8

[world]
countries_table = "{table}"
"""


def cell_starts(line):
    """1-based column where each cell of a CSV line starts (commas in quotes do not split)."""
    starts, quoted = [1], False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            starts.append(i + 2)
    return starts


@pytest.mark.parametrize("table", TABLE_CORPUS, ids=[p.stem for p in TABLE_CORPUS])
def test_a_bad_country_table_is_refused_at_its_cell(stackrace, table, tmp_path):
    key, _ = header(table)
    scenario = tmp_path / "world.toml"
    scenario.write_text(TABLE_WORLD.format(table=table))
    result = stackrace("validate", scenario, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    match = re.search(re.escape(str(table)) + r":(\d+):(\d+): " + re.escape(key) + r": \S", result.stderr)
    assert match, f"message is not '{table}:LINE:COL: {key}: ...':\n{result.stderr}"
    # The position is the start of that column's cell on a row of data.
    lines = table.read_text().splitlines()
    column_names = next(line for line in lines if not line.startswith("#")).split(",")
    row = lines[int(match.group(1)) - 1]
    assert not row.startswith("#") and row.split(",") != column_names, f"line {match.group(1)} is no row of data"
    column = column_names.index(key.removeprefix("column "))
    assert int(match.group(2)) == cell_starts(row)[column], result.stderr
    named_at = assignment_lines(scenario.read_text(), "countries_table")[0]
    assert re.search(re.escape(str(scenario)) + rf":{named_at}:\d+: world.countries_table", result.stderr), result.stderr
    assert list(tmp_path.iterdir()) == [scenario]


# ---- seeds --------------------------------------------------------------------------
# A seed is a whole number from 0 to 2^62 - 1 in every command and file (--seed of run and
# compare, scenario.seed, a sweep's or calibration's seed), so that seed + i, the seed of
# each run made from it, stays a 64-bit seed. Larger ones are refused by every command
# with the same message, never clamped or wrapped.

LARGEST_SEED = 2**62 - 1
TOO_LARGE_SEEDS = [2**62, 2**63 - 1, 2**63, 2**64, 10**30]
TOO_LARGE_IDS = ["2^62", "2^63-1", "2^63", "2^64", "10^30"]


@pytest.mark.parametrize("seed", TOO_LARGE_SEEDS, ids=TOO_LARGE_IDS)
@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_seed_beyond_the_range_is_refused_alike_by_every_command(stackrace, tmp_path, command, seed):
    scenario = DEFAULT_WORLD
    args = ("run", scenario) if command == "run" else ("compare", scenario, scenario, "--replicates", 2)
    result = stackrace(*args, "--seed", seed, "--agents", 5000, "--steps", 1, "--quiet", "-o", tmp_path / "x.h5",
                       cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"--seed: Value {seed} not in range 0 to {LARGEST_SEED}" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("seed", TOO_LARGE_SEEDS[:2], ids=TOO_LARGE_IDS[:2])
@pytest.mark.parametrize("where", ["scenario", "sweep", "calibration"])
def test_a_seed_beyond_the_range_is_refused_alike_in_every_file(stackrace, tmp_path, where, seed):
    if where == "scenario":
        path = tmp_path / "s.toml"
        path.write_text(f'extends = "{DEFAULT_WORLD}"\n[scenario]\nseed = {seed}\n')
        args, key, line = ("run", path, "--agents", 5000, "--steps", 1), "scenario.seed", 3
    elif where == "sweep":
        path = tmp_path / "s.toml"
        path.write_text(f'[sweep]\nbase = "{DEFAULT_WORLD}"\nseed = {seed}\ndesign = "grid"\n'
                        '[[parameters]]\nkey = "stacks.cn_open.price"\nvalues = [0.5]\n')
        args, key, line = ("sweep", path), "sweep.seed", 3
    else:
        path = tmp_path / "c.toml"
        path.write_text(f'extends = "{WORLDS_DIR / "calibrations" / "hindcast_2023.toml"}"\n[calibration]\n'
                        f'seed = {seed}\n')
        args, key, line = ("calibrate", path), "calibration.seed", 3
    result = stackrace(*args, "--quiet", "-o", tmp_path / "x.h5", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{path}:{line}:"), result.stderr
    assert f"{key}: {seed} is out of range: must be >= 0 and <= {LARGEST_SEED}" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("command", ["run", "compare"])
def test_the_largest_seed_runs_as_given_and_its_replicates_after_it(stackrace, tmp_path, command):
    # Replicate i has seed + i: from the largest seed, still a positive 64-bit seed
    # (run --seed 2^63-1 --replicates 3 wrote -2^63 and -2^63+1).
    output = tmp_path / "x.h5"
    scenario = DEFAULT_WORLD
    args = ("run", scenario) if command == "run" else ("compare", scenario, scenario)
    result = stackrace(*args, "--seed", LARGEST_SEED, "--replicates", 3, "--agents", 5000, "--steps", 1, "--quiet",
                       "-o", output, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with h5py.File(output, "r") as f:
        seeds = [int(x) for x in f["seed"][()]]
    replicates = [LARGEST_SEED, LARGEST_SEED + 1, LARGEST_SEED + 2]
    assert seeds == (replicates if command == "run" else replicates * 2)


# ---- a file's value that an option or --set replaces ------------------------------------
# --steps, --seed, --agents and --set replace keys of the file, but what the file says is
# input too: a bad value there is refused at its own position, whatever replaces it.

REPLACED_VALUES = [
    ("steps-zero", "[scenario]\nsteps = 0\n", ("--steps", 3), "scenario.steps"),
    ("steps-negative", "[scenario]\nsteps = -5\n", ("--steps", 3), "scenario.steps"),
    ("steps-fraction", "[scenario]\nsteps = 2.5\n", ("--steps", 3), "scenario.steps"),
    ("seed-negative", "[scenario]\nseed = -1\n", ("--seed", 3), "scenario.seed"),
    ("firm-agents-huge", "[population]\nfirm_agents = 1e300\n", ("--agents", 5000), "population.firm_agents"),
    ("developer-agents-zero", "[population]\ndeveloper_agents = 0\n", ("--agents", 5000), "population.developer_agents"),
    ("set-steps-zero", "[scenario]\nsteps = 0\n", ("--set", "scenario.steps=3"), "scenario.steps"),
    ("set-seed-negative", "[scenario]\nseed = -1\n", ("--set", "scenario.seed=3"), "scenario.seed"),
    ("set-revise-out-of-range", "[choice.developer]\nrevise = 7\n", ("--set", "choice.developer.revise=0.2"),
     "choice.developer.revise"),
    ("set-catch-up-negative", "[compute]\ncatch_up = -1.0\n", ("--set", "compute.catch_up=0.5"), "compute.catch_up"),
]


@pytest.mark.parametrize(
    "command,body,option,key",
    [pytest.param(command, body, option, key, id=f"{command}-{name}")
     for command in ("run", "compare") for name, body, option, key in REPLACED_VALUES
     if not (command == "compare" and option[0] == "--seed")],  # compare's --seed is its first replicate's
)
def test_a_bad_value_is_refused_even_where_an_option_replaces_it(stackrace, tmp_path, command, body, option, key):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "bad.toml"
    path.write_text(f'extends = "{DEFAULT_WORLD}"\n{body}')
    args = ("run", path) if command == "run" else ("compare", path, path, "--replicates", 2)
    # Small runs, but no option that replaces the key under test besides `option` itself.
    small = [x for flag, value, replaces in (("--agents", 5000, "population."), ("--steps", 1, "scenario.steps"))
             if not key.startswith(replaces) for x in (flag, value)]
    result = stackrace(*args, *option, *small, "--quiet", "-o", tmp_path / "x.h5", cwd=tmp_path)
    line = assert_refused(result, path, key)
    assert line == assignment_lines(path.read_text(), key.split(".")[-1])[0], result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["in"]


def test_a_file_that_is_no_scenario_is_refused_before_it_is_read(stackrace, tmp_path):
    # A device is read without end; a file far larger than any scenario is not one.
    device = stackrace("validate", "/dev/zero", timeout=20)
    assert device.returncode == 2 and "/dev/zero:1:1: cannot read the file: not a regular file" in device.stderr
    huge = tmp_path / "huge.toml"
    with open(huge, "wb") as f:
        f.truncate(65 << 20)  # sparse: 65 MiB of nothing, on no disk
    result = stackrace("validate", huge, timeout=20)
    assert result.returncode == 2 and "larger than any scenario, sweep or table" in result.stderr


@pytest.mark.parametrize("form", ["dotted-key", "table-header", "inline-table"])
def test_keys_nested_deeper_than_the_parser_can_take_are_a_syntax_error(stackrace, tmp_path, form):
    # toml++ recursed once per level of a dotted key or header and crashed (SIGSEGV) at
    # some 35,000; anything over 256 levels is refused at the position where it gets there.
    key = ".".join(["k"] * 40_000)
    text = {"dotted-key": f"{key} = 1\n", "table-header": f"[{key}]\n",
            "inline-table": "x = { " + key + " = 1 }\n"}[form]
    path = tmp_path / "deep.toml"
    path.write_text(f'extends = "{DEFAULT_WORLD}"\n' + text)
    result = stackrace("validate", path, cwd=tmp_path, timeout=20)
    assert result.returncode == 2, f"exit status {result.returncode}:\n{result.stderr[:300]}"
    assert re.match(re.escape(str(path)) + r":2:\d+: syntax error: keys nested more than 256 levels deep$",
                    result.stderr), result.stderr[:300]


def test_a_set_nested_deeper_than_a_file_may_be_is_refused(stackrace, tmp_path):
    key = ".".join(["k"] * 300)
    for assignment in (f"{key}=1", "scenario.description={ " + key + " = 1 }"):
        result = stackrace("validate", DEFAULT_WORLD, "--set", assignment, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"--set {assignment}: the ")
        assert "nests more than 256 levels deep" in result.stderr, result.stderr


def sparse_file(path, size=65 << 20):
    with open(path, "wb") as f:
        f.truncate(size)  # sparse: nothing on disk
    return path


def test_a_country_table_that_is_no_table_is_refused_before_it_is_read(stackrace, tmp_path):
    table = sparse_file(tmp_path / "huge.csv")
    scenario = tmp_path / "world.toml"
    scenario.write_text(TABLE_WORLD.format(table=table))
    result = stackrace("validate", scenario, cwd=tmp_path, timeout=20)
    assert result.returncode == 2, result.stderr
    line = assignment_lines(scenario.read_text(), "countries_table")[0]
    assert re.search(re.escape(str(scenario)) + rf":{line}:\d+: world.countries_table: the file is 65 MiB: larger than",
                     result.stderr), result.stderr


@pytest.mark.parametrize("kind", ["fifo", "huge"])
def test_a_table_of_draws_that_is_no_table_is_refused_before_it_is_read(stackrace, tmp_path, kind):
    # A FIFO was waited on for ever; a file far larger than any table read into memory.
    path = tmp_path / "draws.csv"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        sparse_file(path)
    result = stackrace("run", DEFAULT_WORLD, "--posterior", path, "--draws", 2, "--agents", 2000, "--steps", 1,
                       "--quiet", "-o", tmp_path / "x.h5", cwd=tmp_path, timeout=20)
    assert result.returncode == 2, result.stderr
    reason = "not a regular file" if kind == "fifo" else "the file is 65 MiB: larger than"
    assert result.stderr.startswith(f"{path}:1:1: cannot read the posterior: {reason}"), result.stderr
    assert not (tmp_path / "x.h5").exists()


def test_many_countries_and_targets_load_in_linear_time(stackrace, tmp_path):
    # 20,000 countries, and a policy that names each: looking every [[countries]] entry up
    # in the countries before it and every target up in all countries took about 20 s
    # (4 * 10^8 comparisons); indexed, well under a second. The bound is far from both.
    n = 20_000
    ids = [f"C{i:05d}" for i in range(n)]
    scenario = tmp_path / "many.toml"
    scenario.write_text(
        f'[scenario]\nname = "many"\nsteps = 2\n[population]\ndeveloper_agents = {2 * n}\n'
        '[[stacks]]\nid = "a"\ncapability = 1.0\nprice = 1.0\n[[stacks]]\nid = "b"\ncapability = 1.0\nprice = 1.0\n'
        '[country_defaults]\ninitial_share = { a = 0.5, b = 0.5 }\n'
        + "".join(f'[[countries]]\nid = "{c}"\ndevelopers = 10\n' for c in ids)
        + '[[policies]]\ntype = "ban"\nstack = "b"\ntargets = [' + ", ".join(f'"{c}"' for c in ids) + "]\n")
    result = stackrace("validate", scenario, cwd=tmp_path, timeout=10)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(SANITIZER_BUILD,
                    reason="a sanitizer build reserves more address space")
def test_running_out_of_memory_is_a_message_not_an_abort(tmp_path):
    # 40,000 countries take some 280 MB to read; with 150 MB of address space the reading
    # runs out, which is an environment failure (exit 1), reported, not std::terminate.
    scenario = tmp_path / "many.toml"
    scenario.write_text(
        '[scenario]\nname = "many"\nsteps = 2\n[population]\ndeveloper_agents = 80000\n'
        '[[stacks]]\nid = "a"\ncapability = 1.0\nprice = 1.0\n[[stacks]]\nid = "b"\ncapability = 1.0\nprice = 1.0\n'
        '[country_defaults]\ninitial_share = { a = 0.5, b = 0.5 }\n'
        + "".join(f'[[countries]]\nid = "C{i:05d}"\ndevelopers = 10\n' for i in range(40_000)))
    limit = 150 << 20
    result = subprocess.run([str(BINARY), "validate", str(scenario)], capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    assert result.returncode == 1, f"exit status {result.returncode}:\n{result.stderr}"
    assert result.stderr == "stackrace: out of memory\n"
    assert result.stdout == ""


def test_agents_scaled_beyond_64_bits_are_refused_by_their_value(stackrace, tmp_path):
    # One developer agent to 10^12 firm agents, scaled to 10^12 developers: 10^24 firms,
    # which must be reported as that, not wrapped to a negative count.
    scenario = tmp_path / "ratio.toml"
    scenario.write_text('[scenario]\nname = "ratio"\nsteps = 2\n[population]\ndeveloper_agents = 1\n'
                        'firm_agents = 1_000_000_000_000\n[[stacks]]\nid = "none"\noutside = true\n'
                        '[[stacks]]\nid = "ai"\ncapability = 1.0\nprice = 1.0\n[[countries]]\nid = "ONE"\n'
                        'developers = 1.0\ninitial_share = { none = 1.0 }\n')
    result = stackrace("run", scenario, "--agents", "1000000000000", "-o", tmp_path / "x.h5")
    assert result.returncode == 2
    # At the file's key, which holds the ratio, with the option that scaled it.
    line = assignment_lines(scenario.read_text(), "firm_agents")[0]
    assert result.stderr.startswith(f"{scenario}:{line}:15: population.firm_agents: 1e+12 firm agents to 1 developer "
                                    "agents, scaled by --agents 1000000000000, make 1e+24 firm agents: more than "
                                    "1000000000000"), result.stderr
    assert "-9" not in result.stderr
    assert not (tmp_path / "x.h5").exists()


@pytest.mark.parametrize("assignment, meant", [("compute.self_hosting_premum=0.4", "self_hosting_premium"),
                                                ("choice.developer.revsie=0.4", "revise"),
                                                ("world.us_open_shares=0.2", "us_open_share")])
def test_a_misspelt_key_is_refused_with_the_key_meant(stackrace, worlds_dir, assignment, meant):
    result = stackrace("validate", worlds_dir / "default.toml", "--set", assignment)
    assert result.returncode == 2 and f"unknown key (did you mean '{meant}'?)" in result.stderr, result.stderr


def test_a_key_like_no_other_is_refused_without_a_guess(stackrace, worlds_dir):
    result = stackrace("validate", worlds_dir / "default.toml", "--set", "choice.developer.zzzzzz=1")
    assert result.returncode == 2 and result.stderr.rstrip().endswith("unknown key")


# ---- bad ties tables ---------------------------------------------------------------------
# The ties table (world.ties_table: from, to, collaborations) is held to the country
# table's rules: each error at its cell, naming the table, then the key that named it.

@pytest.mark.parametrize("row,column", [
    ("GBR,usa,12", "to"),             # not an ISO 3166-1 alpha-3 code
    ("GBR,GBR,12", "to"),             # a country's tie to itself
    ("GBR,USA,-1", "collaborations"),  # a negative count
    ("GBR,USA,lots", "collaborations"),
])
def test_bad_ties_table_is_refused_at_its_cell(stackrace, tmp_path, row, column):
    table = tmp_path / "ties.csv"
    table.write_text(f"from,to,collaborations\nCAN,USA,5\n{row}\n")
    scenario = tmp_path / "tied.toml"
    scenario.write_text(f'extends = "{WORLDS_DIR / "default.toml"}"\n[world]\nties_table = "ties.csv"\n'
                        '[choice.developer]\ntie_share = 1.0\n')
    result = stackrace("validate", scenario)
    assert result.returncode == 2, result.stderr
    assert f"{table}:3:" in result.stderr and f"column {column}" in result.stderr, result.stderr
    assert "world.ties_table" in result.stderr, result.stderr


def test_a_tie_listed_twice_is_refused(stackrace, tmp_path):
    table = tmp_path / "ties.csv"
    table.write_text("from,to,collaborations\nCAN,USA,5\nCAN,USA,7\n")
    scenario = tmp_path / "tied.toml"
    scenario.write_text(f'extends = "{WORLDS_DIR / "default.toml"}"\n[world]\nties_table = "ties.csv"\n')
    result = stackrace("validate", scenario)
    assert result.returncode == 2 and f"{table}:3:" in result.stderr and "listed twice" in result.stderr, result.stderr
