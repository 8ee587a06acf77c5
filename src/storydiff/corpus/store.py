"""The corpus store: one SQLite file holding articles, their analysis and stories.

    >>> from storydiff.corpus.store import Store
    >>> with Store.open("news.db") as store:
    ...     for s in store.stories(query='Sumatra "tsunami warning"'):   # words, names, phrases
    ...         print(s.id, s.title, s.articles, s.outlets)
    ...     detail = store.story(s.id)          # StoryDetail: summary + articles
    ...     docs = store.documents(detail.article_ids)   # storydiff.Document objects

Why it looks like this:
- WAL mode, so a reader (``storydiff stories``, the web app) can browse while
  an ingest writes; writers wait up to ``BUSY_TIMEOUT_S`` for each other and
  then fail with a clear "locked" error instead of hanging.
- The schema version is SQLite's ``user_version``; ``MIGRATIONS[i]`` brings a
  store from version i to i+1 inside one transaction. A store written by a
  newer storydiff is refused, never silently downgraded.
- Every batch of articles is one transaction: a crash or kill -9 loses at most
  the batch in flight, never anything committed, and re-running the ingest
  skips what is already there (same canonical URL or same text hash).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..errors import StorydiffError
from ..model import Document
from .features import Features, lead_bag, sentence_spans

BUSY_TIMEOUT_S = 10.0
ENV_DB = "STORYDIFF_DB"

# Fills the search index from the stored articles and their names bag (features.bags):
# {"betty ford": 1, "~betty": 1, "~ford": 1, "~malibu": 1} is indexed as "betty ford ; malibu"
# (a part of a longer name is not repeated: "betty ford betty ford" would match "ford betty").
# Contentless: the index holds no copy of the text. Articles are never updated or deleted.
_INDEX_ARTICLES = """
    INSERT INTO article_search (rowid, title, names, text, outlet)
    SELECT a.id, a.title,
           (SELECT group_concat(ltrim(j.key, '~'), ' ; ') FROM json_each(x.names) j
            WHERE j.key NOT LIKE '~%' OR NOT EXISTS (
                SELECT 1 FROM json_each(x.names) k WHERE k.key NOT LIKE '~%'
                AND instr(' ' || k.key || ' ', ' ' || substr(j.key, 2) || ' ') > 0)),
           a.text, a.outlet
    FROM articles a LEFT JOIN analysis x ON x.article_id = a.id"""
# bm25 weights of the indexed columns: a name or title word says more than a word of the body
_SEARCH_WEIGHTS = (4.0, 3.0, 1.0, 2.0)

MIGRATIONS: list[str] = [
    # 0 -> 1
    """
    CREATE TABLE articles (
        id            INTEGER PRIMARY KEY,
        ext_id        TEXT,                 -- id given by the source (JSONL id, file stem, URL)
        url           TEXT,
        canonical_url TEXT UNIQUE,          -- courlan-normalised; NULL when the article has no URL
        text_hash     TEXT NOT NULL UNIQUE, -- sha256 of the whitespace-normalised text
        title         TEXT,
        author        TEXT,
        outlet        TEXT,
        published     TEXT,                 -- ISO 8601 as the source gave it
        language      TEXT,
        text          TEXT NOT NULL,        -- the cleaned text every report offset indexes
        source        TEXT,                 -- the file, folder, feed or URL it came from
        ingested_at   TEXT NOT NULL,
        day           INTEGER NOT NULL,     -- ordinal of published (or ingest) date: time windows
        duplicate_of  INTEGER REFERENCES articles(id),
        duplicate_similarity REAL
    );
    CREATE INDEX articles_day ON articles(day);
    CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
    CREATE TABLE analysis (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        sentences  TEXT NOT NULL,   -- JSON [[start, end], ...]
        names      TEXT NOT NULL,   -- JSON {name: count}
        words      TEXT NOT NULL,   -- JSON {word: count}
        numbers    TEXT NOT NULL,   -- JSON {number: count}
        embedding  BLOB NOT NULL,   -- float32 title+lead embedding
        minhash    BLOB NOT NULL    -- uint32 MinHash signature
    );
    CREATE TABLE minhash_bands (
        band       INTEGER NOT NULL,
        bucket     INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (band, bucket, article_id)
    ) WITHOUT ROWID;
    CREATE TABLE stories (
        id         INTEGER PRIMARY KEY,
        title      TEXT,
        first_day  INTEGER,
        last_day   INTEGER,
        articles   INTEGER NOT NULL DEFAULT 0,
        outlets    INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX stories_last_day ON stories(last_day);
    CREATE TABLE story_articles (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE
    );
    CREATE INDEX story_articles_story ON story_articles(story_id);
    """,
    # 1 -> 2: full-text search over every article's title, names, text and outlet
    f"""
    CREATE VIRTUAL TABLE article_search USING fts5(
        title, names, text, outlet,
        content='', tokenize='porter unicode61 remove_diacritics 2'
    );
    {_INDEX_ARTICLES};
    """,
    # 2 -> 3: what each article's lead says (features.lead_bag), a same-story cue. Rows stored
    # before stay NULL and are computed from the stored text when read (Store.features).
    """
    ALTER TABLE analysis ADD COLUMN lead TEXT;   -- JSON {"n:name" | "#:number" | "w:weekday": count}
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
BANDS, ROWS_PER_BAND = 16, 4   # 64 MinHash values: candidates at Jaccard ~0.5 and up
NEAR_DUPLICATE = 0.8           # estimated Jaccard of 5-word shingles: republished wire copy


class StoreError(StorydiffError):
    """The store cannot be used: unreadable, from a newer version, locked."""

    exit_code = 4


class StoryNotFound(StoreError):
    """The store has no story with that id (the web app answers 404)."""


def default_path() -> Path:
    """$STORYDIFF_DB, else $XDG_DATA_HOME/storydiff/corpus.db (~/.local/share/...)."""
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "storydiff" / "corpus.db"


@dataclass
class NewArticle:
    """An article ready to store: cleaned Document fields plus provenance and features."""

    document: Document
    canonical_url: str | None
    text_hash: str
    features: Features
    source: str
    author: str | None = None
    language: str | None = None


@dataclass
class StorySummary:
    id: int
    title: str | None
    articles: int            # independent articles (near-duplicates not counted)
    outlets: int
    first_date: str | None
    last_date: str | None


@dataclass
class ArticleRecord:
    id: int
    ext_id: str | None
    title: str | None
    url: str | None
    outlet: str | None
    published: str | None
    author: str | None
    language: str | None
    source: str | None
    duplicate_of: int | None = None


@dataclass
class StoryDetail:
    summary: StorySummary
    articles: list[ArticleRecord]                                  # independent reports
    duplicates: list[ArticleRecord] = field(default_factory=list)  # republished copies

    @property
    def article_ids(self) -> list[int]:
        return [a.id for a in self.articles]


def _iso_day(day: int | None) -> str | None:
    return dt.date.fromordinal(day).isoformat() if day else None


class Store:
    """An open corpus store. Use ``Store.open(path)``; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike | None = None, *, create: bool = True) -> "Store":
        """Open (and create or migrate) the store at ``path`` (default: see default_path)."""
        p = Path(path) if path is not None else default_path()
        if p.is_dir():
            raise StoreError(f"{p}: is a directory, not a store file")
        if not p.exists():
            if not create:
                raise StoreError(f"{p}: no such store (run 'storydiff ingest' first)")
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{p}: cannot create the store's folder ({e.strerror})") from None
        elif not os.access(p, os.R_OK):
            raise StoreError(f"{p}: cannot read the store (permission denied)")
        try:
            conn = sqlite3.connect(p, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            raise StoreError(f"{p}: cannot open the store ({e})") from None
        store = cls(conn, p)
        try:
            store._setup()
        except BaseException:
            conn.close()
            raise
        return store

    def _setup(self) -> None:
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: the store was written by a newer storydiff (schema version "
                                 f"{version}; this version reads up to {SCHEMA_VERSION}); upgrade storydiff")
            if version > 0 or self._has_tables():
                self._check_ours(version)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoint, never corrupt
            self.conn.execute("PRAGMA foreign_keys=ON")
            if version < SCHEMA_VERSION:
                self._migrate(version)
        except sqlite3.DatabaseError as e:
            raise self._error(e) from None

    def _has_tables(self) -> bool:
        return self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0

    def _check_ours(self, version: int) -> None:
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version == 0 or not {"articles", "stories"} <= tables:
            raise StoreError(f"{self.path}: an SQLite database, but not a storydiff store")

    def _migrate(self, version: int) -> None:
        with self.transaction():
            current = self.conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
            for v in range(current, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[v]):
                    self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _error(self, e: sqlite3.Error) -> StoreError:
        msg = str(e)
        if "locked" in msg or "busy" in msg:
            return StoreError(f"{self.path}: the store is locked by another process (an ingest still "
                              f"running?); waited {BUSY_TIMEOUT_S:.0f} s - try again when it has finished")
        if "not a database" in msg or "malformed" in msg or "encrypted" in msg:
            return StoreError(f"{self.path}: not a readable storydiff store ({msg})")
        if "no such module: fts5" in msg:
            return StoreError(f"{self.path}: this Python's SQLite ({sqlite3.sqlite_version}) lacks FTS5, "
                              "which the store's search needs; use a Python built with FTS5")
        if "readonly" in msg or "read-only" in msg:
            return StoreError(f"{self.path}: the store is read-only ({msg})")
        return StoreError(f"{self.path}: store error ({msg})")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- transactions --------------------------------------------------------------------
    class _Tx:
        def __init__(self, store: "Store") -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            try:
                self.store.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self.store._error(e) from None
            return self.store.conn

        def __exit__(self, exc_type, exc, tb) -> bool:
            if exc_type is None:
                try:
                    self.store.conn.execute("COMMIT")
                except sqlite3.Error as e:
                    self.store.conn.execute("ROLLBACK")
                    raise self.store._error(e) from None
                return False
            self.store.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self.store._error(exc) from None
            return False

    def transaction(self) -> "_Tx":
        """A write transaction (BEGIN IMMEDIATE: take the write lock up front, fail clearly if busy)."""
        return Store._Tx(self)

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise self._error(e) from None

    # ---- articles ------------------------------------------------------------------------
    def known(self, canonical_url: str | None, text_hash: str | None) -> int | None:
        """Id of a stored article with this canonical URL or text hash (idempotent ingest)."""
        rows = self._query("SELECT id FROM articles WHERE canonical_url = ? OR text_hash = ? LIMIT 1",
                           (canonical_url, text_hash))
        return rows[0][0] if rows else None

    def add_articles(self, items: Sequence[NewArticle]) -> list[tuple[int, int | None]]:
        """Store a batch in one transaction; returns (article id, original id if near-duplicate).

        Items already present (same canonical URL or text) are skipped and not returned.
        """
        out: list[tuple[int, int | None]] = []
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        today = dt.date.today().toordinal()
        with self.transaction() as conn:
            for item in items:
                if self.known(item.canonical_url, item.text_hash) is not None:
                    continue
                d, f = item.document, item.features
                original = self._near_duplicate(f.minhash)
                cur = conn.execute(
                    "INSERT INTO articles (ext_id, url, canonical_url, text_hash, title, author, outlet, published,"
                    " language, text, source, ingested_at, day, duplicate_of, duplicate_similarity)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (d.id, d.url, item.canonical_url, item.text_hash, d.title, item.author, d.outlet, d.published,
                     item.language, d.text, item.source, now, f.day or today,
                     original[0] if original else None, original[1] if original else None))
                aid = cur.lastrowid
                conn.execute("INSERT INTO analysis (article_id, sentences, names, words, numbers, embedding, minhash,"
                             " lead) VALUES (?,?,?,?,?,?,?,?)",
                             (aid, json.dumps(f.sentences), json.dumps(f.names), json.dumps(f.words),
                              json.dumps(f.numbers), f.vector.astype(np.float32).tobytes(),
                              f.minhash.astype(np.uint32).tobytes(), json.dumps(f.lead)))
                conn.executemany("INSERT OR IGNORE INTO minhash_bands VALUES (?,?,?)",
                                 [(b, bucket, aid) for b, bucket in enumerate(_band_keys(f.minhash))])
                conn.execute(_INDEX_ARTICLES + " WHERE a.id = ?", (aid,))
                out.append((aid, original[0] if original else None))
        return out

    def _near_duplicate(self, signature: np.ndarray) -> tuple[int, float] | None:
        """The earliest stored original whose wording this signature nearly repeats."""
        from .features import minhash_similarity

        keys = _band_keys(signature)
        clause = " OR ".join("(band = ? AND bucket = ?)" for _ in keys)
        params = [x for b, k in enumerate(keys) for x in (b, k)]
        rows = self.conn.execute(
            f"SELECT DISTINCT m.article_id, a.minhash, r.duplicate_of FROM minhash_bands m"
            f" JOIN analysis a ON a.article_id = m.article_id JOIN articles r ON r.id = m.article_id"
            f" WHERE {clause} ORDER BY m.article_id", params).fetchall()
        for aid, blob, dup_of in rows:
            sim = minhash_similarity(signature, np.frombuffer(blob, dtype=np.uint32))
            if sim >= NEAR_DUPLICATE:
                return (dup_of or aid), sim
        return None

    def count(self) -> dict[str, int]:
        (articles, dups), = self._query("SELECT count(*), count(duplicate_of) FROM articles")
        (stories,), = self._query("SELECT count(*) FROM stories")
        return {"articles": articles, "duplicates": dups, "stories": stories}

    def article(self, article_id: int) -> ArticleRecord:
        rows = self._articles("a.id = ?", (article_id,))
        if not rows:
            raise StoreError(f"{self.path}: no article {article_id}")
        return rows[0]

    def _articles(self, where: str, params: Sequence) -> list[ArticleRecord]:
        rows = self._query(
            "SELECT a.id, a.ext_id, coalesce(a.title, substr(a.text, 1, 600)), a.title IS NULL, a.url, a.outlet,"
            " a.published, a.author, a.language, a.source, a.duplicate_of"
            f" FROM articles a WHERE {where} ORDER BY a.day, a.id", params)
        return [ArticleRecord(aid, ext_id, derived_title(title) if untitled else title, *rest)
                for aid, ext_id, title, untitled, *rest in rows]

    def documents(self, article_ids: Iterable[int]) -> list[Document]:
        """The stored articles as Documents, ready for storydiff.compare (ids: "a<id>" or their own).

        An article stored without a title gets one from its text (see derived_title).
        """
        ids = list(article_ids)
        if not ids:
            return []
        rows = {r[0]: r for r in self._query(
            f"SELECT id, ext_id, text, title, url, outlet, published FROM articles"
            f" WHERE id IN ({','.join('?' * len(ids))})", ids)}
        docs, taken = [], set()
        for aid in ids:
            _id, ext_id, text, title, url, outlet, published = rows[aid]
            doc_id = ext_id if ext_id and ext_id not in taken else f"a{aid}"
            taken.add(doc_id)
            docs.append(Document(id=doc_id, text=text, title=title or derived_title(text), url=url, outlet=outlet,
                                 published=published))
        return docs

    def features(self, article_ids: Sequence[int]) -> list[Features]:
        """Stored analysis of these articles, in the given order.

        The lead bag of an article stored before it existed (schema 1-2) is computed
        from its stored text, which is only read for those articles.
        """
        out: dict[int, Features] = {}
        for s in range(0, len(article_ids), 500):
            chunk = list(article_ids[s:s + 500])
            for aid, sentences, names, words, numbers, emb, mh, day, lead, text, title in self._query(
                    "SELECT x.article_id, x.sentences, x.names, x.words, x.numbers, x.embedding, x.minhash, a.day,"
                    " x.lead, CASE WHEN x.lead IS NULL THEN a.text END, a.title"
                    " FROM analysis x JOIN articles a ON a.id = x.article_id"
                    f" WHERE x.article_id IN ({','.join('?' * len(chunk))})", chunk):
                spans = [tuple(s) for s in json.loads(sentences)]
                out[aid] = Features(words=json.loads(words), names=json.loads(names), numbers=json.loads(numbers),
                                    vector=np.frombuffer(emb, dtype=np.float32).copy(),
                                    minhash=np.frombuffer(mh, dtype=np.uint32).copy(), day=day, sentences=spans,
                                    lead=json.loads(lead) if lead is not None
                                    else lead_bag(text, title, spans or sentence_spans(text)))
        return [out[a] for a in article_ids]

    # ---- stories -------------------------------------------------------------------------
    def unassigned(self) -> list[int]:
        """Independent articles not yet in a story."""
        return [r[0] for r in self._query(
            "SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id"
            " WHERE s.article_id IS NULL AND a.duplicate_of IS NULL ORDER BY a.id")]

    def assigned_in_window(self, first_day: int, last_day: int) -> dict[int, list[int]]:
        """Existing stories' independent articles dated within [first_day, last_day]."""
        out: dict[int, list[int]] = {}
        for aid, sid in self._query(
                "SELECT a.id, s.story_id FROM articles a JOIN story_articles s ON s.article_id = a.id"
                " WHERE a.day BETWEEN ? AND ? AND a.duplicate_of IS NULL ORDER BY a.id", (first_day, last_day)):
            out.setdefault(sid, []).append(aid)
        return out

    def days(self, article_ids: Sequence[int]) -> list[int]:
        rows = dict(self._query(f"SELECT id, day FROM articles WHERE id IN ({','.join('?' * len(article_ids))})",
                                list(article_ids))) if article_ids else {}
        return [rows[a] for a in article_ids]

    def save_assignment(self, groups: Sequence[tuple[int | None, Sequence[int]]]) -> list[int]:
        """Write (story id or None for a new story, its independent article ids); returns story ids.

        A story whose articles all moved elsewhere is deleted. Near-duplicates
        follow their original. Summaries are recomputed for every touched story.
        """
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        ids: list[int] = []
        with self.transaction() as conn:
            touched: set[int] = set()
            for sid, members in groups:
                if sid is None:
                    sid = conn.execute("INSERT INTO stories (updated_at) VALUES (?)", (now,)).lastrowid
                ids.append(sid)
                touched.add(sid)
                for aid in members:
                    old = conn.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (aid,)).fetchone()
                    if old:
                        touched.add(old[0])
                    conn.execute("INSERT OR REPLACE INTO story_articles VALUES (?, ?)", (aid, sid))
                    conn.execute("INSERT OR REPLACE INTO story_articles SELECT id, ? FROM articles"
                                 " WHERE duplicate_of = ?", (sid, aid))
            for sid in touched:
                self._summarise(conn, sid, now)
        return ids

    def _summarise(self, conn: sqlite3.Connection, sid: int, now: str) -> None:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT coalesce(a.outlet, a.source)), min(a.day), max(a.day)"
            " FROM story_articles s JOIN articles a ON a.id = s.article_id"
            " WHERE s.story_id = ? AND a.duplicate_of IS NULL", (sid,)).fetchone()
        if not row[0]:
            conn.execute("DELETE FROM story_articles WHERE story_id = ?", (sid,))
            conn.execute("DELETE FROM stories WHERE id = ?", (sid,))
            return
        title, text = conn.execute(
            "SELECT a.title, substr(a.text, 1, 400) FROM story_articles s JOIN articles a"
            " ON a.id = s.article_id WHERE s.story_id = ? AND a.duplicate_of IS NULL"
            " ORDER BY a.title IS NULL, a.day, a.id LIMIT 1", (sid,)).fetchone()
        title = _headline(title or text)
        conn.execute("UPDATE stories SET title=?, articles=?, outlets=?, first_day=?, last_day=?, updated_at=?"
                     " WHERE id=?", (title, row[0], row[1], row[2], row[3], now, sid))

    def stories(self, query: str | None = None, limit: int | None = None, offset: int = 0,
                min_articles: int = 1) -> list[StorySummary]:
        """Stories, most recent and biggest first; or, with ``query``, the stories it finds, best first.

        A query is words and "quoted phrases", all of which one article of the
        story must contain (in its title, names, text or outlet; words match
        their inflections: "quakes" finds "quake"). Stories rank by their
        best-matching article (BM25, a title or name counting more than body
        text), then by how many of their articles match, then recency. A story
        whose title or outlets merely contain the query as a substring comes
        after those.
        """
        where, params = "s.articles >= ?", [min_articles]
        order = "s.last_day DESC, s.articles DESC, s.id"
        hits, with_hits = "", ""
        if query:
            match = search_expression(query)
            like = f"%{query}%"
            if match:
                # MATERIALIZED: bm25() only works in the query that runs the MATCH itself
                with_hits = ("WITH hits AS MATERIALIZED (SELECT rowid AS article_id,"
                             " bm25(article_search, ?, ?, ?, ?) AS score FROM article_search"
                             " WHERE article_search MATCH ?) ")
                hits = (" LEFT JOIN (SELECT sa.story_id, min(h.score) AS best, count(*) AS n FROM hits h"
                        " JOIN story_articles sa ON sa.article_id = h.article_id GROUP BY sa.story_id) m"
                        " ON m.story_id = s.id")
                params = [*_SEARCH_WEIGHTS, match, *params]
                where += " AND (m.story_id IS NOT NULL OR"
                order = "m.best IS NULL, m.best, m.n DESC, " + order
            else:
                where += " AND ("
            where += (" s.title LIKE ? OR s.id IN (SELECT sa.story_id FROM story_articles sa"
                      " JOIN articles a ON a.id = sa.article_id WHERE a.title LIKE ? OR a.outlet LIKE ?))")
            params += [like, like, like]
        sql = (f"{with_hits}SELECT s.id, s.title, s.articles, s.outlets, s.first_day, s.last_day FROM stories s{hits}"
               f" WHERE {where} ORDER BY {order}")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [StorySummary(sid, title, n, outlets, _iso_day(first), _iso_day(last))
                for sid, title, n, outlets, first, last in self._query(sql, params)]

    def story(self, story_id: int) -> StoryDetail:
        """A story and its articles; StoryNotFound if the store has no story with that id."""
        rows = self._query("SELECT id, title, articles, outlets, first_day, last_day FROM stories WHERE id = ?",
                           (story_id,))
        if not rows:
            raise StoryNotFound(f"{self.path}: no story {story_id} (see 'storydiff stories')")
        sid, title, n, outlets, first, last = rows[0]
        members = self._articles("a.id IN (SELECT article_id FROM story_articles WHERE story_id = ?)", (sid,))
        return StoryDetail(StorySummary(sid, title, n, outlets, _iso_day(first), _iso_day(last)),
                           [a for a in members if a.duplicate_of is None],
                           [a for a in members if a.duplicate_of is not None])


