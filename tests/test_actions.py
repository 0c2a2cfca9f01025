"""Progress computations over influence actions (sna.actions), on hand-made frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sna import actions as A
from sna.codes import ACTION_STATUSES, LEVELS, POLICY_STAGES, REGION_CODES, SECTORS

TODAY = dt.date(2026, 3, 15)
DAY = dt.timedelta(days=1)

_DEFAULTS = dict(
    title="Plaidoyer",
    sector="health",
    level="regional",
    area_code="09",
    lead_organisation="Org A",
    status="planned",
    policy_stage="agenda_setting",
    start_date=dt.date(2026, 1, 1),
    due_date=dt.date(2026, 6, 30),
    done_date=None,
    action_type="bilateral_meeting",
    target_type="ministry",
    n_decision_makers=1,
    archived=False,
    updated_at=dt.datetime(2026, 3, 1, 10, 0),
)


def action(ref: str, **overrides) -> dict:
    """One action row; region_code derived as the pages' caller does."""
    row = {"ref": ref, **_DEFAULTS, **overrides}
    if row["level"] == "national" and "area_code" not in overrides:
        row["area_code"] = None
    area = row["area_code"]
    row["region_code"] = area[:2] if area else None
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(A.COLUMNS))


def refs(df: pd.DataFrame) -> list[str]:
    return sorted(df["ref"])


def flagged(df: pd.DataFrame, flags: pd.Series) -> list[str]:
    assert flags.dtype == bool
    assert flags.index.equals(df.index)
    return sorted(df.loc[flags, "ref"])


# --------------------------------------------------------------------------- overdue & co


def test_open_action_due_today_is_not_overdue_but_is_the_day_after():
    df = frame(action("A", due_date=TODAY))
    assert flagged(df, A.overdue(df, TODAY)) == []
    assert flagged(df, A.overdue(df, TODAY + DAY)) == ["A"]
    assert A.is_overdue(df.iloc[0], TODAY) is False
    assert A.is_overdue(df.iloc[0].to_dict(), TODAY + DAY) is True


def test_overdue_only_concerns_open_actions_with_a_due_date():
    past = TODAY - 10 * DAY
    df = frame(
        action("planned", status="planned", due_date=past),
        action("in_progress", status="in_progress", due_date=past),
        action("postponed", status="postponed", due_date=past),  # postponed is still open
        action("done", status="done", due_date=past, done_date=past + 20 * DAY),
        action("cancelled", status="cancelled", due_date=past),
        action("no_due", status="in_progress", due_date=None),
        action("future", status="planned", due_date=TODAY + DAY),
    )
    assert flagged(df, A.overdue(df, TODAY)) == ["in_progress", "planned", "postponed"]


def test_due_within_bounds_are_inclusive():
    df = frame(
        action("today", due_date=TODAY),
        action("d30", due_date=TODAY + 30 * DAY),
        action("d31", due_date=TODAY + 31 * DAY),
        action("yesterday", due_date=TODAY - DAY),
        action("done", status="done", due_date=TODAY + 5 * DAY, done_date=TODAY),
        action("postponed", status="postponed", due_date=TODAY + 5 * DAY),
        action("no_due", due_date=None),
    )
    assert flagged(df, A.due_within(df, TODAY)) == ["d30", "postponed", "today"]
    assert flagged(df, A.due_within(df, TODAY, days=0)) == ["today"]


def test_done_late():
    due = dt.date(2026, 2, 1)
    df = frame(
        action("late", status="done", due_date=due, done_date=due + DAY),
        action("on_time", status="done", due_date=due, done_date=due),
        action("early", status="done", due_date=due, done_date=due - DAY),
        action("no_due", status="done", due_date=None, done_date=due),
        action("no_done_date", status="done", due_date=due, done_date=None),
        action("not_done", status="in_progress", due_date=due, done_date=due + DAY),
    )
    assert flagged(df, A.done_late(df)) == ["late"]


def test_stale_open_actions_not_updated_for_60_days():
    df = frame(
        action("fresh", updated_at=dt.datetime(2026, 3, 14, 9, 0)),
        action("exactly_60", updated_at=dt.datetime(2026, 1, 14, 23, 0)),
        action("61_days", updated_at=dt.datetime(2026, 1, 13, 8, 0)),
        action("never", updated_at=None),
        action("old_but_done", status="done", done_date=dt.date(2026, 1, 1), updated_at=dt.datetime(2025, 1, 1)),
        action("old_cancelled", status="cancelled", updated_at=None),
        action("old_postponed", status="postponed", updated_at=dt.datetime(2025, 6, 1)),
    )
    assert flagged(df, A.stale(df, TODAY)) == ["61_days", "never", "old_postponed"]
    assert flagged(df, A.stale(df, TODAY, days=0)) == ["61_days", "exactly_60", "fresh", "never", "old_postponed"]


