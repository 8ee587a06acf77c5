"""Corpus mode: store, ingest (files, JSONL, feeds, URLs), duplicates, stories, CLI, faults."""
from __future__ import annotations

import http.server
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import storydiff
from storydiff.cli import main
from storydiff.corpus.clustering import (DEFAULT, Params, cluster_features, load_model, same_story,
                                         similarity_graph, uses_model)
from storydiff.corpus.features import extract
from storydiff.corpus.ingest import canonical_url, ingest
from storydiff.corpus.store import SCHEMA_VERSION, Store, StoreError

REPO = Path(__file__).resolve().parents[1]
ECB = REPO.parent / "shared" / "eval" / "data" / "ecbplus-dev.jsonl"
SEEDS = REPO.parent / "shared" / "seeds"


def ecb_articles(*stories: str, limit: int = 4) -> list[dict]:
    """Real reports from ECB+ (a few per gold story), as ingestable JSONL objects."""
    out, per = [], {}
    with ECB.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["story"] in stories and per.get(d["story"], 0) < limit and len(d["text"].split()) >= 60:
                per[d["story"]] = per.get(d["story"], 0) + 1
                out.append({"id": d["id"], "text": d["text"], "story": d["story"],
                            "url": f"https://news.example.org/{d['id']}"})
    return out


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "corpus.db"


# ---- store ---------------------------------------------------------------------------------
def test_new_store_is_versioned_and_in_wal_mode(db: Path) -> None:
    with Store.open(db) as store:
        assert store.count() == {"articles": 0, "duplicates": 0, "stories": 0}
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_from_a_newer_version_is_refused(db: Path) -> None:
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer storydiff"):
        Store.open(db)


def test_unreadable_store_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"this is a text file, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a readable storydiff store"):
        Store.open(junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="not a storydiff store"):
        Store.open(other)
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="no such store"):
        Store.open(tmp_path / "missing.db", create=False)


