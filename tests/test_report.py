"""The renderers (terminal, Markdown, HTML) and the JSON schema, on reports built
by hand from the seed pair with real spans, plus a hostile article."""
from __future__ import annotations

import json
import re
from html import escape as escape_html
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storydiff.model import Document, Evidence, Finding, Report
from storydiff.report import render
from storydiff.report.html import ASSETS, report_view, segments, to_html
from storydiff.report.layout import CAP, quote, sections
from storydiff.report.markdown import md_escape, to_markdown
from storydiff.report.terminal import print_report, to_text

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
SCHEMA = REPO / "docs" / "report.schema.json"


def seed(stem: str, doc_id: str, **meta) -> Document:
    return Document(id=doc_id, text=next(SEEDS.glob(f"{stem}_*.txt")).read_text(encoding="utf-8"), **meta)


def ev(doc: Document, phrase: str) -> Evidence:
    i = doc.text.index(phrase)
    return Evidence(doc.id, i, i + len(phrase), phrase)


def seed_docs() -> tuple[Document, Document]:
    a = seed("000", "000", title="U.S., Allies Discuss Evacuating White Helmets from Syria", outlet="Small Site")
    b = seed("002", "002", title="Western nations move to rescue White Helmets", published="2018-07-16")
    return a, b


def seed_report() -> Report:
    """The seed pair with findings a good engine reports, spans found in the real texts."""
    a, b = seed_docs()
    findings = [
        Finding("conflict", "number", "People in imminent danger: around 300 vs about 800",
                [ev(a, "Around 300"), ev(b, "about 800")], {"000": "Around 300", "002": "about 800"},
                0.93, ["000", "002"], {"quantity": "people in imminent danger"}),
        Finding("conflict", "membership", "Countries involved differ: United States only in 000; "
                "Netherlands, Germany only in 002",
                [ev(a, "The United States, the UK, Canada, and France, among other countries"),
                 ev(b, "Officials from The Netherlands, UK, France, Canada, and Germany raised the issue")],
                {"000": "United States, UK, Canada, France (among others)",
                 "002": "Netherlands, UK, France, Canada, Germany"}, 0.81, ["000", "002"]),
        Finding("agreement", "number", "About 1,000 volunteers and their families",
                [ev(a, "the 1000 volunteers and their families"),
                 ev(b, "about 1,000 volunteers and familiy members")],
                {"000": "1000", "002": "about 1,000"}, 0.9, ["000", "002"]),
        Finding("agreement", "event", "Raised with Trump at the NATO summit last week",
                [ev(a, "last week’s meetings of President Donald Trump with NATO allies"),
                 ev(b, "raised the issue with Donald Trump on the sidelines of the NATO summit in Brussels last week")],
                {}, 0.85, ["000", "002"]),
        Finding("agreement", "quote", "Same quote: “no retribution on anyone in the southwest”",
                [ev(a, "no retribution on anyone in the southwest"), ev(b, "no retribution on anyone in the southwest")],
                {"000": "A senior U.S. official", "002": "an American official"}, 0.88, ["000", "002"]),
        Finding("omission", "statement", "NSC spokesperson Garrett Marquis's statement to CBS News",
                [ev(a, "National Security Council spokesperson Garrett Marquis said in a statement")],
                {}, 0.8, ["000", "002"]),
        Finding("omission", "number", "The group says it has saved 115,000 lives",
                [ev(b, "says it has saved 115,000 lives")], {"002": "115,000 lives"}, 0.8, ["002", "000"]),
    ]
    return Report(documents=[a, b], findings=findings, meta={"engine": "hand-built"})


@pytest.fixture(scope="module")
def docs() -> tuple[Document, Document]:
    return seed_docs()


@pytest.fixture(scope="module")
def report() -> Report:
    return seed_report()


EVIL = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JSLINK = '<a href="javascript:alert(1)">click</a>'