def test_stale_with_time_zone_aware_timestamps():
    aware = pd.Timestamp("2025-12-01 10:00", tz="Africa/Casablanca")
    df = frame(action("old", updated_at=aware), action("new", updated_at=pd.Timestamp("2026-03-10", tz="UTC")))
    assert flagged(df, A.stale(df, TODAY)) == ["old"]


def test_days_left():
    assert A.days_left(TODAY, TODAY) == 0
    assert A.days_left(TODAY + 5 * DAY, TODAY) == 5
    assert A.days_left(TODAY - 3 * DAY, TODAY) == -3
    assert A.days_left(dt.datetime(2026, 3, 16, 23, 59), TODAY) == 1
    assert isinstance(A.days_left(TODAY, TODAY), int)
    with pytest.raises(TypeError):
        A.days_left(None, TODAY)


def test_dates_as_iso_strings_or_datetime64_columns_work_too():
    df = frame(action("A", due_date=TODAY - DAY), action("B", due_date=TODAY))
    as_text = df.assign(due_date=["2026-03-14", "2026-03-15"])
    as_datetime = df.assign(due_date=pd.to_datetime(["2026-03-14", "2026-03-15"]))
    for d in (df, as_text, as_datetime):
        assert flagged(d, A.overdue(d, TODAY)) == ["A"]


# --------------------------------------------------------------------------- summary & pipeline


def test_summary_cancelled_excluded_from_percentage_done():
    df = frame(
        action("d1", status="done", due_date=dt.date(2026, 1, 10), done_date=dt.date(2026, 1, 20)),
        action("d2", status="done", due_date=dt.date(2026, 2, 10), done_date=dt.date(2026, 2, 1)),
        action("c1", status="cancelled"),
        action("p1", status="planned", due_date=TODAY - DAY),
    )
    s = A.summary(df, TODAY)
    assert s["total"] == 4
    assert s["by_status"] == {"planned": 1, "in_progress": 0, "done": 2, "postponed": 0, "cancelled": 1}
    assert list(s["by_status"]) == list(ACTION_STATUSES)
    assert s["pct_done"] == pytest.approx(200 / 3)
    assert round(s["pct_done"], 1) == 66.7
    assert s["overdue"] == 1
    assert s["done_late"] == 1
    assert s["due_30"] == 0
    assert s["no_due_date"] == 0
    assert all(type(s[k]) is int for k in ("total", "overdue", "due_30", "done_late", "no_due_date"))


def test_summary_counts_open_actions_without_due_date_and_due_soon():
    df = frame(
        action("nodue_planned", due_date=None),
        action("nodue_postponed", status="postponed", due_date=None),
        action("nodue_done", status="done", due_date=None, done_date=TODAY),
        action("soon", due_date=TODAY + 10 * DAY),
    )
    s = A.summary(df, TODAY)
    assert s["no_due_date"] == 2
    assert s["due_30"] == 1
    assert s["pct_done"] == pytest.approx(25.0)


@pytest.mark.parametrize("empty", [pd.DataFrame(), pd.DataFrame(columns=list(A.COLUMNS))])
def test_empty_frame_does_not_crash(empty):
    s = A.summary(empty, TODAY)
    assert s["total"] == 0
    assert s["pct_done"] is None
    assert set(s["by_status"].values()) == {0}
    assert A.pipeline(empty)["count"].sum() == 0
    assert len(A.pipeline(empty)) == 15
    assert A.stage_counts(empty).empty
    assert list(A.stage_counts(empty, by=())["count"]) == [0] * 5
    assert A.furthest_stage(empty).empty
    timeline, dropped = A.timeline_frame(empty, TODAY)
    assert timeline.empty and dropped == 0
    regional, national = A.filter_actions(empty, region="01", period=(dt.date(2026, 1, 1), dt.date(2026, 3, 31)))
    assert regional.empty and national.empty
    assert A.who_does_what_where(empty).empty
    assert A.wdww_matrix(empty).to_numpy().sum() == 0
    assert A.data_quality(empty, set()).empty
    assert A.overdue(empty, TODAY).empty and A.stale(empty, TODAY).empty


