"""The web app in a real browser: Debian's chromium driven by Playwright.

A real server (uvicorn, real engine) runs in a thread on a free loopback port.
Screenshots of the main pages go to test-output/screenshots/ for a person to look at.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
SHOTS = REPO / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-gpu"]
# Every way a title or a text could try to run code; each sets a flag or opens a dialog if it runs.
XSS_TITLE = ('Storm update <script>window.__xss = "title"</script><img src=x onerror="window.__xss = \'img\'">'
             '<a href="javascript:window.__xss = \'link\'">read more</a>')
XSS_BODY = ("Rescue workers said on Monday that the flood waters had reached the old bridge in the town centre, "
            "and that about two hundred families had left their homes overnight. "
            '<svg onload="alert(1)"></svg> "><script>alert(2)</script> </mark></div><script>window.__xss = 3</script> '
            '<a href="javascript:alert(3)" onclick="window.__xss = 4">click here for more</a> '
            "</textarea><script>window.__xss = 5</script> Officials said the water would fall by Wednesday, "
            "and the army sent three hundred soldiers to help with the evacuation of the lower town.")


class Server:
    """uvicorn serving one app on 127.0.0.1:<free port>, in a daemon thread."""

    def __init__(self, **settings) -> None:
        import uvicorn

        from storydiff.web import WebSettings, create_app

        self.app = create_app(WebSettings(**settings))
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Iterator[str]:
    """The production configuration (CSP on), over a store holding the seed pair."""
    db = tmp_path_factory.mktemp("store") / "corpus.db"
    with Server(db=str(db)) as url:
        seeds = [{"id": p.stem, "text": p.read_text(encoding="utf-8"), "outlet": outlet}
                 for p, outlet in zip(SEEDS, ["smallsite.example", "bignews.example"])]
        r = httpx.post(url + "/api/articles", json={"articles": seeds}, timeout=300)
        assert r.status_code == 200 and r.json()["added"] == 2, r.text
        yield url


@pytest.fixture(scope="module")
def unsafe_base(tmp_path_factory) -> Iterator[str]:
    """CSP off, so the escaping alone has to stop the payloads."""
    with Server(csp=False, db=str(tmp_path_factory.mktemp("store") / "corpus.db")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 820}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def shot(page, name: str, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


@pytest.fixture(scope="module")
def seed_report_url(base: str, browser) -> str:
    """Submit the seed pair through the compare form once; the report page's URL."""
    context = browser.new_context(viewport={"width": 1360, "height": 820})
    pg = context.new_page()
    pg.goto(base + "/")
    areas = pg.locator("textarea[name=text]")
    for i, path in enumerate(SEEDS):
        areas.nth(i).fill(path.read_text(encoding="utf-8"))
    shot(pg, "compare-form")
    pg.click("button[type=submit]")
    pg.wait_for_url("**/reports/*", timeout=120_000)
    url = pg.url
    context.close()
    return url


# whether a mark can be seen: inside its column's scrolled area and not under anything
# (a sticky column header, say): the element at its centre is the mark itself
VISIBLE = """([col, el]) => { const c = col.getBoundingClientRect(); const r = el.getBoundingClientRect();
                              const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                              return r.top >= c.top && r.bottom <= c.bottom && (hit === el || el.contains(hit)); }"""


def in_view(page, column, mark) -> bool:
    return page.evaluate(VISIBLE, [column, mark])


def settle_scrolling(page, columns: list[str], timeout: float = 5.0) -> None:
    """Wait until (smooth) scrolling of every column has stopped."""
    positions, deadline = None, time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        now = [page.eval_on_selector(c, "el => el.scrollTop") for c in columns]
        if now == positions:
            return
        positions = now
    raise AssertionError("columns kept scrolling")


def test_seed_pair_conflict_is_highlighted_in_both_columns_and_click_scrolls_to_it(page, seed_report_url) -> None:
    page.goto(seed_report_url)
    card = page.locator(".sd-card.k-conflict", has_text="Around 300").filter(has_text="about 800").first
    card.wait_for()
    assert "Around 300" in card.inner_text() and "about 800" in card.inner_text()
    fid = card.get_attribute("data-f")
    shot(page, "report", full=False)
    selectors = ['.sd-doc[data-doc="doc1"]', '.sd-doc[data-doc="doc2"]']  # pasted texts are doc1, doc2, ...
    columns = [page.query_selector(c) for c in selectors]
    # the conflict's evidence in each column, highlighted as a conflict and holding that column's value
    marks = [page.locator(f'{c} mark.sd-ev.k-conflict[data-f~="{fid}"]', has_text=value).first.element_handle()
             for c, value in zip(selectors, ("Around 300", "about 800"))]
    # start with both columns scrolled to the end, the evidence out of sight
    for col, mark in zip(columns, marks):
        col.evaluate("el => { el.style.scrollBehavior = 'auto'; el.scrollTop = el.scrollHeight; }")
        assert not in_view(page, col, mark)
    card.click()
    settle_scrolling(page, selectors)
    for col, mark in zip(columns, marks):
        assert in_view(page, col, mark), f"{mark.inner_text()} not scrolled into view"
        assert "is-active" in mark.get_attribute("class")
    assert card.get_attribute("aria-pressed") == "true"
    shot(page, "report-selected-conflict", full=False)
    assert page.errors == []


