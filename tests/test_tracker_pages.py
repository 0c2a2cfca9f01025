"""The actions and decision-makers pages (Streamlit AppTest on the demo store, as of 2026-03-15)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import sqlalchemy as sa
from google.protobuf.json_format import MessageToDict

from apptest import login, open_app
from sna import actions as A
from sna import auth, queries, tracker
from sna.i18n import t
from sna.models import InfluenceAction, Organisation

ACTIONS, DMS = "pages/actions.py", "pages/decision_makers.py"
TODAY = dt.date(2026, 3, 15)
PASSWORD = "correct-horse-battery"


# --------------------------------------------------------------------------- helpers
def _elements(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _elements(child)


def all_text(at) -> str:
    """Every text the page sent: tables' cells and headers, charts' JSON, widgets, markdown."""
    parts = []
    for el in _elements(at._tree):
        if el.type in ("arrow_data_frame", "dataframe"):
            parts.append(" ".join(map(str, el.value.columns)) + "\n" + el.value.to_string())
        elif el.type == "plotly_chart":
            parts.append(json.dumps(json.loads(el.proto.spec), ensure_ascii=False))
        elif getattr(el, "proto", None) is not None:
            parts.append(json.dumps(MessageToDict(el.proto), ensure_ascii=False))
    return "\n".join(parts)


def tables(at, *columns_key: str, lang: str = "fr") -> list[pd.DataFrame]:
    """The dataframes on the page whose headers include every ``columns_key`` label."""
    wanted = [t(k, lang) for k in columns_key]
    return [d.value for d in at.dataframe if all(w in d.value.columns for w in wanted)]


def action_tables(at, lang: str = "fr") -> list[pd.DataFrame]:
    return tables(at, "actions.col.ref", "actions.col.lead", "actions.col.days_left", lang=lang)


def refs(df: pd.DataFrame, lang: str = "fr") -> list[str]:
    return sorted(df[t("actions.col.ref", lang)])


def expected(**filters) -> tuple[list[str], list[str]]:
    """Refs a viewer should see (sensitive actions withheld) for these global filters."""
    store = queries.actions()
    store = store[~store["is_sensitive"]]
    main, national = A.filter_actions(store, **filters)
    return sorted(main["ref"]), sorted(national["ref"])


def selectbox(at, key: str, lang: str = "fr"):
    [found] = [s for s in at.selectbox if s.label == t(key, lang)]
    return found


def heatmap_total(at) -> int:
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            if trace.get("type") == "heatmap":
                return int(sum(v for row in trace["z"] for v in row))
    raise AssertionError("no heatmap on the page")


ACTION_TABS = ("table", "progress", "stages", "outcomes", "wdww")


def open_tab(at, name: str, lang: str = "fr"):
    """Click the tab ``name`` of the page (``actions.tab.*`` or ``dm.tab.*``) and rerun."""
    key, prefix = ("actions.w.tab", "actions.tab") if name in ACTION_TABS else ("dm.w.tab", "dm.tab")
    at.session_state[key] = t(f"{prefix}.{name}", lang)
    at.run()
    assert not at.exception
    return at


def every_tab_text(at, names) -> str:
    """:func:`all_text` of the page with each of ``names`` open in turn."""
    return "\n".join(all_text(open_tab(at, name)) for name in names)


def click_row(at, ref: str, lang: str = "fr"):
    """Tick the row of action ``ref`` in the table that lists it (as a click in the grid
    does: the table's selection state) and rerun."""
    for table in at.dataframe:
        col = t("actions.col.ref", lang)
        if table.key and table.key.startswith("actions.w.rows") and col in table.value.columns:
            refs = table.value[col].tolist()
            if ref in refs:
                at.session_state[table.key] = {"selection": {"rows": [refs.index(ref)], "columns": [], "cells": []}}
                at.run()
                assert not at.exception
                return at
    raise AssertionError(f"{ref} is in no table of the page")


def editor(engine) -> None:
    auth.add_user("amina", PASSWORD, role="editor", engine=engine)


# --------------------------------------------------------------------------- actions page
def test_regional_view_shows_exactly_the_regional_actions(demo_db):
    at = open_app(page=ACTIONS, level="regional", sector="housing")
    main, national = expected(level="regional", sector="housing")
    assert main and not national
    [table] = action_tables(at)
    assert refs(table) == main
    assert at.segmented_control(key="actions.w.level").value == "regional"


def test_level_selector_sets_the_view_and_the_global_filter(demo_db):
    at = open_app(page=ACTIONS)
    assert refs(action_tables(at)[0]) == expected()[0]
    at.segmented_control(key="actions.w.level").set_value("local").run()
    assert not at.exception
    assert refs(action_tables(at)[0]) == expected(level="local")[0]
    assert at.query_params["level"] == ["local"] or at.query_params["level"] == "local"
    at.segmented_control(key="actions.w.level").set_value("all").run()
    assert refs(action_tables(at)[0]) == expected()[0]


def test_region_keeps_national_actions_apart(demo_db):
    at = open_app(page=ACTIONS, region="02")
    main, national = expected(region="02")
    assert main and national
    regional_table, national_table = action_tables(at)
    assert refs(regional_table) == main
    assert refs(national_table) == national  # shown apart, not dropped
    assert any(t("actions.national_apart_title", "fr") in s.value for s in at.subheader)
    assert heatmap_total(open_tab(at, "wdww")) == len(main) + len(national)


def test_sensitive_actions_hidden_from_viewers_and_said_so(demo_db):
    store = queries.actions()
    secret = set(store.loc[store["is_sensitive"], "ref"])
    assert secret
    at = open_app(page=ACTIONS)
    assert not secret & set(action_tables(at)[0][t("actions.col.ref", "fr")])
    assert any(t("actions.sensitive_hidden", "fr", n=len(secret)) == c.value for c in at.caption)
    assert at.metric[0].value == str(len(store) - len(secret))

    editor(demo_db)
    at = login(open_app(page=ACTIONS), "amina", PASSWORD)
    assert secret <= set(action_tables(at)[0][t("actions.col.ref", "fr")])


def test_headline_figures(demo_db):
    at = open_app(page=ACTIONS, level="national", sector="housing")
    main, _ = A.filter_actions(queries.actions().query("~is_sensitive"), level="national", sector="housing")
    figures = A.summary(main, TODAY)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("actions.total", "fr")] == str(figures["total"])
    assert metrics[t("actions.overdue", "fr")] == str(figures["overdue"])
    assert metrics[t("actions.due_30", "fr")] == str(figures["due_30"])