def test_only_cancelled_actions_give_no_percentage():
    df = frame(action("c1", status="cancelled"), action("c2", status="cancelled"))
    assert A.summary(df, TODAY)["pct_done"] is None


def test_pipeline_has_all_levels_and_statuses_with_zeros():
    df = frame(
        action("r1", level="regional", status="planned"),
        action("r2", level="regional", status="planned"),
        action("l1", level="local", area_code="09.273", status="done", done_date=TODAY),
        action("n1", level="national", status="cancelled"),
    )
    p = A.pipeline(df)
    assert list(p.columns) == ["level", "status", "count"]
    assert len(p) == 15
    assert list(p[["level", "status"]].itertuples(index=False, name=None)) == [
        (level, status) for level in LEVELS for status in ACTION_STATUSES
    ]
    counts = {(r.level, r.status): r.count for r in p.itertuples()}
    assert counts[("regional", "planned")] == 2
    assert counts[("local", "done")] == 1
    assert counts[("national", "cancelled")] == 1
    assert counts[("national", "in_progress")] == 0
    assert p["count"].sum() == 4
    assert p["count"].dtype == "int64"


# --------------------------------------------------------------------------- policy stages


def _stage_frame() -> pd.DataFrame:
    return frame(
        action("h1", sector="health", policy_stage="agenda_setting"),
        action("h2", sector="health", policy_stage="adoption"),
        action("h3", sector="health", policy_stage="monitoring", status="cancelled"),
        action("e1", sector="education", policy_stage="formulation", area_code="01"),
        action("n1", sector="education", level="national", policy_stage="implementation"),
        action("j1", sector="justice", policy_stage=None, area_code="03"),
    )


def test_stage_counts_all_stages_ordered_cancelled_excluded():
    sc = A.stage_counts(_stage_frame())
    assert list(sc.columns) == ["sector", "stage", "count", "reached"]
    health = sc[sc["sector"] == "health"]
    assert list(health["stage"]) == list(POLICY_STAGES)
    assert list(health["count"]) == [1, 0, 1, 0, 0]  # h3 (cancelled, monitoring) left out
    assert list(health["reached"]) == [2, 1, 1, 0, 0]
    education = sc[sc["sector"] == "education"]
    assert list(education["count"]) == [0, 1, 0, 1, 0]
    assert list(education["reached"]) == [2, 2, 1, 1, 0]
    justice = sc[sc["sector"] == "justice"]  # unknown stage: in no column
    assert list(justice["count"]) == [0] * 5 and list(justice["reached"]) == [0] * 5


def test_stage_counts_overall_and_by_two_columns():
    overall = A.stage_counts(_stage_frame(), by=())
    assert list(overall.columns) == ["stage", "count", "reached"]
    assert list(overall["count"]) == [1, 1, 1, 1, 0]
    by_two = A.stage_counts(_stage_frame(), by=["sector", "level"])
    groups = by_two[["sector", "level"]].drop_duplicates()
    assert list(groups.itertuples(index=False, name=None)) == [
        ("education", "national"), ("education", "regional"), ("health", "regional"), ("justice", "regional"),
    ]
    assert len(by_two) == 4 * len(POLICY_STAGES)
    assert by_two["count"].sum() == 4  # cancelled h3 and stage-less j1 are not counted


def test_furthest_stage_per_region():
    fs = A.furthest_stage(_stage_frame())
    assert list(fs.columns) == ["region_code", "n_actions", "furthest_stage"]
    rows = {r.region_code: (r.n_actions, r.furthest_stage) for r in fs.itertuples()}
    assert rows["09"] == (2, "adoption")  # h3 is cancelled: its monitoring stage does not count
    assert rows["01"] == (1, "formulation")
    assert rows["03"] == (1, None)  # no known stage
    assert rows[None] == (1, "implementation")  # national actions kept as their own group
    assert fs["n_actions"].sum() == 5


def test_furthest_stage_by_sector():
    fs = A.furthest_stage(_stage_frame(), by="sector").set_index("sector")
    assert fs.loc["health", "furthest_stage"] == "adoption"
    assert fs.loc["education", "furthest_stage"] == "implementation"


# --------------------------------------------------------------------------- timeline


