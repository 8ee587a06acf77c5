"""The app's work, kept off the event loop: loading inputs and comparing them.

Loading (network, trafilatura) and comparing (spaCy, embeddings) are blocking
and CPU-bound, so they run in worker threads, at most ``compare_workers`` at a
time (one per core); meanwhile the event loop keeps answering pages, health
checks and other API calls. Recent reports are kept in a small LRU cache under
an id derived from their documents, so a report page and its exports have a
stable address (same input, same id) without a database.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

import anyio
import anyio.to_thread

from ..model import Document, Report
from .inputs import RawInput, load_inputs
from .settings import WebSettings

CompareFn = Callable[[list[Document]], Report]


def report_id(documents: list[Document]) -> str:
    """A short id that depends only on the documents compared (deterministic)."""
    canon = json.dumps([d.to_dict() for d in documents], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


class ReportCache:
    """The last ``size`` reports by id; thread-safe, oldest dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Report] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, report: Report) -> None:
        with self._lock:
            self._items[key] = report
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, key: str) -> Report | None:
        with self._lock:
            report = self._items.get(key)
            if report is not None:
                self._items.move_to_end(key)
            return report


def _default_compare(documents: list[Document]) -> Report:
    from .. import compare
    return compare(documents)


class Engine:
    """Runs compares in worker threads with bounded concurrency and remembers the results."""

    def __init__(self, settings: WebSettings, compare_fn: CompareFn | None = None) -> None:
        self.settings = settings
        self.compare_fn = compare_fn or _default_compare
        self.reports = ReportCache(settings.report_cache_size)
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # created on first use: an anyio limiter belongs to the running event loop
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.settings.compare_workers)
        return self._limiter

    def _load_and_compare(self, raws: list[RawInput]) -> tuple[str, Report]:
        docs = load_inputs(raws, self.settings)
        key = report_id(docs)
        report = self.compare_fn(docs)
        self.reports.put(key, report)
        return key, report

    async def compare(self, raws: list[RawInput]) -> tuple[str, Report]:
        """Load, clean and compare the inputs in a worker thread; (report id, report)."""
        return await anyio.to_thread.run_sync(self._load_and_compare, raws, limiter=self.limiter)

    async def compare_documents(self, key: str, documents: list[Document]) -> Report:
        """Compare already-loaded documents (a story from the store), cached under ``key``."""
        cached = self.reports.get(key)
        if cached is not None:
            return cached
        report = await anyio.to_thread.run_sync(self.compare_fn, documents, limiter=self.limiter)
        self.reports.put(key, report)
        return report

    async def run(self, fn: Callable, *args, heavy: bool = False):
        """Any other blocking call in a worker thread: store reads share anyio's
        default pool; ``heavy`` work (ingest with analysis) queues with the compares."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter if heavy else None)
