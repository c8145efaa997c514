"""The version is defined once, in the repository's VERSION file: the executable (CMake's
project version), the result files it writes, and the Python package, from the source
tree and as `cmake --install` installs it, all say the same."""
import os
import re
import subprocess

import h5py
import pytest

from conftest import BINARY, SOURCE_DIR, WORLDS_DIR

VERSION = (SOURCE_DIR / "VERSION").read_text().strip()


def python_version_of(package_parent, cwd):
    """`stackrace.__version__` as /usr/bin/python3 sees it with only `package_parent` on its path."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    result = subprocess.run(["/usr/bin/python3", "-c", "import stackrace; print(stackrace.__version__)"],
                            capture_output=True, text=True, env=env, cwd=cwd, check=True)
    return result.stdout.strip()


def test_the_version_file_holds_one_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), VERSION


def test_the_executable_and_its_files_carry_it(stackrace, run_to_file):
    assert stackrace("--version").stdout.strip() == VERSION
    with h5py.File(run_to_file(WORLDS_DIR / "default.toml", "--agents", 2000, "--steps", 1), "r") as f:
        assert f.attrs["stackrace_version"] == VERSION


def test_the_python_package_reads_it_from_the_source_tree(tmp_path):
    assert python_version_of(SOURCE_DIR / "analysis", cwd=tmp_path) == VERSION


def test_the_installed_package_and_executable_carry_it(tmp_path):
    build = BINARY.parents[1]
    if not (build / "CMakeCache.txt").is_file():
        pytest.skip(f"{BINARY} is not in a CMake build folder")
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)], capture_output=True, check=True)
    installed = list(prefix.glob("**/stackrace/__init__.py"))
    assert len(installed) == 1, installed
    package_parent = installed[0].parents[1]
    # run from elsewhere, so that nothing of the source tree is found
    assert python_version_of(package_parent, cwd=tmp_path) == VERSION
    executable = prefix / "bin" / "stackrace"
    assert subprocess.run([str(executable), "--version"], capture_output=True, text=True).stdout.strip() == VERSION