def test_timeline_drops_dateless_rows_and_counts_them():
    df = frame(
        action("planned", start_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 6, 30)),
        action("done", status="done", start_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 2, 1),
               done_date=dt.date(2026, 2, 10)),
        action("late", status="in_progress", start_date=None, due_date=dt.date(2026, 3, 1)),
        action("postponed", status="postponed", due_date=dt.date(2026, 9, 1)),
        action("cancelled", status="cancelled"),
        action("no_date_1", start_date=None, due_date=None),
        action("no_date_2", status="done", start_date=None, due_date=None, done_date=None),
    )
    timeline, dropped = A.timeline_frame(df, TODAY)
    assert dropped == 2
    assert sorted(timeline["ref"]) == ["cancelled", "done", "late", "planned", "postponed"]
    assert {"start", "end", "state"} <= set(timeline.columns)
    assert set(timeline["state"]) <= set(A.TIMELINE_STATES)
    rows = timeline.set_index("ref")
    assert rows.loc["done", "end"] == pd.Timestamp("2026-02-10")  # done_date when done
    assert rows.loc["planned", "end"] == pd.Timestamp("2026-06-30")  # due date otherwise
    assert rows.loc["late", "start"] == rows.loc["late", "end"] == pd.Timestamp("2026-03-01")
    assert rows["state"].to_dict() == {
        "planned": "open", "done": "done", "late": "overdue", "postponed": "postponed", "cancelled": "cancelled",
    }
    assert (timeline["start"] <= timeline["end"]).all()
    assert list(timeline["start"]) == sorted(timeline["start"])


def test_timeline_postponed_past_due_is_overdue_and_inverted_dates_are_swapped():
    df = frame(
        action("postponed_late", status="postponed", due_date=TODAY - DAY),
        action("done_before_start", status="done", start_date=dt.date(2026, 2, 1), done_date=dt.date(2026, 1, 15)),
        action("done_only", status="done", start_date=None, due_date=None, done_date=dt.date(2026, 1, 5)),
    )
    timeline, dropped = A.timeline_frame(df, TODAY)
    rows = timeline.set_index("ref")
    assert dropped == 0
    assert rows.loc["postponed_late", "state"] == "overdue"
    assert rows.loc["done_before_start", "start"] == pd.Timestamp("2026-01-15")
    assert rows.loc["done_before_start", "end"] == pd.Timestamp("2026-02-01")
    assert rows.loc["done_only", "start"] == rows.loc["done_only", "end"] == pd.Timestamp("2026-01-05")


# --------------------------------------------------------------------------- filters


def _region_frame() -> pd.DataFrame:
    return frame(
        action("r09", area_code="09"),
        action("p09", level="local", area_code="09.273"),
        action("r01", area_code="01"),
        action("nat", level="national"),
        action("nat_edu", level="national", sector="education"),
    )


def test_region_filter_keeps_national_actions_apart_not_dropped():
    regional, national = A.filter_actions(_region_frame(), region="09")
    assert refs(regional) == ["p09", "r09"]
    assert refs(national) == ["nat", "nat_edu"]
    assert list(regional.columns) == list(A.COLUMNS) and list(national.columns) == list(A.COLUMNS)


def test_no_region_filter_puts_everything_in_the_first_frame():
    regional, national = A.filter_actions(_region_frame())
    assert refs(regional) == ["nat", "nat_edu", "p09", "r01", "r09"]
    assert national.empty
    assert list(national.columns) == list(A.COLUMNS)


def test_other_filters_apply_to_national_actions_too():
    regional, national = A.filter_actions(_region_frame(), region="09", sector="education")
    assert regional.empty
    assert refs(national) == ["nat_edu"]
    regional, national = A.filter_actions(_region_frame(), region="09", level="local")
    assert refs(regional) == ["p09"] and national.empty


def test_region_code_is_derived_from_area_when_missing():
    df = _region_frame().drop(columns="region_code")
    regional, national = A.filter_actions(df, region="09")
    assert refs(regional) == ["p09", "r09"]
    assert refs(national) == ["nat", "nat_edu"]


