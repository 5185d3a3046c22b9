"""The built HTML book as a reader sees it, in headless Chromium (Debian's package, driven by Playwright).

Every page of the table of contents loads over HTTP from 127.0.0.1; its images load;
its maths is typeset by the bundled MathJax; a chapter page's Colab button points at
that chapter's notebook on branch main; no page shows an error output that its
notebook did not mean to show. Internal links are checked over the HTML files.
A screenshot of one chapter is saved in ``_build/screenshots`` for a person to look at.
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


@pytest.mark.parametrize("page_file", PAGES)
def test_page_as_a_reader_sees_it(site, browser, page_file):
    base, _ = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failed_requests = []
    page.on("requestfailed", lambda request: failed_requests.append(request.url))
    external = []
    page.on(
        "request",
        lambda request: external.append(request.url) if not request.url.startswith((base, "data:")) else None,
    )
    response = page.goto(f"{base}/{page_file}.html", wait_until="load")
    assert response.status == 200

    images = page.evaluate("Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0])")
    broken = [src for src, ok in images if not ok]
    assert not broken, f"images that did not load: {broken}"

    if page.locator("div.math, span.math").count():
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000)
        page.evaluate("MathJax.startup.promise")
        assert page.locator("mjx-container").count() > 0, "maths was not typeset"
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
