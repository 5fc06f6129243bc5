"""Command line: ``python -m analysis.demo --spec S --missions M --out D``.

Writes the synthetic demo corpus to D (manifest.csv, pdfs/, truth/); progress on stderr.
Exit status 2 when the spec or the missions table is unusable (the message says where).
"""

from __future__ import annotations

import argparse
import sys

from analysis.demo.build import build_corpus
from analysis.demo.spec import SpecError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.demo", description=__doc__)
    parser.add_argument("--spec", required=True, help="demo spec YAML (workflow/demo/spec.yaml)")
    parser.add_argument("--missions", required=True, help="operations table (raw/missions.csv)")
    parser.add_argument("--out", required=True, help="output folder (results/demo)")
    args = parser.parse_args(argv)
    try:
        manifest = build_corpus(args.spec, args.missions, args.out)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"demo: manifest written to {manifest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
