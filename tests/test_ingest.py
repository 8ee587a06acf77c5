"""Ingest: formats, cleaning on the seeds, every input error, and the URL rules (local server)."""
from __future__ import annotations

import http.server
import io
import ipaddress
import json
import random
import sys
import threading
import time
from pathlib import Path

import pytest

import storydiff
from storydiff.cli import main as cli_main
from storydiff.errors import FetchError, InputError
from storydiff.ingest import checks, clean_text, fetch, load, load_many
from storydiff.ingest.clean import is_furniture

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEED_000 = SEEDS / "000_d94821f06af23b8d.txt"
SEED_002 = SEEDS / "002_8f6d2378353e125f.txt"
BOILERPLATE_000 = ["Be the first to comment", "Leave a Reply", "Your email address will not be published."]
CAPTION_002 = ("A White Helmets rescuers takes a baby away from site of a pro-Assad bombing "
               "in Harasta near Damascus (File)")

# Small real-world-style texts (the seed story) used across formats
PARAGRAPHS = [
    "Western allies are beginning to worry about unarmed volunteers in Syria, known as the White "
    "Helmets, as several regions of the country are being recaptured by the Syrian government’s forces.",
    "The United States, the UK, Canada, and France have started discussing the possible evacuation "
    "of the 1000 volunteers and their families, a diplomatic source familiar with the subject said.",
    "A senior U.S. official said that even though the regime promises “no retribution on anyone in "
    "the southwest,” no one believes such empty promises.",
]
ARTICLE = "\n\n".join(PARAGRAPHS)
GERMAN = ("Westliche Verbündete machen sich Sorgen um die unbewaffneten Freiwilligen in Syrien, die als "
          "Weißhelme bekannt sind, da mehrere Regionen des Landes von den Regierungstruppen "
          "zurückerobert werden. Die Vereinigten Staaten und Kanada beraten über eine Evakuierung.")
FRENCH = ("Les alliés occidentaux commencent à s'inquiéter du sort des volontaires non armés en Syrie, "
          "connus sous le nom de Casques blancs, alors que plusieurs régions du pays sont reprises par "
          "les forces du gouvernement syrien. Environ trois cents d'entre eux seraient en danger.")


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def article_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- cleaning

def test_seed_000_comment_box_removed_and_every_sentence_kept():
    raw = SEED_000.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    for line in BOILERPLATE_000:
        assert line not in cleaned
    kept = [line for line in article_lines(raw) if line not in BOILERPLATE_000]
    assert article_lines(cleaned) == kept
    assert cleaned.endswith("without the help of Moscow.")


def test_seed_002_caption_removed_and_every_sentence_kept():
    raw = SEED_002.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert "Harasta" not in cleaned
    assert article_lines(cleaned) == [line for line in article_lines(raw) if line != CAPTION_002]
    assert cleaned.startswith("European countries and Canada are acting")
    # quotes and dashes inside sentences untouched
    assert "“We love you,’ they told me,” Fares reported" in cleaned


@pytest.mark.parametrize("seed", [SEED_000, SEED_002])
def test_clean_text_is_idempotent_on_seeds(seed):
    once = clean_text(seed.read_text(encoding="utf-8"))
    assert clean_text(once) == once


