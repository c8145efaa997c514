"""The layers of the source tree depend one way (README.md, "Layout"):

    agents <- policies <- model <- worlds          (the model, and building worlds)
    model <- sim (engine) <- sim/io <- sim/sweep, sim/calibrate <- sim/cli

Each folder may include only its own headers and those of the layers below it, and the
libraries it stands on are its own: oneTBB and Boost.Random in the engine and above,
toml++ in worlds/, HDF5 in sim/io/, MPI in sim/sweep/, CLI11 in sim/cli/. A wrong-way
include fails here, naming the file and line."""
import re

from conftest import SOURCE_DIR

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

MODEL = ("agents/", "policies/", "model/")
ENGINE = MODEL + ("sim/rng", "sim/revision", "sim/run_result", "sim/simulation", "sim/choice_tables",
                  "sim/situation_", "sim/unit_exponential")
IO = ENGINE + ("sim/io/",)
SWEEPS = IO + ("worlds/", "sim/sweep/")
CALIBRATION = IO + ("worlds/", "sim/calibrate/")

# Folder (relative path prefix) -> project headers it may include.
ALLOWED_PROJECT = {
    "agents/": ("agents/",),
    "policies/": ("agents/", "policies/"),
    "model/": MODEL,
    "worlds/": MODEL + ("worlds/",),
    "sim/io/": IO,
    "sim/sweep/": SWEEPS,
    "sim/calibrate/": CALIBRATION,
    "sim/cli/": SWEEPS + ("sim/calibrate/", "sim/cli/"),
    "sim/": ENGINE,
}

# Library header prefix -> whether a file (its path from the root) may include it.
LIBRARIES = {
    "tbb/": lambda path: path.startswith("sim/"),
    "boost/random": lambda path: path.startswith("sim/"),
    "toml++/": lambda path: path.startswith("worlds/"),
    # MPI in the two files that spread work over ranks, nowhere else.
    "mpi.h": lambda path: path in ("sim/sweep/mpi_sweep.cpp", "sim/calibrate/mpi_calibration.cpp"),
    "CLI/": lambda path: path.startswith("sim/cli/"),
    "hdf5": lambda path: path.startswith("sim/io/") and path.endswith(".cpp"),
}


def folder_of(relative):
    """The most specific folder rule that covers a file."""
    return max((f for f in ALLOWED_PROJECT if relative.startswith(f)), key=len, default=None)


def sources():
    for path in sorted(SOURCE_DIR.rglob("*")):
        relative = path.relative_to(SOURCE_DIR).as_posix()
        if path.suffix in (".hpp", ".cpp") and folder_of(relative) and not relative.startswith("build"):
            yield relative, path


def wrong_way_includes():
    found = []
    for relative, path in sources():
        folder = folder_of(relative)
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            quoted, header = match.group(1) == '"', match.group(2)
            if quoted and not header.startswith(ALLOWED_PROJECT[folder]):
                found.append(f"{relative}:{number}: {folder} may not include {header}")
            for library, allowed in LIBRARIES.items():
                if header.startswith(library) and not allowed(relative):
                    found.append(f"{relative}:{number}: {folder} may not use {library} ({header})")
    return found


def test_every_include_points_down_the_layers():
    assert wrong_way_includes() == []


def test_the_check_sees_the_sources_and_catches_a_wrong_way_include(tmp_path, monkeypatch):
    # It reads every layer (a check that reads nothing passes vacuously)...
    seen = {folder_of(relative) for relative, _ in sources()}
    assert seen == set(ALLOWED_PROJECT)
    # ...and fails on a model file that reaches into the engine or a library above it.
    import test_layers
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "bad.hpp").write_text('#pragma once\n#include "sim/rng.hpp"\n#include <tbb/parallel_for.h>\n')
    (tmp_path / "sim" / "io").mkdir(parents=True)
    (tmp_path / "sim" / "io" / "leaky.hpp").write_text('#pragma once\n#include <hdf5.h>\n')
    for folder in ALLOWED_PROJECT:
        if folder != "model/":
            (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(test_layers, "SOURCE_DIR", tmp_path)
    assert test_layers.wrong_way_includes() == [
        "model/bad.hpp:2: model/ may not include sim/rng.hpp",
        "model/bad.hpp:3: model/ may not use tbb/ (tbb/parallel_for.h)",
        "sim/io/leaky.hpp:2: sim/io/ may not use hdf5 (hdf5.h)",
    ]
