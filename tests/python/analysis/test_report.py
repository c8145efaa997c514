"""`python3 -m stackrace report` and stackrace.report.write_report on run, compare, grid-sweep
and Saltelli-sweep files: one self-contained page with the expected sections, embedded
PNG figures and tables; a clear error and exit status 2 for a file it cannot read."""
import base64
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

from stackrace import report
from stackrace.__main__ import main as cli_main
from conftest import SOURCE_DIR, WORLDS_DIR, write_sweep

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMAGE = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')

SWEEP = """design = "{design}"
{size}
seed = 1
agents = 3000
steps = 12

[[parameters]]
key = "choice.developer.switching_cost"
name = "switching_cost"
{first}

[[parameters]]
key = "stacks.cn_open.price"
name = "cn_open_price"
range = [0.1, 0.6]
{second}
"""


def python_stackrace(*args, cwd=None):
    """`python3 -m stackrace ARGS` with this checkout's package."""
    env = dict(os.environ, PYTHONPATH=str(SOURCE_DIR / "analysis"), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "stackrace", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="module")
def run_report(run_to_file, folder):
    path = run_to_file(WORLDS_DIR / "default.toml", "--agents", "5000", "--steps", "12", name="default.h5")
    result = python_stackrace("report", path, "-o", folder / "run")
    assert result.returncode == 0, result.stderr
    return result, (folder / "run" / "index.html").read_text()


@pytest.fixture(scope="module")
def compare_report(stackrace, folder):
    path = folder / "cmp.h5"
    made = stackrace("compare", WORLDS_DIR / "policies" / "no_controls.toml",
                     WORLDS_DIR / "policies" / "full_embargo.toml", "-r", "4", "--agents", "5000",
                     "--steps", "12", "-o", path)
    assert made.returncode == 0, made.stderr
    result = python_stackrace("report", path, "-o", folder / "compare")
    assert result.returncode == 0, result.stderr
    return made.stdout, (folder / "compare" / "index.html").read_text()


def make_sweep(stackrace, folder, design):
    if design == "grid":
        settings = dict(size="replicates = 2", first="values = [0.0, 1.0]", second="steps = 3")
    else:
        settings = dict(size="samples = 8", first="range = [0.0, 1.0]", second="")
    toml = write_sweep(folder, SWEEP.format(design=design, **settings), design)
    path = folder / f"{design}.h5"
    result = stackrace("sweep", toml, "-o", path, "--quiet")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def grid_report(stackrace, folder):
    page = report.write_report(make_sweep(stackrace, folder, "grid"), folder / "grid")
    return page.read_text()


@pytest.fixture(scope="module")
def saltelli_file(stackrace, folder):
    return make_sweep(stackrace, folder, "saltelli")


@pytest.fixture(scope="module")
def saltelli_report(saltelli_file, folder):
    return report.write_report(saltelli_file, folder / "saltelli").read_text()


def section(page, name):
    found = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert found, f"no section {name}"
    return found.group(1)


def section_ids(page):
    return re.findall(r'<section id="([\w-]+)">', page)


def assert_images(html, at_least):
    images = IMAGE.findall(html)
    assert len(images) >= at_least
    for data in images:
        png = base64.b64decode(data)
        assert png.startswith(PNG_MAGIC) and len(png) > 5000


