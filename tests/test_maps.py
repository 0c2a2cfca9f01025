"""Maps, charts and the access-gap views as plain functions (no Streamlit)."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pandas as pd

from sna import charts, codes, geo, maps
from sna import gapviews as V

NAN = float("nan")
REGIONS = list(codes.REGION_CODES)


def luminance(rgb) -> float:
    """Relative luminance (WCAG) of an sRGB colour."""
    def lin(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# ------------------------------------------------------------------------------ colours
def test_darker_means_worse_monotonically():
    bs = np.linspace(0, 1, 201)   # steps of 0.005 (finer steps meet 8-bit rounding plateaus)
    lum = [luminance(maps.scale_colour(b)) for b in bs]
    assert all(a > b for a, b in zip(lum, lum[1:])), "luminance must fall as badness rises"
    assert maps.scale_colour(0) == maps.VIRIDIS[-1] and maps.scale_colour(1) == maps.VIRIDIS[0]


def test_no_data_grey_is_not_a_colour_of_the_scale():
    grey = np.array(maps.NO_DATA_FILL[:3])
    scale = np.array([maps.scale_colour(b) for b in np.linspace(0, 1, 1001)])
    assert np.min(np.linalg.norm(scale - grey, axis=1)) > 60
    assert maps.fill_colour(NAN) == list(maps.NO_DATA_FILL)
    assert maps.fill_colour(None) == list(maps.NO_DATA_FILL)
    # and the outlines: no-data dashed, selected thick in a colour off the scale
    styles = maps.feature_styles(["01", "02", "03"], [0.5, NAN, 0.2], selected="03").set_index("code")
    assert styles.loc["02", "dash"] != [0, 0] and styles.loc["01", "dash"] == [0, 0]
    assert styles.loc["03", "lw"] > styles.loc["01", "lw"]
    assert np.min(np.linalg.norm(scale - np.array(maps.SELECTED_LINE[:3]), axis=1)) > 60


def test_badness_direction_clipping_and_missing():
    b = maps.badness([0, 5, 10, 20, NAN], 0, 10)
    assert list(b[:4]) == [0, 0.5, 1, 1] and math.isnan(b[4])
    r = maps.badness([0, 10], 0, 10, higher_is_worse=False)
    assert list(r) == [1, 0]
    assert list(maps.badness([3, 3], 3, 3)) == [0.5, 0.5]


def test_plotly_colorscale_matches_the_map():
    scale = maps.plotly_colorscale()
    assert scale[0][0] == 0 and scale[-1][0] == 1
    assert scale[0][1] == "#fde725" and scale[-1][1] == "#440154"


# --------------------------------------------------------------------------------- deck
def values_frame(tips=None, missing=("05",)):
    names = geo.regions_gdf().set_index("code")["name_ar"]
    return pd.DataFrame({
        "code": REGIONS, "name": [names[c] for c in REGIONS],
        "tip": tips or [f"المهاجرون: {i},5 %\nالفترة: 2025" for i in range(12)],
        "badness": [NAN if c in missing else i / 11 for i, c in enumerate(REGIONS)],
    })


def test_deck_spec_offline_12_features_small_payload():
    deck = maps.region_deck(values_frame(), selected="09", rtl=True)
    text = deck.to_json()
    spec = json.loads(text)
    assert "http" not in text.lower()
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")        # no basemap URL
    assert "mapProvider" not in spec or spec["mapProvider"] is None
    assert deck.map_provider is None
    features = spec["layers"][0]["data"]["features"]
    assert len(features) == 12 and sorted(f["properties"]["code"] for f in features) == REGIONS
    assert spec["layers"][0]["id"] == maps.LAYER_ID and spec["layers"][0]["pickable"] is True
    assert spec["layers"][0]["lineWidthUnits"] == "pixels"
    props = {f["properties"]["code"]: f["properties"] for f in features}
    assert props["05"]["fill"] == list(maps.NO_DATA_FILL)
    assert props["09"]["line"] == list(maps.SELECTED_LINE)
    assert set(props["01"]) == {"code", "name", "tip", "fill", "line", "lw", "dash"}
    assert maps.payload_bytes(deck) <= maps.MAX_PAYLOAD_BYTES
    assert "\u0627" in text                                          # Arabic kept as UTF-8
    tooltip = deck._tooltip
    assert "{name}" in tooltip["html"] and "{tip}" in tooltip["html"]
    assert tooltip["style"]["direction"] == "rtl"


def test_deck_json_is_computed_once_and_compact():
    deck = maps.region_deck(values_frame())
    first = deck.to_json()
    assert deck.to_json() is first and "\n" not in first


def test_geometry_is_not_modified():
    before = geo.payload_bytes(geo.regions_geojson())
    maps.region_deck(values_frame())
    assert geo.payload_bytes(geo.regions_geojson()) == before


# ---------------------------------------------------------------------------- selection
def test_selected_code_from_object_or_index():
    state = {"selection": {"indices": {"regions": [8]},
                           "objects": {"regions": [{"type": "Feature", "properties": {"code": "09"}}]}}}
    assert maps.selected_code(state) == "09"
    only_index = {"selection": {"indices": {"regions": [2]}, "objects": {}}}
    assert maps.selected_code(only_index, REGIONS) == "03"
    assert maps.selected_code({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.selected_code(None) is None


def test_region_after_click_selects_toggles_or_keeps():
    click = {"selection": {"indices": {"regions": [0]}, "objects": {"regions": [{"properties": {"code": "01"}}]}}}
    assert maps.region_after_click(click, None) == (True, "01")
    assert maps.region_after_click(click, "05") == (True, "01")
    assert maps.region_after_click(click, "01") == (True, None)
    assert maps.region_after_click({"selection": {"indices": {}, "objects": {}}}, "05") == (False, "05")


def test_legend_has_units_and_a_no_data_swatch():
    fig = maps.legend_figure(0, 40, higher_is_worse=True, title="Écart (pts)", no_data="pas de données",
                             dark_means="plus foncé = pire")
    assert "Écart (pts)" in fig.layout.title.text and "plus foncé = pire" in fig.layout.title.text
    assert fig.layout.shapes[0].fillcolor == "#d9d9d9"
    assert "http" not in fig.to_json()


# -------------------------------------------------------------------- views: formatting
CAT = pd.DataFrame([
    dict(code="SAN-A", sector="health", name_fr="Santé A", name_en="Health A", name_ar="صحة أ", unit="%",
         direction="higher_is_better", target=100.0, gap_best=0.0, gap_worst=40.0, compares_groups=True),
    dict(code="SAN-B", sector="health", name_fr="Santé B", name_en="Health B", name_ar="صحة ب", unit="%",
         direction="lower_is_better", target=0.0, gap_best=0.0, gap_worst=40.0, compares_groups=False),
    dict(code="CTX-A", sector="cross_cutting", name_fr="Contexte", name_en="Context", name_ar="سياق",
         unit="persons", direction="context", target=0.0, gap_best=0.0, gap_worst=1.0, compares_groups=False),
])


def area_rows(**cols):
    base = dict(area_code=["01", "02", "03"], value=[NAN] * 3, migrants=[NAN] * 3, host=[NAN] * 3,
                gap=[NAN] * 3, score=[NAN] * 3, coverage=[0.0] * 3, is_illustrative=[False] * 3,
                suppressed=[False] * 3, source=[""] * 3)
    base.update(cols)
    return pd.DataFrame(base)


def indicator_values(view="gap"):
    table = area_rows(migrants=[60.0, NAN, 1234.5], host=[90.0, 88.0, 95.0], gap=[30.0, NAN, NAN],
                      score=[7.5, NAN, NAN], coverage=[1.0, 0.0, 0.0], suppressed=[False, True, False],
                      is_illustrative=[True, True, False], source=["src", "src", "src"])
    table["value"] = table[view]
    return V.region_values(table, "SAN-A", view, CAT)


def test_tooltips_per_language_with_units_and_star():
    vals = indicator_values()
    fr = V.tooltip_texts(vals, "SAN-A", CAT, "2025", "fr", 5)
    en = V.tooltip_texts(vals, "SAN-A", CAT, "2025", "en", 5)
    ar = V.tooltip_texts(vals, "SAN-A", CAT, "2025", "ar", 5)
    assert "Migrants : 60,0 %" in fr[0] and "Migrants: 60.0 %" in en[0]
    assert "Écart : 30,0 pts" in fr[0] and "Score : 7,5 / 10" in fr[0]
    assert "illustratif" in fr[0] and "Période : 2025" in fr[0] and "Source : src" in fr[0]
    star = fr[[i for i, c in enumerate(vals["area_code"]) if c == "02"][0]]
    assert "Migrants : *" in star and "inférieur à 5" in star
    assert "المهاجرون" in ar[0] and "توضيحي" in ar[0]
    assert "1\u202f234,5 %" in fr[list(vals["area_code"]).index("03")]   # babel's narrow no-break space


def test_no_data_tooltip_and_table_note():
    vals = V.region_values(area_rows(), "index:health", "score", CAT)
    tips = V.tooltip_texts(vals, "index:health", CAT, "2025", "fr", 5)
    assert all(t.startswith("pas de données") for t in tips)
    table = V.display_table(vals, "index:health", CAT, {"01": "Tanger"}, "fr")
    assert set(table["Remarque"]) == {"pas de données"} and set(table["Rang"]) == {"—"}


def test_ranking_worst_first_follows_the_view_direction():
    table = area_rows(migrants=[60.0, 80.0, 70.0], host=[90.0] * 3)
    table["value"] = table["migrants"]
    ranked = V.region_values(table, "SAN-A", "migrants", CAT)        # higher is better: lowest first
    assert list(ranked["area_code"]) == ["01", "03", "02"]
    lower = V.region_values(table, "SAN-B", "migrants", CAT)         # lower is better: highest first
    assert list(lower["area_code"]) == ["02", "03", "01"]
    assert V.worse_when_higher("SAN-A", "gap", CAT) and not V.worse_when_higher("SAN-A", "migrants", CAT)


def test_display_table_stars_and_translated_headers():
    vals = indicator_values()
    fr = V.display_table(vals, "SAN-A", CAT, {"01": "Tanger", "02": "Oriental", "03": "Fès"}, "fr")
    assert list(fr.columns[:4]) == ["Rang", "Région", "Migrants (%)", "Population hôte (%)"]
    row = fr[fr["Région"] == "Oriental"].iloc[0]
    assert row["Migrants (%)"] == "*" and row["Écart (pts)"] == "*" and row["Population hôte (%)"] == "88,0"
    ar = V.display_table(vals, "SAN-A", CAT, {"01": "طنجة"}, "ar")
    assert "الجهة" in ar.columns and "طنجة" in set(ar["الجهة"])


def test_csv_keeps_suppressed_values_suppressed_and_neutralises_formulas():
    vals = indicator_values()
    vals.loc[vals["area_code"] == "02", "migrants"] = 3.0   # even if a number slipped through
    data = V.csv_bytes(vals, "SAN-A", CAT, "2025", {"01": "=cmd()", "02": "Oriental"}, "fr", 5)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    by_code = {r[1]: r for r in rows[1:] if len(r) > 2}
    assert by_code["02"][6] == "*" and "3.0" not in ",".join(by_code["02"]) and by_code["02"][8] == "*"
    assert by_code["01"][2] == "'=cmd()"
    assert by_code["01"][6] == "60" and by_code["01"][8] == "30"
    assert "inférieur à 5" in rows[-1][0]


def test_colour_domain():
    vals = indicator_values("migrants")
    assert V.colour_domain(vals, "SAN-A", "gap", CAT) == (0.0, 40.0)
    assert V.colour_domain(vals, "SAN-A", "score", CAT) == (0.0, 10.0)
    assert V.colour_domain(vals, "index", "score", CAT) == (0.0, 10.0)
    assert V.colour_domain(vals, "SAN-A", "migrants", CAT) == (60.0, 1235.0)


# ----------------------------------------------------------------------- targets, periods
def test_target_options_follow_the_sector():
    assert V.target_options(CAT, "health") == ["index:health", "SAN-A", "SAN-B"]
    assert V.target_options(CAT)[:2] == ["index", "index:health"]
    assert V.target_label("index:health", CAT, "fr") == "Indice Santé"
    assert V.target_label("SAN-A", CAT, "ar") == "SAN-A · صحة أ"
    assert V.target_indicators("index", CAT) == ["SAN-A", "SAN-B"]     # context never in an index
    assert V.n_eligible("CTX-A", CAT) == 0


def test_period_resolution():
    periods = ["2024", "2025-01", "2025-02", "2025", "2014"]
    assert V.period_candidates("2025", periods) == ["2025", "2025-02", "2025-01"]
    assert V.resolve_period(None, periods, lambda p: p in {"2025-01", "2024"}) == "2025-01"
    assert V.resolve_period("2025", periods, lambda p: p == "2025-01") == "2025-01"
    assert V.resolve_period("2014", periods, lambda p: False) == "2014"
    assert V.resolve_period(None, [], lambda p: True) is None


# ------------------------------------------------------------------------------- charts
def test_ranking_bar_lists_no_data_rows_with_their_text():
    fig = charts.ranking_bar(["A", "B"], [5.0, NAN], ["#440154", "#d9d9d9"], ["5,0", "pas de données"],
                             x_title="Score (0-10)")
    bar = fig.data[0]
    assert list(bar.y) == ["A", "B"] and list(bar.text) == ["5,0", "pas de données"]
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.xaxis.title.text == "Score (0-10)"


def test_trend_multiples_one_panel_per_indicator():
    series = pd.DataFrame({"indicator": ["A", "A", "B"], "period": ["2024", "2025", "2024"],
                           "series": ["migrants", "migrants", "host"], "value": [1.0, 2.0, 3.0]})
    fig = charts.trend_multiples(series, ["A", "B", "C"], titles={"A": "a"}, units={"A": "%"},
                                 labels={"migrants": "M", "national": "N", "host": "H"}, periods=["2024", "2025"])
    assert len(fig.data) == 2 and len(fig.layout.annotations) == 3
    assert "http" not in fig.to_json()


# ------------------------------------------------------------------------ region profile
def ob(ind, area, value, group="migrants", period="2025", denominator=NAN):
    return dict(indicator=ind, area_code=area, period=period, population_group=group, sex="all", age_group="all",
                value=value, numerator=NAN, denominator=denominator, sample_size=None, source="src",
                is_illustrative=False, note=None)


PROFILE_OBS = pd.DataFrame([
    ob("SAN-A", "09", 60.0, period="2024"), ob("SAN-A", "09", 70.0), ob("SAN-A", "MA", 80.0),
    ob("SAN-A", "09", 90.0, "host", period="2024"), ob("SAN-B", "09", 20.0, denominator=3),
    ob("SAN-B", "MA", 10.0), ob("CTX-A", "09", 500.0), ob("SAN-A", "01", 1.0),
])


def test_profile_rows_against_national_and_host_with_suppression():
    rows = V.profile_rows(PROFILE_OBS, CAT, "09", "2025", 5).set_index("indicator")
    assert rows.loc["SAN-A", "migrants"] == 70.0 and rows.loc["SAN-A", "national"] == 80.0
    assert rows.loc["SAN-A", "host"] == 90.0 and rows.loc["SAN-A", "gap"] == 20.0
    assert rows.loc["SAN-B", "suppressed"] and math.isnan(rows.loc["SAN-B", "migrants"])
    assert rows.loc["SAN-B", "national"] == 10.0
    table = V.profile_table(rows.reset_index(), CAT, "fr")
    assert list(table["Migrants"]) == ["70,0", "*", "500"]        # a count has no decimals


def test_profile_series_leaves_withheld_values_out():
    series = V.profile_series(PROFILE_OBS, CAT, "09", 5)
    got = {(r.indicator, r.period, r.series): r.value for r in series.itertuples()}
    assert got[("SAN-A", "2024", "migrants")] == 60.0 and got[("SAN-A", "2025", "national")] == 80.0
    assert got[("SAN-A", "2024", "host")] == 90.0
    assert ("SAN-B", "2025", "migrants") not in got and got[("SAN-B", "2025", "national")] == 10.0
    assert "01" not in set(series.get("area_code", []))


def test_sector_summary_and_largest_gaps():
    summary = V.sector_summary(PROFILE_OBS, CAT, "09", "2025", 5).set_index("sector")
    assert summary.loc["health", "n_with_data"] == 1 and summary.loc["health", "n_eligible"] == 2
    assert summary.loc["overall", "index"] == summary.loc["health", "index"]
    vals = V.region_values(area_rows(value=[2.0, NAN, 7.0], score=[2.0, NAN, 7.0], coverage=[1.0, 0.0, 0.5]),
                           "index:health", "score", CAT)
    top = V.largest_gaps(vals, 5)
    assert list(top["area_code"]) == ["03", "01"] and list(top["n_with_data"]) == [1, 2]
