"""stackrace.open and `python3 -m stackrace report` on damaged result files (cut short,
a bit flipped, a heap string enlarged): each opens the file or refuses it with a clean
error, within seconds; neither crashes the Python process (a heap string enlarged by a
damaged byte crashed it in HDF5) nor hangs.

Each reader runs in a child process over all the damaged copies, one line of outcome a
copy, so that a crash or a hang fails the test (naming the copy) instead of pytest."""
import os
import subprocess
import sys

import pytest

from conftest import SOURCE_DIR, WORLDS_DIR, damaged_copies, kill_sweep_mid_way, write_sweep

# Opens each file given and reads all its data; prints `trying PATH` before, and
# `outcome PATH<TAB>ok` or the exception's type and message after.
OPEN_EACH = r"""
import sys, warnings
import stackrace
warnings.simplefilter("ignore")
for path in sys.argv[1:]:
    print("trying", path, flush=True)
    try:
        stackrace.open(path).load()
        outcome = "ok"
    except Exception as e:
        outcome = f"{type(e).__name__} {e}"
    print(f"outcome {path}\t{outcome}".replace("\n", " ")[:400], flush=True)
"""

# The report command's main on each file, printed as OPEN_EACH does: its exit status and
# what it said on stderr, or an exception it let out.
REPORT_EACH = r"""
import contextlib, io, sys, tempfile, warnings
from stackrace.__main__ import main
warnings.simplefilter("ignore")
for path in sys.argv[1:]:
    print("trying", path, flush=True)
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stderr(io.StringIO()) as said, \
            contextlib.redirect_stdout(io.StringIO()):
        try:
            outcome = f"exit {main(['report', path, '-o', out])} {said.getvalue()}"
        except Exception as e:
            outcome = f"{type(e).__name__} {e}"
    print(f"outcome {path}\t{outcome}".replace("\n", " ")[:400], flush=True)
"""


def each(script, paths, timeout):
    """{path: outcome} from `script` run over `paths` in a child; fails on its crash or hang."""
    env = dict(os.environ, PYTHONPATH=str(SOURCE_DIR / "analysis"), MPLBACKEND="Agg")
    try:
        child = subprocess.run([sys.executable, "-c", script, *map(str, paths)], capture_output=True, text=True,
                               env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"hung; it had got to:\n{(e.stdout or b'').decode()[-500:]}")
    lines = child.stdout.splitlines()
    assert child.returncode == 0, f"the reader ended with {child.returncode} at {lines[-1] if lines else '?'}:\n" \
                                  f"{child.stderr[-2000:]}"
    return dict(line[len("outcome "):].split("\t", 1) for line in lines if line.startswith("outcome "))


@pytest.fixture(scope="module")
def damaged(run_to_file, compare_to_file, tmp_path_factory):
    """Damaged copies of a run's, a comparison's and a killed sweep's file."""
    folder = tmp_path_factory.mktemp("damaged")
    sweep = write_sweep(folder, 'design = "random"\nsamples = 16\nseed = 5\nagents = 400000\nsteps = 60\n'
                        '[[parameters]]\nkey = "stacks.cn_open.price"\nrange = [0.1, 0.6]\n', "killed")
    killed = folder / "killed.h5"
    kill_sweep_mid_way(sweep, killed)
    files = [run_to_file(WORLDS_DIR / "default.toml", "--agents", 5000, "--steps", 6, name="run.h5"),
             compare_to_file("full_embargo.toml", "--replicates", 2, "--agents", 5000, "--steps", 6), killed]
    return [path for i, f in enumerate(files) for path in damaged_copies(f, folder / str(i), seed=24).values()]


def test_open_reads_a_damaged_file_or_refuses_it_cleanly(damaged):
    outcomes = each(OPEN_EACH, damaged, timeout=300)
    assert len(outcomes) == len(damaged)
    for path, outcome in outcomes.items():
        kind = outcome.split(" ", 1)[0]
        assert kind in ("ok", "OSError", "ValueError"), (path, outcome)
    crashed = [p for p, o in outcomes.items() if "heap-string-enlarged" in p]
    assert crashed and all("reading its strings crashed HDF5" in outcomes[p] for p in crashed), crashed


def test_report_on_a_damaged_file_reports_it_or_refuses_it_cleanly(damaged):
    # A report reads everything, which takes a few seconds a file: the run's copies only.
    run_copies = [p for p in damaged if p.parent.name == "0"][:10]
    outcomes = each(REPORT_EACH, run_copies, timeout=300)
    assert len(outcomes) == len(run_copies)
    for path, outcome in outcomes.items():
        assert outcome.startswith(("exit 0", "exit 2 python3 -m stackrace report: error: ")), (path, outcome)
