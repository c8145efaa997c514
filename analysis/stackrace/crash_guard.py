"""Reading a file's strings in a child process before this process reads them.

HDF5 keeps variable-length strings (labels, the scenario's text, error messages) in its
global heap, which has no checksum, and does not check an object's size there: a damaged
byte that enlarges one makes reading that string copy past the heap and crash the whole
process (SIGSEGV in H5HG_read), a notebook's kernel included. So `stackrace.open` first
reads every string and attribute of the file in a child process; if the child crashes,
the file is refused with OSError and this process goes on. (`stackrace info` does the
same: sim/cli/crash_guard.hpp.)
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from . import swmr

# Loads swmr.py on its own (not the package, whose imports take a second), opens the
# file as stackrace.open does and reads what HDF5 keeps in its heap; a failure to read
# one object is left for the real opening to report, and the next is read.
_CHILD = r"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("swmr", sys.argv[1])
swmr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(swmr)
import h5py

def read(name, item):
    try:
        dict(item.attrs)
        if isinstance(item, h5py.Dataset) and h5py.check_string_dtype(item.dtype):
            item[()]
    except Exception:
        pass

with h5py.File(swmr.open_file(sys.argv[2]), "r") as f:
    read("/", f)
    f.visititems(read)
"""

# Files read through without a crash, by (device, inode, size, modification time).
_survived: set[tuple[int, int, int, int]] = set()


def check_strings(path: str, timeout_s: float = 120) -> None:
    """Raises OSError naming `path` if reading its strings crashes a child process."""
    stat = os.stat(path)
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key in _survived:
        return
    try:
        child = subprocess.run([sys.executable, "-c", _CHILD, swmr.__file__, path],
                               capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise OSError(f"{path}: cannot be read, a damaged file? (reading its strings took over {timeout_s:g} s)") \
            from None
    if child.returncode < 0:
        raise OSError(f"{path}: cannot be read, a damaged file: reading its strings crashed HDF5 "
                      f"({signal.Signals(-child.returncode).name})")
    if child.returncode == 0:
        _survived.add(key)
