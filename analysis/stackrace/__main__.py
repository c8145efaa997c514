"""Command line of the stackrace Python package: ``python3 -m stackrace report FILE.h5 -o DIR``."""
from __future__ import annotations

import argparse
import sys

# Exit status for a file or choice the command cannot use (the engine's CLI uses 2 too).
EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m stackrace",
                                     description="Analyse stackrace result files.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report", help="write a self-contained HTML report of a result file",
        description="Write DIR/index.html: a one-page report of a run, compare or sweep file "
                    "(summary, figures embedded as PNG, tables), readable offline.")
    report.add_argument("file", metavar="FILE.h5", help="a result file written by stackrace run, compare or sweep")
    report.add_argument("-o", "--output", metavar="DIR", default=None,
                        help="folder to write index.html into (default: FILE-report next to the file)")
    report.add_argument("--kind", default="developer",
                        help="kind of agent the map, effects and tables follow (default: developer)")
    report.add_argument("--stack", default="cn_open",
                        help="stack the map, effects and tables follow (default: cn_open)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Imported here so that --help answers at once (the report pulls in matplotlib).
    from . import report

    try:
        page = report.write_report(args.file, args.output, kind=args.kind, stack=args.stack)
    except report.ReportError as error:
        print(f"python3 -m stackrace report: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