def test_milestones_days_left(demo_db):
    at = open_app(page=ACTIONS)
    [table] = tables(at, "actions.col.milestone")
    ms = queries.milestones()
    assert list(table[t("actions.col.days_left", "fr")]) == [(d - TODAY).days for d in ms["due_date"]]
    assert list(table[t("actions.col.days_left", "fr")]) == [82, 92, 107]  # 5, 15 and 30 June 2026


def test_who_does_what_where_totals_equal_the_actions_in_the_filter(demo_db):
    at = open_tab(open_app(page=ACTIONS, sector="health"), "wdww")
    main, _ = expected(sector="health")
    assert heatmap_total(at) == len(main)
    for view in ("organisation:sector", "region_code:sector"):
        at.segmented_control(key="actions.w.wdww").set_value(view).run()
        assert heatmap_total(at) == len(main)


def chart_refs(at) -> set[str]:
    """The action refs drawn on the timeline (its bars' y values)."""
    found = set()
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"].get("title", {}).get("text") == t("actions.timeline", "fr"):
            found |= {y for trace in spec["data"] for y in trace.get("y", [])}
    return found


def test_only_the_open_tab_is_drawn_and_the_table_filters_follow_the_user(demo_db):
    at = open_app(page=ACTIONS)
    assert action_tables(at) and not at.get("plotly_chart")  # the table tab: no chart is built
    store = queries.actions().query("~is_sensitive")
    org = store["lead_organisation"].value_counts().index[0]
    theirs = sorted(store.loc[store["lead_organisation"] == org, "ref"])
    at.multiselect(key="actions.w.org").set_value([org]).run()
    assert refs(action_tables(at)[0]) == theirs

    open_tab(at, "progress")
    assert not action_tables(at)  # the table is not drawn behind the open tab
    assert chart_refs(at) and chart_refs(at) <= set(theirs)  # the timeline keeps the table's narrowing
    at.selectbox(key="w.sector").set_value("health").run()  # a filter change while the table is closed
    assert chart_refs(at) <= set(theirs)

    open_tab(at, "stages")
    at.segmented_control(key="actions.w.stage_by").set_value("level").run()
    open_tab(at, "table")
    assert at.multiselect(key="actions.w.org").value == [org]  # nothing the user chose is lost
    assert refs(action_tables(at)[0]) == sorted(set(theirs) & set(expected(sector="health")[0]))
    open_tab(at, "stages")
    assert at.segmented_control(key="actions.w.stage_by").value == "level"


