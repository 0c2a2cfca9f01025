"""Benchmark of the import of a 100,000-row observations file, CSV and XLSX (prints a table;
exit status 1 when a target is missed).

    python bench/bench_import.py [--rows 100000] [--runs 9]

Writes two files of valid observations in a temporary folder — 12 regions × 39 indicators
× 4 population groups × monthly periods of years the demo store does not hold (2015-2019),
values within each indicator's valid range; the XLSX written with openpyxl's write-only
mode — then, for each run and each format, in turn:

* **import**: ``sna.importing.import_file(path, "observations", engine, user)`` into a
  fresh copy of the demo store (read, validate, commit: the whole user-visible wait);
* **re-import**: the same file again into that store, which must change nothing
  (status ``unchanged``, no batch, ``data_version`` and row count unchanged);
* **baseline**: a plain read of the same file, ``pandas.read_csv(path, dtype=str)`` for the
  CSV, ``openpyxl.load_workbook(path, read_only=True)`` iterating every row's values for
  the XLSX (what any import must at least do).

Medians of ``--runs`` (≥ 9) runs. Target (issue 10): import ≤ 30 s per file.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as B  # noqa: E402

TARGET_S = 30.0
YEARS = range(2015, 2020)          # not in the demo store (2014, 2023-2025)
GROUPS = ("migrants", "refugees", "host", "all")
HEADERS = ["indicator", "region", "period", "group", "value", "denominator", "source", "note"]


def rows(store: Path, n: int) -> list[list[object]]:
    """``n`` valid observation rows (codes and ranges read from the store's catalogue)."""
    with sqlite3.connect(store) as conn:
        catalogue = conn.execute("select code, valid_min, valid_max from indicator order by code").fetchall()
        regions = [r[0] for r in conn.execute("select code from region order by code")]
    periods = [f"{y}-{m:02d}" for y in YEARS for m in range(1, 13)]
    out: list[list[object]] = []
    k = 0
    for period in periods:
        for region in regions:
            for code, lo, hi in catalogue:
                for group in GROUPS:
                    if len(out) == n:
                        return out
                    k += 1
                    frac = ((k * 7919) % 1000) / 1000            # deterministic, spread over [0, 1)
                    value = round(lo + (hi - lo) * frac * 0.9, 1)
                    out.append([code, region, period, group, value, 200 + (k % 300), "Enquête benchmark", ""])
    if len(out) < n:
        raise SystemExit(f"only {len(out):,} distinct rows can be generated (asked for {n:,})")
    return out


def write_csv(path: Path, data: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(data)


def write_xlsx(path: Path, data: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("observations")
    ws.append(HEADERS)
    for row in data:
        ws.append(row)
    wb.save(path)


def read_baseline(path: Path) -> int:
    """A plain read of the whole file; returns the number of data rows."""
    if path.suffix == ".csv":
        import pandas as pd

        return len(pd.read_csv(path, dtype=str, keep_default_na=False))
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    return n - 1


def state(path: Path) -> tuple[int, str, int]:
    """(observations, data_version, import batches) of a store."""
    with sqlite3.connect(path) as conn:
        n = conn.execute("select count(*) from observation").fetchone()[0]
        version = conn.execute("select value from meta where key = 'data_version'").fetchone()[0]
        batches = conn.execute("select count(*) from import_batch").fetchone()[0]
    return n, version, batches


def import_once(path: Path, store: Path) -> tuple[float, object]:
    from sna import db, importing

    engine = db.get_engine(B.url(store))
    started = time.perf_counter()
    result = importing.import_file(path, "observations", engine, user="bench")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per file (default 100,000)")
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (≥ 9 for the published figures)")
    args = parser.parse_args()
    runs = B.checked_runs(args.runs)
    with tempfile.TemporaryDirectory(prefix="sna-bench-") as tmp:
        folder = Path(tmp)
        print(f"Machine: {B.machine()} (at the start)", flush=True)
        print("Preparing the demo store and the files...", flush=True)
        template = folder / "demo-template.db"
        B.build(template, "demo")
        data = rows(template, args.rows)
        files = {"CSV": folder / "observations.csv", "XLSX": folder / "observations.xlsx"}
        write_csv(files["CSV"], data)
        write_xlsx(files["XLSX"], data)
        del data
        sizes = {k: p.stat().st_size for k, p in files.items()}
        before = state(template)
        times: dict[tuple[str, str], list[float]] = {}
        print(f"Measuring ({runs} run(s) per figure)...", flush=True)
        for i in range(runs):
            for fmt, path in files.items():
                store = folder / f"store-{fmt}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{store}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(template, store)
                started = time.perf_counter()
                n_read = read_baseline(path)
                times.setdefault((fmt, "baseline"), []).append(time.perf_counter() - started)
                assert n_read == args.rows, (fmt, n_read)
                elapsed, result = import_once(path, store)
                assert result.status == "imported", result.report(10)
                after = state(store)
                assert after[0] == before[0] + args.rows, (before, after)
                times.setdefault((fmt, "import"), []).append(elapsed)
                elapsed, again = import_once(path, store)
                assert again.status == "unchanged", again.report(10)
                assert state(store) == after, "a re-import changed the store"
                times.setdefault((fmt, "reimport"), []).append(elapsed)
                print(f"  run {i + 1}/{runs} {fmt}: import {times[(fmt, 'import')][-1]:.1f} s, "
                      f"re-import {elapsed:.1f} s, plain read {times[(fmt, 'baseline')][-1]:.2f} s", flush=True)

    print(f"\nMachine: {B.machine()} (at the end)")
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nImport of {args.rows:,} observations into a fresh demo store (median of {runs} run(s), seconds)\n")
    out_rows, missed = [], []
    for fmt in files:
        imp, again, base = med[(fmt, "import")], med[(fmt, "reimport")], med[(fmt, "baseline")]
        ok = imp <= TARGET_S
        if not ok:
            missed.append(f"{fmt} import {imp:.1f} s > {TARGET_S:.0f} s")
        out_rows.append((fmt, f"{sizes[fmt] / 1e6:.1f} MB", f"{imp:.1f}", f"{again:.1f}", f"{base:.2f}",
                         f"{imp / base:.0f}×", "yes" if ok else "NO"))
    print(B.table(("file", "size", "import s", "re-import s (no change)", "plain read s", "import/read",
                   f"import ≤ {TARGET_S:.0f} s?"), out_rows, right=range(1, 6)))
    return B.conclude(missed)


if __name__ == "__main__":
    sys.exit(main())