@pytest.mark.parametrize("line", [
    "By Jane Doe, Reuters",
    "BY JANE DOE | The Associated Press",
    "By Jane Doe and John Smith",
    "By Raed al-Fares, Reuters",
    "Reporting by Jane Doe in Beirut; Editing by John Smith",
    "Syrian civil defence members search the rubble in Douma (AP Photo/Hassan Ammar)",
    "Smoke rises over Daraa, July 2018. Photo: Mohamad Abazeed/AFP/Getty Images",
    "Smoke rises over Daraa. REUTERS/Alaa al-Faqir",
    "Rescue workers in Idlib province. AFP via Getty Images",
    "Theresa May at Chequers (Photo: Jack Taylor/Getty Images)",
    "Image caption The White Helmets say they have saved 115,000 lives",
    "Share this article",
    "Click to share on Twitter (Opens in new window)",
    "Facebook Twitter Email",
    "Copyright 2018 Reuters. All rights reserved.",
    "© 2018 CBS Interactive Inc.",
    "Leave a Reply Cancel reply",
    "Your email address will not be published. Required fields are marked *",
    "Name *",
    "3 Comments",
    "Advertisement",
    "Read more: Syria's war explained",
    "Share on Facebook",
    "Share this:",
])
def test_furniture_lines_are_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "Posted August 2nd, 2013 at 5:19 pm",
    "By Monday, the troops had left the city.",
    "By Monday, The Times had printed a correction.",
    "Reporting by the New York Times revealed fraud at the ministry.",
    "Copyright holders sued the company on Monday over the plan.",
    "The group said it had rescued thousands of people (a figure disputed by Moscow).",
    "He shared the article on Twitter and his email was leaked.",
    "The photo was taken near the border, the agency said.",
    "Trump has offered no public response.",
    "U.S., Allies Discuss Evacuating White Helmets from Syria",
    "Share on the rise as investors return",
])
def test_article_lines_are_kept(line):
    assert not is_furniture(line)
    assert clean_text(line) == line


def test_clean_text_normalises_whitespace_only():
    raw = "Title line  \r\n\r\nFirst – “quoted” line.\t \r\n\n\n\n\nSecond line.\rThird\u2028Fourth  \n\n"
    assert clean_text(raw) == "Title line\n\nFirst – “quoted” line.\n\nSecond line.\nThird\nFourth"


def test_clean_text_on_a_realistic_page_dump():
    raw = "\n".join(["By Jane Doe, Reuters", "Posted August 2nd, 2013 at 5:19 pm", "", PARAGRAPHS[0],
                     "Rescuers in Harasta (AP Photo/Hassan Ammar)", "", PARAGRAPHS[1], "", "Share this:",
                     "Twitter", "Facebook", "", "Like this:", "", "Related", "", "Leave a Reply", ""])
    cleaned = clean_text(raw)
    assert cleaned == "Posted August 2nd, 2013 at 5:19 pm\n\n" + PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[1]
    assert clean_text(cleaned) == cleaned


# ---------------------------------------------------------------- formats

def test_load_seed_text_file():
    doc = load(str(SEED_000))
    assert doc.id == "000_d94821f06af23b8d"
    assert doc.title == "U.S., Allies Discuss Evacuating White Helmets from Syria"
    assert doc.text == clean_text(SEED_000.read_text(encoding="utf-8"))
    assert storydiff.load(str(SEED_002)).text.startswith("European countries")


def test_load_markdown(tmp_path):
    md = ("---\ntitle: Allies discuss evacuation\ndate: 2018-07-14\n---\n"
          "# U.S. and allies discuss evacuating *White Helmets*\n\n"
          "![Rescuers in Harasta](photo.jpg)\n\n"
          + PARAGRAPHS[0] + "\n\n"
          + "**" + PARAGRAPHS[1] + "**\n\n"
          + PARAGRAPHS[2].replace("regime", "[regime](https://example.org/regime)") + "\n")
    doc = load(write(tmp_path, "story.md", md))
    assert doc.title == "Allies discuss evacuation"
    assert doc.published == "2018-07-14"
    assert doc.text == "U.S. and allies discuss evacuating White Helmets\n\n" + ARTICLE
    assert "photo.jpg" not in doc.text and "https://" not in doc.text