def test_a_change_of_language_opens_the_first_tab(demo_db):
    at = open_tab(open_app(page=ACTIONS), "outcomes")
    assert not action_tables(at)
    at.selectbox(key="w.lang").set_value("en").run()
    assert not at.exception
    assert action_tables(at, lang="en")


def _insert_bad_action(engine) -> str:
    with engine.begin() as conn:
        org = conn.execute(sa.select(Organisation.id).limit(1)).scalar_one()
        conn.execute(sa.insert(InfluenceAction.__table__).values(
            ref="ACT-BAD-001", title="Action sans échéance", description="", ask="Une demande", sector="housing",
            level="regional", area_code="99", lead_organisation_id=org, action_type="workshop", status="planned",
            policy_stage="agenda_setting", start_date=dt.date(2026, 1, 10), due_date=None, done_date=None,
            is_sensitive=False, archived=False, version=1))
    return "ACT-BAD-001"


def test_bad_input_is_shown_as_such_and_listed(demo_db):
    ref = _insert_bad_action(demo_db)
    at = open_app(page=ACTIONS)
    [table] = action_tables(at)
    row = table.set_index(t("actions.col.ref", "fr")).loc[ref]
    assert row[t("actions.col.due", "fr")] == "pas d'échéance"
    assert row[t("actions.col.area", "fr")] == "99"
    [quality] = tables(at, "actions.col.problems")
    problems = quality.set_index(t("actions.col.ref", "fr")).loc[ref, t("actions.col.problems", "fr")]
    assert "pas d'échéance" in problems and "zone inconnue (99)" in problems and "aucun décideur" in problems
    assert any(ex.label == t("actions.quality_title", "fr", n=len(quality)) for ex in at.expander)

    click_row(at, ref)  # its detail opens
    assert "pas d'échéance" in " ".join(m.value for m in at.markdown)
    at.toggle(key="actions.w.late").set_value(True).run()  # and the other views hold
    assert not at.exception


def test_detail_of_an_action(demo_db):
    at = open_app(page=ACTIONS)
    assert not tables(at, "actions.col.name", "actions.col.institution")  # the detail opens on demand
    assert any(c.value == t("actions.pick_row", "fr") for c in at.caption)
    ref = action_tables(at)[0][t("actions.col.ref", "fr")].iloc[3]
    click_row(at, ref)
    store = queries.actions().set_index("ref")
    assert tracker.md(store.at[ref, "ask"]) in " ".join(m.value for m in at.markdown)  # the chosen one's detail
    text = " ".join(m.value for m in at.markdown)
    assert store.at[ref, "lead_organisation"].split(" ")[0] in text
    [targets] = tables(at, "actions.col.name", "actions.col.institution")
    assert t("actions.col.stance", "fr") not in targets.columns  # a viewer
    assert tables(at, "actions.col.stage", "actions.col.organisation", "actions.col.date")

    at.selectbox(key="w.sector").set_value("housing").run()  # other rows: the selection is not carried over
    assert not tables(at, "actions.col.name", "actions.col.institution")


