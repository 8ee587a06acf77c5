"""The REST API and the pages around it, through FastAPI's TestClient.

Fast tests exercise limits, errors, escaping, exports and the coverage matrix on
reports built by hand from the seed pair (real texts, real offsets); tests that
run the real engine are marked slow.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import storydiff
from storydiff.model import Document, Evidence, Finding, Report
from storydiff.web import WebSettings, create_app
from storydiff.web.matrix import coverage_svg
from storydiff.web.service import report_id

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
SCHEMA = REPO / "docs" / "report.schema.json"
ENGLISH = ("Rescue workers said on Monday that the flood waters had reached the old bridge in the "
           "town centre, and that about two hundred families had left their homes overnight.")
XSS = ('Alert <script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2"> '
       '<a href="javascript:window.__xss = 3">click</a> "><svg onload=window.__xss=4>')


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in SEEDS]


def ev(doc: Document, phrase: str) -> Evidence:
    i = doc.text.index(phrase)
    return Evidence(doc.id, i, i + len(phrase), phrase)


def hand_report(title_a: str | None = None) -> Report:
    """The seed pair with three findings placed by hand on the real texts."""
    a = Document("000", seed_texts()[0], title=title_a or "U.S., Allies Discuss Evacuating White Helmets")
    b = Document("002", seed_texts()[1], title="Western nations move to rescue White Helmets", outlet="Example News")
    return Report([a, b], [
        Finding("conflict", "number", "People in imminent danger: around 300 vs about 800",
                [ev(a, "Around 300"), ev(b, "about 800")], {"000": "Around 300", "002": "about 800"}, 0.9,
                ["000", "002"]),
        Finding("agreement", "number", "About 1,000 volunteers and their families",
                [ev(a, "the 1000 volunteers and their families"), ev(b, "about 1,000 volunteers")], {}, 0.9,
                ["000", "002"]),
        Finding("omission", "number", "The group says it has saved 115,000 lives",
                [ev(b, "saved 115,000 lives")], {}, 0.8, ["002"]),
    ])


def cached(client: TestClient, report: Report) -> str:
    key = report_id(report.documents)
    client.app.state.engine.reports.put(key, report)
    return key


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(WebSettings(max_documents=3, max_text_chars=5_000, max_body_bytes=60_000))) as c:
        yield c


# --- health, schema ------------------------------------------------------------------------

def test_health(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["version"] == storydiff.__version__


def test_openapi_schema_is_valid_and_typed(client: TestClient) -> None:
    from openapi_spec_validator import validate

    schema = client.get("/openapi.json").json()
    validate(schema)
    paths = schema["paths"]
    for path, method in [("/api/compare", "post"), ("/api/health", "get"), ("/api/stories", "get"),
                         ("/api/stories/{story_id}", "get"), ("/api/articles", "post")]:
        assert method in paths[path], path
    compare = paths["/api/compare"]["post"]
    assert compare["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CompareRequest")
    assert compare["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportOut")
    for status in ("413", "422"):
        assert compare["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    story = paths["/api/stories/{story_id}"]["get"]
    assert story["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/StoryOut")
    assert story["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    ingest = paths["/api/articles"]["post"]
    assert ingest["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/IngestRequest")
    models = schema["components"]["schemas"]
    assert set(models["FindingOut"]["properties"]) >= {"kind", "type", "summary", "claims", "values", "docs"}
    assert set(models["EvidenceOut"]["required"]) == {"doc", "start", "end", "text"}
    # the pages are not part of the API
    assert not any(p.startswith("/reports") or p == "/" for p in paths)


def test_api_docs_page_lists_endpoints_without_external_assets(client: TestClient) -> None:
    r = client.get("/api-docs")
    assert r.status_code == 200
    assert "/api/compare" in r.text and "/openapi.json" in r.text
    assert "cdn" not in r.text.lower()
    assert client.get("/docs").status_code == 404  # the stock page would load a CDN


# --- errors and limits ---------------------------------------------------------------------

@pytest.mark.parametrize("body, status, words", [
    ({"documents": [{"text": ENGLISH}]}, 422, "two or more"),
    ({"documents": [{"text": ENGLISH}] * 4}, 422, "at most 3"),
    ({"documents": [{"text": "x" * 5_001}, {"text": ENGLISH}]}, 413, "limit is 5,000"),
    ({"documents": [{"text": ENGLISH, "html": "<p>x</p>"}, {"text": ENGLISH}]}, 422, "not both"),
    ({"documents": [{}, {"text": ENGLISH}]}, 422, "one of text, html or url"),
    ({"documents": [{"text": ENGLISH, "colour": "red"}, {"text": ENGLISH}]}, 422, "extra"),
    ({"documents": [{"url": "ftp://example.org/a.txt"}, {"text": ENGLISH}]}, 422, "documents[0]"),
    ({"documents": [{"url": "http://127.0.0.1:9/story"}, {"text": ENGLISH}]}, 422, "private"),
    ({"documents": [{"id": "a", "text": "Too short."}, {"text": ENGLISH}]}, 422, "documents[0] (a)"),
    ({"documents": [{"text": "Die Feuerwehr sagte am Montag, dass das Hochwasser die alte Brücke im "
                             "Stadtzentrum erreicht habe und dass etwa zweihundert Familien ihre Häuser "
                             "über Nacht verlassen hätten."}, {"text": ENGLISH}]}, 422, "German"),
    ({"documents": [{"id": "a", "text": ENGLISH}, {"id": "a", "text": ENGLISH + " Again."}]}, 422, "used twice"),
])
def test_compare_rejects_bad_input_with_one_clear_json_line(client: TestClient, body, status, words) -> None:
    r = client.post("/api/compare", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert words.lower() in error.lower(), error
    assert "\n" not in error and "Traceback" not in error


def test_invalid_json_is_a_422_json_error(client: TestClient) -> None:
    r = client.post("/api/compare", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["error"]


def test_request_body_over_the_cap_is_413_json(client: TestClient) -> None:
    big = {"documents": [{"text": ENGLISH * 400}, {"text": ENGLISH}]}
    r = client.post("/api/compare", json=big)
    assert r.status_code == 413
    assert "limit is 60,000 bytes" in r.json()["error"]


def test_streamed_body_without_length_is_cut_at_the_cap(client: TestClient) -> None:
    def chunks():
        yield b'{"documents": [{"text": "'
        for _ in range(100):
            yield b"a" * 1000
        yield b'"}]}'
    r = client.post("/api/compare", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["error"]


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    r = client.get("/api/nothing")
    assert r.status_code == 404 and "error" in r.json()


def test_pages_answer_errors_with_a_readable_page(client: TestClient) -> None:
    r = client.get("/reports/0123456789abcdef")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "compare the articles again" in r.text
    r = client.post("/compare", data={"text": ["x" * 70_000, ""]})
    assert r.status_code == 413 and "<html" in r.text and "limit is 60,000 bytes" in r.text


def test_compare_form_with_one_article_keeps_the_input_and_explains(client: TestClient) -> None:
    r = client.post("/compare", data={"text": [ENGLISH + XSS, ""], "urls": ""})
    assert r.status_code == 422
    assert "give two or more articles" in r.text
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in r.text  # kept, escaped, in the textarea
    assert "<script>window.__xss" not in r.text


def test_compare_form_rejects_unsupported_upload(client: TestClient) -> None:
    files = [("files", ("a.pdf", b"%PDF-1.4 ...", "application/pdf")),
             ("files", ("b.txt", ENGLISH.encode(), "text/plain"))]
    r = client.post("/compare", files=files, data={"text": ["", ""]})
    assert r.status_code == 422 and "file a.pdf: unsupported file type .pdf" in r.text


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


# --- report pages, exports, matrix ---------------------------------------------------------

def test_report_page_shows_columns_matrix_and_export_links(client: TestClient) -> None:
    key = cached(client, hand_report())
    r = client.get(f"/reports/{key}")
    assert r.status_code == 200
    html = r.text
    assert html.count('class="sd-doc"') == 2 and 'class="sd-card k-conflict' in html
    assert '<svg class="coverage"' in html
    for fmt in ("json", "markdown", "html"):
        assert f'href="/reports/{key}/export/{fmt}"' in html
    # every asset is served by the app itself
    for src in ("/static/web.css", "/static/web.js", "/assets/report.css", "/assets/report.js",
                "/static/favicon.svg"):
        assert src in html and client.get(src).status_code == 200, src
    assert "http://" not in html.split("<body>")[0] and "https://" not in html.split("<body>")[0]


@pytest.mark.parametrize("fmt, media", [("json", "application/json"), ("markdown", "text/markdown"),
                                        ("html", "text/html")])
def test_exports_are_the_cli_formats(client: TestClient, fmt: str, media: str) -> None:
    report = hand_report()
    key = cached(client, report)
    r = client.get(f"/reports/{key}/export/{fmt}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "attachment" in r.headers["content-disposition"]
    assert r.text.rstrip("\n") == storydiff.report.render(report, fmt).rstrip("\n")
    if fmt == "json":
        assert json.loads(r.text) == report.to_dict()
    assert client.get(f"/reports/{key}/export/pdf").status_code == 404


def test_hostile_title_and_text_are_escaped_on_the_report_page(client: TestClient) -> None:
    report = hand_report(title_a=XSS)
    a = report.documents[0]
    hostile = Document(a.id, a.text + "\n\n" + XSS, title=XSS)
    report = Report([hostile, report.documents[1]], report.findings)
    html = client.get(f"/reports/{cached(client, report)}").text
    assert "<script>window.__xss" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html


def test_coverage_matrix_is_well_formed_svg_with_a_row_per_fact() -> None:
    report = hand_report(title_a=XSS)
    svg = coverage_svg(report)
    root = ET.fromstring(svg)  # escaping keeps it well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    rows = root.findall(f"{ns}g[@class='m-row']")
    assert [r.get("data-finding") for r in rows] == ["0", "1", "2"]
    conflict = "".join(rows[0].itertext())
    assert "Around 300" in conflict and "about 800" in conflict
    omission_marks = [el.get("class") for el in rows[2].iter() if el.get("class")]
    assert "m-absent" in omission_marks and "m-mark omission" in omission_marks
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert coverage_svg(Report(report.documents, [])) == ""


# --- concurrency ---------------------------------------------------------------------------

def test_a_slow_compare_does_not_block_other_requests() -> None:
    """While one compare is stuck in its worker thread, health and pages still answer."""
    release = threading.Event()
    started = threading.Event()

    def slow_compare(docs: list[Document]) -> Report:
        started.set()
        release.wait(10)
        return Report(docs, [])

    app = create_app(WebSettings(), compare_fn=slow_compare)

    async def scenario() -> tuple[int, int, bool]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
            body = {"documents": [{"text": ENGLISH}, {"text": ENGLISH + " Police closed the bridge."}]}
            pending = asyncio.create_task(ac.post("/api/compare", json=body))
            while not started.is_set():
                await asyncio.sleep(0.01)
            health = await asyncio.wait_for(ac.get("/api/health"), 5)
            form = await asyncio.wait_for(ac.get("/"), 5)
            still_running = not pending.done()
            release.set()
            done = await asyncio.wait_for(pending, 10)
            assert done.status_code == 200, done.text
            return health.status_code, form.status_code, still_running

    try:
        assert asyncio.run(scenario()) == (200, 200, True)
    finally:
        release.set()


# --- serve command ---------------------------------------------------------------------------

def test_serve_command_is_registered_and_light_to_import() -> None:
    code = ("import sys, storydiff.cli as c; p = c.build_parser(); "
            "a = p.parse_args(['serve', '--port', '8123']); "
            "print(a.host, a.port, 'fastapi' in sys.modules, 'uvicorn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["127.0.0.1", "8123", "False", "False"]


def test_serve_on_a_busy_port_is_one_line_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "storydiff.cli", "serve", "--port", str(port)],
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 3
    assert r.stderr.strip().splitlines()[-1].startswith(f"storydiff: error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in r.stderr


# --- the real engine -----------------------------------------------------------------------

@pytest.mark.slow
def test_api_compare_of_the_seed_pair_is_the_cli_json(client: TestClient) -> None:
    import jsonschema

    docs = [{"id": p.stem, "text": t} for p, t in zip(SEEDS, seed_texts())]
    r = client.post("/api/compare", json={"documents": docs})
    assert r.status_code == 200, r.text
    out = r.json()
    jsonschema.validate(out, json.loads(SCHEMA.read_text()))
    conflicts = [f for f in out["findings"] if f["kind"] == "conflict" and f["type"] == "number"]
    assert any({"Around 300", "about 800"} <= set(f["values"].values()) for f in conflicts), conflicts
    for f in out["findings"]:
        for c in f["claims"]:
            text = next(d["text"] for d in out["documents"] if d["id"] == c["doc"])
            assert text[c["start"]:c["end"]] == c["text"]
    # the same report as the CLI / Python API on the same files (timings in meta aside)
    expected = storydiff.compare(storydiff.load_many([str(p) for p in SEEDS])).to_dict()
    assert {k: v for k, v in out.items() if k != "meta"} == {k: v for k, v in expected.items() if k != "meta"}
    # the Link header names the report page, which renders it
    link = r.headers["link"].split(";")[0].strip("<>")
    page = client.get(link)
    assert page.status_code == 200 and "Around 300" in page.text and "about 800" in page.text


@pytest.mark.slow
def test_compare_form_with_uploads_redirects_to_the_report(client: TestClient) -> None:
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in SEEDS]
    r = client.post("/compare", files=files, data={"text": ["", ""], "urls": ""}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert "000_d94821f06af23b8d" in page.text and 'class="sd-card k-conflict' in page.text


# --- stories and ingest (corpus store) --------------------------------------------------------

def test_no_store_yet_means_no_stories_not_an_error(tmp_path: Path) -> None:
    with TestClient(create_app(WebSettings(db=str(tmp_path / "none.db")))) as c:
        assert c.get("/api/stories").json() == {"stories": [], "query": None, "offset": 0, "more": False}
        page = c.get("/stories")
        assert page.status_code == 200 and "No stories yet" in page.text
        r = c.get("/api/stories/1")
        assert r.status_code == 404 and "no story 1" in r.json()["error"]
        assert c.get("/stories/1").status_code == 404
        assert c.get("/api/health").json()["store"] is False
        assert c.get("/api/stories?limit=0").status_code == 422
        assert not (tmp_path / "none.db").exists()  # reading never creates a store


def test_ingest_limits(tmp_path: Path) -> None:
    settings = WebSettings(db=str(tmp_path / "s.db"), max_ingest_articles=2, max_text_chars=5_000)
    with TestClient(create_app(settings)) as c:
        r = c.post("/api/articles", json={"articles": [{"text": ENGLISH}] * 3})
        assert r.status_code == 422 and "at most 2" in r.json()["error"]
        r = c.post("/api/articles", json={"articles": [{"text": "y" * 5_001}]})
        assert r.status_code == 413 and "articles[0]" in r.json()["error"]
        r = c.post("/api/articles", json={"articles": []})
        assert r.status_code == 422


@pytest.fixture(scope="module")
def store_client(tmp_path_factory) -> TestClient:
    db = tmp_path_factory.mktemp("store") / "corpus.db"
    with TestClient(create_app(WebSettings(db=str(db)))) as c:
        yield c


@pytest.mark.slow
def test_ingest_then_browse_and_compare_a_story(store_client: TestClient) -> None:
    c = store_client
    seeds = [{"id": p.stem, "text": t, "outlet": o}
             for p, t, o in zip(SEEDS, seed_texts(), ["smallsite.example", "bignews.example"])]
    bad = [{"id": "short", "text": "Too short to compare."}, {"url": "http://127.0.0.1:9/story"}]
    r = c.post("/api/articles", json={"articles": seeds + bad})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["added"] == 2 and out["stories"] >= 1
    assert [f.split(":")[0] for f in out["failed"]] == ["articles[2]", "articles[3]"]
    assert "private" in out["failed"][1] and "/tmp" not in " ".join(out["failed"])
    again = c.post("/api/articles", json={"articles": seeds}).json()
    assert again["added"] == 0 and again["duplicates"] == 2  # idempotent

    listed = c.get("/api/stories").json()["stories"]
    story = next(s for s in listed if s["articles"] == 2)
    assert story["outlets"] == ["bignews.example", "smallsite.example"]
    assert any(s["id"] == story["id"] for s in c.get("/api/stories", params={"q": "White Helmets"}).json()["stories"])
    assert c.get("/api/stories", params={"q": "zebra crossing"}).json()["stories"] == []

    detail = c.get(f"/api/stories/{story['id']}").json()
    assert sorted(a["outlet"] for a in detail["articles"]) == ["bignews.example", "smallsite.example"]
    assert any(f["kind"] == "conflict" and {"Around 300", "about 800"} <= set(f["values"].values())
               for f in detail["report"]["findings"])

    page = c.get(f"/stories/{story['id']}")
    assert page.status_code == 200 and page.text.count('class="sd-doc"') == 2
    assert "bignews.example" in page.text and f'href="/stories/{story["id"]}/export/json"' in page.text
    exported = c.get(f"/stories/{story['id']}/export/json").json()
    assert exported["findings"] == detail["report"]["findings"]
    listing = c.get("/stories", params={"q": "Helmets"})
    assert f'href="/stories/{story["id"]}"' in listing.text
