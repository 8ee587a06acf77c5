"""``storydiff compare A B [C ...]``."""
from __future__ import annotations

import argparse
import sys

from .report import FORMATS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare two or more reports of one story",
                       description="Compare reports of one story. Each SOURCE is a .txt, .md, .html, "
                                   ".json or .jsonl file, an http(s) URL, or - for stdin.")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument("--format", "-f", choices=FORMATS, default="terminal")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--allow-private", action="store_true",
                   help="allow fetching URLs on private or loopback addresses")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from . import compare, load_many
    from .report import render

    docs = load_many(args.sources, allow_private=args.allow_private)
    report = compare(docs)
    if args.format == "terminal" and not args.output:
        from .report.terminal import print_report
        print_report(report)
        return 0
    text = render(report, args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