def html_page(body: str = ARTICLE, date_meta: bool = True) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    meta = '<meta property="article:published_time" content="2018-07-14T09:30:00Z">' if date_meta else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Allies discuss evacuating White Helmets | Example News</title>
<meta property="og:site_name" content="Example News">{meta}
<meta property="og:title" content="Allies discuss evacuating White Helmets"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Allies discuss evacuating White Helmets</h1><p class="byline">By Jane Doe, Reuters</p>
<figure><img src="x.jpg"><figcaption>A rescuer in Harasta near Damascus (File)</figcaption></figure>
{paragraphs}</article>
<div class="share">Share this article <a>Facebook</a> <a>Twitter</a></div>
<section id="comments"><h3>Leave a Reply</h3><p>Your email address will not be published.</p></section>
<footer>(c) 2016 Example News. All rights reserved.</footer></body></html>"""


def test_load_html_file(tmp_path):
    doc = load(write(tmp_path, "page.html", html_page()))
    assert doc.id == "page"
    assert doc.title == "Allies discuss evacuating White Helmets"
    assert doc.outlet == "Example News"
    assert doc.published == "2018-07-14"
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text
    for furniture in ("Jane Doe", "Harasta", "Leave a Reply", "Share this", "All rights reserved", "Home"):
        assert furniture not in doc.text


def test_html_copyright_footer_is_not_taken_for_the_date(tmp_path):
    doc = load(write(tmp_path, "page.htm", html_page(date_meta=False)))
    assert doc.published is None


def test_load_json_article(tmp_path):
    obj = {"id": "cbs-1", "text": SEED_000.read_text(encoding="utf-8"), "title": "T", "url": "https://example.org/a",
           "outlet": "Example", "published": "July 14, 2018"}
    doc = load(write(tmp_path, "a.json", json.dumps(obj)))
    assert (doc.id, doc.title, doc.url, doc.outlet, doc.published) == (
        "cbs-1", "T", "https://example.org/a", "Example", "2018-07-14")
    assert "Leave a Reply" not in doc.text


def test_load_json_with_html_and_datetime(tmp_path):
    obj = {"html": html_page(date_meta=False), "published": "2018-07-14T09:30:00+00:00"}
    doc = load(write(tmp_path, "b.json", json.dumps(obj)))
    assert doc.id == "b" and doc.outlet == "Example News"
    assert doc.published == "2018-07-14T09:30:00+00:00"
    assert PARAGRAPHS[1] in doc.text


def jsonl(*objs: dict) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def test_load_many_jsonl_and_unique_ids(tmp_path):
    path = write(tmp_path, "feed.jsonl", jsonl(
        {"id": "a", "text": ARTICLE, "published": "2018-07-14"},
        {"id": "a", "text": SEED_002.read_text(encoding="utf-8")},
        {"text": ARTICLE, "outlet": "X"}) + "\n")
    seed_copy = write(tmp_path, "a.txt", ARTICLE)
    docs = load_many([path, seed_copy, str(SEED_000)])
    assert [d.id for d in docs] == ["a", "a-2", "feed-3", "a-3", "000_d94821f06af23b8d"]
    assert docs[0].published == "2018-07-14" and docs[2].outlet == "X"
    assert docs[1].text == clean_text(SEED_002.read_text(encoding="utf-8"))


def test_load_refuses_multi_article_jsonl(tmp_path):
    path = write(tmp_path, "feed.jsonl", jsonl({"text": ARTICLE}, {"text": ARTICLE}))
    with pytest.raises(InputError, match="holds 2 articles; use load_many"):
        load(path)
    single = write(tmp_path, "one.jsonl", jsonl({"id": "only", "text": ARTICLE}))
    assert load(single).id == "only"


def set_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_load_stdin_text_and_html(monkeypatch):
    set_stdin(monkeypatch, SEED_002.read_bytes())
    doc = load("-")
    assert doc.id == "stdin" and "Harasta" not in doc.text
    set_stdin(monkeypatch, html_page().encode())
    assert load("-").title == "Allies discuss evacuating White Helmets"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16"])
def test_legacy_and_bom_encodings_are_decoded(tmp_path, encoding):
    text = ARTICLE + "\n\nCafé owners in Zürich said prices rose — again."
    doc = load(write(tmp_path, "legacy.txt", text.encode(encoding)))
    assert doc.text == text


def test_html_meta_charset_is_honoured(tmp_path):
    page = html_page().replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    doc = load(write(tmp_path, "old.html", page.encode("cp1252")))
    assert "Syrian government’s forces" in doc.text


# ---------------------------------------------------------------- input errors

@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", "", "empty file"),
    ("blank.txt", "  \n\n \t\n", "empty file"),
    ("short.txt", "Around 300 volunteers are in imminent danger, a source said.", r"too short \(10 words"),
    ("furniture.txt", "\n".join(BOILERPLATE_000), "no article text"),
    ("german.txt", GERMAN, r"not English \(detected German \(de\)\)"),
    ("french.md", FRENCH, r"not English \(detected French \(fr\)\)"),
    ("nul.txt", b"some text\x00\x01\x02 more", "binary file"),
    ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", r"binary file \(PDF\)"),
    ("bad.json", '{"text": "unterminated', "malformed JSON at line 1"),
    ("list.json", "[1, 2]", "expected a JSON object"),
    ("notext.json", '{"title": "Only a title"}', "no 'text' or 'html'"),
    ("typed.json", '{"text": 42}', "field 'text' must be a string"),
    ("date.json", json.dumps({"text": ARTICLE, "published": "yesterday"}), "cannot read the published date"),
    ("bad.jsonl", jsonl({"text": ARTICLE}) + "{oops\n", "bad.jsonl line 2: malformed JSON"),
    ("short.jsonl", jsonl({"text": ARTICLE}, {"text": "Too short."}), "short.jsonl line 2: too short"),
    ("empty.jsonl", "\n\n", "no articles"),
], ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "")
def test_bad_files_raise_one_line_input_errors(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(InputError, match=message) as err:
        load_many([path])
    assert name in str(err.value) and "\n" not in str(err.value)


def test_undecodable_bytes_are_refused_not_mangled(tmp_path):
    noise = bytes(b or 1 for b in random.Random(7).randbytes(4000))
    with pytest.raises(InputError, match="noise.txt: (not UTF-8|binary)"):
        load(write(tmp_path, "noise.txt", noise))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="nope.txt: no such file"):
        load(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        load(str(tmp_path))


def test_huge_inputs_are_refused(tmp_path, monkeypatch):
    with pytest.raises(InputError, match=r"too large \(2,[0-9,]+ characters"):
        load(write(tmp_path, "huge.txt", (PARAGRAPHS[0] + "\n\n") * 11_000))
    monkeypatch.setattr("storydiff.ingest.MAX_FILE_BYTES", 1000)
    with pytest.raises(InputError, match="big.html: too large"):
        load(write(tmp_path, "big.html", html_page()))


def test_empty_stdin(monkeypatch):
    set_stdin(monkeypatch, b"")
    with pytest.raises(InputError, match="stdin: empty input"):
        load("-")


def test_cli_reports_missing_file_in_one_line(capsys):
    code = cli_main(["compare", "missing.txt", str(SEED_000)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.strip().splitlines() == ["storydiff: error: missing.txt: no such file"]
    assert "Traceback" not in err


def test_language_fast_path_agrees_with_py3langid():
    import py3langid

    seed = SEED_002.read_text(encoding="utf-8")
    assert checks.detect_language(seed) == py3langid.classify(seed)[0] == "en"
    assert checks.detect_language(GERMAN) == "de"


# ---------------------------------------------------------------- URLs

class Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        Handler.hits.append(self.path)
        port = self.server.server_address[1]
        routes = {
            "/article": (200, "text/html; charset=utf-8", html_page().encode()),
            "/plain": (200, "text/plain; charset=utf-8", ARTICLE.encode()),
            "/pdf": (200, "application/pdf", b"%PDF-1.7 ..."),
            "/big": (200, "text/html", html_page().encode() * 50),
            "/missing": (404, "text/html", b"<p>not here</p>"),
        }
        redirects = {
            "/redirect": "/article",
            "/loop": "/loop",
            "/to-ftp": "ftp://example.org/article.txt",
            "/to-other-host": f"http://127.0.0.2:{port}/article",
        }
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(html_page().encode())
        else:
            status, ctype, body = routes[self.path]
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):  # keep test output quiet
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # the client hung up on /slow or /big
        pass


@pytest.fixture(scope="module")
def server():
    srv = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_fetch_html_page(server):
    doc = load(f"{server}/article", allow_private=True)
    assert doc.id == f"{server.removeprefix('http://')}/article"
    assert doc.url == f"{server}/article"
    assert doc.title == "Allies discuss evacuating White Helmets" and doc.outlet == "Example News"
    assert PARAGRAPHS[2] in doc.text and "Leave a Reply" not in doc.text


def test_fetch_plain_text_and_redirect(server):
    plain = load(f"{server}/plain", allow_private=True)
    assert plain.text == ARTICLE and plain.outlet == "127.0.0.1"
    moved = load(f"{server}/redirect", allow_private=True)
    assert moved.url == f"{server}/article" and moved.id.endswith("/redirect")


@pytest.mark.parametrize("path, message", [
    ("/loop", "more than 5 redirects"),
    ("/to-ftp", "redirected to ftp://example.org/article.txt: only http and https"),
    ("/pdf", "unsupported content type application/pdf"),
    ("/missing", "HTTP 404 Not Found"),
    ("/big", "too large"),
    ("/big-chunked", "too large"),
])
def test_fetch_failures_are_fetch_errors(server, monkeypatch, path, message):
    monkeypatch.setattr(fetch, "MAX_BYTES", 20_000)
    with pytest.raises(FetchError, match=message) as err:
        load(f"{server}{path}", allow_private=True)
    assert str(err.value).startswith(f"{server}{path}: ")


def test_slow_fetch_times_out(server, monkeypatch):
    monkeypatch.setattr(fetch, "TIMEOUT", 0.5)
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"/slow: timed out"):
        load(f"{server}/slow", allow_private=True)
    assert time.monotonic() - start < 1.9


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_by_default(server, host):
    Handler.hits.clear()
    url = server.replace("127.0.0.1", host) + "/article"
    with pytest.raises(FetchError, match="non-public address .*--allow-private"):
        load(url)
    assert Handler.hits == []  # refused before any request was sent


def test_every_redirect_hop_is_checked(server, monkeypatch):
    monkeypatch.setattr(fetch, "address_allowed", lambda ip: str(ip) != "127.0.0.2")
    with pytest.raises(FetchError, match="resolves to non-public address 127.0.0.2"):
        load(f"{server}/to-other-host")


def test_connected_address_is_checked_again(server, monkeypatch):
    # DNS said "public" at check time, but the connection lands on loopback (rebinding)
    monkeypatch.setattr(fetch, "resolve", lambda host, port: [ipaddress.ip_address("93.184.216.34")])
    with pytest.raises(FetchError, match="connected to non-public address 127.0.0.1"):
        load(server.replace("127.0.0.1", "localhost") + "/article")


@pytest.mark.parametrize("url", ["ftp://example.org/a.txt", "file:///etc/passwd", "javascript:alert(1)",
                                 "gopher://example.org/"])
def test_unsupported_schemes(url):
    with pytest.raises(FetchError, match="unsupported URL scheme"):
        load(url)


def test_cli_reports_bad_url_in_one_line(capsys):
    assert cli_main(["compare", "ftp://example.org/a.txt", str(SEED_000)]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "ftp://example.org/a.txt" in err


@pytest.mark.parametrize("address, allowed", [
    ("93.184.216.34", True), ("2606:4700::1111", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("192.168.0.1", False), ("172.16.5.4", False), ("169.254.169.254", False), ("0.0.0.0", False),
    ("100.64.0.1", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("240.0.0.1", False),
])
def test_address_rules(address, allowed):
    assert fetch.address_allowed(ipaddress.ip_address(address)) is allowed

