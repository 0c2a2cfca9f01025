"""The access-gap method (DESIGN.md section 5) on small hand-built frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sna import gaps as G

NAN = float("nan")


# ----------------------------------------------------------------------------- builders
def indicator(code, sector="health", *, direction="higher_is_better", compares=True,
              target=NAN, best=0.0, worst=40.0, unit="%"):
    return dict(code=code, sector=sector, name_fr=code, name_en=code, name_ar=code, unit=unit,
                direction=direction, valid_min=0.0, valid_max=100.0, target=target,
                gap_best=best, gap_worst=worst, compares_groups=compares, hxl_tag="")


def catalogue(*rows):
    return pd.DataFrame(list(rows))


def ob(ind, area, value, group="migrants", period="2024", *, sex="all", age="all",
       denominator=NAN, source="src", illustrative=False):
    return dict(indicator=ind, area_code=area, period=period, population_group=group, sex=sex,
                age_group=age, value=value, numerator=NAN, denominator=denominator,
                sample_size=None, source=source, is_illustrative=illustrative)


def observations(*rows):
    return pd.DataFrame(list(rows))


def row(df, **where):
    mask = np.ones(len(df), dtype=bool)
    for col, val in where.items():
        mask &= (df[col] == val).to_numpy()
    hit = df[mask]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# ----------------------------------------------------------------------------- worked example
@pytest.fixture
def worked():
    """DESIGN.md's worked example: health, 2024, SAN-A vs host and SAN-B vs target 90."""
    cat = catalogue(indicator("SAN-A"), indicator("SAN-B", compares=False, target=90.0))
    obs = observations(
        ob("SAN-A", "X", 60), ob("SAN-A", "X", 90, "host"), ob("SAN-B", "X", 50),
        ob("SAN-A", "Y", 85), ob("SAN-A", "Y", 90, "host"),
        ob("SAN-A", "Z", 95), ob("SAN-A", "Z", 90, "host"), ob("SAN-B", "Z", 94),
    )
    return obs, cat


def test_worked_example_gaps_and_scores(worked):
    obs, cat = worked
    g = G.indicator_gaps(obs, cat, "2024")
    assert list(g.columns) == G.GAP_COLUMNS
    assert len(g) == 5
    expected = {("SAN-A", "X"): (30, 7.5), ("SAN-B", "X"): (40, 10.0),
                ("SAN-A", "Y"): (5, 1.25),
                ("SAN-A", "Z"): (-5, 0.0), ("SAN-B", "Z"): (-4, 0.0)}
    for (ind, area), (gap, score) in expected.items():
        r = row(g, indicator=ind, area_code=area)
        assert r["gap"] == gap
        assert r["score"] == score
        assert bool(r["eligible"]) and not bool(r["suppressed"])
    assert row(g, indicator="SAN-A", area_code="X")["ratio"] == pytest.approx(60 / 90)
    assert row(g, indicator="SAN-A", area_code="X")["host_period"] == "2024"
    assert row(g, indicator="SAN-B", area_code="X")["target"] == 90.0


def test_worked_example_sector_index(worked):
    obs, cat = worked
    si = G.sector_index(G.indicator_gaps(obs, cat, "2024"), cat)
    assert list(si.columns) == G.SECTOR_INDEX_COLUMNS
    assert list(si["area_code"]) == ["X", "Y", "Z"]
    assert set(si["sector"]) == {"health"}
    x, y, z = (row(si, area_code=a) for a in "XYZ")
    assert (x["index"], x["n_with_data"], x["n_eligible"], x["coverage"]) == (8.75, 2, 2, 1.0)
    assert (y["index"], y["n_with_data"], y["n_eligible"], y["coverage"]) == (1.25, 1, 2, 0.5)
    assert (z["index"], z["n_with_data"], z["n_eligible"], z["coverage"]) == (0.0, 2, 2, 1.0)
    assert not math.isnan(z["index"])  # a zero index, not "no data"


