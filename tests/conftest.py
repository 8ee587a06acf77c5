"""Shared test setup.

Under CI (CI=true) a test that would be skipped because chromium, playwright
or another optional tool is missing fails instead: CI installs them, so a
skip there means the install step is broken.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_A = SEEDS / "000_d94821f06af23b8d.txt"
SEED_B = SEEDS / "002_8f6d2378353e125f.txt"
EVAL = ROOT.parent / "shared" / "eval"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and call.when in ("setup", "call"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI (a required tool is missing): {report.longrepr}"
