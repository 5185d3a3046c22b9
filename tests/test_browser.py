"""The built HTML book as a reader sees it, in headless Chromium (Debian's package, driven by Playwright).

Every page of the table of contents loads over HTTP from 127.0.0.1 without a console
error; its images load; its maths is typeset by the bundled MathJax; a chapter page's
Colab button points at that chapter's notebook on branch main; no page shows an error
output that its notebook did not mean to show. Each page is also checked at two window
widths: at 1400 px (a laptop) no code or output block needs sideways scrolling and the
figures' text is no smaller than the book's small print; at 400 px (a phone) the page
never scrolls sideways as a whole and display equations fit. Each width shows one
search box. Internal links are checked over the HTML files. A screenshot of one chapter
is saved in ``_build/screenshots`` for a person to look at.
"""

import functools
import http.server
import os
import shutil
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import nbformat
import pytest
import yaml

from rnnbook import plotting

from .test_book import CONFIG, REPO, toc_files

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPO / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests (.ci/run does)")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(built_book):
    result, html = built_book
    assert result.returncode == 0, "the book did not build; see test_book"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", html
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def expected_error_outputs(page_file: str) -> int:
    """How many cells of a chapter are meant to show an error (tagged raises-exception)."""
    path = REPO / f"{page_file}.ipynb"
    if not path.exists():
        return 0
    nb = nbformat.read(path, as_version=4)
    return sum(
        "raises-exception" in c.metadata.get("tags", [])
        and any(o.output_type == "error" for o in c.get("outputs", []))
        for c in nb.cells
    )


PAGES = ["intro", *toc_files()]


LAPTOP, PHONE = 1400, 400