# ----------------------------------------------------------------------------- directions, ratio
def test_lower_is_better_against_host_and_target():
    cat = catalogue(
        indicator("SAN-L", direction="lower_is_better", best=0, worst=20),
        indicator("SAN-T", direction="lower_is_better", compares=False, target=10.0,
                  best=0, worst=20),
    )
    obs = observations(
        ob("SAN-L", "01", 30), ob("SAN-L", "01", 20, "host"),
        ob("SAN-T", "01", 15), ob("SAN-T", "01", 12, "host"),
    )
    g = G.indicator_gaps(obs, cat, "2024")
    lo = row(g, indicator="SAN-L")
    assert lo["gap"] == 10.0            # migrants − host
    assert lo["score"] == 5.0
    assert lo["ratio"] == 1.5
    t = row(g, indicator="SAN-T")
    assert t["gap"] == 5.0              # migrants − target, the host value is not used
    assert t["score"] == 2.5
    assert t["ratio"] == 1.25           # the ratio is still reported


def test_ratio_nan_without_host_or_with_zero_host():
    cat = catalogue(indicator("SAN-A"))
    obs = observations(ob("SAN-A", "01", 10), ob("SAN-A", "02", 10), ob("SAN-A", "02", 0, "host"))
    g = G.indicator_gaps(obs, cat, "2024")
    one, two = row(g, area_code="01"), row(g, area_code="02")
    assert math.isnan(one["ratio"]) and math.isnan(one["host"]) and math.isnan(one["gap"])
    assert math.isnan(one["score"]) and one["host_period"] is None
    assert math.isnan(two["ratio"]) and two["gap"] == -10.0


def test_score_clipped_to_goalposts():
    cat = catalogue(indicator("SAN-A", best=10, worst=30))
    obs = observations(
        ob("SAN-A", "01", 0), ob("SAN-A", "01", 100, "host"),   # gap 100 → 10
        ob("SAN-A", "02", 80), ob("SAN-A", "02", 100, "host"),  # gap 20 → 5
        ob("SAN-A", "03", 95), ob("SAN-A", "03", 100, "host"),  # gap 5 → 0
    )
    g = G.indicator_gaps(obs, cat, "2024")
    assert list(g.sort_values("area_code")["score"]) == [10.0, 5.0, 0.0]


def test_all_regions_equal_give_equal_scores():
    cat = catalogue(indicator("SAN-A"), indicator("SAN-B", compares=False, target=90.0))
    areas = [f"{i:02d}" for i in range(1, 13)]
    obs = observations(*[r for a in areas for r in (
        ob("SAN-A", a, 70), ob("SAN-A", a, 80, "host"), ob("SAN-B", a, 90))])
    g = G.indicator_gaps(obs, cat, "2024")
    a = g[g["indicator"] == "SAN-A"]
    b = g[g["indicator"] == "SAN-B"]
    assert set(a["score"]) == {2.5}
    assert set(b["gap"]) == {0.0} and set(b["score"]) == {0.0}  # zero gap → 0
    table = G.area_table(obs, cat, "2024", areas=areas, view="score")
    assert set(table["value"]) == {1.25}
    assert list(G.ranking(table)["rank"]) == [1] * 12


# ----------------------------------------------------------------------------- no data
def test_area_without_data_is_nan_not_zero():
    cat = catalogue(indicator("SAN-A"), indicator("EDU-A", "education"))
    obs = observations(ob("SAN-A", "01", 60), ob("SAN-A", "01", 90, "host"),
                       ob("SAN-A", "02", 60))  # 02: no host, so no gap
    g = G.indicator_gaps(obs, cat, "2024")
    si = G.sector_index(g, cat, areas=["03"])
    assert list(si["area_code"]) == ["01", "01", "02", "02", "03", "03"]
    assert list(si["sector"]) == ["health", "education"] * 3
    for area in ("02", "03"):
        for sector in ("health", "education"):
            r = row(si, area_code=area, sector=sector)
            assert math.isnan(r["index"]) and r["coverage"] == 0.0 and r["n_with_data"] == 0
    edu = row(si, area_code="01", sector="education")
    assert math.isnan(edu["index"]) and edu["coverage"] == 0.0
    ov = G.overall_index(si)
    assert list(ov.columns) == G.OVERALL_INDEX_COLUMNS
    assert row(ov, area_code="01")["index"] == 7.5
    assert row(ov, area_code="01")["coverage"] == 0.5
    for area in ("02", "03"):
        r = row(ov, area_code=area)
        assert math.isnan(r["index"]) and r["coverage"] == 0.0 and r["n_sectors_with_data"] == 0