def search_expression(query: str) -> str | None:
    """An FTS5 query for what a person typed: every word and "quoted phrase" required.

    Each term is passed as an FTS5 string, so operators and punctuation in the
    query are searched for, never interpreted ("7.6" is the phrase "7 6"). None
    when the query has nothing to search for.
    """
    terms = [t for t in re.findall(r'"[^"]*"|[^\s"]+', query) if re.search(r"\w", t)]
    return " ".join('"' + t.strip('"').replace('"', '""') + '"' for t in terms) or None


TITLE_WORDS = 12
_PUNCTUATION = string.punctuation + "‘’“”"


def derived_title(text: str) -> str:
    """A title for an article that came without one (a JSONL line, a feed entry).

    Its first line when that reads like a headline - the ingest stage's rule
    (storydiff.ingest), with the line break setting it apart - and is mostly
    words, not a dateline ("Friday, June 7, 2013"); else its first TITLE_WORDS
    words with an ellipsis. Not stored: the store keeps what the source gave,
    and a story prefers its articles' real titles.
    """
    from ..ingest import _headline as ingest_headline

    first = text.lstrip().split("\n", 1)[0].strip()
    words = first.split()
    if ingest_headline(first + "\n\n") and 2 * sum(w.strip(_PUNCTUATION).isalpha() for w in words) > len(words):
        return first
    words = text.split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


def _headline(text: str, limit: int = 90) -> str:
    """A story's title: its earliest article's title, else its first line that reads like one, cut at a word.

    Lines with fewer than four words of letters are datelines or bylines, not titles.
    """
    lines = [" ".join(x.split()) for x in text.strip().splitlines() if x.strip()] or [""]
    line = next((x for x in lines if sum(w.isalpha() for w in x.split()) >= 4), lines[0])
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0] + "..."


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of a migration script (executescript would commit mid-transaction)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buffer.strip()[:60]}")


def _band_keys(signature: np.ndarray) -> list[int]:
    """One bucket per LSH band: articles sharing any bucket are near-duplicate candidates."""
    import hashlib

    sig = np.asarray(signature, dtype=np.uint32)[:BANDS * ROWS_PER_BAND].reshape(BANDS, ROWS_PER_BAND)
    return [int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little", signed=True)
            for row in sig]