def test_a_national_action_opens_from_its_own_table(demo_db):
    at = open_app(page=ACTIONS, region="02")
    _, national = expected(region="02")
    click_row(at, national[0])
    assert tables(at, "actions.col.name", "actions.col.institution")
    text = " ".join(m.value for m in at.markdown)
    assert tracker.md(t("area.national", "fr")) in text  # its area, as the detail writes it
    assert tracker.md(queries.actions().set_index("ref").at[national[0], "ask"]) in text


# --------------------------------------------------------------------------- decision-makers page
STANCE_WORDS = ("Allié", "Opposant", "Indécis", "Champion")


def test_viewer_never_receives_stances_or_private_notes(demo_db, monkeypatch):
    calls = []
    real_dm, real_changes = queries.decision_makers, queries.stance_changes
    monkeypatch.setattr(queries, "decision_makers",
                        lambda *a, **kw: calls.append(("dm", kw)) or real_dm(*a, **kw))
    monkeypatch.setattr(queries, "stance_changes",
                        lambda *a, **kw: calls.append(("changes", kw)) or real_changes(*a, **kw))
    for page, names in ((DMS, ("register", "matrix", "activity")), (ACTIONS, ACTION_TABS)):
        at = open_app(page=page)
        text = every_tab_text(at, names)
        assert t("dm.tab.stances", "fr") not in text  # no stances tab for a viewer
        assert not any(word in text for word in STANCE_WORDS), [w for w in STANCE_WORDS if w in text]
        assert "Notes internes" not in text
        for df in at.dataframe:
            assert "stance" not in df.value.columns and t("dm.col.stance", "fr") not in df.value.columns
    assert calls and all(kind == "dm" and kw.get("sensitive") is False for kind, kw in calls)


def test_presenting_hides_stances_even_from_an_editor(demo_db):
    editor(demo_db)
    at = login(open_app(page=DMS, present="1"), "amina", PASSWORD)
    assert not any(word in every_tab_text(at, ("register", "matrix", "activity")) for word in STANCE_WORDS)


def test_editor_sees_stances(demo_db):
    editor(demo_db)
    at = login(open_app(page=DMS), "amina", PASSWORD)
    [register] = tables(at, "dm.col.stance", "dm.col.private_notes")
    store = queries.decision_makers(sensitive=True)
    assert len(register) == len(store)
    assert set(register[t("dm.col.stance", "fr")]) <= {t(f"code.stance.{s}", "fr") for s in store["stance"]}
    assert "Notes internes" in all_text(at)
    assert any(w in all_text(at) for w in STANCE_WORDS)
    assert tables(open_tab(at, "stances"), "dm.col.previous")  # stance changes over time


def test_register_filters_and_activity(demo_db):
    at = open_app(page=DMS, level="national")
    [register] = tables(at, "dm.col.influence", "dm.col.n_actions")
    store = queries.decision_makers()
    assert len(register) == int((store["level"] == "national").sum())
    assert set(register[t("dm.col.level", "fr")]) == {"National"}
    assert tables(at, "dm.col.ref")
    open_tab(at, "activity")
    assert selectbox(at, "dm.choose").value is not None
    assert action_tables(at)  # the chosen decision-maker's actions


@pytest.mark.parametrize("page", [ACTIONS, DMS])
def test_arabic_pages_render(demo_db, page):
    at = open_app(page=page, lang="ar", region="02")
    assert not at.exception
    assert at.title[0].value == t("actions.title" if page == ACTIONS else "dm.title", "ar")
