#!/usr/bin/python3
"""Runs the notebooks top to bottom with nbclient (the way CI checks them).

    /usr/bin/python3 analysis/notebooks/execute.py                 # all, outputs saved in place
    /usr/bin/python3 analysis/notebooks/execute.py --check         # all, outputs discarded
    /usr/bin/python3 analysis/notebooks/execute.py sweep.ipynb     # one

Each notebook runs in its own folder (so it finds the repository from there) on the
"python3" kernel, which must be Debian's python3 (package python3-ipykernel). A cell
that raises stops its notebook and the command exits 1, naming the notebook and cell.
The results the notebooks write go to results/notebooks/.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).resolve().parent
NOTEBOOKS = ("quickstart.ipynb", "export_controls.ipynb", "sweep.ipynb", "validation.ipynb", "parity_vs_application.ipynb")


def execute(path: Path, *, timeout: int = 900) -> nbformat.NotebookNode:
    """The notebook at `path`, executed (raises nbclient's CellExecutionError on failure)."""
    notebook = nbformat.read(path, as_version=4)
    # The debugger's frozen-modules notice would otherwise land in every first output.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=timeout,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all of analysis/notebooks)")
    parser.add_argument("--check", action="store_true", help="run them but do not save their outputs")
    args = parser.parse_args()
    paths = [HERE / n if not Path(n).is_absolute() else Path(n) for n in (args.notebooks or NOTEBOOKS)]
    for path in paths:
        try:
            notebook = execute(path)
        except nbclient.exceptions.CellExecutionError as error:
            print(f"{path}: a cell failed:\n{error}", file=sys.stderr)
            return 1
        if not args.check:
            nbformat.write(notebook, path)
        print(f"{path.name}: ran {sum(c.cell_type == 'code' for c in notebook.cells)} cells"
              + ("" if args.check else ", outputs saved"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