def test_empty_inputs():
    cat = catalogue(indicator("SAN-A"))
    g = G.indicator_gaps(observations(ob("SAN-A", "01", 60)).iloc[0:0], cat, "2024")
    assert g.empty and list(g.columns) == G.GAP_COLUMNS
    si = G.sector_index(g, cat)
    assert si.empty and list(si.columns) == G.SECTOR_INDEX_COLUMNS
    ov = G.overall_index(si)
    assert ov.empty and list(ov.columns) == G.OVERALL_INDEX_COLUMNS


# ----------------------------------------------------------------------------- suppression
def test_suppression_at_and_below_threshold():
    cat = catalogue(indicator("SAN-A"), indicator("SAN-B", compares=False, target=90.0))
    obs = observations(
        ob("SAN-A", "01", 60, denominator=5), ob("SAN-A", "01", 90, "host"),
        ob("SAN-A", "02", 60, denominator=4), ob("SAN-A", "02", 90, "host"),
        ob("SAN-B", "02", 50),
    )
    g = G.indicator_gaps(obs, cat, "2024")
    shown, hidden = row(g, area_code="01"), row(g, area_code="02", indicator="SAN-A")
    assert not bool(shown["suppressed"])
    assert bool(hidden["suppressed"])
    # the full frame keeps the numbers (an admin export)
    assert hidden["migrants"] == 60 and hidden["gap"] == 30 and hidden["score"] == 7.5
    # the suppressed score does not enter the index or the coverage
    si = G.sector_index(g, cat)
    two = row(si, area_code="02")
    assert two["index"] == 10.0 and two["n_with_data"] == 1 and two["coverage"] == 0.5
    assert row(si, area_code="01")["index"] == 7.5
    # screens and default exports
    blanked = G.apply_suppression(g)
    b = row(blanked, area_code="02", indicator="SAN-A")
    for col in ("migrants", "host", "gap", "ratio", "score"):
        assert math.isnan(b[col])
    assert row(blanked, area_code="01")["migrants"] == 60
    assert row(g, area_code="02", indicator="SAN-A")["migrants"] == 60  # input unchanged
    only = G.apply_suppression(g, columns=("migrants",))
    assert row(only, area_code="02", indicator="SAN-A")["gap"] == 30
    # a threshold can be configured
    g3 = G.indicator_gaps(obs, cat, "2024", threshold=3)
    assert not g3["suppressed"].any()


def test_suppression_of_small_counts_without_denominator():
    cat = catalogue(
        indicator("JUS-C", "justice", compares=False, target=0.0, direction="lower_is_better",
                  unit="cases"),
        indicator("JUS-P", "justice", compares=False, target=90.0, unit="%"),
    )
    obs = observations(
        ob("JUS-C", "01", 4), ob("JUS-C", "02", 5), ob("JUS-C", "03", 2, denominator=50),
        ob("JUS-P", "01", 3),
    )
    g = G.indicator_gaps(obs, cat, "2024")
    assert bool(row(g, indicator="JUS-C", area_code="01")["suppressed"])
    assert not bool(row(g, indicator="JUS-C", area_code="02")["suppressed"])
    assert not bool(row(g, indicator="JUS-C", area_code="03")["suppressed"])  # denominator wins
    assert not bool(row(g, indicator="JUS-P", area_code="01")["suppressed"])  # not a count


