"""Load benchmark of the web app: a real server, a real load generator, loopback only.

    python benchmarks/run.py web          (or: python benchmarks/web.py)
    options: --clients 1,4,16  --page-requests 400  --compare-requests 2

Starts ``storydiff serve`` on 127.0.0.1 (a free port) over a fresh corpus store,
ingests the seed pair through POST /api/articles, then drives it with ``hey``
(Debian package ``hey``) at each concurrency level:

- GET of the story page of the seed pair (the report of a story, as a reader opens it);
- POST /api/compare of the seed pair (the full engine on every request).

Every run is bounded: a fixed number of requests (compare: N per client, at
least 8) and a per-request timeout, inside a hard time limit. Prints requests/s
and p50/p99 latency per endpoint and level, and fails (exit 1) on any error,
i.e. a request that did not get a 200.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
HARD_LIMIT_S = 600  # one hey run may never take longer than this


@dataclass(frozen=True)
class Result:
    name: str
    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, db: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "storydiff.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--db", db], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"web benchmark: server exited: {proc.stderr.read().strip()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("web benchmark: server did not answer /api/health within 60 s")


def seed_documents() -> list[dict]:
    return [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in SEEDS]


def story_page(base: str) -> str:
    """Ingest the seed pair into the (empty) store; the path of the story page they form."""
    r = httpx.post(f"{base}/api/articles", json={"articles": seed_documents()}, timeout=300)
    r.raise_for_status()
    stories = httpx.get(f"{base}/api/stories", timeout=60).json()["stories"]
    story = next((s for s in stories if s["articles"] == len(SEEDS)), None)
    if story is None:
        raise SystemExit(f"web benchmark: the seed pair did not form one story: {stories}")
    return f"/stories/{story['id']}"


def hey(name: str, url: str, clients: int, requests: int, body: Path | None = None) -> Result:
    """One bounded hey run; latencies from its per-request CSV."""
    cmd = ["hey", "-n", str(requests), "-c", str(clients), "-t", "300", "-o", "csv"]
    if body is not None:
        cmd += ["-m", "POST", "-T", "application/json", "-D", str(body)]
    start = time.monotonic()
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=HARD_LIMIT_S, check=True).stdout
    seconds = time.monotonic() - start
    rows = [line.split(",") for line in out.splitlines()[1:] if line.strip()]
    ok = [float(r[0]) * 1000 for r in rows if r[6] == "200"]
    errors = requests - len(ok)
    q = statistics.quantiles(ok, n=100, method="inclusive") if len(ok) > 1 else ok * 99
    # hey's own wall time would include its start-up; the rows' offsets give the load window
    window = max(float(r[7]) + float(r[0]) for r in rows) if rows else seconds
    return Result(name, clients, requests, errors, window, q[49] if q else 0.0, q[98] if q else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks/web.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--page-requests", type=int, default=400, help="GETs per level")
    ap.add_argument("--compare-requests", type=int, default=2, help="compares per client per level (min 8)")
    args = ap.parse_args(argv)
    if not shutil.which("hey"):
        raise SystemExit("web benchmark: needs the load generator hey (apt-get install hey)")
    levels = [int(c) for c in args.clients.split(",")]

    with tempfile.TemporaryDirectory(prefix="storydiff-webbench-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, os.path.join(tmp, "bench.db"))
        try:
            body = Path(tmp, "seed-pair.json")
            body.write_text(json.dumps({"documents": seed_documents()}), encoding="utf-8")
            t = time.monotonic()
            warm = httpx.post(f"{base}/api/compare", content=body.read_bytes(),
                              headers={"content-type": "application/json"}, timeout=300)
            warm.raise_for_status()
            print(f"first compare (models loading): {time.monotonic() - t:.2f} s")
            page = story_page(base)
            httpx.get(base + page, timeout=300).raise_for_status()
            print(f"story page: GET {page}; compare: POST /api/compare of the seed pair ({body.stat().st_size:,} bytes)")
            results = []
            for c in levels:
                results.append(hey(f"GET {page}", base + page, c, max(args.page_requests, c)))
                results.append(hey("POST /api/compare", f"{base}/api/compare", c,
                                   max(8, args.compare_requests * c), body))
        finally:
            server.terminate()
            server.wait(30)

    print(f"\n{'endpoint':<22}{'clients':>8}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for r in sorted(results, key=lambda r: (r.name.startswith("POST"), r.clients)):
        print(f"{r.name:<22}{r.clients:>8}{r.requests:>10}{r.errors:>8}{r.rps:>10.1f}{r.p50_ms:>10.1f}{r.p99_ms:>10.1f}")
    errors = sum(r.errors for r in results)
    print(f"\nerrors: {errors} (target 0); server on 127.0.0.1, {os.cpu_count()} cores, load generator hey")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
