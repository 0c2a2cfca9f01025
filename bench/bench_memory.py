"""Benchmark of the app server's peak memory (RSS) on the large store, against an empty app
(prints a table; exit status 1 when the target is missed).

    python bench/bench_memory.py [--large PATH] [--runs 9]

Builds the demo store and the large one in a temporary folder (``--large`` reuses an
existing SQLite file), then, for each run, in turn:

* **empty app**: ``python -m streamlit run empty.py --server.port P --server.headless true``
  (a two-line script), its page opened once in Debian's chromium driven by Playwright;
* **app, demo store** and **app, large store**: ``python -m streamlit run app.py`` with
  ``SNA_DATABASE_URL`` on the store; every page (overview, gaps, region with region=09,
  actions, decision-makers, sources) opened once, each waited on until Streamlit has
  finished running it and the browser has drawn it;

then reads the server process's peak resident set size (``VmHWM`` in
``/proc/PID/status``) before stopping it. Only the processes this script started are
stopped. Medians of ``--runs`` (≥ 9). Target (issue 10): the app on the large store uses
at most 400 MB more than the empty app.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as B  # noqa: E402

TARGET_MB = 400
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--use-gl=swiftshader",
                 "--disable-background-networking"]
#: every page of a viewer, by URL path (the region page with a region chosen)
PAGES = ("/", "/gaps", "/region?region=09", "/actions", "/decision-makers", "/sources")
RUN_TIMEOUT_MS = 180_000   # a first visit on the large store computes its caches
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: Path, store: Path | None, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNA_", "STREAMLIT_"))}
    env.update(SNA_TODAY=B.AS_OF, SNA_AUTO_DEMO="0", PYTHONUNBUFFERED="1")
    if store is not None:
        env["SNA_DATABASE_URL"] = B.url(store)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=B.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"streamlit exited with {process.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with _DIRECT.open(url + "/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return process, url
        except OSError:
            pass
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"streamlit did not answer on {url} within 90 s")


def stop(process: subprocess.Popen) -> None:
    """Stop this one process (the one we started): terminate, wait, then kill."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) of process ``pid`` in MB (1 MB = 1,048,576 bytes)."""
    values = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0]) / 1024  # kB → MB
    return values["VmHWM"], values["VmRSS"]


_SETTLE = """({quietMs, maxMs}) => new Promise(resolve => {
  const done = () => { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(true); };
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quietMs); });
  let timer = setTimeout(done, quietMs);
  const cap = setTimeout(done, maxMs);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
})"""


def open_and_wait(page, url: str) -> None:
    """Open ``url`` and wait until the script has run and the page is drawn."""
    from playwright.sync_api import expect

    page.goto(url)
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_be_hidden(timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)
    page.evaluate(_SETTLE, {"quietMs": 400, "maxMs": RUN_TIMEOUT_MS})
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        raise SystemExit(f"{url}: the page shows an exception: {exceptions.first.inner_text()[:500]}")


def measure(browser, script: Path, store: Path | None, paths: tuple[str, ...], log: Path) -> tuple[float, float]:
    process, url = start(script, store, log)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        try:
            page = context.new_page()
            for path in paths:
                open_and_wait(page, url + path)
            return peak_rss_mb(process.pid)
        finally:
            context.close()
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=Path, help="an existing large SQLite store to reuse")
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (≥ 9 for the published figures)")
    args = parser.parse_args()
    runs = B.checked_runs(args.runs)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="sna-bench-") as tmp:
        folder = Path(tmp)
        print(f"Machine: {B.machine()} (at the start)", flush=True)
        print("Preparing the stores...", flush=True)
        stores = B.stores(folder, args.large)
        empty = folder / "empty.py"
        empty.write_text(B.EMPTY_PAGE)
        apps = {"empty app": (empty, None, ("/",)),
                "app, demo store": (B.ROOT / "app.py", stores["demo"], PAGES),
                "app, large store": (B.ROOT / "app.py", stores["large"], PAGES)}
        peaks: dict[str, list[float]] = {name: [] for name in apps}
        finals: dict[str, list[float]] = {name: [] for name in apps}
        print(f"Measuring ({runs} run(s) per figure)...", flush=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for i in range(runs):
                    for name, (script, store, paths) in apps.items():
                        hwm, rss = measure(browser, script, store, paths, folder / f"streamlit-{i}.log")
                        peaks[name].append(hwm)
                        finals[name].append(rss)
                    print(f"  run {i + 1}/{runs}: " + ", ".join(f"{n} {peaks[n][-1]:.0f} MB" for n in apps),
                          flush=True)
            finally:
                browser.close()
    print(f"\nMachine: {B.machine()} (at the end)")
    med = {name: statistics.median(v) for name, v in peaks.items()}
    base = med["empty app"]
    print(f"\nPeak RSS of the server process (VmHWM, median of {runs} run(s), MB = 2^20 bytes)\n")
    rows = []
    for name in apps:
        extra = med[name] - base
        rows.append((name, f"{med[name]:.0f}", f"{statistics.median(finals[name]):.0f}",
                     "—" if name == "empty app" else f"+{extra:.0f}",
                     "—" if name != "app, large store" else ("yes" if extra <= TARGET_MB else "NO")))
    print(B.table(("server", "peak RSS MB", "RSS at the end MB", "over the empty app MB",
                   f"≤ +{TARGET_MB} MB?"), rows, right=(1, 2, 3)))
    extra = med["app, large store"] - base
    if extra > TARGET_MB:
        print(f"Missed: the app on the large store peaks {extra:.0f} MB above the empty app (target {TARGET_MB}).")
        return 1
    print(f"\nMet: +{extra:.0f} MB ≤ +{TARGET_MB} MB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
