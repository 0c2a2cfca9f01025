"""Helpers shared by the benchmarks (stores, AppTest timing, medians, tables).

Import after putting ``bench/`` on ``sys.path`` (each script does, so that
``python bench/bench_x.py`` works from the repository's root or from elsewhere).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

#: The "today" of every benchmark store and app run (demo data is generated up to it).
AS_OF = "2026-03-15"
#: The two-line Streamlit script every page is compared with.
EMPTY_PAGE = "import streamlit as st\nst.title('empty')\n"
MIN_RUNS = 9


def url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def build(path: Path, scale: str) -> float:
    """Create the store ``path`` with ``python -m sna demo --scale scale``; seconds taken."""
    env = {**os.environ, "SNA_DATABASE_URL": url(path)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sna", "demo", "--as-of", AS_OF, "--scale", scale],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    print(f"  built the {scale} store in {elapsed:.0f} s", flush=True)
    return elapsed


def upgrade(path: Path) -> None:
    """``python -m sna init`` on an existing store (a store built before the last
    migration gets its new indexes; nothing happens when it is current)."""
    env = {**os.environ, "SNA_DATABASE_URL": url(path)}
    subprocess.run([sys.executable, "-m", "sna", "init"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def stores(folder: Path, large: Path | None, *, demo: bool = True) -> dict[str, Path]:
    """{"demo": path, "large": path}: built in ``folder``, the large one reused when given."""
    out: dict[str, Path] = {}
    if demo:
        out["demo"] = folder / "demo.db"
        build(out["demo"], "demo")
    if large is None:
        out["large"] = folder / "large.db"
        build(out["large"], "large")
    else:
        if not Path(large).exists():
            raise SystemExit(f"--large: no such file: {large}")
        upgrade(Path(large))
        out["large"] = Path(large)
    return out


def point_at(path: Path) -> None:
    """Point the app (in this process) at the store ``path``."""
    os.environ["SNA_DATABASE_URL"] = url(path)


def app_env() -> None:
    """What every in-process app run of a benchmark uses: a fixed "today", no demo autoload."""
    os.environ.update(SNA_TODAY=AS_OF, SNA_AUTO_DEMO="0")


def counts(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 (fixed names)
                for t in ("observation", "influence_action", "decision_maker")}


def timed(at) -> float:
    """Seconds of one AppTest run; fails on any exception in the page."""
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    return elapsed


def median_time(fn: Callable[[], object], runs: int, warm_up: int = 1) -> float:
    for _ in range(warm_up):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def empty_app(folder: Path):
    """An AppTest of :data:`EMPTY_PAGE`, run once."""
    from streamlit.testing.v1 import AppTest

    path = folder / "empty_page.py"
    path.write_text(EMPTY_PAGE)
    at = AppTest.from_file(str(path), default_timeout=600)
    at.run()
    return at


def machine() -> str:
    """CPUs, memory and load average: what the figures were measured on."""
    cpus = os.cpu_count()
    try:
        with open("/proc/meminfo") as fh:
            total = int(fh.readline().split()[1]) / 2**20  # kB → GiB
        memory = f", {total:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = ""
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return f"{cpus} CPUs{memory}{load}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def table(headers: Iterable[str], rows: Iterable[Iterable[object]], right: Iterable[int] = ()) -> str:
    """A markdown table (columns whose index is in ``right`` aligned right)."""
    headers = list(headers)
    right = set(right)
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def checked_runs(runs: int) -> int:
    """``runs`` (at least 1), with a note when fewer than :data:`MIN_RUNS` are asked for."""
    runs = max(runs, 1)
    if runs < MIN_RUNS:
        print(f"note: {runs} run(s) (fewer than {MIN_RUNS}): for a quick check only", file=sys.stderr)
    return runs


def conclude(missed: Iterable[str]) -> int:
    """Print the targets missed (or that all are met); the exit status of the script."""
    missed = list(missed)
    if missed:
        print("Missed:\n" + "\n".join(f"  - {m}" for m in missed))
        return 1
    print("\nAll met.")
    return 0