def test_locked_store_fails_with_a_clear_message(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import storydiff.corpus.store as store_mod

    Store.open(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_S", 0.2)
    try:
        with Store.open(db) as store, pytest.raises(StoreError, match="locked by another process"):
            with store.transaction():
                pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ---- ingest -----------------------------------------------------------------------------------
def test_ingest_is_idempotent_by_url_and_by_text(db: Path, tmp_path: Path) -> None:
    rows = ecb_articles("1_ecb", "1_ecbplus", limit=3)
    src = write_jsonl(tmp_path / "a.jsonl", rows)
    with Store.open(db) as store:
        first = ingest(store, [str(src)])
        assert (first.added, first.duplicates, first.failed) == (6, 0, [])
        again = ingest(store, [str(src)])
        assert (again.added, again.duplicates) == (0, 6)
        # same text under another URL; same URL with tracking parameters and another text
        moved = dict(rows[0], id="x1", url="https://elsewhere.example.net/copy")
        tracked = dict(rows[1], id="x2", url=rows[1]["url"] + "?utm_source=rss&utm_medium=feed#top",
                       text=rows[1]["text"] + "\nUpdated with a new paragraph at the end of the report.")
        third = ingest(store, [str(write_jsonl(tmp_path / "b.jsonl", [moved, tracked]))])
        assert (third.added, third.duplicates) == (0, 2)
        assert store.count()["articles"] == 6


def test_canonical_url_drops_tracking_and_fragment() -> None:
    assert canonical_url("https://WWW.Example.com/a/b?utm_source=x&id=3#frag") == \
        canonical_url("https://www.example.com/a/b?id=3")


def test_near_duplicate_is_linked_to_its_original(db: Path, tmp_path: Path) -> None:
    rows = ecb_articles("3_ecb", limit=3)
    wire = dict(rows[0], id="wire-copy", url="https://other-outlet.example.com/wire",
                text=rows[0]["text"].replace("\n", "\nReporting by our staff.\n", 1))
    with Store.open(db) as store:
        summary = ingest(store, [str(write_jsonl(tmp_path / "w.jsonl", rows + [wire]))])
        assert (summary.added, summary.near_duplicates) == (4, 1)
        story = store.stories()[0]
        detail = store.story(story.id)
        assert story.articles == 3  # the copy is not an independent source
        assert [a.ext_id for a in detail.duplicates] == ["wire-copy"]
        assert detail.duplicates[0].duplicate_of == detail.articles[0].id


def test_bad_items_do_not_stop_the_run(db: Path, tmp_path: Path) -> None:
    rows = ecb_articles("3_ecb", limit=2)
    src = tmp_path / "mixed.jsonl"
    src.write_text(json.dumps(rows[0]) + "\n{not json\n" + json.dumps({"id": "short", "text": "Too short."}) +
                   "\n" + json.dumps(rows[1]) + "\n", encoding="utf-8")
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    for seed in SEEDS.glob("*.txt"):
        (folder / "sub" / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    with Store.open(db) as store:
        summary = ingest(store, [str(src), str(folder), str(tmp_path / "missing.txt")])
    reasons = dict(summary.failed)
    assert summary.added == 4
    assert "malformed JSON" in reasons[f"{src} line 2"]
    assert "too short" in reasons[f"{src} line 3"]
    assert "empty" in reasons[str(folder / "empty.txt")]
    assert "no such file" in reasons[str(tmp_path / "missing.txt")]


def rss(items: list[dict], full: bool) -> str:
    def item(r: dict) -> str:
        body = f"<content:encoded><![CDATA[<p>{'</p><p>'.join(r['text'].splitlines())}</p>]]></content:encoded>" \
            if full else "<description>Short teaser.</description>"
        return (f"<item><title>{r['id']}</title><link>{r['url']}</link><author>desk@example.org (Desk)</author>"
                f"<pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate>{body}</item>")
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>Example Wire</title><link>https://news.example.org/</link>"
            f"{''.join(item(r) for r in items)}</channel></rss>")


def test_feed_file_with_full_content(db: Path, tmp_path: Path) -> None:
    rows = ecb_articles("3_ecbplus", limit=3)
    feed = tmp_path / "wire.rss"
    feed.write_text(rss(rows, full=True), encoding="utf-8")
    with Store.open(db) as store:
        summary = ingest(store, [str(feed)])
        assert (summary.added, summary.failed) == (3, [])
        a = store.article(1)
        assert (a.outlet, a.author, a.published[:10]) == ("Example Wire", "desk@example.org (Desk)", "2025-01-06")
        assert ingest(store, [str(feed)]).duplicates == 3


def test_a_file_that_is_not_a_feed(db: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "news.rss"
    bogus.write_text("<html><body><p>Not a feed at all, just a page.</p></body></html>", encoding="utf-8")
    with Store.open(db) as store:
        summary = ingest(store, [str(bogus)])
    assert summary.added == 0
    assert "not an RSS or Atom feed" in summary.failed[0][1]


@pytest.fixture
def site(tmp_path: Path):
    """A local web server: /feed.xml lists teasers linking to /a/<id>.html article pages."""
    rows = ecb_articles("7_ecb", limit=3)
    pages: dict[str, tuple[str, bytes]] = {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    base = f"http://127.0.0.1:{server.server_port}"
    for r in rows:
        r["url"] = f"{base}/a/{r['id']}.html"
        paras = "".join(f"<p>{line}</p>" for line in r["text"].splitlines())
        html = f"<html><head><title>{r['id']}</title></head><body><article>{paras}</article></body></html>"
        pages[f"/a/{r['id']}.html"] = ("text/html; charset=utf-8", html.encode())
    pages["/feed.xml"] = ("application/rss+xml", rss(rows, full=False).encode())
    pages["/page.html"] = ("text/html", b"<html><body><p>Hello, this is a page and no feed.</p></body></html>")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            ctype, body = pages.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_feed_url_entries_are_fetched(db: Path, site: str) -> None:
    with Store.open(db) as store:
        refused = ingest(store, [f"{site}/feed.xml"])  # loopback is private: refused without the flag
        assert refused.added == 0 and refused.failed
        summary = ingest(store, [f"{site}/feed.xml"], allow_private=True)
        assert (summary.added, summary.failed) == (3, [])
        again = ingest(store, [f"{site}/feed.xml"], allow_private=True)
        assert (again.added, again.duplicates) == (0, 3)  # known links are not fetched again
        failing = ingest(store, [f"{site}/nothing-here.xml"], allow_private=True)
        assert failing.failed and "404" in failing.failed[0][1]


# ---- stories -------------------------------------------------------------------------------
@pytest.mark.slow
def test_two_events_of_one_kind_become_two_stories(db: Path, tmp_path: Path) -> None:
    rows = ecb_articles("1_ecb", "1_ecbplus", "3_ecb", limit=4)
    with Store.open(db) as store:
        ingest(store, [str(write_jsonl(tmp_path / "a.jsonl", rows))])
        by_ext = {}
        for s in store.stories():
            for a in store.story(s.id).articles:
                by_ext[a.ext_id] = s.id
    gold = {r["id"]: r["story"] for r in rows}
    pairs = [(a, b) for a in gold for b in gold if a < b]
    assert all((by_ext[a] == by_ext[b]) == (gold[a] == gold[b]) for a, b in pairs)


@pytest.mark.slow
def test_incremental_ingest_joins_existing_stories(db: Path, tmp_path: Path) -> None:
    rows = ecb_articles("1_ecb", "3_ecb", limit=5)
    late = [[r for r in rows if r["story"] == k][-1] for k in ("1_ecb", "3_ecb")]
    first = [r for r in rows if r not in late]
    with Store.open(db) as store:
        ingest(store, [str(write_jsonl(tmp_path / "first.jsonl", first))])
        before = {s.id: s.articles for s in store.stories()}
        summary = ingest(store, [str(write_jsonl(tmp_path / "late.jsonl", late))])
        after = {s.id: s.articles for s in store.stories()}
    assert summary.stories == 2
    assert set(after) == set(before)  # no new story: both joined theirs, ids stable
    assert sum(after.values()) == sum(before.values()) + 2


@pytest.mark.slow
def test_cluster_api_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = ecb_articles("7_ecb", "7_ecbplus", limit=4)
    docs = [storydiff.Document(id=r["id"], text=r["text"]) for r in rows]
    stories = storydiff.cluster(docs)
    assert sorted(sorted(s.document_ids) for s in stories) == sorted(
        sorted(r["id"] for r in rows if r["story"] == k) for k in ("7_ecb", "7_ecbplus"))
    src = write_jsonl(tmp_path / "c.jsonl", rows)
    assert main(["cluster", str(src), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(map(sorted, out["clusters"])) == sorted(sorted(s.document_ids) for s in stories)


@pytest.mark.slow
def test_large_corpora_use_the_pair_model_and_small_ones_the_similarity() -> None:
    rows = ecb_articles("1_ecb", "1_ecbplus", "3_ecb", "3_ecbplus", "7_ecb", "7_ecbplus", "13_ecb", limit=9)
    feats = extract([(r["text"], None, None) for r in rows])
    as_large = Params(model_from=len(rows))         # the model's gate lowered to this corpus
    assert len(rows) < DEFAULT.model_from and not uses_model(len(rows)) and uses_model(len(rows), as_large)
    assert similarity_graph(feats)[3] == DEFAULT.threshold
    assert similarity_graph(feats, as_large)[3] == DEFAULT.model_threshold
    gold = [r["story"] for r in rows]
    for params in (DEFAULT, as_large):   # both ways: no two events merged, few splits
        groups = cluster_features(feats, params)
        assert all(len({gold[i] for i in g}) == 1 for g in groups)
        assert len(groups) <= len(set(gold)) + 3


def test_same_story_walks_the_trees_in_numpy() -> None:
    """Two small trees worked out by hand: each pair adds the value of the leaf it reaches."""
    stump = {"f": [0, 0, 0], "t": [0.5, 0, 0], "l": [1, 0, 0], "r": [2, 0, 0], "v": [0, -1.0, 2.0],
             "leaf": [False, True, True]}
    deeper = {"f": [1, 0, 0, 0, 0], "t": [3.0, 0, 0.2, 0, 0], "l": [1, 0, 3, 0, 0], "r": [2, 0, 4, 0, 0],
              "v": [0, 0.25, 0, 0.5, -0.5], "leaf": [False, True, False, True, True]}
    x = np.array([[0.1, 1.0], [0.1, 5.0], [0.9, 5.0]], dtype=np.float32)
    raw = np.array([-0.5 - 1 + 0.25, -0.5 - 1 + 0.5, -0.5 + 2 - 0.5])
    got = same_story(x, {"baseline": -0.5, "trees": [stump, deeper]})
    assert np.allclose(got, 1 / (1 + np.exp(-raw)), atol=1e-6)
    assert len(load_model()["trees"]) > 0   # the shipped model reads the features computed here


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"garbage" * 500)
    assert main(["stories", "--db", str(junk)]) == StoreError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a readable storydiff store" in err
    db = tmp_path / "ok.db"
    Store.open(db).close()
    assert main(["story", "42", "--db", str(db)]) == StoreError.exit_code
    assert "no story 42" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine text here"}\n{broken\n', encoding="utf-8")
    assert main(["cluster", str(bad)]) == 2
    assert "bad.jsonl line 2: malformed JSON" in capsys.readouterr().err
    assert main(["stories", "--db", str(db)]) == 0
    assert "no stories" in capsys.readouterr().out


# ---- faults ----------------------------------------------------------------------------------
INGEST_SCRIPT = """
import sys
from storydiff.corpus.ingest import ingest
from storydiff.corpus.store import Store
with Store.open(sys.argv[1]) as store:
    ingest(store, [sys.argv[2]], batch=4)
"""


def _articles_in(db: Path) -> int:
    try:
        with Store.open(db, create=False) as store:
            return store.count()["articles"]
    except StoreError:
        return 0


@pytest.mark.slow
def test_kill_9_mid_ingest_loses_nothing_committed_and_rerun_completes(db: Path, tmp_path: Path) -> None:
    rows = ecb_articles("1_ecb", "1_ecbplus", "3_ecb", "3_ecbplus", "7_ecb", "7_ecbplus", limit=6)
    src = write_jsonl(tmp_path / "many.jsonl", rows)
    proc = subprocess.Popen([sys.executable, "-c", INGEST_SCRIPT, str(db), str(src)])
    seen, reads = 0, 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        seen = _articles_in(db)  # concurrent reader: never blocked, never an error
        if db.exists():
            with Store.open(db, create=False) as reader:
                reader.stories()
                reads += 1
        if seen >= 8:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert reads > 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert kept >= seen and kept % 4 == 0 and kept < len(rows)  # whole batches only
    assert conn.execute("SELECT count(*) FROM articles a LEFT JOIN analysis x ON x.article_id = a.id"
                        " WHERE x.article_id IS NULL").fetchone()[0] == 0
    conn.close()
    with Store.open(db) as store:
        summary = ingest(store, [str(src)])
        assert (summary.added, summary.duplicates, summary.failed) == (len(rows) - kept, kept, [])
        assert store.count()["articles"] == len(rows)
        assert not store.unassigned()


@pytest.mark.slow
def test_story_command_compares_the_story(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = ecb_articles("3_ecb", limit=3)
    src = write_jsonl(tmp_path / "s.jsonl", rows)
    assert main(["ingest", str(src), "--db", str(db), "--no-progress"]) == 0
    assert "added 3 articles" in capsys.readouterr().err
    assert main(["stories", "--db", str(db), "--format", "json"]) == 0
    (story,) = json.loads(capsys.readouterr().out)["stories"]
    assert story["articles"] == 3
    assert main(["story", str(story["id"]), "--db", str(db), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(d["id"] for d in report["documents"]) == sorted(r["id"] for r in rows)
    assert report["findings"]
