"""Benchmark of the access-gaps page: rerun time after a filter change (prints figures).

    python bench/bench_gaps.py [--large PATH] [--runs 15]

Builds two stores in a temporary folder — the demo one and the large one
(``python -m sna demo --scale large``: ~1,000,000 observations, 1-2 minutes; pass
``--large`` to reuse an existing SQLite file) — then measures with Streamlit's AppTest,
running ``app.py`` like a user (the frame, the sidebar filters, then the page):

* **gaps page, new filters**: each rerun changes the sidebar sector (and every 6th run the
  period) to a combination not seen before, so the page computes and draws it (its data
  caches hold only what does not depend on the filters: catalogue, host values);
* **gaps page, filters seen before**: the same walk again (the user going back and forth);
* **empty page**: a two-line Streamlit script, rerun;
* **naive page**: a script that reads the whole ``observation`` table on every rerun
  (``pd.read_sql("select * from observation")``), computes the same index with
  ``sna.gaps`` and shows the table.

Medians of ``--runs`` (≥ 9) reruns; at every step the two stores and the empty page are
measured in turn, so that a change of machine load affects them alike. Targets at
1,000,000 observations: ≤ 1.3× the demo store's figure, ≤ 20× the empty page, ≥ 10×
faster than the naive page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as B  # noqa: E402

SECTORS = [None, "health", "education", "justice", "housing", "cross_cutting"]

NAIVE_PAGE = """
import os
import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sna import codes, gaps

engine = sa.create_engine(os.environ["SNA_DATABASE_URL"])
obs = pd.read_sql("select * from observation", engine)
cat = pd.read_sql("select * from indicator", engine)
period = sorted(obs.loc[obs["population_group"] == "migrants", "period"].unique())[-1]
table = gaps.area_table(obs, cat, period, areas=list(codes.REGION_CODES), view="score", sector="health")
st.title("naive")
st.dataframe(table)
"""


def set_filters(at, sector: str | None, period: str | None) -> None:
    at.selectbox(key="w.sector").set_value(sector)
    at.selectbox(key="w.period").set_value(period)


def measure(stores: dict[str, Path], periods: dict[str, list[str]], runs: int, folder: Path) -> dict:
    """Medians per store, the stores measured in turn at every step (so that a change of
    machine load affects them alike)."""
    from apptest import open_app

    B.app_env()
    empty = B.empty_app(folder)
    apps, walks = {}, {}
    for name, path in stores.items():
        B.point_at(path)
        apps[name] = open_app("pages/gaps.py", timeout=600)
        warm_up, measured = periods[name][-1], periods[name][:-1]
        for sector in SECTORS:  # imports and what every rerun uses, on a period not measured
            set_filters(apps[name], sector, warm_up)
            B.timed(apps[name])
        walks[name] = [(SECTORS[i % len(SECTORS)], measured[(i // len(SECTORS)) % len(measured)])
                       for i in range(runs)]
    times: dict[tuple[str, str], list[float]] = {}
    for phase in ("new", "seen"):  # new: nothing of these filters cached yet; seen: all cached
        for i in range(runs):
            for name, path in stores.items():
                B.point_at(path)
                set_filters(apps[name], *walks[name][i])
                times.setdefault((name, phase), []).append(B.timed(apps[name]))
            times.setdefault(("", "empty"), []).append(B.timed(empty))
    out = {name: {"observations": B.counts(path)["observation"],
                  "new": statistics.median(times[(name, "new")]),
                  "seen": statistics.median(times[(name, "seen")]),
                  "empty": statistics.median(times[("", "empty")])} for name, path in stores.items()}
    for name, path in stores.items():
        B.point_at(path)
        out[name]["naive"] = script_page(NAIVE_PAGE, runs, folder, f"naive_{name}")
    return out


def script_page(source: str, runs: int, folder: Path, name: str) -> float:
    from streamlit.testing.v1 import AppTest

    path = folder / f"{name}.py"
    path.write_text(source)
    at = AppTest.from_file(str(path), default_timeout=600)
    at.run()
    return statistics.median(B.timed(at) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=Path, help="an existing large SQLite store to reuse")
    parser.add_argument("--runs", type=int, default=15, help="reruns per figure (9 to 18)")
    args = parser.parse_args()
    runs = min(max(args.runs, 9), 18)  # 18 = 6 sectors × 3 periods never seen before
    with tempfile.TemporaryDirectory(prefix="sna-bench-") as tmp:
        folder = Path(tmp)
        print("Preparing the stores...", flush=True)
        stores = B.stores(folder, args.large)
        print(f"Measuring ({runs} reruns per figure)...", flush=True)
        figures = measure(stores,
                          {"demo": ["2025", "2024", "2023", "2014"],          # the last one: warm-up
                           "large": ["2026-02", "2026-01", "2025-12", "2025-06"]}, runs, folder)

    ms = B.ms
    print(f"\nAccess-gaps page, rerun after a filter change (median of {runs} reruns, ms)\n")
    print("| store | observations | new filters | filters seen before | empty page | naive page |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, f in figures.items():
        print(f"| {name} | {f['observations']:,} | {ms(f['new'])} | {ms(f['seen'])} | {ms(f['empty'])} "
              f"| {ms(f['naive'])} |")
    d, g = figures["demo"], figures["large"]
    print("\nTargets at the large scale (met?):\n")
    print("| figure | new filters | filters seen before | target |")
    print("|---|---:|---:|---|")
    rows = [
        ("large / demo store", g["new"] / d["new"], g["seen"] / d["seen"], "≤ 1.3", lambda r: r <= 1.3),
        ("large / empty page", g["new"] / g["empty"], g["seen"] / g["empty"], "≤ 20", lambda r: r <= 20),
        ("naive / large", g["naive"] / g["new"], g["naive"] / g["seen"], "≥ 10", lambda r: r >= 10),
    ]
    for label, new, seen, target, ok in rows:
        print(f"| {label} | {new:.2f}× {'yes' if ok(new) else 'NO'} | {seen:.2f}× {'yes' if ok(seen) else 'NO'} "
              f"| {target} |")


if __name__ == "__main__":
    main()
