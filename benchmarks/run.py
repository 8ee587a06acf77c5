"""One command for every benchmark; prints the figures.

    python benchmarks/run.py                 # all compare-engine suites
    python benchmarks/run.py conflicts       # conflict detection (conflicts-dev.jsonl)
    python benchmarks/run.py alignment       # alignment (pairs-dev.jsonl)
    python benchmarks/run.py speed           # warm/cold time, memory, scaling
    python benchmarks/run.py corpus          # story clustering, ingest throughput, scaling
    python benchmarks/run.py web             # load test of the web app
Options: --limit N (quality suites: an evenly spread fixed subset).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SUITES = {
    "conflicts": ("quality", "conflicts"),
    "alignment": ("quality", "alignment"),
    "speed": ("speed", "main"),
    "corpus": ("corpus", "main"),
    "web": ("web", "main"),
}
DEFAULT = ("conflicts", "alignment", "speed")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("suites", nargs="*", metavar="SUITE", help=", ".join(SUITES))
    ap.add_argument("--limit", type=int, default=None)
    args, rest = ap.parse_known_args(argv)
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        ap.error(f"unknown suite {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    for name in args.suites or DEFAULT:
        module, func = SUITES[name]
        print(f"\n=== {name} ===", flush=True)
        fn = getattr(importlib.import_module(module), func)
        if module == "quality":
            fn(args.limit)
        else:
            fn(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