def test_equality_filters():
    df = frame(
        action("a", sector="health", lead_organisation="Org A", target_type="ministry", policy_stage="adoption"),
        action("b", sector="housing", lead_organisation="Org B", target_type="parliament"),
        action("c", sector="health", lead_organisation=None, target_type=None, level="local", area_code="09.273"),
    )
    assert refs(A.filter_actions(df, sector="health")[0]) == ["a", "c"]
    assert refs(A.filter_actions(df, organisation="Org B")[0]) == ["b"]
    assert refs(A.filter_actions(df, target_type="ministry")[0]) == ["a"]
    assert refs(A.filter_actions(df, stage="adoption")[0]) == ["a"]
    assert refs(A.filter_actions(df, level="local")[0]) == ["c"]
    assert refs(A.filter_actions(df, sector=["health", "housing"])[0]) == ["a", "b", "c"]
    assert refs(A.filter_actions(df, sector="health", organisation="Org A")[0]) == ["a"]


def test_archived_actions_are_excluded_unless_asked():
    df = frame(action("live"), action("old", archived=True), action("unknown", archived=None))
    assert refs(A.filter_actions(df)[0]) == ["live", "unknown"]
    assert refs(A.filter_actions(df, include_archived=True)[0]) == ["live", "old", "unknown"]


Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_period_filter_semantics():
    df = frame(
        action("started_before_due_after", start_date=dt.date(2025, 10, 1), due_date=dt.date(2026, 9, 30)),
        action("inside", start_date=dt.date(2026, 2, 1), due_date=dt.date(2026, 2, 28)),
        action("due_on_first_day", start_date=dt.date(2025, 6, 1), due_date=dt.date(2026, 1, 1)),
        action("starts_on_last_day", start_date=dt.date(2026, 3, 31), due_date=dt.date(2026, 12, 31)),
        action("open_ended", start_date=dt.date(2025, 1, 1), due_date=None),
        action("done_within", status="done", start_date=dt.date(2025, 1, 1), due_date=dt.date(2025, 6, 30),
               done_date=dt.date(2026, 2, 15)),
        action("not_yet_started", start_date=dt.date(2026, 4, 1), due_date=dt.date(2026, 6, 30)),
        action("ended_before", start_date=dt.date(2025, 1, 1), due_date=dt.date(2025, 12, 31)),
        action("done_before", status="done", start_date=dt.date(2025, 1, 1), due_date=dt.date(2026, 6, 30),
               done_date=dt.date(2025, 11, 30)),
        action("no_date", start_date=None, due_date=None),
        action("no_start_due_inside", start_date=None, due_date=dt.date(2026, 3, 1)),
        action("no_start_due_later", start_date=None, due_date=dt.date(2026, 5, 1)),
    )
    kept = refs(A.filter_actions(df, period=Q1)[0])
    assert kept == sorted([
        "started_before_due_after", "inside", "due_on_first_day", "starts_on_last_day", "open_ended",
        "done_within", "no_date", "no_start_due_inside",
    ])
    assert refs(A.filter_actions(df, period="2026-Q1")[0]) == kept
    no_date = A.has_no_date(df)
    assert flagged(df, no_date) == ["no_date"]


def test_period_and_region_filters_combine():
    df = frame(
        action("r09_now", area_code="09"),
        action("r09_later", area_code="09", start_date=dt.date(2026, 5, 1)),
        action("nat_now", level="national"),
        action("nat_later", level="national", start_date=dt.date(2026, 5, 1)),
    )
    regional, national = A.filter_actions(df, region="09", period=Q1)
    assert refs(regional) == ["r09_now"] and refs(national) == ["nat_now"]


def test_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        A.filter_actions(frame(action("a")), period=(dt.date(2026, 3, 1), dt.date(2026, 1, 1)))


def test_filter_does_not_modify_its_input():
    df = _region_frame()
    before = df.copy()
    regional, _ = A.filter_actions(df, region="09", period=Q1)
    regional["title"] = "changed"
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------------- who does what where


def _wdww_frame() -> pd.DataFrame:
    return frame(
        action("a1", lead_organisation="Org A", area_code="09", sector="health"),
        action("a2", lead_organisation="Org A", level="local", area_code="09.273", sector="health"),
        action("a3", lead_organisation="Org A", level="national", sector="justice"),
        action("b1", lead_organisation="Org B", area_code="01", sector="housing"),
        action("x1", lead_organisation=None, area_code="12", sector="education"),
        action("x2", lead_organisation="  ", level="national", sector="education"),
    )


