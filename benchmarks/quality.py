"""Finding quality on the shared dev data, scored by the shared scorers.

    python benchmarks/run.py conflicts [--limit N]   # conflicts-dev.jsonl -> score_conflicts.py
    python benchmarks/run.py alignment [--limit N]   # pairs-dev.jsonl -> score_alignment.py

Each case is compared exactly as a user would (storydiff.compare on the two
texts with their ids); the JSON reports go to benchmarks/out/<suite>/ and the
scorer's table and metrics are printed. --limit takes an evenly spread,
fixed subset (every k-th case) for quick iterations.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
OUT = ROOT / "benchmarks" / "out"


def _spread(items: list, limit: int | None) -> list:
    if not limit or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(k * step)] for k in range(limit)]


def _load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _one(job: tuple[str, list, Path]) -> float | None:
    import storydiff

    name, docs, out_dir = job
    t = time.perf_counter()
    try:
        report = storydiff.compare(docs).to_dict()
    except storydiff.StorydiffError as e:
        print(f"  {name}: {e}", file=sys.stderr)
        return None
    (out_dir / name).write_text(json.dumps(report), encoding="utf-8")
    return time.perf_counter() - t


def _run_cases(jobs: list[tuple[str, list]], out_dir: Path, workers: int = 2) -> list[float]:
    """jobs: (file name, [Document, ...]); writes each report, returns per-case seconds."""
    from multiprocessing import Pool

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.json"):
        old.unlink()
    with Pool(workers) as pool:
        times = pool.map(_one, [(n, d, out_dir) for n, d in jobs], chunksize=4)
    return [t for t in times if t is not None]


def _score(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)
    print(proc.stdout.rstrip())
    return json.loads(proc.stdout.strip().splitlines()[-1])


def conflicts(limit: int | None = None) -> dict:
    from storydiff import Document

    cases_path = EVAL / "data" / "conflicts-dev.jsonl"
    cases = _load_jsonl(cases_path)
    chosen = _spread(cases, limit)
    # keep twins together so discrimination is meaningful on a subset
    names = {c["case"] for c in chosen} | {c["pair"] for c in chosen if c.get("pair")}
    chosen = [c for c in cases if c["case"] in names]
    jobs = [(c["case"] + ".json", [Document(c["a"]["id"], c["a"]["text"]), Document(c["b"]["id"], c["b"]["text"])])
            for c in chosen]
    out = OUT / "conflicts"
    times = _run_cases(jobs, out)
    subset = cases_path
    if len(chosen) < len(cases):
        subset = out / "cases.jsonl"
        subset.write_text("".join(json.dumps(c) + "\n" for c in chosen), encoding="utf-8")
    metrics = _score([str(EVAL / "score_conflicts.py"), str(subset), str(out)])
    print(f"cases {len(chosen)}  median compare {sorted(times)[len(times) // 2]:.3f}s")
    return metrics


def alignment(limit: int | None = None) -> dict:
    from storydiff import Document

    docs = {d["id"]: d for d in _load_jsonl(EVAL / "data" / "ecbplus-dev.jsonl")}
    pairs = _spread(_load_jsonl(EVAL / "data" / "pairs-dev.jsonl"), limit)
    jobs = [(f"{p['a']}__{p['b']}.json", [Document(p["a"], docs[p["a"]]["text"]), Document(p["b"], docs[p["b"]]["text"])])
            for p in pairs]
    out = OUT / "alignment"
    times = _run_cases(jobs, out)
    pairs_file = out / "pairs.jsonl"
    pairs_file.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    metrics = _score([str(EVAL / "score_alignment.py"), str(EVAL / "data" / "ecbplus-dev.jsonl"), str(out),
                      "--pairs", str(pairs_file)])
    print(f"pairs {len(pairs)}  median compare {sorted(times)[len(times) // 2]:.3f}s")
    return metrics
