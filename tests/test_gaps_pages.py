"""The access-gaps page, the region profile and the overview's "largest gaps", run like a
user with AppTest on the demo store (as of 2026-03-15: periods 2023-2025)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from apptest import open_app
from sna import actions as A
from sna import codes, maps, queries
from sna import gaps as G
from sna.i18n import catalog, t

REGIONS = list(codes.REGION_CODES)
ROOT = Path(__file__).resolve().parent.parent


def table(at, i: int = 0) -> pd.DataFrame:
    return at.dataframe[i].value


def number(text: str) -> float:
    """A number written in English ("1,234.5") back to a float."""
    return float(text.replace(",", "").replace("\u202f", "").split(" ")[0])


def deck_spec(at) -> tuple[dict, str]:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    text = decks[0].proto.json
    return json.loads(text), text


def expected(engine, period, **kwargs) -> pd.DataFrame:
    """What sna.gaps computes from the whole store, one row per region."""
    obs, cat = queries.observations(engine), queries.indicators(engine)
    return G.area_table(obs, cat, period, areas=REGIONS, threshold=5, **kwargs).set_index("area_code")


def names(engine, lang="en") -> dict[str, str]:
    return dict(zip(queries.regions(engine)["code"], queries.regions(engine)[f"name_{lang}"]))


# ----------------------------------------------------------------------- the numbers
def test_indicator_table_equals_the_method(demo_db):
    at = open_app("pages/gaps.py", lang="en", sector="health", target="SAN-01", view="gap")
    shown = table(at)
    want = expected(demo_db, "2025", view="gap", indicator="SAN-01")
    by_name = {v: k for k, v in names(demo_db).items()}
    assert len(shown) == 12
    for _, row in shown.iterrows():
        code = by_name[row["Region"]]
        for col, key in (("Migrants (%)", "migrants"), ("Gap (pts)", "gap"), ("Score (0-10)", "score")):
            if row[col] == "*":
                assert want.loc[code, "suppressed"]
            else:
                assert number(row[col]) == pytest.approx(round(want.loc[code, key], 1), abs=0.051), (code, col)
    # worst gap first
    gaps = [number(g) for g in shown["Gap (pts)"] if g not in ("*", "—")]
    assert gaps == sorted(gaps, reverse=True)
    assert "2025" in at.subheader[0].value


def test_sector_index_table_equals_the_method(demo_db):
    at = open_app("pages/gaps.py", lang="en", sector="education", period="2024")
    shown = table(at).set_index("Region")
    want = expected(demo_db, "2024", view="score", sector="education")
    for code, name in names(demo_db).items():
        assert number(shown.loc[name, "Education index (0-10)"]) == pytest.approx(round(want.loc[code, "value"], 1),
                                                                                    abs=0.051)
    assert list(shown["Rank"])[0] == "1"


# --------------------------------------------------------------------------- the map
def test_map_has_12_regions_and_no_outside_url(demo_db):
    at = open_app("pages/gaps.py", sector="health", target="SAN-04")
    spec, text = deck_spec(at)
    features = spec["layers"][0]["data"]["features"]
    assert len(features) == 12 and sorted(f["properties"]["code"] for f in features) == REGIONS
    assert "http" not in text.lower() and "http" not in at.get("deck_gl_json_chart")[0].proto.tooltip.lower()
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
    assert len(text.encode("utf-8")) <= maps.MAX_PAYLOAD_BYTES
    tip = {f["properties"]["code"]: f["properties"]["tip"] for f in features}
    assert "Période : 2025" in tip["01"] and "%" in tip["01"] and "illustratif" in tip["01"]


def test_no_data_region_renders(demo_db):
    with demo_db.begin() as conn:   # region 05 loses its 2025 migrant figures
        conn.execute(sa.text("DELETE FROM observation WHERE area_code = '05' AND period = '2025' "
                             "AND population_group = 'migrants'"))
    at = open_app("pages/gaps.py", lang="en", sector="health")
    spec, _ = deck_spec(at)
    props = {f["properties"]["code"]: f["properties"] for f in spec["layers"][0]["data"]["features"]}
    assert props["05"]["fill"] == list(maps.NO_DATA_FILL) and props["05"]["dash"] != [0, 0]
    assert props["05"]["tip"].startswith("no data")
    assert props["06"]["fill"] != list(maps.NO_DATA_FILL)
    row = table(at).set_index("Region").loc[names(demo_db)["05"]]
    assert row["Note"] == "no data" and row["Rank"] == "—"
    ranking = at.get("plotly_chart")[1].proto.spec
    assert "no data" in ranking


def test_period_without_migrant_data_shows_no_data(demo_db):
    at = open_app("pages/gaps.py", lang="en", period="2014")
    assert set(table(at)["Note"]) == {"no data"}
    spec, _ = deck_spec(at)
    assert {tuple(f["properties"]["fill"]) for f in spec["layers"][0]["data"]["features"]} == {maps.NO_DATA_FILL}


def test_suppressed_values_show_a_star_and_the_footnote(demo_db):
    # SAN-04 in 2025: denominators of 4 in regions 10 and 12
    at = open_app("pages/gaps.py", sector="health", target="SAN-04", view="migrants")
    shown = table(at).set_index("Région")
    fr = names(demo_db, "fr")
    for code in ("10", "12"):
        assert shown.loc[fr[code], "Migrants (%)"] == "*" and shown.loc[fr[code], "Score (0-10)"] == "*"
    assert "56,4" not in shown.to_string()          # region 10's withheld value
    assert any("* valeur masquée" in c.value for c in at.caption)
    spec, _ = deck_spec(at)
    tip = {f["properties"]["code"]: f["properties"]["tip"] for f in spec["layers"][0]["data"]["features"]}
    assert "Migrants : *" in tip["10"]


def test_arabic_region_names_in_table_and_tooltips(demo_db):
    at = open_app("pages/gaps.py", lang="ar")
    shown = table(at)
    assert set(shown[t("gaps.col.region", "ar")]) == set(names(demo_db, "ar").values())
    spec, _ = deck_spec(at)
    assert spec["layers"][0]["data"]["features"][0]["properties"]["name"] == names(demo_db, "ar")["01"]
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["style"]["direction"] == "rtl"


def test_choices_follow_the_sector_and_stay_in_the_url(demo_db):
    at = open_app("pages/gaps.py", sector="justice")
    box = at.selectbox(key="gaps.target.w")
    assert box.options[0] == "Indice Justice" and all(o.startswith(("Indice", "JUS-")) for o in box.options)
    box.set_value("JUS-02").run()
    assert not at.exception and at.query_params["target"] in ("JUS-02", ["JUS-02"])
    assert at.subheader[0].value.startswith("JUS-02")
    at.radio(key="gaps.view.w").set_value("score").run()
    assert "Score (0-10)" in at.subheader[0].value


def test_selected_region_outlined_with_a_link_to_its_profile(demo_db):
    at = open_app("pages/gaps.py", region="09")
    spec, _ = deck_spec(at)
    props = {f["properties"]["code"]: f["properties"] for f in spec["layers"][0]["data"]["features"]}
    assert props["09"]["line"] == list(maps.SELECTED_LINE) and props["09"]["lw"] == maps.SELECTED_WIDTH
    assert any(link.proto.page.endswith("region") or "region" in link.proto.page
               for link in at.get("page_link"))
    at.button(key="gaps.clear_region").click().run()
    assert not at.exception and "region" not in at.query_params


def test_a_click_on_the_map_becomes_the_region_filter():
    # AppTest cannot click a deck.gl canvas: the page hands the selection to this helper.
    state = {"selection": {"indices": {maps.LAYER_ID: [8]},
                           "objects": {maps.LAYER_ID: [{"properties": {"code": "09", "name": "Souss-Massa"}}]}}}
    assert maps.region_after_click(state, None, REGIONS) == (True, "09")


# ----------------------------------------------------------------------- region page
def test_region_page_lists_national_actions_apart(demo_db):
    at = open_app("pages/region.py", lang="en", region="09")
    assert at.header[0].value == names(demo_db)["09"]
    headings = [m.value for m in at.markdown]
    n_local = next(int(re.search(r"\((\d+)\)", h)[1]) for h in headings if "Regional and local actions" in h)
    n_nat = next(int(re.search(r"\((\d+)\)", h)[1]) for h in headings if "National actions" in h)
    local, national = A.filter_actions(queries.actions(demo_db), region="09")
    hidden = int(local["is_sensitive"].sum() + national["is_sensitive"].sum())
    assert n_local == int((~local["is_sensitive"]).sum()) and n_nat == int((~national["is_sensitive"]).sum())
    assert n_nat > 0 and any("they concern every region" in h for h in headings)
    frames = [d.value for d in at.dataframe]
    nat = next(f for f in frames if "Ref." in f.columns and set(f["Decision-maker level"]) == {"National"})
    assert len(nat) == n_nat and set(nat["Area"]) == {t("area.national", "en")}
    if hidden:
        assert any(str(hidden) in c.value for c in at.caption)


def test_region_page_indicators_against_national_and_host(demo_db):
    at = open_app("pages/region.py", lang="en", region="09", sector="education")
    edu = next(d.value for d in at.dataframe if "Indicator" in d.value.columns)
    row = edu[edu["Indicator"].str.startswith("EDU-02")].iloc[0]
    obs = queries.observations(demo_db, indicators=["EDU-02"])
    assert number(row["Migrants, national"]) == pytest.approx(G.national_value(obs, "EDU-02", "2025", "migrants"),
                                                              abs=0.051)
    want = G.indicator_gaps(obs, queries.indicators(demo_db), "2025").set_index("area_code").loc["09"]
    assert number(row["Host population"]) == pytest.approx(want["host"], abs=0.051)
    assert number(row["Migrants"]) == pytest.approx(want["migrants"], abs=0.051)
    assert len(at.get("plotly_chart")) >= 2              # sector summary + small multiples


def test_region_page_without_region_asks_for_one(demo_db):
    at = open_app("pages/region.py")
    assert at.info and not at.dataframe
    at.selectbox(key="region.pick").select("06").run()
    assert not at.exception
    assert at.query_params["region"] in ("06", ["06"]) and at.header[0].value == "Casablanca-Settat"


# ---------------------------------------------------------------------------- overview
def test_overview_largest_gaps_follow_the_index(demo_db):
    at = open_app("pages/overview.py", lang="en", sector="housing")
    want = expected(demo_db, "2025", view="score", sector="housing")
    top = G.ranking(want.reset_index(), "value").head(5)
    metrics = [m for m in at.metric if "/ 10" in m.value]
    assert [m.label for m in metrics] == [names(demo_db)[c] for c in top["area_code"]]
    assert number(metrics[0].value) == pytest.approx(round(top["value"].iloc[0], 1), abs=0.051)
    assert all("coverage" in m.delta for m in metrics)


def test_empty_store_renders(fresh_db, monkeypatch):
    monkeypatch.setenv("SNA_AUTO_DEMO", "0")
    for page in ("pages/gaps.py", "pages/region.py", "pages/overview.py"):
        open_app(page)


# ------------------------------------------------------------------------------ i18n
def test_every_string_of_these_screens_exists_in_three_languages():
    files = ["pages/gaps.py", "pages/region.py", "sna/gapviews.py", "sna/ui/gapcache.py"]
    keys = set()
    for f in files:
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", (ROOT / f).read_text()))
    keys |= {f"gaps.view.{v}" for v in G.VIEWS}
    assert len(keys) > 40
    cat = catalog()
    for key in sorted(keys):
        assert key in cat, key
        assert all(cat[key].get(lang) for lang in ("fr", "en", "ar")), key


def test_one_area_table_serves_every_view(demo_db):
    """The page computes an indicator's table once and shows another view by taking its
    column: exactly what area_table(view=...) gives, withheld values included."""
    obs, cat = queries.observations(demo_db), queries.indicators(demo_db)
    for indicator in ("SAN-04", "EDU-02", "CTX-01"):
        base = G.area_table(obs, cat, "2025", areas=REGIONS, view="gap", indicator=indicator)
        for view in G.VIEWS:
            direct = G.area_table(obs, cat, "2025", areas=REGIONS, view=view, indicator=indicator)
            pd.testing.assert_series_equal(base[view], direct["value"], check_names=False)