def open_page(browser, base: str, page_file: str, width: int):
    """Load a page at ``width`` px; returns the page, its console errors, failed and all requests.

    Waits until MathJax has typeset the page, so that measured widths are final.
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors, failed, requested = [], [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{base}/{page_file}.html", wait_until="load")
    assert response.status == 200
    if page.locator("div.math, span.math").count():
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000)
        page.evaluate("MathJax.startup.promise")
    return page, errors, failed, requested


@pytest.fixture(scope="module", params=PAGES)
def laptop_page(request, site, browser):
    """One page loaded once at 1400 px and read by both laptop-width tests (one load, not two).

    Yields the page's file, the page, its console errors, failed and all requests.
    """
    page, errors, failed, requested = open_page(browser, site[0], request.param, LAPTOP)
    yield request.param, page, errors, failed, requested
    page.close()


def test_page_as_a_reader_sees_it(site, laptop_page):
    base, _ = site
    page_file, page, errors, failed_requests, requested = laptop_page
    external = [url for url in requested if not url.startswith((base, "data:"))]
    if page.locator("div.math, span.math").count():
        assert page.locator("mjx-container").count() > 0, "maths was not typeset"
    assert not errors, f"console errors: {errors}"

    images = page.evaluate("Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0])")
    broken = [src for src, ok in images if not ok]
    assert not broken, f"images that did not load: {broken}"
    assert not [url for url in external if "mathjax" in url.lower()], "MathJax must come from the book"

    if page_file.startswith("chapters/"):
        colab = page.locator("a[href*='colab.research.google.com']")
        assert colab.count() >= 1, "no Colab button"
        repo = urlparse(CONFIG["repository"]["url"]).path.strip("/")
        expected = f"https://colab.research.google.com/github/{repo}/blob/main/{page_file}.ipynb"
        assert colab.first.get_attribute("href") == expected

    tracebacks = page.locator(".output.traceback, .cell_output .traceback").count()
    assert tracebacks == expected_error_outputs(page_file), "an unexpected error output is shown"
    assert page.locator(".output.stderr").count() == 0, "stderr (TensorFlow logs) leaked into the page"
    assert not failed_requests, f"requests that failed: {failed_requests}"

    if page_file == PAGES[1]:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "first_chapter.png"), full_page=False)


# What a search box is, in pydata-sphinx-theme: the field, the icon button, or a bare form.
VISIBLE_SEARCH_BOXES = """() => Array.from(document.querySelectorAll(
    '.search-button__button, form.bd-search')).filter(e => {
      const box = e.getBoundingClientRect();
      return e.offsetParent !== null && box.width > 0 && box.height > 0
        && getComputedStyle(e).visibility !== 'hidden' && !e.closest('dialog');
    }).length"""

# Code and output blocks whose text is wider than the block (they would need sideways scrolling).
OVERFLOWING_BLOCKS = """() => Array.from(document.querySelectorAll(
    'div.cell_input pre, div.cell_output pre, div.highlight pre, .output pre')).filter(
      pre => pre.scrollWidth > pre.clientWidth + 1).map(pre => {
        const widest = pre.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '');
        return `${widest.length} characters: ${widest.slice(0, 100)}`;
      })"""

# Display equations (MathJax CHTML) wider than the space they are given.
CLIPPED_EQUATIONS = """() => Array.from(document.querySelectorAll('mjx-container[display="true"]')).filter(
    c => { const m = c.querySelector('mjx-math');
           return m && m.getBoundingClientRect().width > c.getBoundingClientRect().width + 1
             || c.getBoundingClientRect().right > document.documentElement.clientWidth + 1; }
  ).map(c => (c.closest('.math') || c).textContent.slice(0, 80))"""

# Figures (PNG outputs) as displayed: the scale the page applies to each.
FIGURE_SCALES = """() => Array.from(document.querySelectorAll('.cell_output img')).filter(
    i => i.naturalWidth > 0).map(i => [i.src.split('/').pop(), i.clientWidth / i.naturalWidth])"""


def test_page_on_a_laptop_has_no_sideways_scrolling_and_legible_figures(laptop_page):
    _, page, errors, _, _ = laptop_page
    assert not errors, f"console errors: {errors}"
    assert page.evaluate(VISIBLE_SEARCH_BOXES) == 1, "one search box"
    overflowing = page.evaluate(OVERFLOWING_BLOCKS)
    assert not overflowing, (
        f"{len(overflowing)} blocks need sideways scrolling at {LAPTOP} px:\n" + "\n".join(overflowing[:10])
    )
    # The smallest text of a figure drawn in the book's style: its tick labels.
    small_print = 0.875 * float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
    tick_px = plotting.BOOK_STYLE["xtick.labelsize"] * plotting.DPI / 72
    tiny = [
        f"{name}: ticks shown at {tick_px * scale:.1f} px"
        for name, scale in page.evaluate(FIGURE_SCALES)
        if tick_px * min(scale, 1.0) < small_print - 0.05
    ]
    assert not tiny, f"figures scaled below the {small_print:.0f} px small print: {tiny}"


@pytest.mark.parametrize("page_file", PAGES)
def test_page_on_a_phone_fits_its_width(site, browser, page_file):
    base, _ = site
    page, errors, _, _ = open_page(browser, base, page_file, PHONE)
    try:
        assert not errors, f"console errors: {errors}"
        assert page.evaluate(VISIBLE_SEARCH_BOXES) == 1, "one search box"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE, f"the page scrolls sideways: {width} px wide in a {PHONE} px window"
        clipped = page.evaluate(CLIPPED_EQUATIONS)
        assert not clipped, f"{len(clipped)} display equations do not fit at {PHONE} px: {clipped[:5]}"
    finally:
        page.close()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if tag in ("a", "img", "script", "link") and attrs.get(key):
                self.links.append(attrs[key])


def test_no_broken_internal_links(site):
    _, html = site
    start = time.perf_counter()
    pages = {path: _Links() for path in html.rglob("*.html") if "_static" not in path.parts}
    for path, parser in pages.items():
        parser.feed(path.read_text(encoding="utf-8"))
    broken, checked = [], 0
    for path, parser in pages.items():
        for link in parser.links:
            if urlparse(link).scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target, anchor = urldefrag(link)
            target = urlparse(target).path  # drop "?v=..." cache busters
            target_path = (path.parent / unquote(target)).resolve() if target else path
            checked += 1
            if not target_path.exists():
                broken.append(f"{path.relative_to(html)} -> {link}")
            elif anchor and target_path in pages and anchor not in pages[target_path].ids:
                broken.append(f"{path.relative_to(html)} -> {link} (no such anchor)")
    print(f"checked {checked} internal links on {len(pages)} pages in {time.perf_counter() - start:.1f} s")
    assert checked > 0
    assert not broken, "\n".join(broken[:20])


def test_toc_lists_only_pages_that_exist():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            assert list(REPO.glob(chapter["file"] + ".*")), f"{chapter['file']} has no source file"