@pytest.fixture(scope="module")
def hostile() -> Report:
    text = f"Officials said {EVIL} about 800 people {IMG} were at risk. {JSLINK} </script><!-- & &amp;"
    bad = Document(id=EVIL, text=text, title=IMG, url="javascript:alert(1)", outlet='"><svg onload=alert(1)>')
    good = Document(id="002", text="Officials said about 300 people were at risk.", url="https://example.org/a?x=1&y=2")
    i = text.index("about 800")
    j = good.text.index("about 300")
    f = Finding("conflict", '"><script>alert(2)</script>', f"People at risk {EVIL}",
                [Evidence(bad.id, i, i + 9, "about 800"), Evidence("002", j, j + 9, "about 300"),
                 Evidence(bad.id, 0, len(text), text)],
                {bad.id: f"800 {IMG}", "002": "300"}, 0.9, [bad.id, "002"])
    return Report(documents=[bad, good], findings=[f], duplicates={IMG: EVIL})


# --- layout shared by the views -------------------------------------------------

def test_sections_order_and_omission_groups(report):
    titles = [s.title for s in sections(report)]
    assert titles == ["Conflicts", "Agreements", "Only in 000 (Small Site)", "Only in 002"]


def test_notices_first_and_unknown_kinds_kept(docs):
    a, b = docs
    notice = Finding("notice", "different_story", "000 and 002 may report different events", [], docs=["000", "002"])
    odd = Finding("speculation", "hedge", "000 hedges with “likely”", [ev(a, "It is likely that")])
    conflict = Finding("conflict", "number", "danger", [ev(a, "Around 300"), ev(b, "about 800")])
    r = Report([a, b], [conflict, notice, odd], same_story=False)
    assert [s.title for s in sections(r)] == ["Notices", "Conflicts", "Speculation"]
    text, md, html = to_text(r), to_markdown(r), to_html(r)
    assert text.index("Notices") < text.index("Conflicts") < text.index("Speculation")
    assert md.index("## Notices") < md.index("## Conflicts") < md.index("## Speculation")
    assert "may not report the same story" not in text  # the notice already says so
    assert 'sd-card k-other' in html and 'data-kind="speculation"' in html
    assert "may not report the same story" in to_text(Report([a, b], [conflict], same_story=False))


def test_agreements_capped_conflicts_never(docs):
    a, b = docs
    claim = [ev(a, "Around 300"), ev(b, "about 800")]
    many = [Finding("conflict", "number", f"c{i}", claim) for i in range(CAP + 5)]
    many += [Finding("agreement", "event", f"a{i}", claim) for i in range(CAP + 5)]
    text = to_text(Report([a, b], many))
    assert all(f"c{i}" in text for i in range(CAP + 5))
    assert f"a{CAP - 1}\n" in text and f"a{CAP}\n" not in text
    assert "... 5 more (use --format json for all)" in text


def test_quote_is_trimmed_to_the_sentence(report):
    q = quote(report, report.findings[0].claims[0])
    assert (q.before, q.span, q.after) == ("", "Around 300", " of them are considered to be in imminent danger.")
    q = quote(report, report.findings[4].claims[0])  # "U.S." must not end the sentence
    assert q.before.startswith("A senior U.S. official said")


def test_quotes_keep_innermost_and_values_not_repeated(docs):
    a, b = docs
    sentence = ev(a, "Around 300 of them are considered to be in imminent danger.")
    f = Finding("conflict", "number", "danger", [ev(a, "Around 300"), sentence, ev(b, "about 800")],
                {"000": "Around 300", "002": "about 800"})
    text = to_text(Report([a, b], [f]))
    assert text.count("imminent danger.") == 2 and "»Around 300« of them" in text
    g = Finding("agreement", "event", "same", [sentence], {"000": sentence.text})
    text = to_text(Report([a, b], [g]))
    assert text.count("of them are considered") == 1 and "000: " not in text


def test_quote_survives_bad_offsets(report):
    q = quote(report, Evidence("000", 10_000, 10_005, "ghost"))
    assert q.span == "ghost" and q.before == q.after == ""


# --- terminal ----------------------------------------------------------------