def test_area_table_blanks_suppressed_values():
    cat = catalogue(indicator("SAN-A"))
    obs = observations(ob("SAN-A", "01", 60, denominator=4), ob("SAN-A", "01", 90, "host"))
    for view in ("migrants", "gap", "score"):
        t = G.area_table(obs, cat, "2024", areas=["01"], view=view, indicator="SAN-A")
        r = t.iloc[0]
        assert bool(r["suppressed"]) and math.isnan(r["value"])
        assert math.isnan(r["migrants"]) and math.isnan(r["gap"]) and math.isnan(r["score"])
        assert r["coverage"] == 0.0
    t = G.area_table(obs, cat, "2024", areas=["01"], view="host", indicator="SAN-A")
    assert t.iloc[0]["value"] == 90.0  # the host figure is not the withheld value
    idx = G.area_table(obs, cat, "2024", areas=["01"], view="score", sector="health")
    assert math.isnan(idx.iloc[0]["value"]) and idx.iloc[0]["coverage"] == 0.0
    assert not bool(idx.iloc[0]["suppressed"])


# ----------------------------------------------------------------------------- context
def test_context_indicators_never_enter_an_index():
    cat = catalogue(indicator("SAN-A"),
                    indicator("CTX-1", "health", direction="context", compares=False),
                    indicator("CTX-2", "cross_cutting", direction="context", compares=False,
                              unit="persons"))
    obs = observations(ob("SAN-A", "01", 60), ob("SAN-A", "01", 90, "host"),
                       ob("CTX-1", "01", 1000), ob("CTX-1", "01", 5000, "host"),
                       ob("CTX-2", "01", 148152), ob("CTX-2", "02", 1200))
    g = G.indicator_gaps(obs, cat, "2024")
    ctx = g[g["indicator"].str.startswith("CTX")]
    assert len(ctx) == 3
    assert not ctx["eligible"].any()
    assert ctx["gap"].isna().all() and ctx["score"].isna().all()
    assert row(g, indicator="CTX-1")["migrants"] == 1000
    assert row(g, indicator="CTX-1")["ratio"] == 0.2
    si = G.sector_index(g, cat)
    assert set(si["sector"]) == {"health"}  # cross_cutting has no eligible indicator
    one = row(si, area_code="01")
    assert (one["index"], one["n_with_data"], one["n_eligible"]) == (7.5, 1, 1)
    ov = G.overall_index(si)
    assert row(ov, area_code="01")["coverage"] == 1.0
    assert math.isnan(row(ov, area_code="02")["index"])
    t = G.area_table(obs, cat, "2024", areas=["01", "02"], view="migrants", indicator="CTX-2")
    assert list(t["value"]) == [148152.0, 1200.0]
    assert t["coverage"].isna().all()


# ----------------------------------------------------------------------------- overall
def test_overall_index_is_mean_of_sector_indices_with_data():
    cat = catalogue(
        indicator("SAN-A"), indicator("SAN-B", compares=False, target=90.0),
        indicator("EDU-A", "education"),
        indicator("JUS-A", "justice"),
    )
    obs = observations(
        ob("SAN-A", "01", 60), ob("SAN-A", "01", 90, "host"),   # 7.5
        ob("SAN-B", "01", 90),                                   # 0 → health 3.75
        ob("EDU-A", "01", 80), ob("EDU-A", "01", 90, "host"),   # 2.5
        # justice: no data
    )
    si = G.sector_index(G.indicator_gaps(obs, cat, "2024"), cat)
    assert row(si, sector="health")["index"] == 3.75
    assert math.isnan(row(si, sector="justice")["index"])
    ov = G.overall_index(si)
    r = row(ov, area_code="01")
    assert r["index"] == (3.75 + 2.5) / 2           # not (3.75 + 2.5 + 0) / 3
    assert r["n_sectors_with_data"] == 2
    assert (r["n_with_data"], r["n_eligible"], r["coverage"]) == (3, 4, 0.75)
    t = G.area_table(obs, cat, "2024", areas=["01"], view="score")
    assert t.iloc[0]["value"] == 3.125 and t.iloc[0]["coverage"] == 0.75