def test_who_does_what_where_long_format():
    df = _wdww_frame()
    w = A.who_does_what_where(df)
    assert list(w.columns) == ["organisation", "region_code", "sector", "count"]
    assert w["count"].sum() == len(df)
    counts = {(r.organisation, r.region_code, r.sector): r.count for r in w.itertuples()}
    assert counts[("Org A", "09", "health")] == 2  # province 09.273 counted in region 09
    assert counts[("Org A", "MA", "justice")] == 1  # national as MA
    assert counts[(A.NO_VALUE, "12", "education")] == 1  # no lead → '—'
    assert counts[(A.NO_VALUE, "MA", "education")] == 1


def test_wdww_matrix_grand_total_equals_number_of_actions():
    df = _wdww_frame()
    m = A.wdww_matrix(df)
    assert m.to_numpy().sum() == len(df)
    assert list(m.columns) == ["MA", *REGION_CODES]  # every region shown, empty ones too
    assert m.loc["Org A", "09"] == 2 and m.loc["Org A", "05"] == 0
    assert A.NO_VALUE in m.index
    by_sector = A.wdww_matrix(df, rows="sector", cols="organisation")
    assert list(by_sector.index) == list(SECTORS)
    assert by_sector.to_numpy().sum() == len(df)
    with_totals = A.wdww_matrix(df, margins=True)
    assert with_totals.loc["Total", "Total"] == len(df)
    with pytest.raises(ValueError):
        A.wdww_matrix(df, rows="sector", cols="sector")
    with pytest.raises(ValueError):
        A.wdww_matrix(df, rows="target_type")


# --------------------------------------------------------------------------- data quality


def test_data_quality_flags():
    df = frame(
        action("ok"),
        action("nodue", due_date=None),
        action("nodue_done", status="done", due_date=None, done_date=TODAY),  # closed: not flagged
        action("nodm", n_decision_makers=0),
        action("badarea", area_code="13"),
        action("nolead", lead_organisation=None),
        action("national", level="national"),  # area None is fine
        action("many", due_date=None, n_decision_makers=0, lead_organisation="", area_code="99.999"),
    )
    dq = A.data_quality(df, known_areas={"09", "01", "09.273"})
    assert list(dq.columns) == ["ref", "problem"]
    assert set(dq["problem"]) <= set(A.DATA_PROBLEMS)
    assert list(dq.itertuples(index=False, name=None)) == [
        ("nodue", "no_due_date"),
        ("nodm", "no_decision_maker"),
        ("badarea", "unknown_area"),
        ("nolead", "no_lead"),
        ("many", "no_due_date"),
        ("many", "no_decision_maker"),
        ("many", "unknown_area"),
        ("many", "no_lead"),
    ]


# --------------------------------------------------------------------------- invariants

_action_rows = st.builds(
    lambda i, status, level, region, sector, org, due, done, stage: action(
        f"X{i}", status=status, level=level,
        area_code=None if level == "national" else (region if level == "regional" else f"{region}.001"),
        sector=sector, lead_organisation=org, due_date=due,
        done_date=done if status == "done" else None, policy_stage=stage,
    ),
    st.integers(0, 10**6),
    st.sampled_from(ACTION_STATUSES),
    st.sampled_from(LEVELS),
    st.sampled_from(REGION_CODES),
    st.sampled_from(SECTORS),
    st.sampled_from(["Org A", "Org B", None]),
    st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1))),
    st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1))),
    st.one_of(st.none(), st.sampled_from(POLICY_STAGES)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_action_rows, max_size=25), st.sampled_from(REGION_CODES))
def test_invariants_on_random_frames(rows, region):
    df = frame(*rows)
    s = A.summary(df, TODAY)
    assert sum(s["by_status"].values()) == s["total"] == len(df)
    assert A.pipeline(df)["count"].sum() == len(df)
    assert not (A.overdue(df, TODAY) & A.due_within(df, TODAY)).any()
    assert A.wdww_matrix(df).to_numpy().sum() == len(df)
    regional, national = A.filter_actions(df, region=region)
    everything, none = A.filter_actions(df)
    assert none.empty and len(everything) == len(df)
    assert set(national["ref"]) == set(df.loc[df["level"] == "national", "ref"])
    assert set(regional["ref"]) | set(national["ref"]) <= set(df["ref"])
    timeline, dropped = A.timeline_frame(df, TODAY)
    assert len(timeline) + dropped == len(df)
    not_cancelled = int((df["status"] != "cancelled").sum())
    assert A.furthest_stage(df)["n_actions"].sum() == not_cancelled
