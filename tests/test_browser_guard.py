"""The browser guard of the Lab tests (``helpers.BrowserGuard``) catches what it promises.

A real page on a real local server, in headless Chromium: a request to another host, a console
error and a missing file are recorded; only an exact allow-list entry lets one through.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from helpers import BrowserGuard, launch_chromium

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><title>guard</title>
<img src="http://192.0.2.7/pixel.png">
<script>console.error("boom from the page"); fetch("/missing.json");</script>
<p id="done">done</p>"""
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (File not found)"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _visit(chromium: str, base: str, allowed) -> list[str]:
    from playwright.sync_api import sync_playwright

    guard = BrowserGuard(base, allowed)
    with sync_playwright() as p:
        browser = launch_chromium(p, chromium)
        try:
            context = browser.new_context()
            context.route("**/*", guard.route)
            page = context.new_page()
            guard.watch(page)
            page.goto(f"{base}/index.html")
            page.wait_for_load_state("networkidle")
        finally:
            browser.close()
    return guard.unexpected()


def test_guard_reports_off_host_requests_and_console_errors(site, chromium):
    found = _visit(chromium, site, [])
    assert found[0] == "off-host request: http://192.0.2.7/pixel.png"
    assert sorted(found[1:]) == sorted(
        [
            "console: boom from the page (/index.html)",
            f"console: {NOT_FOUND} (/missing.json)",
            "console: Failed to load resource: net::ERR_FAILED (http://192.0.2.7/pixel.png)",
        ]
    )


def test_only_an_exact_allow_list_entry_lets_an_error_through(site, chromium):
    allowed = [
        ("console", NOT_FOUND, r"/missing\.json", "the page probes an optional file"),
        ("console", "boom", r"/index\.html", "not exact: must not match"),
    ]
    found = _visit(chromium, site, allowed)
    assert f"console: {NOT_FOUND} (/missing.json)" not in found
    assert "console: boom from the page (/index.html)" in found