def test_coverage_matrix_row_selects_its_finding(page, seed_report_url) -> None:
    page.goto(seed_report_url)
    page.locator("#coverage").scroll_into_view_if_needed()
    shot(page, "report-full-page")
    row = page.locator("svg.coverage g.m-row").first
    fid = row.get_attribute("data-finding")
    row.click()
    page.wait_for_function("f => document.querySelector(`.sd-card[data-f=\"${f}\"]`).classList.contains('is-active')",
                           arg=fid, timeout=5000)
    assert page.errors == []


def test_export_json_downloads_the_report(page, seed_report_url) -> None:
    page.goto(seed_report_url)
    with page.expect_download() as info:
        page.click("a.export[data-format=json]")
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert [d["id"] for d in data["documents"]] == ["doc1", "doc2"]
    assert data["documents"][0]["text"].startswith("U.S., Allies Discuss Evacuating White Helmets")
    assert any(f["kind"] == "conflict" and {"Around 300", "about 800"} <= set(f["values"].values())
               for f in data["findings"])


def _assert_nothing_ran(page, dialogs: list) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    assert page.errors == []


def test_hostile_article_runs_nothing(page, unsafe_base: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # through the API, with the payload in title, outlet, text and a javascript: url
    body = {"documents": [
        {"id": "storm", "title": XSS_TITLE, "outlet": XSS_TITLE, "url": "javascript:alert(4)",
         "text": XSS_TITLE + "\n\n" + XSS_BODY},
        {"id": "other", "title": "Flood reaches the old bridge", "text": XSS_BODY.replace("two hundred", "three hundred")},
    ]}
    r = page.request.post(unsafe_base + "/api/compare", data=body)
    assert r.status == 200, r.text()
    report_path = r.headers["link"].split(";")[0].strip("<>")
    page.goto(unsafe_base + report_path)
    page.locator(".sd-doc").first.wait_for()
    text = page.locator('.sd-doc[data-doc="storm"]').inner_text()
    assert '<script>window.__xss = "title"</script>' in text  # shown as text, not run
    assert "javascript:alert(3)" in text
    for card in page.locator(".sd-card").all()[:10]:
        card.click()
    page.get_by_text("click here for more").first.click()
    page.get_by_text("read more").first.click()
    page.wait_for_timeout(300)
    shot(page, "hostile-article")
    _assert_nothing_ran(page, dialogs)
    # the compare form sends the payload back into its textarea after an error
    page.goto(unsafe_base + "/")
    page.locator("textarea[name=text]").first.fill(XSS_BODY)
    page.click("button[type=submit]")
    page.locator(".error").wait_for()
    assert "two or more" in page.locator(".error").inner_text()
    assert page.locator("textarea[name=text]").first.input_value() == XSS_BODY
    _assert_nothing_ran(page, dialogs)


def test_open_a_story_from_the_store(page, base: str) -> None:
    page.goto(base + "/stories")
    shot(page, "stories")
    page.fill("input[name=q]", "White Helmets")
    page.click("form.search button")
    link = page.locator("a.story-link").first
    assert "White Helmets" in link.inner_text()
    row = page.locator("table.stories tr", has=link)
    assert "bignews.example" in row.inner_text() and "smallsite.example" in row.inner_text()
    link.click()
    page.wait_for_url("**/stories/*")
    card = page.locator(".sd-card.k-conflict", has_text="Around 300").filter(has_text="about 800").first
    card.wait_for()
    assert page.locator(".sd-doc").count() == 2
    assert "2 articles from bignews.example, smallsite.example" in page.locator(".story-meta").inner_text()
    card.click()
    shot(page, "story", full=False)
    with page.expect_download() as info:
        page.click("a.export[data-format=json]")
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert sorted(d["outlet"] for d in data["documents"]) == ["bignews.example", "smallsite.example"]
    assert page.errors == []


def test_hostile_article_ingested_into_the_store_runs_nothing(page, unsafe_base: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hostile = [{"id": "storm", "title": XSS_TITLE, "outlet": XSS_TITLE, "url": "javascript:alert(5)",
                "text": XSS_BODY},
               {"id": "storm2", "title": XSS_TITLE + " (2)", "text": XSS_BODY.replace("two hundred", "three hundred")}]
    r = page.request.post(unsafe_base + "/api/articles", data={"articles": hostile})
    assert r.status == 200 and r.json()["added"] == 2, r.text()
    page.goto(unsafe_base + "/stories")
    assert '<script>window.__xss = "title"</script>' in page.locator("table.stories").inner_text()
    shot(page, "stories-hostile")
    _assert_nothing_ran(page, dialogs)
    for href in [a.get_attribute("href") for a in page.locator("a.story-link").all()]:
        page.goto(unsafe_base + href)
        page.locator(".sd-doc").first.wait_for()
        assert "window.__xss = 3" in page.locator(".sd-doc").first.inner_text()
        page.get_by_text("click here for more").first.click()
        _assert_nothing_ran(page, dialogs)


def test_main_pages_render_cleanly(page, base: str) -> None:
    for path, name in [("/", "compare-empty"), ("/api-docs", "api-docs"), ("/reports/0000000000000000", "error-404")]:
        page.goto(base + path)
        shot(page, name)
    assert page.locator("h1").inner_text() == "Not found"
    assert page.errors == []
