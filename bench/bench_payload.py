"""Benchmark of the map payloads sent to the browser (prints a table; exit status 1 when a
map is over its budget).

    python bench/bench_payload.py [--large PATH]

Builds the demo store and the large one in a temporary folder (``--large`` reuses an
existing SQLite file), then measures, on both stores:

* **gaps page map**: the pydeck JSON of the access-gaps map as Streamlit sends it
  (``at.get("deck_gl_json_chart")[0].proto.json`` with AppTest, running ``app.py`` like a
  user) for several targets — the overall index, a sector index, an indicator (gap view),
  a context indicator — with and without a region selected;
* **presentation map**: the figure of the "map" slide (``sna.slides.map_figure``, through
  ``sna.slides.build``) as ``st.plotly_chart`` serialises it (``plotly.io.to_json(fig,
  validate=False)``), overall and for a sector, with and without a region.

Sizes in bytes of UTF-8 text (1 KB = 1,000 bytes), with the gzip size for information
(what a compressed transfer would carry). Baseline: the boundaries file the maps are drawn
from (``data/regions.geojson``). Target (DESIGN.md section 9, issue 10): ≤ 150 KB per map.
Sizes do not depend on timing: one measurement each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as B  # noqa: E402

TARGET_BYTES = 150_000
#: (target, view or None, region or None)
GAPS_CASES = [("index", None, None), ("index", None, "09"), ("index:health", None, None),
              ("SAN-01", "gap", None), ("SAN-01", "gap", "04"), ("CTX-01", "migrants", None)]
#: (sector, region)
SLIDE_CASES = [(None, None), (None, "09"), ("health", None)]


def sizes(text: str) -> tuple[int, int]:
    raw = text.encode("utf-8")
    return len(raw), len(gzip.compress(raw, 6))


def gaps_payloads(stores: dict[str, Path]) -> list[tuple]:
    from apptest import open_app

    rows = []
    for name, path in stores.items():
        B.point_at(path)
        at = open_app("pages/gaps.py", timeout=600)
        for target, view, region in GAPS_CASES:
            at.selectbox(key="w.region").set_value(region)
            at.run()
            at.selectbox(key="gaps.target.w").set_value(target)
            at.run()
            if view is not None:
                at.radio(key="gaps.view.w").set_value(view)
                at.run()
            assert not at.exception, [e.value for e in at.exception]
            decks = at.get("deck_gl_json_chart")
            assert decks, "no map on the gaps page"
            what = target + (f" ({view})" if view else "") + (f", region {region}" if region else "")
            rows.append(("gaps page map", name, what, *sizes(decks[0].proto.json)))
    return rows


def slide_payloads(stores: dict[str, Path]) -> list[tuple]:
    try:
        from sna import slides
    except ImportError:
        return []
    if not hasattr(slides, "map_figure"):
        return []
    import plotly.io as pio

    from sna import db
    from sna.filters import Filters

    rows = []
    for name, path in stores.items():
        engine = db.get_engine(B.url(path))
        for sector, region in SLIDE_CASES:
            filters = Filters(sector=sector, region=region)
            inputs = slides.load_inputs(engine, filters)
            (slide,) = slides.build(inputs, filters, "fr", ["map"], dt.date.fromisoformat(B.AS_OF))
            if slide.figure is None:
                rows.append(("presentation map", name, f"{sector or 'overall'}: {slide.message}", 0, 0))
                continue
            what = (sector or "overall") + (f", region {region}" if region else "")
            rows.append(("presentation map", name, what, *sizes(pio.to_json(slide.figure, validate=False))))
        engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=Path, help="an existing large SQLite store to reuse")
    args = parser.parse_args()
    B.app_env()
    with tempfile.TemporaryDirectory(prefix="sna-bench-") as tmp:
        print("Preparing the stores...", flush=True)
        stores = B.stores(Path(tmp), args.large)
        rows = gaps_payloads(stores) + slide_payloads(stores)
    from sna import geo

    base = geo.REGIONS_PATH.stat().st_size
    print(f"\nMap payloads (bytes of UTF-8 JSON; baseline: data/regions.geojson, {base:,} bytes)\n")
    missed = [r for r in rows if r[3] > TARGET_BYTES]
    print(B.table(("map", "store", "what", "bytes", "gzip bytes", "/ boundaries file", "≤ 150 KB?"),
                  [(m, s, w, f"{n:,}", f"{z:,}", f"{n / base:.2f}×", "yes" if n <= TARGET_BYTES else "NO")
                   for m, s, w, n, z in rows], right=(3, 4, 5)))
    if not any(r[0] == "presentation map" for r in rows):
        print("\n(no presentation map: sna.slides.map_figure does not exist)")
    if missed:
        print("Missed:\n" + "\n".join(f"  - {m} {s} {w}: {n:,} bytes" for m, s, w, n, _ in missed))
        return 1
    print(f"\nAll maps ≤ {TARGET_BYTES:,} bytes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