# ----------------------------------------------------------------------------- host period
def test_host_value_from_nearest_period():
    cat = catalogue(indicator("EDU-A", "education"))
    obs = observations(
        ob("EDU-A", "01", 70, period="2025"),
        ob("EDU-A", "01", 90, "host", period="2014"),
        ob("EDU-A", "01", 80, "host", period="2024"),
    )
    g = G.indicator_gaps(obs, cat, "2025")
    r = row(g, area_code="01")
    assert r["host"] == 80 and r["host_period"] == "2024" and r["gap"] == 10
    assert r["period"] == "2025"


def test_host_same_period_wins_and_ties_go_to_earlier():
    cat = catalogue(indicator("EDU-A", "education"))
    obs = observations(
        ob("EDU-A", "01", 70, period="2025"),
        ob("EDU-A", "01", 80, "host", period="2024"),
        ob("EDU-A", "01", 60, "host", period="2026"),
        ob("EDU-A", "02", 70, period="2025"),
        ob("EDU-A", "02", 80, "host", period="2024"),
        ob("EDU-A", "02", 75, "host", period="2025"),
    )
    g = G.indicator_gaps(obs, cat, "2025")
    tie = row(g, area_code="01")
    assert tie["host"] == 80 and tie["host_period"] == "2024"
    same = row(g, area_code="02")
    assert same["host"] == 75 and same["host_period"] == "2025"


def test_host_period_for_sub_annual_periods():
    cat = catalogue(indicator("EDU-A", "education"))
    obs = observations(
        ob("EDU-A", "01", 70, period="2025-03"),
        ob("EDU-A", "01", 80, "host", period="2024"),
        ob("EDU-A", "01", 85, "host", period="2025"),   # the year that contains March 2025
    )
    r = row(G.indicator_gaps(obs, cat, "2025-03"), area_code="01")
    assert r["host_period"] == "2025" and r["host"] == 85


def test_illustrative_and_source_combine_both_values():
    cat = catalogue(indicator("SAN-A"))
    obs = observations(
        ob("SAN-A", "01", 60, source="Survey", illustrative=True),
        ob("SAN-A", "01", 90, "host", source="HCP RGPH 2024"),
        ob("SAN-A", "02", 60, source="HCP RGPH 2024"),
        ob("SAN-A", "02", 90, "host", source="HCP RGPH 2024", illustrative=True),
        ob("SAN-A", "03", 60, source="Survey"),
    )
    g = G.indicator_gaps(obs, cat, "2024")
    one, two, three = (row(g, area_code=a) for a in ("01", "02", "03"))
    assert one["source"] == "Survey ; HCP RGPH 2024" and bool(one["is_illustrative"])
    assert two["source"] == "HCP RGPH 2024" and bool(two["is_illustrative"])
    assert three["source"] == "Survey" and not bool(three["is_illustrative"])


# ----------------------------------------------------------------------------- area_table
def test_area_table_one_row_per_area_in_order():
    cat = catalogue(indicator("SAN-A"), indicator("SAN-B", compares=False, target=90.0))
    obs = observations(
        ob("SAN-A", "05", 60), ob("SAN-A", "05", 90, "host"), ob("SAN-B", "05", 50),
        ob("SAN-A", "01", 85), ob("SAN-A", "01", 90, "host"),
        ob("SAN-A", "03", 80, "host"),          # a host value, no migrants value
        ob("SAN-A", "99", 10),                  # not requested
    )
    areas = ["01", "02", "03", "04", "05"]
    t = G.area_table(obs, cat, "2024", areas=areas, view="gap", indicator="SAN-A")
    assert list(t.columns) == G.AREA_TABLE_COLUMNS
    assert list(t["area_code"]) == areas
    assert t["value"].tolist()[0] == 5.0 and t["value"].tolist()[4] == 30.0
    assert t["value"].iloc[[1, 2, 3]].isna().all()
    assert list(t["coverage"]) == [1.0, 0.0, 0.0, 0.0, 1.0]
    host = G.area_table(obs, cat, "2024", areas=areas, view="host", indicator="SAN-A")
    assert host["value"].tolist()[2] == 80.0                    # shown without migrants
    assert math.isnan(host["migrants"].iloc[2])
    mig = G.area_table(obs, cat, "2024", areas=areas, view="migrants", indicator="SAN-A")
    assert mig["value"].tolist()[0] == 85.0
    sec = G.area_table(obs, cat, "2024", areas=areas, view="score", sector="health")
    assert sec["value"].tolist()[0] == 1.25 and sec["value"].tolist()[4] == 8.75
    assert sec["coverage"].tolist() == [0.5, 0.0, 0.0, 0.0, 1.0]
    assert sec["value"].iloc[[1, 2, 3]].isna().all()
    assert sec["source"].tolist()[4] == "src"
    assert not sec["suppressed"].any()
    overall = G.area_table(obs, cat, "2024", areas=areas, view="score")
    assert overall["value"].tolist()[4] == 8.75 and math.isnan(overall["value"].iloc[1])
    # an area list with no data anywhere
    empty = G.area_table(obs, cat, "2024", areas=["11", "12"], view="score", indicator="SAN-B")
    assert list(empty["area_code"]) == ["11", "12"] and empty["value"].isna().all()