def test_terminal_sections_values_and_evidence(report):
    text = to_text(report)
    for heading in ("Conflicts", "Agreements", "Only in 000 (Small Site)", "Only in 002"):
        assert re.search(rf"^─* ?{re.escape(heading)} ─", text, re.M), heading
    assert "000: Around 300 │ 002: about 800" in text
    assert "»Around 300« of them are considered to be in imminent danger." in text
    assert "»about 800« of them to be in imminent danger." in text
    assert text.index("People in imminent danger") < text.index("Countries involved differ")
    assert "U.S., Allies Discuss Evacuating White Helmets from Syria" in text
    assert "2 documents · 2 conflicts · 3 agreements · 2 only in some sources" in text


def test_terminal_prints_in_colour_without_markup_injection(report, docs):
    from io import StringIO

    from rich.console import Console
    buf = StringIO()
    a, b = docs
    sneaky = Finding("agreement", "quote", "[bold red]not markup[/] \x1b[31mred",
                     [ev(b, "[Secretary of State Mike] Pompeo")])
    print_report(Report([a, b], [sneaky]), Console(file=buf, force_terminal=True, width=120))
    out = buf.getvalue()
    assert "[bold red]not markup[/]" in out and "[Secretary of State Mike]" in out
    assert "\x1b[31mred" not in out and "\x1b[" in out  # rich colours it, the article cannot


def test_print_report_to_a_pipe_is_plain_text(report):
    from io import StringIO

    from rich.console import Console
    buf = StringIO()
    print_report(report, Console(file=buf))
    assert buf.getvalue() == to_text(report)


def test_render_dispatch(report):
    assert render(report, "terminal") == to_text(report)
    assert json.loads(render(report, "json")) == report.to_dict()


# --- markdown ----------------------------------------------------------------

def test_markdown_sections_values_and_evidence(report):
    md = to_markdown(report)
    for heading in ("## Conflicts", "## Agreements", "## Only in 000 (Small Site)", "## Only in 002"):
        assert heading in md
    assert "| 000 | 002 |" in md and "| Around 300 | about 800 |" in md
    assert "**Around 300** of them are considered to be in imminent danger." in md
    assert "U\\.S\\." not in md  # only characters that can form markup are escaped


def test_markdown_escapes_article_text(hostile):
    md = to_markdown(hostile)
    body = re.sub(r"^ *> ", "", md, flags=re.M)  # our own blockquote markers
    assert not re.search(r"(?<!\\)[<>\[\]`]", body)  # no markup character left unescaped
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert md_escape("*a* _b_ [c](d) `e` | <f> & # ~") == "\\*a\\* \\_b\\_ \\[c\\](d) \\`e\\` \\| \\<f\\> \\& \\# \\~"
    assert md_escape("000_d948 _x") == "000_d948 \\_x"


# --- html --------------------------------------------------------------------

class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    p.close()
    return p


