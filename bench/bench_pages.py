"""Benchmark of every page: rerun time after a filter change, demo store against large store
against an empty page (prints a table; exit status 1 when a target is missed).

    python bench/bench_pages.py [--large PATH] [--runs 11] [--pages overview,actions]

Builds the demo store and the large one (``python -m sna demo --scale large``: 1,000,000
observations, 20,000 actions, 2,000 decision-makers, about a minute; ``--large`` reuses an
existing SQLite file, upgraded with ``python -m sna init`` first) in a temporary folder,
then measures with Streamlit's AppTest, running ``app.py`` like a user (the frame, the
sidebar filters, then the page):

* for each page (overview, gaps, region with region=09, actions, decision_makers,
  sources), each rerun changes the sidebar filters (``w.sector`` and ``w.level`` every
  run, ``w.period`` every 6th run, ``w.region`` to 04 every 3rd run and back, except on
  the region page) to a combination **not seen before**; every cache of the process is
  emptied before a page is measured, then the page is warmed up on filters outside the
  walk (a year not measured), so what is cached is what does not depend on the filters;
* the same walk again (**filters seen before**: the user going back and forth);
* an **empty page** (a two-line Streamlit script) rerun after each of these reruns;
* on the pages with tabs (actions, decision-makers), where only the open tab is drawn and
  the walks above measure the first, a **click on each other tab** after each filter
  change of the walk (for information).

At every step the demo store, the large store and the empty page are measured in turn, so
that a change of machine load affects them alike. Medians of ``--runs`` (9 to 18) reruns.
Targets (issue 10) for every page, filters not seen before: large store ≤ 1.3× the demo
store, and ≤ 20× the empty page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as B  # noqa: E402

PAGES = ("overview", "gaps", "region", "actions", "decision_makers", "sources")
SECTORS = (None, "health", "education", "justice", "housing", "cross_cutting")
LEVELS = (None, "national", "regional", "local")
PERIODS = ("2025", "2024", "2023")   # both stores hold these years (the large one also months)
WARM_UP_PERIOD = "2014"              # ... and this one, never measured
TARGET_VS_DEMO, TARGET_VS_EMPTY = 1.3, 20.0
#: Pages with tabs: (session key, label prefix, tabs other than the first). Only the open
#: tab is drawn; the walk above measures the first one, and a click on each other tab is
#: timed after it (for information: the targets are on filter changes).
TABS = {"actions": ("actions.w.tab", "actions.tab", ("progress", "stages", "outcomes", "wdww")),
        "decision_makers": ("dm.w.tab", "dm.tab", ("matrix", "activity"))}


def walk(page: str, runs: int) -> list[dict[str, str | None]]:
    """The filters of each measured rerun: a combination not seen before at every step."""
    steps = []
    for i in range(runs):
        region = "09" if page == "region" else ("04" if i % 3 == 2 else None)
        steps.append({"sector": SECTORS[i % len(SECTORS)], "region": region,
                      "period": PERIODS[(i // len(SECTORS)) % len(PERIODS)], "level": LEVELS[i % len(LEVELS)]})
    return steps


def warm_up_walk(page: str) -> list[dict[str, str | None]]:
    region = "09" if page == "region" else None
    return [{"sector": s, "region": region, "period": WARM_UP_PERIOD, "level": LEVELS[i % len(LEVELS)]}
            for i, s in enumerate(SECTORS)] + [
        {"sector": None, "region": "04" if page != "region" else "09", "period": WARM_UP_PERIOD, "level": None}]


def set_filters(at, filters: dict[str, str | None]) -> None:
    for name, value in filters.items():
        at.selectbox(key=f"w.{name}").set_value(value)


def clear_caches() -> None:
    """Empty every Streamlit cache of this process (the next page starts from nothing)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def measure_page(page: str, stores: dict[str, Path], runs: int, empty) -> dict[str, dict[str, float]]:
    from apptest import open_app

    clear_caches()
    apps = {}
    for name, path in stores.items():
        B.point_at(path)
        apps[name] = open_app(f"pages/{page}.py", timeout=600, **({"region": "09"} if page == "region" else {}))
        for filters in warm_up_walk(page):
            set_filters(apps[name], filters)
            B.timed(apps[name])
    steps = walk(page, runs)
    times: dict[tuple[str, str], list[float]] = {}
    for phase in ("new", "seen"):
        for filters in steps:
            for name, path in stores.items():
                B.point_at(path)
                set_filters(apps[name], filters)
                times.setdefault((phase, name), []).append(B.timed(apps[name]))
                times.setdefault((phase, "empty"), []).append(B.timed(empty))
    out = {phase: {who: statistics.median(times[(phase, who)]) for who in (*stores, "empty")}
           for phase in ("new", "seen")}
    if page in TABS:
        out["tabs"] = measure_tabs(page, apps, stores, steps, empty)
    return out