def test_area_table_rejects_bad_arguments():
    cat = catalogue(indicator("SAN-A"))
    obs = observations(ob("SAN-A", "01", 60))
    with pytest.raises(ValueError):
        G.area_table(obs, cat, "2024", areas=["01"], view="ratio", indicator="SAN-A")
    with pytest.raises(ValueError):
        G.area_table(obs, cat, "2024", areas=["01"], view="gap", indicator="NOPE")


# ----------------------------------------------------------------------------- breakdowns
def test_sex_and_age_breakdowns_are_ignored():
    cat = catalogue(indicator("SAN-A"))
    obs = observations(
        ob("SAN-A", "01", 60), ob("SAN-A", "01", 90, "host"),
        ob("SAN-A", "01", 10, sex="female"), ob("SAN-A", "01", 99, "host", sex="male"),
        ob("SAN-A", "01", 5, age="0-14"),
        ob("SAN-A", "02", 10, sex="female"),   # only a breakdown: no row
    )
    g = G.indicator_gaps(obs, cat, "2024")
    assert list(g["area_code"]) == ["01"]
    r = g.iloc[0]
    assert (r["migrants"], r["host"], r["gap"]) == (60, 90, 30)
    obs_nat = observations(ob("SAN-A", "MA", 70), ob("SAN-A", "MA", 1, sex="female"))
    assert G.national_value(obs_nat, "SAN-A", "2024", "migrants") == 70.0


# ----------------------------------------------------------------------------- ranking, national
def test_ranking_descending_ties_share_min_rank_nans_last():
    table = pd.DataFrame({"area_code": ["01", "02", "03", "04", "05"],
                          "value": [2.0, NAN, 8.0, 2.0, 5.0]})
    r = G.ranking(table)
    assert list(r["area_code"]) == ["03", "05", "01", "04", "02"]
    assert r["rank"].tolist()[:4] == [1, 2, 3, 3]
    assert r["rank"].isna().tolist() == [False, False, False, False, True]
    assert list(table["area_code"]) == ["01", "02", "03", "04", "05"]  # input unchanged
    assert list(G.ranking(table.rename(columns={"value": "gap"}), "gap")["area_code"])[0] == "03"


def test_national_value():
    obs = observations(ob("SAN-A", "MA", 71.5), ob("SAN-A", "MA", 80, "host"),
                       ob("SAN-A", "01", 60), ob("SAN-B", "MA", NAN))
    assert G.national_value(obs, "SAN-A", "2024", "migrants") == 71.5
    assert G.national_value(obs, "SAN-A", "2024", "host") == 80.0
    assert G.national_value(obs, "SAN-A", "2023", "migrants") is None
    assert G.national_value(obs, "SAN-B", "2024", "migrants") is None
    assert G.national_value(obs, "SAN-C", "2024", "migrants") is None
