"""Opening result files as a single-writer/multi-reader (SWMR) reader that gives up.

A sweep killed with SIGKILL leaves its file marked as written in SWMR mode, so it is
read with SWMR access. HDF5 then retries a metadata read whose checksum fails (a writer
may be in the middle of flushing it) 100 times, doubling its sleep each time from 1 ns:
on a file cut short, where the checksums fail for good, that never ends in practice.
h5py does not expose the number of tries, so it is set through HDF5's C function in the
library h5py itself loaded; where that library cannot be found, h5py's defaults stand.
"""
from __future__ import annotations

import ctypes
import os

import h5py

# Under 20 ms of sleep in all (2^23 ns): the engine's SWMR reader allows as many (sim/io/hdf5.cpp).
READ_ATTEMPTS = 24


def open_file(path: str) -> h5py.h5f.FileID:
    """`path` opened read-only with SWMR access, so that reading a file whose metadata
    stays unreadable fails within milliseconds instead of retrying for ever."""
    # HDF5's default close degree, as h5py.File leaves it: the same file may be open
    # through h5py.File beside this, and HDF5 refuses a second opening that differs.
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    _limit_read_attempts(fapl)
    return h5py.h5f.open(os.fsencode(path), h5py.h5f.ACC_RDONLY | h5py.h5f.ACC_SWMR_READ, fapl=fapl)


def _limit_read_attempts(fapl: h5py.h5p.PropFAID) -> None:
    library = _hdf5_library()
    if library is None:
        return
    set_attempts = library.H5Pset_metadata_read_attempts
    set_attempts.argtypes = [ctypes.c_int64, ctypes.c_uint]
    set_attempts.restype = ctypes.c_int
    set_attempts(fapl.id, READ_ATTEMPTS)


def _hdf5_library() -> ctypes.CDLL | None:
    # The copy h5py loaded (a wheel bundles its own): property lists are that copy's ids.
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/libhdf5" in line}
    except OSError:
        return None
    for path in sorted(paths):
        name = os.path.basename(path)
        if "_hl" in name or "cpp" in name:
            continue
        try:
            library = ctypes.CDLL(path)
            library.H5Pset_metadata_read_attempts  # noqa: B018 (present from HDF5 1.10 on)
            return library
        except (OSError, AttributeError):
            continue
    return None
