"""The ``storydiff`` command: a thin shell over the Python API.

Every StorydiffError becomes one line on stderr and a non-zero exit; nothing
ends in a traceback. Subcommands of other parts (corpus, web) register
themselves through ``register(subparsers)`` functions listed in COMMAND_MODULES,
whose modules stay light to import (cold start).
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import StorydiffError

# modules that add subcommands; each defines register(subparsers)
COMMAND_MODULES = ("storydiff.cli_compare", "storydiff.cli_corpus", "storydiff.cli_web")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storydiff",
        description="Show how news reports of the same story differ: conflicts, agreements, omissions.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"storydiff {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except StorydiffError as e:
        print(f"storydiff: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("storydiff: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug: still one line, never a traceback
        print(f"storydiff: internal error: {type(e).__name__}: {e} "
              "(please report it; set STORYDIFF_DEBUG=1 for details)", file=sys.stderr)
        import os
        if os.environ.get("STORYDIFF_DEBUG"):
            raise
        return 70


if __name__ == "__main__":
    sys.exit(main())
