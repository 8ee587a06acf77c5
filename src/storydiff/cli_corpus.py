"""``storydiff ingest | stories | story | cluster``: corpus mode on the command line.

Kept light to import (argparse only): the store, models and clustering load
inside the command functions, so ``storydiff --help`` stays fast.
"""
from __future__ import annotations

import argparse
import sys

FORMATS = ("terminal", "json", "markdown", "html")


def register(sub: argparse._SubParsersAction) -> None:
    db_help = "the corpus store (default: $STORYDIFF_DB or ~/.local/share/storydiff/corpus.db)"

    p = sub.add_parser("ingest", help="add articles to the corpus store and update its stories",
                       description="Add articles to the store. A SOURCE is a file (.txt .md .html .json), a folder "
                                   "(read recursively), a .jsonl file (one article per line), an http(s) URL, or "
                                   "an RSS/Atom feed (URL or file). Already stored articles are skipped.")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.add_argument("--allow-private", action="store_true", help="allow URLs on private or loopback addresses")
    p.add_argument("--no-stories", action="store_true", help="store articles only; cluster on a later run")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: when stderr is a terminal)")
    p.set_defaults(func=run_ingest)

    p = sub.add_parser("stories", help="list the stories in the corpus store")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.add_argument("--search", "-s", metavar="TEXT",
                   help='only stories whose articles contain every word, name and "quoted phrase" of TEXT '
                        '(or an outlet), best match first')
    p.add_argument("--limit", "-n", type=int, default=50, help="at most this many stories (default 50; 0: all)")
    p.add_argument("--min-articles", type=int, default=1, metavar="N", help="only stories with N+ articles")
    p.add_argument("--format", "-f", choices=("terminal", "json"), default="terminal")
    p.set_defaults(func=run_stories)

    p = sub.add_parser("story", help="compare the coverage of one story of the corpus store")
    p.add_argument("story_id", type=int, metavar="ID")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.add_argument("--format", "-f", choices=FORMATS, default="terminal")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--list", action="store_true", help="list the story's articles instead of comparing them")
    p.set_defaults(func=run_story)

    p = sub.add_parser("cluster", help="group the articles of files into stories (no store)",
                       description="Cluster articles into stories without a store. Each FILE is a .jsonl file "
                                   "(one article per line: id, text or html, optional title, url, published) "
                                   "or a single article file.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", "-f", choices=("terminal", "json"), default="terminal")
    p.add_argument("--threshold", type=float, default=None, help="average-link similarity to stop at (default 0.35)")
    p.set_defaults(func=run_cluster)


def _open(args: argparse.Namespace, create: bool = False):
    from .corpus.store import Store

    return Store.open(args.db, create=create)


def run_ingest(args: argparse.Namespace) -> int:
    from .corpus.ingest import ingest

    progress = sys.stderr.isatty() if args.progress is None else args.progress
    with _open(args, create=True) as store:
        summary = ingest(store, args.sources, allow_private=args.allow_private, progress=progress,
                         update_stories=not args.no_stories)
    for line in summary.lines():
        print(line, file=sys.stderr)
    nothing = summary.added == 0 and summary.duplicates == 0
    return 1 if summary.failed and nothing else 0


def run_stories(args: argparse.Namespace) -> int:
    with _open(args) as store:
        rows = store.stories(query=args.search, limit=args.limit or None, min_articles=args.min_articles)
    if args.format == "json":
        import json
        from dataclasses import asdict

        print(json.dumps({"stories": [asdict(s) for s in rows]}, ensure_ascii=False, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    dates_width = max([len(_dates(s)) for s in rows] + [5])
    table = Table(box=None, header_style="bold")
    table.add_column("id", justify="right", no_wrap=True, min_width=max(len(str(s.id)) for s in rows) if rows else 2)
    table.add_column("title", overflow="ellipsis", no_wrap=True,
                     max_width=max(20, console.width - dates_width - 32))
    table.add_column("articles", justify="right", no_wrap=True, min_width=8)
    table.add_column("outlets", justify="right", no_wrap=True, min_width=7)
    table.add_column("dates", no_wrap=True, min_width=dates_width)
    for s in rows:
        table.add_row(str(s.id), s.title or "", str(s.articles), str(s.outlets), _dates(s))
    if rows:
        console.print(table)
    else:
        console.print("no stories" + (f" matching {args.search!r}" if args.search else "") +
                      " (add articles with 'storydiff ingest')")
    return 0


def _dates(s) -> str:  # noqa: ANN001 - a StorySummary
    return (s.first_date or "") if s.first_date == s.last_date else f"{s.first_date} .. {s.last_date}"


def run_story(args: argparse.Namespace) -> int:
    from .errors import InputError

    with _open(args) as store:
        detail = store.story(args.story_id)
        docs = store.documents(detail.article_ids)
    if args.list:
        for a in detail.articles + detail.duplicates:
            dup = f"  (copy of a{a.duplicate_of})" if a.duplicate_of else ""
            print(f"a{a.id}\t{a.published or ''}\t{a.outlet or ''}\t{a.title or a.ext_id or ''}{dup}")
        return 0
    if len(docs) < 2:
        raise InputError(f"story {args.story_id} has only one independent article: nothing to compare "
                         "(use --list to see it)")
    from . import compare
    from .report import render

    report = compare(docs)
    if args.format == "terminal" and not args.output:
        from .report.terminal import print_report
        print_report(report)
        return 0
    text = render(report, args.format)
    text = text if text.endswith("\n") else text + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def run_cluster(args: argparse.Namespace) -> int:
    from .corpus import cluster
    from .corpus.ingest import read_for_clustering

    docs = [d for f in args.files for d in read_for_clustering(f)]
    params = {} if args.threshold is None else {"threshold": args.threshold}
    stories = cluster(docs, **params)
    if args.format == "json":
        import json

        print(json.dumps({"clusters": [s.document_ids for s in stories]}, ensure_ascii=False))
        return 0
    for s in stories:
        print(f"story {s.id}: {len(s.document_ids)} articles - {s.title or ''}".rstrip(" -"))
        print("  " + " ".join(s.document_ids))
    return 0
