"""The influence tracker (sna.tracker, sna.tracker_charts) on hand-made frames."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sna import actions as A
from sna import tracker as T
from sna import tracker_charts as charts
from sna.codes import ACTION_STATUSES, OUTCOME_TYPES, POLICY_STAGES, STANCES, VERIFICATIONS
from sna.i18n import catalog, t

TODAY = dt.date(2026, 3, 15)
ROOT = Path(__file__).resolve().parent.parent
NAMES = {"02": {"fr": "Oriental", "en": "Oriental", "ar": "الشرق"},
         "02.251": {"fr": "Figuig", "en": "Figuig", "ar": "فجيج"}}


def action(ref: str, **kw) -> dict:
    row = dict(id=int(ref.split("-")[-1]), ref=ref, title=f"Titre {ref}", ask="Demande", sector="health",
               level="regional", area_code="02", lead_organisation="Org A", action_type="bilateral_meeting",
               status="in_progress", policy_stage="formulation", start_date=dt.date(2026, 1, 1),
               due_date=dt.date(2026, 6, 30), done_date=None, next_step=None, evidence_url=None,
               is_sensitive=False, archived=False, target_type="ministry", n_decision_makers=1)
    row.update(kw)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


@pytest.fixture
def acts() -> pd.DataFrame:
    return frame(
        action("A-1", due_date=dt.date(2026, 3, 1)),                                  # overdue by 14 days
        action("A-2", due_date=dt.date(2026, 3, 20), lead_organisation="Org B"),      # due soon
        action("A-3", due_date=None, area_code="99", n_decision_makers=0),            # bad input
        action("A-4", status="done", done_date=dt.date(2026, 2, 1), policy_stage="adoption"),
        action("A-5", status="cancelled", level="national", area_code=None, target_type="parliament"),
        action("A-6", is_sensitive=True, level="local", area_code="02.251"),
    )


# --------------------------------------------------------------------------- scope
def test_sensitive_actions_only_for_those_allowed(acts):
    shown, hidden = T.visible_actions(acts, sensitive=False)
    assert "A-6" not in set(shown["ref"]) and hidden == 1
    shown, hidden = T.visible_actions(acts, sensitive=True)
    assert "A-6" in set(shown["ref"]) and hidden == 0


def test_headline_counts_national_actions_kept_apart(acts):
    main, national = A.filter_actions(acts, region="02")
    head = T.headline(main, national, TODAY)
    assert head["n_national"] == 1 and head["total"] == len(acts) - 1  # A-3's area "99" is not in region 02
    assert head["overdue"] == 1 and head["due_30"] == 1
    assert head["pct_done"] == pytest.approx(100 / 4)  # the cancelled one is left out of the denominator


def test_alerts(acts):
    got = dict(zip(acts["ref"], T.alerts(acts, TODAY)))
    assert got == {"A-1": "overdue", "A-2": "due_soon", "A-3": "no_due", "A-4": None, "A-5": None, "A-6": None}
    due_today = frame(action("X-1", due_date=TODAY))
    assert T.alerts(due_today, TODAY).tolist() == ["due_soon"]  # due today is not late yet


def test_sort_puts_overdue_first_then_due_then_undated_then_done_then_cancelled(acts):
    assert T.sort_actions(acts, TODAY)["ref"].tolist() == ["A-1", "A-2", "A-6", "A-3", "A-4", "A-5"]


# --------------------------------------------------------------------------- table
def test_action_table_shows_bad_input_as_such(acts):
    table = T.action_table(acts, TODAY, "fr", NAMES)
    col = {k: t(f"actions.col.{k}", "fr") for k in ("ref", "due", "days_left", "area", "alert", "lead", "done")}
    rows = table.set_index(col["ref"])
    assert rows.at["A-3", col["due"]] == "pas d'échéance"
    assert rows.at["A-3", col["area"]] == "99"  # unknown area: its code, no crash
    assert rows.at["A-3", col["alert"]] == t("actions.alert.no_due", "fr")
    assert rows.at["A-1", col["days_left"]] == -14 and rows.at["A-2", col["days_left"]] == 5
    assert pd.isna(rows.at["A-4", col["days_left"]])  # done: no countdown
    assert rows.at["A-6", col["area"]] == "Figuig" and rows.at["A-5", col["area"]] == t("area.national", "fr")
    assert rows.at["A-2", col["lead"]] == "Org B"
    assert list(table.columns[:7]) == [t(f"actions.col.{k}", "fr") for k in
                                       ("ref", "title", "lead", "status", "alert", "due", "days_left")]


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_action_table_headers_in_every_language(acts, lang):
    table = T.action_table(acts, TODAY, lang, NAMES)
    assert all(not str(c).startswith("actions.") for c in table.columns)
    assert t("actions.no_due", lang) in set(table[t("actions.col.due", lang)])


def test_empty_frames_never_crash():
    empty = frame(action("E-1")).iloc[0:0]
    assert len(T.action_table(empty, TODAY, "fr", {})) == 0
    assert len(T.quality_table(empty, {"02"}, "fr")) == 0
    rows, no_date, cut = T.timeline_rows(empty, TODAY)
    assert (len(rows), no_date, cut) == (0, 0, 0)
    assert T.headline(empty, empty, TODAY)["pct_done"] is None


def test_csv_neutralises_formulas_and_keeps_accents():
    table = pd.DataFrame({"a": ["=cmd|' /C calc'!A0", "+1", "-2", "@x", "Éducation", "الصحة"],
                          "n": [1, -2, 3, 4, 5, 6]})
    raw = T.csv_bytes(table)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert back["a"].tolist()[:4] == ["'=cmd|' /C calc'!A0", "'+1", "'-2", "'@x"]
    assert back["a"].tolist()[4:] == ["Éducation", "الصحة"]
    assert back["n"].tolist() == [1, -2, 3, 4, 5, 6]  # numbers untouched
    both = pd.read_csv(io.BytesIO(T.csv_bytes(table, table.iloc[:2], table.iloc[0:0])), encoding="utf-8-sig")
    assert len(both) == 8 and list(both.columns) == ["a", "n"]
    assert pd.read_csv(io.BytesIO(T.csv_bytes(table.iloc[0:0])), encoding="utf-8-sig").columns.tolist() == ["a", "n"]


# --------------------------------------------------------------------------- page filters
def test_narrow_by_organisation_target_stage_and_late(acts):
    assert T.narrow(acts, TODAY, organisations=["Org B"])["ref"].tolist() == ["A-2"]
    assert T.narrow(acts, TODAY, stages=["adoption"])["ref"].tolist() == ["A-4"]
    assert T.narrow(acts, TODAY, target_types=["parliament"])["ref"].tolist() == ["A-5"]
    assert T.narrow(acts, TODAY, late_only=True)["ref"].tolist() == ["A-1"]
    assert len(T.narrow(acts, TODAY)) == len(acts)


def test_target_types_match_any_decision_maker_of_an_action():
    links = pd.DataFrame({"action_id": [1, 1, 2], "decision_maker_id": [10, 11, 11]})
    dms = pd.DataFrame({"id": [10, 11], "target_type": ["ministry", "parliament"]})
    types = T.target_types_by_action(links, dms)
    assert types == {1: {"ministry", "parliament"}, 2: {"parliament"}}
    acts = frame(action("A-1"), action("A-2"), action("A-3"))
    got = T.narrow(acts, TODAY, target_types=["parliament"], target_types_of=types)
    assert got["ref"].tolist() == ["A-1", "A-2"]
    opts = T.table_options(acts, types)
    assert opts["target_type"] == ["ministry", "parliament"] and opts["stage"] == ["formulation"]


# --------------------------------------------------------------------------- detail
@pytest.fixture
def world(acts):
    links = {
        "decision_makers": pd.DataFrame({"action_id": [1, 1], "decision_maker_id": [10, 11]}),
        "partners": pd.DataFrame({"action_id": [1, 1], "organisation_id": [2, 3]}),
        "indicators": pd.DataFrame({"action_id": [1, 1], "indicator": ["SAN-02", "SAN-01"]}),
        "outcomes": pd.DataFrame({"outcome_id": [100, 101, 102], "action_id": [1, 4, 6]}),
    }
    dms = pd.DataFrame({"id": [10, 11], "ref": ["DM-10", "DM-11"], "name": ["Cabinet", "Direction"],
                        "institution": ["Ministère", "Parlement"], "target_type": ["ministry", "parliament"],
                        "level": ["national", "national"], "area_code": [None, None], "influence": [5, 2],
                        "interest": [4, 1], "stance": ["ally", "opponent"],
                        "private_notes": ["Notes internes A", "Notes internes B"],
                        "sectors": ["health", "health,justice"]})
    orgs = pd.DataFrame({"id": [1, 2, 3], "name": ["Org A", "Partenaire Z", "Partenaire B"]})
    inds = pd.DataFrame({"code": ["SAN-01", "SAN-02"], "sector": ["health", "health"],
                         "name_fr": ["Couverture AMO", "Accès aux soins"],
                         "name_en": ["AMO coverage", "Access to care"],
                         "name_ar": ["التغطية", "الولوج إلى العلاج"]})
    stages = pd.DataFrame({"id": [1, 2], "action_id": [1, 1], "stage": ["formulation", "agenda_setting"],
                           "date": [dt.date(2026, 2, 1), dt.date(2026, 1, 5)], "organisation": ["Org A", "Org A"]})
    outcomes = pd.DataFrame({"id": [100, 101, 102, 103], "ref": ["O-1", "O-2", "O-3", "O-4"],
                             "date_observed": [dt.date(2026, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 1, 1),
                                               dt.date(2025, 12, 1)],
                             "social_actor": ["Ministère"] * 4,
                             "outcome_type": ["policy", "agenda", "practice", "discourse"],
                             "description": ["Note adoptée", "Inscrit", "Pratique", "Discours"],
                             "significance": [""] * 4, "contribution": [""] * 4,
                             "verification": ["unverified", "verified", "disputed", "verified"],
                             "verifier": [None] * 4})
    return dict(links=links, dms=dms, orgs=orgs, inds=inds, stages=stages, outcomes=outcomes)


def _detail(acts, w, ref="A-1", *, lang="fr", sensitive=False, dms=None):
    return T.action_detail(ref, acts, w["links"], w["dms"] if dms is None else dms, w["orgs"], w["inds"], w["stages"],
                           w["outcomes"], TODAY, lang=lang, names=NAMES, sensitive=sensitive)


def test_detail_assembles_targets_partners_evidence_stages_and_outcomes(acts, world):
    d = _detail(acts, world, lang="en")
    assert d.lead == "Org A" and d.partners == ["Partenaire B", "Partenaire Z"]
    assert d.targets[t("actions.col.name", "en")].tolist() == ["Cabinet", "Direction"]
    assert d.indicators[t("actions.col.indicator", "en")].tolist() == ["AMO coverage", "Access to care"]
    assert d.stages[t("actions.col.stage", "en")].tolist() == ["Agenda setting", "Formulation"]  # oldest first
    assert d.outcomes[t("outcomes.col.description", "en")].tolist() == ["Note adoptée"]
    assert d.alert == "overdue" and d.days_left == -14
    assert T.action_detail("nope", acts, world["links"], world["dms"], world["orgs"], world["inds"], world["stages"],
                           world["outcomes"], TODAY, lang="fr", names={}, sensitive=True) is None


def test_detail_shows_stances_only_when_sensitive(acts, world):
    hidden = _detail(acts, world, sensitive=False)  # even if the frame wrongly holds stances
    assert t("actions.col.stance", "fr") not in hidden.targets.columns
    assert "Allié" not in hidden.targets.to_string()
    shown = _detail(acts, world, sensitive=True)
    assert shown.targets[t("actions.col.stance", "fr")].tolist() == ["Allié", "Opposant"]
    no_stance = _detail(acts, world, sensitive=True, dms=world["dms"].drop(columns=["stance", "private_notes"]))
    assert t("actions.col.stance", "fr") not in no_stance.targets.columns


def test_detail_without_due_date_and_unknown_area(acts, world):
    d = _detail(acts, world, ref="A-3")
    facts = dict(T.detail_facts(d, "fr", NAMES))
    assert "pas d'échéance" in facts[t("actions.fact.dates", "fr")]
    assert "99" in facts[t("actions.fact.where", "fr")]
    assert len(d.targets) == 0 and d.days_left is None


def test_evidence_links_and_markdown_are_made_safe(acts, world):
    assert T.safe_url("https://example.org/note.pdf") == "https://example.org/note.pdf"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "example.org", None, ""):
        assert T.safe_url(bad) is None
    assert T.md("[clic](http://x) **gras** <b>") == r"\[clic\]\(http://x\) \*\*gras\*\* \<b\>"
    evil = acts.assign(ask="![img](http://tracker.example/pixel.png)")
    facts = dict(T.detail_facts(_detail(evil, world), "fr", NAMES))
    assert "!\\[img\\]" in facts[t("actions.fact.ask", "fr")]


# --------------------------------------------------------------------------- timeline
def test_timeline_rows_keep_the_most_pressing(acts):
    rows, no_date, cut = T.timeline_rows(acts, TODAY, limit=3)
    assert (no_date, cut) == (0, 3)
    assert set(rows["ref"]) == {"A-1", "A-2", "A-6"}
    rows, _, cut = T.timeline_rows(acts, TODAY)
    assert cut == 0 and rows.set_index("ref").at["A-3", "no_due"]


def test_timeline_chart_marks_today_done_and_overdue(acts):
    rows, _, _ = T.timeline_rows(acts, TODAY)
    fig = charts.timeline_chart(rows, TODAY, "fr")
    assert any(s.type == "line" and str(s.x0).startswith("2026-03-15") for s in fig.layout.shapes)
    names = {tr.name for tr in fig.data}
    assert {t("actions.marker.done", "fr"), t("actions.marker.overdue", "fr"), t("actions.no_due", "fr")} <= names
    assert t("actions.state.overdue", "fr") in names


@pytest.mark.parametrize("lang, first", [("fr", "janv. 2026"), ("en", "Jan 2026"), ("ar", "يناير 2026")])
def test_timeline_months_are_named_in_the_page_language(acts, lang, first):
    rows, _, _ = T.timeline_rows(acts, TODAY)
    fig = charts.timeline_chart(rows, TODAY, lang)
    assert fig.layout.xaxis.ticktext[0] == first  # plotly would write "Jan 2026" on every page
    assert len(fig.layout.xaxis.tickvals) == len(fig.layout.xaxis.ticktext) <= 10
    assert all(pd.Timestamp(v).day == 1 for v in fig.layout.xaxis.tickvals)


def test_month_ticks_fit_any_span():
    assert charts.month_ticks(pd.Timestamp("2026-01-10"), pd.Timestamp("2026-04-02")) == [
        pd.Timestamp(f"2026-0{m}-01") for m in (2, 3, 4)]
    years = charts.month_ticks(pd.Timestamp("2015-01-01"), pd.Timestamp("2026-12-01"))
    assert len(years) <= 10 and all(d.month == 1 for d in years)
    assert charts.month_ticks(pd.Timestamp("2026-03-15"), pd.Timestamp("2026-03-20"))  # never empty


def test_timeline_chart_reads_from_the_top_in_the_rows_order(acts):
    rows, _, _ = T.timeline_rows(acts, TODAY)
    fig = charts.timeline_chart(rows, TODAY, "fr")
    # a category axis draws its categories from the bottom up unless reversed
    assert fig.layout.yaxis.autorange != "reversed"
    assert list(fig.layout.yaxis.categoryarray)[::-1] == rows["ref"].astype(str).tolist()
    bar = next(tr for tr in fig.data if tr.type == "bar")
    ends = pd.to_datetime(bar.base) + pd.to_timedelta(bar.x, unit="ms")  # bars from start, as long as the action
    starts = rows.set_index(rows["ref"].astype(str)).loc[list(bar.y), "start"]
    assert (pd.to_datetime(bar.base) == pd.to_datetime(starts.to_numpy())).all() and (ends > pd.to_datetime(bar.base)).all()


# --------------------------------------------------------------------------- outcomes
def test_outcomes_for_actions_in_view(acts, world):
    view = acts[acts["ref"].isin(["A-1", "A-4"])]
    got = T.outcomes_for(world["outcomes"], world["links"]["outcomes"], view)
    assert got["ref"].tolist() == ["O-1", "O-2"] and got["actions"].tolist() == ["A-1", "A-4"]
    with_unlinked = T.outcomes_for(world["outcomes"], world["links"]["outcomes"], view, include_unlinked=True)
    assert with_unlinked["ref"].tolist() == ["O-1", "O-2", "O-4"]


def test_headline_outcome_figures_equal_those_of_the_outcome_table(acts, world):
    for view, unlinked in ((acts, True), (acts[acts["ref"].isin(["A-1", "A-4"])], False), (acts.iloc[0:0], False)):
        full = T.outcomes_for(world["outcomes"], world["links"]["outcomes"], view, include_unlinked=unlinked)
        assert T.outcome_summary_for(world["outcomes"], world["links"]["outcomes"], view,
                                     include_unlinked=unlinked) == T.outcome_summary(full)
    assert T.outcome_summary_for(world["outcomes"], world["links"]["outcomes"], acts)["total"] == 3


def test_outcome_counts_and_marks(world):
    counts = T.outcome_counts(world["outcomes"])
    assert len(counts) == len(OUTCOME_TYPES) * len(VERIFICATIONS) and counts["count"].sum() == 4
    assert T.outcome_summary(world["outcomes"]) == {"total": 4, "unverified": 1, "verified": 2, "disputed": 1}
    table = T.outcome_table(world["outcomes"], "fr")
    marks = table[t("outcomes.col.verification", "fr")].tolist()
    assert marks[0] == "⚠ Non vérifié" and marks[1].startswith("✓") and marks[2].startswith("✗")
    fig = charts.outcome_chart(counts, "fr")
    assert sum(sum(tr.y) for tr in fig.data) == 4
    assert charts.outcome_chart(T.outcome_counts(world["outcomes"].iloc[0:0]), "fr").data == ()


# --------------------------------------------------------------------------- milestones, quality
def test_milestone_days_left():
    ms = pd.DataFrame({"ref": ["M1", "M2", "M3", "M4"], "title_fr": ["Note", "Position", "SNI", "Ancien"],
                       "title_en": ["Note", "Position", "SNI", ""], "title_ar": ["", "", "", ""],
                       "due_date": [dt.date(2026, 6, 5), dt.date(2026, 6, 15), dt.date(2026, 3, 1),
                                    dt.date(2026, 1, 1)],
                       "status": ["in_progress", "planned", "planned", "done"]})
    table = T.milestone_table(ms, TODAY, "en")
    assert table[t("actions.col.days_left", "en")].tolist()[:3] == [82, 92, -14]
    assert pd.isna(table[t("actions.col.days_left", "en")].iloc[3])
    assert table[t("actions.col.alert", "en")].tolist() == ["", "", t("actions.alert.overdue", "en"), ""]
    assert table[t("actions.col.milestone", "en")].iloc[3] == "Ancien"  # falls back to French
    assert table[t("actions.col.milestone", "en")].iloc[0] == "Note"


def test_quality_table_lists_each_problem(acts):
    table = T.quality_table(acts, {"02", "02.251", "MA"}, "fr")
    rows = table.set_index(t("actions.col.ref", "fr"))[t("actions.col.problems", "fr")]
    assert rows["A-3"] == "pas d'échéance, aucun décideur, zone inconnue (99)"
    assert list(rows.index) == ["A-3"]


# --------------------------------------------------------------------------- formatted once, picked per view
VIEWS = [{}, {"region": "02"}, {"sector": "health", "level": "local"},
         {"region": "06", "period": (dt.date(2025, 1, 1), dt.date(2025, 12, 31))}]


def _picked_equals_built(whole: pd.DataFrame, known: set[str], views) -> None:
    """What the actions page picks from tables of every visible action equals what it
    would build for the view alone: the same rows, order, values and types."""
    table = T.action_table(whole, TODAY, "fr", NAMES, keep_index=True)
    quality = T.quality_table(whole, known, "fr", keep_index=True)
    for main, national in views:
        for part in (main, national, main.iloc[::2], main.iloc[::-1]):
            pd.testing.assert_frame_equal(T.rows_of(table, part), T.action_table(part, TODAY, "fr", NAMES),
                                          check_dtype=len(part) > 0)  # an empty table's dtypes do not show
        scoped = T.in_scope(main, national)  # regional then national: not the order of the whole
        # the problems table keeps the order of the view (each part in the order of the whole)
        built = T.quality_table(scoped, known, "fr")
        pd.testing.assert_frame_equal(T.rows_of(quality, main, national), built, check_dtype=len(built) > 0)


def test_tables_picked_from_all_actions_equal_tables_of_the_view(acts):
    known = {"02", "02.251", "MA"}
    views = [A.filter_actions(acts, **f) for f in ({}, {"region": "02"}, {"stage": ["adoption", "formulation"]})]
    views.append((acts.iloc[0:0], acts.iloc[[4]]))
    _picked_equals_built(acts, known, views)
    assert len(T.rows_of(T.action_table(acts, TODAY, "fr", NAMES, keep_index=True), acts.iloc[0:0])) == 0
    assert T.rows_of(T.quality_table(acts, known, "fr", keep_index=True), acts)[t("actions.col.ref", "fr")].tolist() \
        == ["A-3"]


def test_tables_picked_from_the_demo_store_equal_tables_of_the_view(demo_db):
    from sna import queries

    visible, _ = T.visible_actions(queries.actions(), sensitive=False)
    _picked_equals_built(visible, queries.known_areas(), [A.filter_actions(visible, **f) for f in VIEWS])


# --------------------------------------------------------------------------- decision-makers
@pytest.fixture
def register() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [10, 11, 12, 13], "ref": ["DM-10", "DM-11", "DM-12", "DM-13"],
        "name": ["Cabinet", "Commission", "Division", "Bureau"],
        "institution": ["Ministère", "Conseil régional", "Province", "Commune"],
        "target_type": ["ministry", "regional_council", "territorial_administration", "communal_council"],
        "level": ["national", "regional", "local", "local"], "area_code": [None, "02", "02.251", "06.141"],
        "influence": [5, 4, 2, 1], "interest": [3, 5, 1, 2], "sectors": ["health", "health,housing", "housing", ""],
    })


def test_filter_decision_makers(register):
    assert T.filter_decision_makers(register, region="02")["ref"].tolist() == ["DM-10", "DM-11", "DM-12"]
    assert T.filter_decision_makers(register, sector="housing")["ref"].tolist() == ["DM-11", "DM-12"]
    assert T.filter_decision_makers(register, level="local")["ref"].tolist() == ["DM-12", "DM-13"]
    assert T.filter_decision_makers(register, target_types=["ministry"])["ref"].tolist() == ["DM-10"]


def test_dm_activity_counts_actions_and_outcomes_once(register, acts):
    links = {"decision_makers": pd.DataFrame({"action_id": [1, 2, 4, 1], "decision_maker_id": [10, 10, 10, 11]}),
             "outcomes": pd.DataFrame({"outcome_id": [100, 100, 101], "action_id": [1, 2, 4]})}
    got = T.dm_activity(register, acts, links, TODAY).set_index("ref")
    assert got.loc["DM-10", ["n_actions", "n_open", "n_overdue", "n_done", "n_outcomes"]].tolist() == [3, 2, 1, 1, 2]
    assert got.loc["DM-11", ["n_actions", "n_outcomes"]].tolist() == [1, 1]
    assert got.loc["DM-13", "n_actions"] == 0
    head = T.dm_headline(got)
    assert head == {"total": 4, "high_influence": 2, "with_open": 2, "supportive": None}


def _register_picked_equals_built(register: pd.DataFrame, actions: pd.DataFrame, links, views) -> None:
    """What the decision-makers page picks (activity from links joined once, rows of the
    register formatted once) equals what it would build for the view alone."""
    index = T.activity_index(actions, links, TODAY)
    for sensitive in (False, True):
        whole = T.dm_table(register, "fr", NAMES, sensitive=sensitive, keep_index=True)
        for dm_filters, acts in views:
            dm = T.filter_decision_makers(register, **dm_filters)
            built = T.dm_activity(dm, acts, links, TODAY)
            picked = T.dm_activity(dm, acts, links, TODAY, index=index)
            pd.testing.assert_frame_equal(picked, built)
            table = T.dm_table(built, "fr", NAMES, sensitive=sensitive)
            pd.testing.assert_frame_equal(T.dm_rows(whole, built, "fr"), table, check_dtype=len(table) > 0)


def test_register_picked_from_the_whole_equals_the_register_of_the_view(register, acts):
    links = {"decision_makers": pd.DataFrame({"action_id": [1, 2, 4, 1], "decision_maker_id": [10, 10, 10, 11]}),
             "outcomes": pd.DataFrame({"outcome_id": [100, 100, 101], "action_id": [1, 2, 4]})}
    register = register.assign(stance=["ally", "opponent", "champion", "unknown"], private_notes="Notes")
    views = [({}, acts), ({"region": "02"}, acts.iloc[[0, 3]]), ({"level": "local"}, acts.iloc[0:0]),
             ({"sector": "housing"}, acts[acts["ref"] != "A-1"])]
    _register_picked_equals_built(register, acts, links, views)
    _register_picked_equals_built(register, acts, {**links, "outcomes": links["outcomes"].iloc[0:0]}, views[:2])


def test_register_picked_from_the_demo_store_equals_the_register_of_the_view(demo_db):
    from sna import queries

    actions, _ = T.visible_actions(queries.actions(), sensitive=False)
    views = [({"sector": s, "region": r}, A.filter_actions(actions, sector=s)[0])
             for s, r in ((None, None), ("health", "02"), ("housing", None))]
    _register_picked_equals_built(queries.decision_makers(sensitive=True), actions, queries.action_links(), views)


def test_dm_table_never_shows_stances_unless_sensitive(register):
    with_stance = register.assign(stance=["ally", "opponent", "champion", "unknown"], private_notes="Notes internes")
    viewer = T.dm_table(with_stance, "fr", NAMES, sensitive=False)
    text = viewer.to_string()
    assert t("dm.col.stance", "fr") not in viewer.columns and t("dm.col.private_notes", "fr") not in viewer.columns
    assert not any(word in text for word in ("Allié", "Opposant", "Champion", "Notes internes"))
    editor = T.dm_table(with_stance, "fr", NAMES, sensitive=True)
    assert set(editor[t("dm.col.stance", "fr")]) == {"Allié", "Opposant", "Champion", "Inconnu"}
    assert T.dm_table(register, "fr", NAMES, sensitive=True).columns.tolist() == viewer.columns.tolist()
    assert T.dm_headline(with_stance)["supportive"] == 2
    counts = T.register_counts(register, "fr")
    assert int(counts.to_numpy().sum()) == len(register)


def test_power_interest_without_stance_has_no_stance_anywhere(register):
    with_stance = register.assign(stance=["ally", "opponent", "champion", "undecided"])
    fig = charts.power_interest(with_stance, "fr", by_stance=False)
    dumped = json.dumps(json.loads(fig.to_json()), ensure_ascii=False)
    assert not any(t(f"code.stance.{s}", "fr") in dumped for s in STANCES)
    assert len(fig.data) == 1 and len(fig.data[0].x) == 4
    coloured = charts.power_interest(with_stance, "fr", by_stance=True)
    assert {tr.name for tr in coloured.data} == {"Allié", "Opposant", "Champion", "Indécis"}
    xs = sorted(x for tr in coloured.data for x in tr.x)
    assert all(abs(x - round(x)) <= 0.25 for x in xs)  # jitter stays inside its score
    again = charts.power_interest(with_stance, "fr", by_stance=False)
    assert list(again.data[0].x) == list(fig.data[0].x)  # deterministic


def test_stance_history_and_changes():
    changes = pd.DataFrame({"id": [1, 2, 3], "decision_maker_id": [10, 10, 11],
                            "stance": ["undecided", "ally", "opponent"],
                            "date": [dt.date(2025, 5, 1), dt.date(2025, 11, 1), dt.date(2026, 1, 10)],
                            "by": ["ed"] * 3})
    dates = T.quarter_ends(dt.date(2025, 5, 1), TODAY)
    assert dates == [dt.date(2025, 6, 30), dt.date(2025, 9, 30), dt.date(2025, 12, 31), TODAY]
    hist = T.stance_history(changes, [10, 11, 12], dates)
    assert (hist.groupby("date")["count"].sum() == 3).all()
    at = hist.set_index(["date", "stance"])["count"]
    assert at[(dt.date(2025, 6, 30), "undecided")] == 1 and at[(dt.date(2025, 6, 30), "unknown")] == 2
    assert at[(TODAY, "ally")] == 1 and at[(TODAY, "opponent")] == 1 and at[(TODAY, "unknown")] == 1
    dm = pd.DataFrame({"id": [10, 11], "name": ["Cabinet", "Commission"], "institution": ["M", "C"]})
    timeline = T.stance_timeline(changes, dm, TODAY)
    assert timeline["date"].min() == dt.date(2025, 6, 30)
    table = T.stance_change_table(changes, dm, "fr")
    assert table[t("dm.col.stance", "fr")].tolist() == ["Opposant", "Allié", "Indécis"]
    assert table[t("dm.col.previous", "fr")].tolist() == ["—", "Indécis", "—"]


# --------------------------------------------------------------------------- charts
def test_pipeline_and_stage_charts(acts):
    fig = charts.pipeline_chart(A.pipeline(acts), "fr")
    assert sum(sum(tr.x) for tr in fig.data) == len(acts)
    assert {tr.name for tr in fig.data} == {t(f"code.status.{s}", "fr") for s in ACTION_STATUSES}
    funnel = charts.stage_funnel(A.stage_counts(acts, by=()), "fr")
    assert list(funnel.data[0].x) == [5, 5, 1, 0, 0]  # cancelled left out, reached is cumulative
    bars = charts.stage_bars(A.stage_counts(acts, by="level"), "level", "fr")
    assert {tr.name for tr in bars.data} == {"Régional", "Local"}


def test_wdww_heatmap_cells_sum_to_the_actions(acts):
    matrix = A.wdww_matrix(acts, "organisation", "region_code")
    fig = charts.wdww_heatmap(matrix, "fr", NAMES)
    z = fig.data[0].z
    assert sum(sum(row) for row in z) == len(acts)
    assert any(v == 0 for row in z for v in row)  # empty cells drawn (white), not dropped
    assert fig.data[0].text[0][list(matrix.columns).index("04")] == ""
    assert any(label.startswith("99 (1)") for label in fig.data[0].x)  # unknown area: its own column


# --------------------------------------------------------------------------- i18n
def test_every_tracker_string_exists_in_three_languages():
    texts = json.loads((ROOT / "sna" / "locales" / "tracker.json").read_text(encoding="utf-8"))
    for key, value in texts.items():
        assert key.split(".")[0] in ("actions", "dm", "outcomes"), key
        assert all(value.get(lang, "").strip() for lang in ("fr", "en", "ar")), key
    used: set[str] = set()
    for path in ("pages/actions.py", "pages/decision_makers.py", "sna/tracker.py", "sna/tracker_charts.py"):
        used |= set(re.findall(r"""["']((?:actions|dm|outcomes)\.[a-z_.]+[a-z_])["']""", (ROOT / path).read_text()))
    families = (
        [f"actions.state.{s}" for s in A.TIMELINE_STATES] + [f"actions.alert.{a}" for a in T.ALERTS]
        + [f"actions.problem.{p}" for p in A.DATA_PROBLEMS] + [f"actions.wdww_option.{v}" for v in T.WDWW_VIEWS]
        + [f"actions.wdww.{v.replace(':', '.')}" for v in T.WDWW_VIEWS]
        + [f"actions.tab.{k}" for k in ("table", "progress", "stages", "outcomes", "wdww")]
        + [f"dm.tab.{k}" for k in ("register", "matrix", "stances", "activity")]
        + [f"dm.quadrant.{k}" for k in ("manage", "satisfy", "inform", "monitor")]
        + [f"actions.stages_by.{b}" for b in ("sector", "level")]
        + [f"dm.{k}" for k in ("total", "high_influence", "with_open", "supportive")]
    )
    used = {k for k in used if ".w." not in k  # widget keys, not strings
            and not any(f.startswith(k + ".") for f in families)}  # prefixes of a family (tabs)
    missing = sorted(k for k in used | set(families) if k not in catalog())
    assert not missing, missing
    assert POLICY_STAGES and all(f"code.stage.{s}" in catalog() for s in POLICY_STAGES)