def assert_self_contained(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # nothing fetched: no scripts, stylesheets or images from elsewhere
    assert not re.search(r'(src|href)="(?!data:|#)', page)
    assert "<script" not in page and "<link" not in page


def test_a_run_report_has_the_summary_figures_and_tables(run_report):
    result, page = run_report
    assert result.stdout.strip().endswith("index.html")
    assert_self_contained(page)
    assert section_ids(page) == ["summary", "adoption", "map", "shares", "countries", "stack-state", "policies"]
    assert "13 entries: stacks not served" in section(page, "policies")  # the default world: availability only
    summary = section(page, "summary")
    for text in ("default.h5", "kind of file</th><td>run", "scenario</th><td>default", "stackrace_version",
                 "1 done, 0 failed", "run 1 × time 13 × country 198 × kind 3 × stack 4", "2026-01 to 2027-01"):
        assert text in summary
    assert_images(section(page, "adoption"), 1)
    assert_images(section(page, "map"), 1)
    assert "cn_open among developers" in section(page, "map")
    shares = section(page, "shares")
    assert all(f"<th>{s}</th>" in shares for s in ("none", "us_closed", "cn_open"))
    assert all(f"<td>{k}</td>" in shares for k in ("country", "firm", "developer"))
    assert "<td>China</td>" in section(page, "countries")


def test_a_compare_report_has_the_policy_effects_with_the_clis_numbers(compare_report):
    printed, page = compare_report
    assert_self_contained(page)
    assert "comparison" in section_ids(page) and "parameters" not in section_ids(page)
    summary = section(page, "summary")
    assert "no_controls" in summary and "full_embargo" in summary and "common random numbers" in summary
    assert_images(section(page, "map"), 2)  # one map per scenario
    effects = section(page, "comparison")
    assert_images(effects, 2)  # the ranked changes and the map of the change
    assert "<td>World</td>" in effects and "<td>China</td>" in effects
    # the world's change for developers on cn_open, as `stackrace compare` printed it
    change = re.search(r"developer\s+cn_open\s+([+-]\d+\.\d+) pp \[\s*([+-]\d+\.\d+),\s*([+-]\d+\.\d+)\]", printed)
    assert change, printed
    row = re.search(r"<td>World</td>(.*?)</tr>", effects, re.S).group(1)
    for number in change.groups():
        assert f"{number} pp" in row
    assert "no_controls" in section(page, "shares") and "full_embargo" in section(page, "shares")
    # The policies in force in each arm, from the file's resolved scenarios.
    policies = section(page, "policies")
    assert "<td>all_but_tier1_chips</td>" in policies and "tier:2, tier:3" in policies
    assert "leakage 0.05" in policies


def test_a_grid_sweep_report_shows_the_outcome_against_each_parameter(grid_report):
    assert_self_contained(grid_report)
    ids = section_ids(grid_report)
    assert "parameters" in ids and "sensitivity" not in ids and "comparison" not in ids
    summary = section(grid_report, "summary")
    assert "sweep (grid design)" in summary and "12 done, 0 failed" in summary
    assert "parameter switching_cost" in summary and "parameter cn_open_price" in summary
    assert_images(section(grid_report, "parameters"), 1)
    assert "developers on cn_open" in section(grid_report, "parameters")


def test_a_saltelli_report_has_the_sobol_indices(saltelli_report):
    assert_self_contained(saltelli_report)
    ids = section_ids(saltelli_report)
    assert ids.index("parameters") < ids.index("sensitivity")
    sobol = section(saltelli_report, "sensitivity")
    assert_images(sobol, 1)
    for name in ("switching_cost", "cn_open_price", "<th>S1</th>", "<th>ST</th>", "ST_high"):
        assert name in sobol


def test_the_sobol_section_is_left_out_with_a_note_when_the_indices_cannot_be_estimated(saltelli_file, tmp_path,
                                                                                          monkeypatch):
    def no_variance(*args, **kwargs):
        raise ValueError("the outcome has zero variance")

    monkeypatch.setattr(report.sensitivity, "sobol", no_variance)
    page = report.write_report(saltelli_file, tmp_path / "no-sobol").read_text()
    sobol = section(page, "sensitivity")
    assert "Left out" in sobol and "zero variance" in sobol and "<img" not in sobol
    assert "parameters" in section_ids(page)


def test_kind_and_stack_choose_what_the_map_and_tables_follow(saltelli_file, tmp_path, capsys):
    out = tmp_path / "firms"
    assert cli_main(["report", str(saltelli_file), "-o", str(out), "--kind", "firm", "--stack", "us_closed"]) == 0
    assert capsys.readouterr().out.strip() == str(out / "index.html")  # the CLI prints the page it wrote
    assert os.listdir(out) == ["index.html"]
    page = (out / "index.html").read_text()
    assert "us_closed among firms" in section(page, "map")
    assert "us_closed among firms" in section(page, "countries")
    assert "firms on us_closed" in section(page, "parameters")


def test_the_cli_exits_2_naming_a_file_it_cannot_read(tmp_path):
    missing = tmp_path / "missing.h5"
    result = python_stackrace("report", missing, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert str(missing) in result.stderr and "no such file" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_result_file_is_refused_with_status_2(tmp_path, capsys):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    text = tmp_path / "notes.txt"
    text.write_text("not HDF5\n")
    for path in (other, text):
        assert cli_main(["report", str(path), "-o", str(tmp_path / "out")]) == 2
        assert f"{path}: not a stackrace result file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_cli_refuses_an_unknown_stack_and_has_help(saltelli_file, tmp_path, capsys):
    assert cli_main(["report", str(saltelli_file), "--stack", "eu_open", "-o", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "eu_open" in error and "cn_open" in error
    with pytest.raises(SystemExit) as exit_:
        cli_main(["report", "--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--kind", "--stack", "-o DIR"):
        assert option in shown
