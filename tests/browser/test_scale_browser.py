"""The app on the large store (1,000,000 observations, 20,000 actions, 2,000
decision-makers) in a real browser: every page renders without error, and 20 pages open
at once on one server all render.

The store is built by the command line (about a minute), once for the module.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, streamlit_server, wait_ready
from tests.conftest import TODAY

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["/overview", "/gaps?sector=health", "/region?region=09", "/actions?level=regional",
         "/decision-makers", "/present?slides=map,advocacy,actions", "/sources"]


@pytest.fixture(scope="module")
def large_server(tmp_path_factory):
    where = tmp_path_factory.mktemp("large")
    url = f"sqlite:///{where / 'large.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNA_")}
    done = subprocess.run([sys.executable, "-m", "sna", "demo", "--scale", "large", "--as-of", TODAY],
                          cwd=ROOT, env={**env, "SNA_DATABASE_URL": url}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    with streamlit_server(url, where) as server:
        yield server


def _context(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1800})
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    return context, outside


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_on_the_large_store(chromium, large_server, path):
    context, outside = _context(chromium)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(large_server.url + path)
    wait_ready(page, timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
    assert outside == []
    context.close()


def test_twenty_pages_at_once_on_one_server_all_render(chromium, large_server):
    pages = []
    contexts = []
    for i in range(20):
        context, _ = _context(chromium)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(large_server.url + PAGES[i % len(PAGES)], wait_until="commit")  # all load together
        pages.append(page)
    for page in pages:
        wait_ready(page, timeout=180_000)
        assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:1000]
        assert page.locator('[data-testid="stMain"] h1').first.is_visible()
    assert large_server.process.poll() is None  # the server is still up
    for context in contexts:
        context.close()