def measure_tabs(page: str, apps: dict, stores: dict[str, Path], steps: list[dict], empty) -> dict:
    """Median time of a click on each tab but the first, right after a filter change
    (the tab's charts not yet built for those filters), per store, and the empty page."""
    from sna.i18n import t

    key, prefix, names = TABS[page]
    times: dict[tuple[str, str], list[float]] = {}
    first = f"{prefix}.{TABS_FIRST[page]}"
    for filters in steps[::-1]:  # the walk backwards: each tab's charts are new for these filters
        for name, path in stores.items():
            B.point_at(path)
            set_filters(apps[name], filters)
            B.timed(apps[name])  # the filter change, on the first tab (not measured here)
            for tab in names:
                apps[name].session_state[key] = t(f"{prefix}.{tab}", "fr")
                times.setdefault((tab, name), []).append(B.timed(apps[name]))
                times.setdefault((tab, "empty"), []).append(B.timed(empty))
            apps[name].session_state[key] = t(first, "fr")
            B.timed(apps[name])
    return {tab: {who: statistics.median(times[(tab, who)]) for who in (*stores, "empty")} for tab in names}


TABS_FIRST = {"actions": "table", "decision_makers": "register"}


def report(results: dict[str, dict], phase: str, runs: int) -> list[str]:
    """Print the table of ``phase``; return the targets missed."""
    title = {"new": "filters not seen before", "seen": "filters seen before"}[phase]
    print(f"\nRerun after a filter change, {title} (median of {runs} reruns, ms)\n")
    rows, missed = [], []
    for page, figures in results.items():
        f = figures[phase]
        vs_demo, vs_empty = f["large"] / f["demo"], f["large"] / f["empty"]
        problems = []
        if vs_demo > TARGET_VS_DEMO:
            problems.append(f"large/demo {vs_demo:.2f}× > {TARGET_VS_DEMO}")
        if vs_empty > TARGET_VS_EMPTY:
            problems.append(f"large/empty {vs_empty:.1f}× > {TARGET_VS_EMPTY:.0f}")
        missed += [f"{page} ({title}): {p}" for p in problems]
        rows.append((page, B.ms(f["demo"]), B.ms(f["large"]), B.ms(f["empty"]), f"{vs_demo:.2f}×",
                     f"{vs_empty:.1f}×", "yes" if not problems else "NO"))
    print(B.table(("page", "demo ms", "large ms", "empty ms", "large/demo", "large/empty", "met?"), rows,
                  right=range(1, 6)))
    return missed


def report_tabs(results: dict[str, dict], runs: int) -> None:
    """Print the times of a click on a tab (no target: for information)."""
    rows = [(page, tab, B.ms(f["demo"]), B.ms(f["large"]), B.ms(f["empty"]), f"{f['large'] / f['demo']:.2f}×",
             f"{f['large'] / f['empty']:.1f}×")
            for page, figures in results.items() for tab, f in figures.get("tabs", {}).items()]
    if not rows:
        return
    print(f"\nA click on a tab after a filter change, the tab's charts not built yet for those filters "
          f"(median of {runs} clicks, ms; for information)\n")
    print(B.table(("page", "tab", "demo ms", "large ms", "empty ms", "large/demo", "large/empty"), rows,
                  right=range(2, 7)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=Path, help="an existing large SQLite store to reuse")
    parser.add_argument("--runs", type=int, default=11, help="reruns per figure (9 to 18)")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"comma-separated pages to measure (default: {','.join(PAGES)})")
    args = parser.parse_args()
    runs = min(max(args.runs, B.MIN_RUNS), len(SECTORS) * len(PERIODS))  # 18 combinations never seen
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in pages if not (B.ROOT / "pages" / f"{p}.py").exists()]
    if unknown:
        parser.error(f"no such page: {', '.join(unknown)}")
    B.app_env()
    with tempfile.TemporaryDirectory(prefix="sna-bench-") as tmp:
        folder = Path(tmp)
        print(f"Machine: {B.machine()} (at the start)", flush=True)
        print("Preparing the stores...", flush=True)
        stores = B.stores(folder, args.large)
        sizes = {name: B.counts(path) for name, path in stores.items()}
        empty = B.empty_app(folder)
        print(f"Measuring {len(pages)} page(s), {runs} reruns per figure...", flush=True)
        results = {}
        for page in pages:
            results[page] = measure_page(page, stores, runs, empty)
            f = results[page]["new"]
            print(f"  {page}: demo {B.ms(f['demo'])} ms, large {B.ms(f['large'])} ms, "
                  f"empty {B.ms(f['empty'])} ms", flush=True)
    for name, n in sizes.items():
        print(f"\n{name} store: {n['observation']:,} observations, {n['influence_action']:,} actions, "
              f"{n['decision_maker']:,} decision-makers", end="")
    print()
    print(f"\nMachine: {B.machine()} (at the end)")
    missed = report(results, "new", runs)
    report(results, "seen", runs)  # for information: the targets are on filters not seen before
    report_tabs(results, runs)
    print(f"\nTargets (filters not seen before): large ≤ {TARGET_VS_DEMO}× demo and ≤ {TARGET_VS_EMPTY:.0f}× "
          "an empty page's rerun.")
    return B.conclude(missed)


if __name__ == "__main__":
    sys.exit(main())
