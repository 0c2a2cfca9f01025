"""Fixtures for the real-browser tests (marker ``browser``).

* ``demo_store``: a demo store made once per session by the command line
  (``python -m sna demo --as-of 2026-03-15``) in a temporary directory.
* ``app_server``: ``python -m streamlit run app.py`` on a free loopback port, started from
  the repository root on a copy of that store (``SNA_TODAY`` set), ready once
  ``/_stcore/health`` answers ``ok``; only that process is stopped at the end.
  :func:`streamlit_server` starts more (e.g. with ``SNA_LOGIN_REQUIRED=1``).
* ``chromium``: Debian's chromium (``/usr/bin/chromium``) driven by Playwright's sync API.
  ``playwright install`` is never used. Without chromium or playwright the tests are
  skipped, and fail under ``CI=true``.
* ``open_page``: a new browser context (tall viewport) whose every request to a host other
  than 127.0.0.1/localhost is aborted and recorded, opened at a path of the app and
  waited on until Streamlit has finished running.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import TODAY, require

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--use-gl=swiftshader",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1800}
HEALTH_TIMEOUT = 60  # seconds for streamlit to answer /_stcore/health
RUN_TIMEOUT = 30_000  # milliseconds for a script run to finish in the browser
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


# ------------------------------------------------------------------ the app
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNA_", "STREAMLIT_"))}
    env.update(SNA_TODAY=TODAY, SNA_AUTO_DEMO="0", PYTHONUNBUFFERED="1", **extra)
    return env


def copy_store(template: Path, target: Path) -> str:
    """A copy of a (closed) SQLite store, as an SQLAlchemy URL."""
    for suffix in ("", "-wal", "-shm"):
        src = template.with_name(template.name + suffix)
        if src.exists():
            shutil.copyfile(src, target.with_name(target.name + suffix))
    return f"sqlite:///{target}"


@dataclasses.dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"streamlit exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with _DIRECT.open(server.url + "/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"streamlit did not answer /_stcore/health within {HEALTH_TIMEOUT} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    """Stop this one process: terminate, wait, then kill."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def streamlit_server(store_url: str, log_dir: Path, **env: str) -> Iterator[Server]:
    """``streamlit run app.py`` from the repository root on a free loopback port."""
    port = _free_port()
    log = log_dir / f"streamlit-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=_env(SNA_DATABASE_URL=store_url, **env),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            _wait_healthy(server)
            yield server
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """A demo store as of 2026-03-15, made by the command line (a template: copy it)."""
    path = tmp_path_factory.mktemp("browser-store") / "demo.db"
    done = subprocess.run([sys.executable, "-m", "sna", "demo", "--as-of", TODAY], cwd=ROOT,
                          env=_env(SNA_DATABASE_URL=f"sqlite:///{path}"),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return path


@pytest.fixture(scope="session")
def app_server(demo_store, tmp_path_factory) -> Iterator[Server]:
    """The app on a copy of the demo store; its base URL is ``app_server.url``."""
    where = tmp_path_factory.mktemp("browser-app")
    with streamlit_server(copy_store(demo_store, where / "sna.db"), where) as server:
        yield server


# -------------------------------------------------------------- the browser
@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium under Playwright (module scope: the sync API's event loop is
    closed before the next module's tests, AppTest's included, run)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        require("chromium", False, f"playwright cannot be imported ({exc}); pip install -r requirements-dev.txt")
    require("chromium", CHROMIUM.exists(), f"{CHROMIUM} not found; install Debian's chromium (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@dataclasses.dataclass
class Opened:
    page: object  # playwright.sync_api.Page
    outside: list[str]  # URLs of every attempted request to another host


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS


def wait_ready(page, title: str | None = None, timeout: int = RUN_TIMEOUT) -> None:
    """Wait until Streamlit is connected, has run the script and shows the page title."""
    from playwright.sync_api import expect

    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    heading = page.locator('[data-testid="stMain"] h1').first
    if title is None:
        expect(heading).to_be_visible(timeout=timeout)
    else:
        expect(heading).to_have_text(title, timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_be_hidden(timeout=timeout)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout)  # all redrawn
    # The run may be over before the browser has drawn every element (lazy components):
    # wait until the page stops changing for a moment.
    page.evaluate(_SETTLE, {"quietMs": 400, "maxMs": timeout})


_SETTLE = """({quietMs, maxMs}) => new Promise(resolve => {
  const done = () => { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(true); };
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quietMs); });
  let timer = setTimeout(done, quietMs);
  const cap = setTimeout(done, maxMs);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
})"""


@pytest.fixture
def open_page(chromium, app_server) -> Iterator[Callable[..., Opened]]:
    """``open_page(path, server=app_server, title=None)``: a page in a new context."""
    contexts = []

    def _open(path: str = "/", *, server: Server = app_server, title: str | None = None) -> Opened:
        context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR", service_workers="block")
        contexts.append(context)
        outside: list[str] = []

        def guard(route):
            if is_local(route.request.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("websocket", lambda ws: None if is_local(ws.url) else outside.append(ws.url))
        page.set_default_timeout(RUN_TIMEOUT)
        page.goto(server.url + path)
        wait_ready(page, title)
        return Opened(page, outside)

    yield _open
    for context in contexts:
        context.close()