def test_html_is_self_contained(report):
    html = to_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//|@import|url\(\s*["']?(https?:)?//""", html, re.I)
    tags = parse(html)
    assert not [t for t, a in tags.tags if t in ("link", "img", "iframe", "object", "embed")]
    assert [a.get("type") for t, a in tags.tags if t == "script"] == [None]
    assert tags.scripts == [ASSETS.js] and ASSETS.css in html
    policy = [a["content"] for t, a in tags.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(policy) == 1 and "default-src 'none'" in policy[0]
    assert ASSETS.csp().split("script-src ")[1] in policy[0]  # the script, by hash


def test_html_columns_findings_and_values(report):
    html = to_html(report)
    tags = parse(html)
    columns = [a["data-doc"] for t, a in tags.tags if t == "article" and "sd-doc" in a.get("class", "")]
    assert columns == ["000", "002"]
    cards = [a for t, a in tags.tags if "sd-card" in (a.get("class") or "").split()]
    assert [c["data-f"] for c in cards] == [str(i) for i in range(len(report.findings))]
    assert [c["data-kind"] for c in cards][:2] == ["conflict", "conflict"]
    assert re.search(r'<span class="sd-val-text">Around 300</span>.*?<span class="sd-val-text">about 800</span>',
                     html, re.S)
    marks = {a["data-f"] for t, a in tags.tags if t == "mark"}
    assert {"0", "2", "5", "6"} <= marks
    for cls in ("k-conflict", "k-agreement", "k-omission"):  # legend and highlights by kind
        assert f'sd-legend-item {cls}' in html and f'sd-ev {cls}' in html


def test_html_evidence_text_is_exact(report):
    """Stripping the marks from each column gives back the document text, character for character."""
    from html import unescape
    html = report_view(report)
    for doc in report.documents:
        body = re.search(rf'<article class="sd-doc" data-doc="{doc.id}".*?<div class="sd-text">(.*?)</div>', html, re.S)
        assert unescape(re.sub(r"<[^>]+>", "", body.group(1))) == doc.text


def test_overlapping_spans_split_at_every_boundary():
    text = "0123456789"
    spans = [(2, 6, 0), (4, 8, 1), (5, 6, 2), (9, 10, 1)]
    assert segments(text, spans) == [("01", [], []), ("23", [0], []), ("4", [0, 1], []), ("5", [0, 1, 2], []),
                                     ("67", [1], []), ("8", [], []), ("9", [1], [])]
    # a value inside its own finding's sentence: covered twice by finding 4, once by 5
    assert segments("abc", [(0, 3, 4), (1, 2, 4), (0, 3, 5)]) == [
        ("a", [4, 5], []), ("b", [4, 5], [4]), ("c", [4, 5], [])]


def test_html_overlap_in_the_seed(report):
    """The membership conflict and the NATO agreement share "raised the issue" in 002."""
    html = report_view(report)
    assert re.search(r'<mark class="sd-ev k-conflict sd-multi(?: sd-value)?" data-f="1 3"[^>]*>raised the issue</mark>', html)


def test_html_escapes_hostile_article(hostile):
    html = to_html(hostile)
    tags = parse(html)
    assert tags.scripts == [ASSETS.js]
    allowed = {"html", "head", "meta", "title", "style", "body", "div", "header", "section", "article", "aside",
               "h1", "h2", "h3", "p", "span", "mark", "button", "select", "option", "label", "a", "ul", "li",
               "script", "strong", "nav", "dl", "dt", "dd", "table", "tr", "th", "td", "small"}
    assert {t for t, _ in tags.tags} <= allowed
    for tag, attrs in tags.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        for k, v in attrs.items():
            assert "javascript:" not in (v or "").lower(), (tag, k, v)
    assert [a["href"] for t, a in tags.tags if t == "a"] == ["https://example.org/a?x=1&y=2"]
    for raw in (EVIL, IMG, "<svg", "<a href=\"javascript", "<!--"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_fragment_has_no_shell(report):
    view = report_view(report)
    assert view.startswith('<div class="sd-report"') and "<html" not in view and "<script" not in view


# --- JSON schema ---------------------------------------------------------------

def test_to_dict_validates_against_schema(report, hostile):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for r in (report, hostile):
        validator.validate(r.to_dict())
    bad = report.to_dict()
    del bad["findings"][0]["claims"][0]["start"]
    assert list(validator.iter_errors(bad))


def test_docs_excerpt_validates():
    jsonschema = pytest.importorskip("jsonschema")
    doc = (REPO / "docs" / "output.md").read_text(encoding="utf-8")
    excerpt = json.loads(re.search(r"```json\n(.*?)```", doc, re.S).group(1))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(excerpt)


# --- a real report of the seed pair ---------------------------------------------------

@pytest.fixture(scope="module")
def real_report() -> Report:
    import storydiff
    return storydiff.compare(storydiff.load_many([str(p) for p in sorted(SEEDS.glob("00*.txt"))]))


@pytest.mark.slow
def test_real_seed_report_in_every_format(real_report):
    from html import unescape
    r = real_report
    d = r.to_dict()
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(d)
    assert json.loads(render(r, "json")) == d
    for f in r.findings:  # every offset indexes the cleaned text the report carries
        for c in f.claims:
            assert r.document(c.doc).text[c.start:c.end] == c.text
    text, md, html = to_text(r), to_markdown(r), to_html(r)
    flat = " ".join(text.split())
    shown = [f for s in sections(r) for _, f in s.ranked]
    for f in shown:
        assert " ".join(f.summary.split()) in flat and md_escape(f.summary) in md
    for f in r.findings:
        assert escape_html(f.summary) in html
    # the flagship conflict, values side by side in each view
    number = next(f for f in r.conflicts if set(f.values.values()) == {"Around 300", "about 800"})
    a, b = (k for k, _ in sorted(number.values.items()))
    assert f"{a}: Around 300 │ {b}: about 800" in text
    assert "| Around 300 | about 800 |" in md
    assert re.search(r'sd-val-text">Around 300</span>.*?sd-val-text">about 800</span>', html, re.S)
    view = report_view(r)
    for doc in r.documents:
        body = re.search(rf'<article class="sd-doc" data-doc="{re.escape(escape_html(doc.id))}".*?'
                         r'<div class="sd-text">(.*?)</div>', view, re.S)
        assert unescape(re.sub(r"<[^>]+>", "", body.group(1))) == doc.text


# --- in a real browser -----------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-gpu"])
        yield b
        b.close()


def open_report(browser, report: Report, tmp_path: Path):
    """A page showing ``to_html(report)`` from a file, recording errors, dialogs and requests."""
    path = tmp_path / "report.html"
    path.write_text(to_html(report), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    seen = {"errors": [], "dialogs": [], "requests": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(path.as_uri())
    return page, seen


@pytest.mark.browser
def test_browser_click_scrolls_columns_and_filters(browser, tmp_path):
    report = seed_report()
    page, seen = open_report(browser, report, tmp_path)
    assert page.evaluate("document.querySelector('.sd-report').getAttribute('data-sd-ready')") == "1"
    # "says it has saved 115,000 lives" is far down 002 and absent from 000
    page.click('.sd-card[data-f="6"]')
    page.wait_for_function("() => document.querySelector('.sd-doc[data-doc=\"002\"]').scrollTop > 100")
    assert page.locator("mark.is-active").all_inner_texts() == ["says it has saved 115,000 lives"]
    assert page.is_visible('.sd-doc[data-doc="000"] .sd-absent-note')
    assert not page.is_visible('.sd-doc[data-doc="002"] .sd-absent-note')
    # the number conflict marks its evidence in both columns
    page.click('.sd-card[data-f="0"]')
    assert page.locator("mark.is-active").all_inner_texts() == ["Around 300", "about 800"]
    assert page.get_attribute('.sd-card[data-f="0"]', "aria-pressed") == "true"
    # clicking text selects its finding; the shared "raised the issue" cycles conflict -> agreement
    shared = page.locator('mark[data-f="1 3"]')
    shared.click()
    assert page.get_attribute('.sd-card[data-f="1"]', "aria-pressed") == "true"
    shared.click()
    assert page.get_attribute('.sd-card[data-f="3"]', "aria-pressed") == "true"
    # hiding conflicts hides their cards and un-highlights their text
    page.click('.sd-filter[data-kind="conflict"]')
    assert not page.is_visible('.sd-card[data-f="0"]') and page.is_visible('.sd-card[data-f="2"]')
    assert "is-off" in page.get_attribute('mark[data-f="0"]', "class")
    page.select_option(".sd-type-filter", "quote")
    assert [c.get_attribute("data-f") for c in page.locator(".sd-card:visible").all()] == ["4"]
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert all(u.startswith("file:") for u in seen["requests"])


@pytest.mark.browser
def test_browser_runs_nothing_from_a_hostile_article(browser, hostile, tmp_path):
    page, seen = open_report(browser, hostile, tmp_path)
    page.click('.sd-card[data-f="0"]')
    page.click("mark.sd-ev >> nth=0")
    assert seen["dialogs"] == [] and seen["errors"] == []
    assert all(u.startswith("file:") for u in seen["requests"])
    assert EVIL in page.inner_text(".sd-doc >> nth=0")  # shown as text, not run


@pytest.mark.slow
@pytest.mark.browser
def test_browser_real_report_marks_values_in_both_columns(browser, real_report, tmp_path):
    page, seen = open_report(browser, real_report, tmp_path)
    rank = next(i for i, f in enumerate(real_report.findings)
                if f.kind == "conflict" and set(f.values.values()) == {"Around 300", "about 800"})
    page.click(f'.sd-card[data-f="{rank}"]')
    assert page.locator("mark.is-value").all_inner_texts() == ["Around 300", "about 800"]
    assert seen["errors"] == [] and all(u.startswith("file:") for u in seen["requests"])
