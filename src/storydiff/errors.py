"""Errors a user can act on. The CLI prints them as one line and exits non-zero."""
from __future__ import annotations


class StorydiffError(Exception):
    """Base class: anything storydiff reports to a user instead of a traceback."""

    exit_code = 1


class InputError(StorydiffError):
    """An input cannot be used: missing, unreadable, binary, empty, not English, ..."""

    exit_code = 2


class FetchError(InputError):
    """A URL could not be fetched within the rules (scheme, address, size, time)."""


class ConfigError(StorydiffError):
    """A configured model or option is unavailable."""

    exit_code = 3
